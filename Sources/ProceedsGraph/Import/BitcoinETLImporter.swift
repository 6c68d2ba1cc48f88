import IProceedsDigest
import Foundation

/// A chain that bitcoin-etl exports, with the asset code its values are counted in.
package struct UTXOChain: Sendable, Equatable {
    /// bitcoin-etl's name for the chain (`bitcoin`, `dogecoin`, …).
    package var name: String
    /// The asset code reports use (`BTC`, `DOGE`, …).
    package var asset: String
    /// Decimals of the smallest unit bitcoin-etl counts values in (satoshi and its equivalents: 8 on every chain).
    package var scale: Int

    /// The chains bitcoin-etl supports (its `--chain` values), each with its asset.
    package static let known: [UTXOChain] = [
        .init(name: "bitcoin", asset: "BTC", scale: 8), .init(name: "bitcoin_cash", asset: "BCH", scale: 8),
        .init(name: "bitcoin_sv", asset: "BSV", scale: 8), .init(name: "bitcoin_gold", asset: "BTG", scale: 8),
        .init(name: "dogecoin", asset: "DOGE", scale: 8), .init(name: "litecoin", asset: "LTC", scale: 8),
        .init(name: "dash", asset: "DASH", scale: 8), .init(name: "zcash", asset: "ZEC", scale: 8),
    ]

    /// The chain named by bitcoin-etl's chain name or its asset code (`dogecoin`, `DOGE`, `bitcoin-cash`).
    package static func named(_ text: String) -> UTXOChain? {
        let t = text.lowercased().replacingOccurrences(of: "-", with: "_")
        return known.first { $0.name == t || $0.asset.lowercased() == t }
    }
}

/// What a bitcoin-etl import read.
package struct UTXOImport: Sendable {
    package var transactions: [UTXOTransaction]
    package var issues: [ImportIssue]
    package var inputs: [(path: String, sha256: String)]
    package var chain: UTXOChain
    /// Why the chain is what it is: given, or inferred from the addresses (said on standard error).
    package var chainNote: String?
    /// Inputs whose value the export left out (not enriched), filled from outputs found in the data.
    package var inputsResolved = 0
    /// Transaction hashes that occur more than once (Bitcoin's two BIP 30 duplicate coinbases, or a file given
    /// twice), each with its places.
    package var duplicateHashes: [DuplicateTransferID] = []
}

/// Reads bitcoin-etl `transactions` exports (JSON Lines: `hash, block_number, block_timestamp, index, inputs,
/// outputs, is_coinbase`, values in the chain's smallest unit), of any chain bitcoin-etl supports.
///
/// - Values are read from the JSON number's digits (never through a binary floating-point number): a value
///   that is not a whole non-negative number of units is refused.
/// - An input without a value (an export made without bitcoin-etl's `enrich` step) takes the value and address
///   of the output it spends when that output is in the data; otherwise its transaction is refused with what to
///   do.
/// - Zcash shielded inputs and outputs (no address, no spent output) are paid from and to one account,
///   `zcash-shielded-pool`: value that enters it cannot be followed further.
package enum BitcoinETLImporter {
    /// Bitcoin's exports, as before chains were told apart: the chain is `bitcoin`, given.
    package static func load(_ paths: [String], strict: Bool = false) throws -> (
        transactions: [UTXOTransaction], issues: [ImportIssue], inputs: [(path: String, sha256: String)]
    ) {
        let r = try load(paths, strict: strict, chain: "bitcoin")
        return (r.transactions, r.issues, r.inputs)
    }

    static let shieldedPool = "zcash-shielded-pool"

    /// Imports `paths`, of `chain` (a bitcoin-etl chain name or asset code). Without one, the chain is inferred
    /// only when every address has Bitcoin's forms, and the note says so; other address forms are refused with
    /// the chain they suggest.
    package static func load(_ paths: [String], strict: Bool = false, chain given: String?) throws -> UTXOImport {
        try importing(paths, strict: strict, chain: given, stream: nil)!
    }

    /// Reads `paths` as ``load(_:strict:chain:)`` does, but hands each transaction to `body` as soon as it is
    /// read and keeps none (`transactions` and `duplicateHashes` come back empty): for a consumer that needs each
    /// transaction once, in chain order, such as clustering, and memory for the addresses only.
    ///
    /// Returns nil, having stopped reading, when that cannot give what `load` would: a transaction that does not
    /// come after the one before in chain order (block, position in block, hash), or an input without a value
    /// (its value and address come from an output that may be further on). The caller then uses `load`.
    package static func stream(
        _ paths: [String], strict: Bool = false, chain given: String?, _ body: (UTXOTransaction) -> Void
    ) throws -> UTXOImport? {
        try withoutActuallyEscaping(body) { try importing(paths, strict: strict, chain: given, stream: $0) }
    }

    /// Thrown out of the line loop when streaming cannot go on.
    private struct StopStreaming: Error {}

    private static func importing(
        _ paths: [String], strict: Bool, chain given: String?, stream: ((UTXOTransaction) -> Void)?
    ) throws -> UTXOImport? {
        var chain: UTXOChain?
        var last: (block: Int64, index: Int64, hash: String)?
        if let given {
            guard let c = UTXOChain.named(given) else {
                throw ProceedsError(
                    file: paths.first ?? "", line: 0,
                    reason: "unknown chain '\(given)': give one of "
                        + UTXOChain.known.map { "\($0.name) (\($0.asset))" }.joined(separator: ", "))
            }
            chain = c
        }
        var txs: [UTXOTransaction] = []
        var issues: [ImportIssue] = []
        var inputs: [(String, String)] = []
        // Inputs to fill once every file is read: (transaction, input, line).
        var unresolved: [(tx: Int, input: Int)] = []
        // The smallest address (String order) whose form is not Bitcoin's, for the refusal when no chain is given.
        var foreign: (address: String, chain: String)?
        func observe(_ address: String) {
            guard chain == nil, address != "unknown-address", address != shieldedPool,
                foreign == nil || address < foreign!.address, let other = nonBitcoinChain(of: address)
            else { return }
            foreign = other
        }
        for path in paths {
            let first = txs.count
            let sha: String
            do {
                sha = try forEachLine(path) { (n, line) in
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { return }
                    func fail(_ why: String) throws {
                        if strict { throw ProceedsError(file: path, line: n, reason: why) }
                        issues.append(ImportIssue(file: path, line: n, reason: why))
                    }
                    let o: BitcoinETLRow
                    do throws(BitcoinETLLineError) { o = try BitcoinETLLineReader.read(line) } catch {
                        try fail("not a bitcoin-etl transaction object (\(error.reason))")
                        return
                    }
                    // streamed blocks and other items between transactions
                    if let t = o.type, t != "transaction" { return }
                    guard let hash = o.hash else {
                        try fail("not a bitcoin-etl transaction object (no hash)")
                        return
                    }
                    guard let block = o.blockNumber, let ts = o.blockTimestamp else {
                        try fail("block_number and block_timestamp are required")
                        return
                    }
                    // Times are kept in milliseconds: a timestamp that does not fit then is refused, not trapped on.
                    let (ms, overflow) = ts.multipliedReportingOverflow(by: 1000)
                    guard !overflow else {
                        try fail("block_timestamp \(ts) is not a time in seconds")
                        return
                    }
                    var ins: [UTXOTransaction.Input] = []
                    var outs: [UTXOTransaction.Output] = []
                    ins.reserveCapacity(o.inputs?.count ?? 0)
                    outs.reserveCapacity(o.outputs?.count ?? 0)
                    var bad: String?
                    var missing: [Int] = []
                    for (k, i) in (o.inputs ?? []).enumerated() {
                        if i.spentTransactionHash == nil && i.type == "shielded" {
                            guard let value = i.value?.units else {
                                bad = "shielded input \(k) has no value"
                                break
                            }
                            ins.append(
                                .init(spentTransaction: "", spentOutput: -1, address: shieldedPool, value: value))
                            continue
                        }
                        guard let spent = i.spentTransactionHash, let idx = i.spentOutputIndex else {
                            bad = "input \(k) lacks spent_transaction_hash or spent_output_index"
                            break
                        }
                        let address = address(i.addresses)
                        if let v = i.value, v.units == nil {
                            bad = "input \(k) value \(v.text) is not a whole number of units"
                            break
                        }
                        if i.value == nil { missing.append(k) }
                        ins.append(
                            .init(
                                spentTransaction: spent, spentOutput: Int(idx), address: address,
                                value: i.value?.units ?? 0
                            ))
                        observe(address)
                    }
                    if bad == nil {
                        for (k, out) in (o.outputs ?? []).enumerated() {
                            guard let v = out.value, let value = v.units, let idx = out.index else {
                                bad =
                                    out.value.map { "output \(k) value \($0.text) is not a whole number of units" }
                                    ?? "output \(k) lacks its value or index"
                                break
                            }
                            let address =
                                out.type == "shielded" && (out.addresses ?? []).isEmpty
                                ? shieldedPool : address(out.addresses)
                            outs.append(.init(index: Int(idx), address: address, value: value))
                            observe(address)
                        }
                    }
                    if let bad {
                        try fail(bad)
                        return
                    }
                    let tx = UTXOTransaction(
                        hash: hash, time: ms, block: block, indexInBlock: o.index ?? 0, inputs: ins, outputs: outs,
                        isCoinbase: o.isCoinbase ?? false,
                        source: SourceReference(file: path, fileSHA256: "", line: n, reference: hash))
                    if let stream {
                        let key = (tx.block, tx.indexInBlock, tx.hash)
                        guard missing.isEmpty, last.map({ ($0.block, $0.index, $0.hash) < key }) ?? true else {
                            throw StopStreaming()
                        }
                        last = key
                        stream(tx)
                        return
                    }
                    let row = txs.count
                    txs.append(tx)
                    for k in missing { unresolved.append((row, k)) }
                }
            } catch is StopStreaming {
                return nil
            }
            inputs.append((path, sha))
            for i in first..<txs.count { txs[i].source.fileSHA256 = sha }
        }
        // Fill inputs the export left without values from the outputs they spend, when those are in the data.
        var resolved = 0
        if !unresolved.isEmpty {
            struct Key: Hashable { var tx: String; var index: Int }
            var produced: [Key: UTXOTransaction.Output] = [:]
            for tx in txs { for out in tx.outputs { produced[Key(tx: tx.hash, index: out.index)] = out } }
            var refused = Set<Int>()
            var refusedWhy: [Int: [String]] = [:]
            for (row, k) in unresolved {
                let input = txs[row].inputs[k]
                if let out = produced[Key(tx: input.spentTransaction, index: input.spentOutput)] {
                    txs[row].inputs[k].value = out.value
                    if txs[row].inputs[k].address == "unknown-address" { txs[row].inputs[k].address = out.address }
                    resolved += 1
                } else {
                    refused.insert(row)
                    refusedWhy[row, default: []].append("\(input.spentTransaction):\(input.spentOutput)")
                }
            }
            for row in refused.sorted() {
                let tx = txs[row]
                let why =
                    "transaction \(tx.hash): the export gives no value for inputs spending \(refusedWhy[row]!.joined(separator: ", ")), "
                    + "and those outputs are not in the data. Enrich the export with bitcoin-etl's enrich step "
                    + "(`bitcoinetl enrich_transactions`), or add the transactions that created those outputs, and import again"
                if strict { throw ProceedsError(file: tx.source.file, line: tx.source.line, reason: why) }
                issues.append(ImportIssue(file: tx.source.file, line: tx.source.line, reason: why))
            }
            txs = txs.enumerated().filter { !refused.contains($0.offset) }.map(\.element)
        }
        let (settled, note) = try settleChain(chain, foreign: foreign, file: paths.first ?? "")
        chain = settled
        var seen: [String: [Int]] = [:]
        for (i, tx) in txs.enumerated() { seen[tx.hash, default: []].append(i) }
        let duplicates = seen.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }.map { rows in
            DuplicateTransferID(
                id: txs[rows[0]].hash, places: rows.map { "\(txs[$0].source.file):\(txs[$0].source.line)" })
        }
        return UTXOImport(
            transactions: txs, issues: issues, inputs: inputs, chain: chain!, chainNote: note, inputsResolved: resolved,
            duplicateHashes: duplicates)
    }

    /// Calls `body` with each line of the file at `path` (1-based number, bytes without the line feed), reading
    /// it in blocks rather than whole, and returns the file's SHA-256.
    static func forEachLine(
        _ path: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> String {
        let (fd, _) = try LedgerImporter.openLedgerFile(path)
        defer { close(fd) }
        let digest = SHA256Digest()
        let block = 1 << 22
        // Unfinished line from the previous block first, then the block read.
        var buffer = [UInt8](repeating: 0, count: block)
        var held = 0
        var line = 0
        while true {
            if buffer.count - held < block { buffer.append(contentsOf: repeatElement(0, count: block)) }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + held, block) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ProceedsError(file: path, line: 0, reason: "read failed (\(String(cString: strerror(errno))))")
            }
            digest.update(buffer[held..<held + n])
            let end = held + n
            var start = 0
            try buffer.withUnsafeBufferPointer { all in
                var k = held
                // memchr finds each line feed (vectorised by the C library), not a byte-by-byte loop.
                while k < end, let hit = memchr(all.baseAddress! + k, 0x0A, end - k) {
                    k = all.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    line += 1
                    try body(line, UnsafeBufferPointer(rebasing: all[start..<k]))
                    start = k + 1
                    k += 1
                }
                if n == 0, start < end {
                    line += 1
                    try body(line, UnsafeBufferPointer(rebasing: all[start..<end]))
                    start = end
                }
            }
            if n == 0 { break }
            // Keep the unfinished line at the front.
            held = end - start
            if start > 0 && held > 0 {
                buffer.withUnsafeMutableBufferPointer { p in
                    _ = memmove(p.baseAddress!, p.baseAddress! + start, held)
                }
            }
        }
        return digest.finalizeHex()
    }

    static func address(_ list: [String]?) -> String {
        (list ?? []).joined(separator: "+").nilIfEmpty ?? "unknown-address"
    }

    /// The chain an address's form points to, when it is not one of Bitcoin's (P2PKH `1…`, P2SH `3…`, bech32
    /// `bc1…`, and the testnet forms `m…`, `n…`, `2…`, `tb1…`, `bcrt1…`).
    static func nonBitcoinChain(of address: String) -> (address: String, chain: String)? {
        let a = address
        if a.hasPrefix("bitcoincash:") || a.hasPrefix("q") && a.count == 42 { return (a, "bitcoin_cash") }
        if a.hasPrefix("t1") || a.hasPrefix("t3") || a.hasPrefix("zs") || a.hasPrefix("zc") { return (a, "zcash") }
        if a.hasPrefix("ltc1") || a.hasPrefix("L") || a.hasPrefix("M") { return (a, "litecoin") }
        if a.hasPrefix("D") || a.hasPrefix("A") || a.hasPrefix("9") { return (a, "dogecoin") }
        if a.hasPrefix("X") || a.hasPrefix("7") { return (a, "dash") }
        let bitcoin =
            a.hasPrefix("1") || a.hasPrefix("3") || a.hasPrefix("bc1") || a.hasPrefix("tb1") || a.hasPrefix("bcrt1")
            || a.hasPrefix("m") || a.hasPrefix("n") || a.hasPrefix("2")
        return bitcoin ? nil : (a, "another chain, or no address at all")
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
            DecodingError.dataCorrupted(let c):
            let path = c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        default: return "\(error)"
        }
    }

    /// The chain of an export read without `--chain`: Bitcoin, with a note saying so, unless an address has another
    /// chain's form (then the run stops and asks for `--chain`).
    static func settleChain(_ given: UTXOChain?, foreign: (address: String, chain: String)?, file: String) throws
        -> (UTXOChain, String?)
    {
        if let given { return (given, nil) }
        if let other = foreign {
            throw ProceedsError(
                file: file, line: 0,
                reason: "addresses such as \(other.address) are not Bitcoin's (they look like \(other.chain)); "
                    + "say which chain the export is from with --chain (\(UTXOChain.known.map(\.name).joined(separator: ", ")))"
            )
        }
        return (
            UTXOChain.named("bitcoin")!,
            "chain taken to be bitcoin (BTC): every address has Bitcoin's forms. Bitcoin Cash and Bitcoin SV "
                + "exports with legacy addresses look the same: give --chain if this export is from another chain"
        )
    }
}

/// An amount in a chain's smallest unit as a JSON number or string, read exactly: the number's decimal digits
/// (Foundation's `Decimal`, 38 digits) or the string's, never a binary floating-point number.
struct Units: Decodable, Sendable {
    /// The value, or nil when it is not a whole non-negative number.
    var units: MinorUnits?
    var text: String

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            text = s
        } else {
            let d = try c.decode(Foundation.Decimal.self)
            text = d.description
        }
        let t = text.trimmingCharacters(in: .whitespaces)
        units = t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) && !t.isEmpty ? MinorUnits(t) : nil
    }
}
