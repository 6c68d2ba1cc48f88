/// A bitcoin-etl transaction as ``BitcoinETLImporter/streamBytes(_:strict:chain:_:)`` hands it over: its hash and
/// addresses as byte ranges of ``bytes``, so that reading it made no string. Valid only during the call.
package struct StreamedUTXOTransaction {
    /// The hash and the addresses, end to end.
    package var bytes: [UInt8] = []
    package var hash: Range<Int> = 0..<0
    /// Each input's address (`+`-joined for a multisig list, or a placeholder such as `unknown-address`).
    package var inputs: [Range<Int>] = []
    package var outputs: [(address: Range<Int>, value: MinorUnits)] = []
    package var isCoinbase = false
    package var block: Int64 = 0
    package var indexInBlock: Int64 = 0
    /// Block time in milliseconds.
    package var time: Int64 = 0
    /// The file and the 1-based line it was read from.
    package var file = ""
    package var line = 0

    /// The hash as text.
    package var hashText: String { String(decoding: bytes[hash], as: UTF8.self) }
}

extension BitcoinETLImporter {
    /// Reads `paths` as ``stream(_:strict:chain:_:)`` does, with the same checks, messages and result, but hands
    /// each transaction over as bytes (``StreamedUTXOTransaction``), making no string for a hash or an address:
    /// the lean path of `trace cluster` over millions of transactions.
    ///
    /// Returns nil, having stopped reading, when the export is not in chain order or an input has no value
    /// (the caller then uses ``load(_:strict:chain:)``).
    package static func streamBytes(
        _ paths: [String], strict: Bool = false, chain given: String?, _ body: (StreamedUTXOTransaction) -> Void
    ) throws -> UTXOImport? {
        var chain: UTXOChain?
        if let given {
            guard let c = UTXOChain.named(given) else {
                throw ProceedsError(
                    file: paths.first ?? "", line: 0,
                    reason: "unknown chain '\(given)': give one of "
                        + UTXOChain.known.map { "\($0.name) (\($0.asset))" }.joined(separator: ", "))
            }
            chain = c
        }
        var issues: [ImportIssue] = []
        var inputs: [(String, String)] = []
        var foreign: (address: String, chain: String)?
        var row = BitcoinETLLeanRow()
        var tx = StreamedUTXOTransaction()
        // The last transaction's place in chain order; its hash is kept as bytes.
        var lastBlock: Int64 = 0
        var lastIndex: Int64 = 0
        var lastHash: [UInt8] = []
        var started = false
        func observe(_ r: Range<Int>) {
            guard chain == nil else { return }
            row.bytes.withUnsafeBufferPointer { b in
                let a = UnsafeBufferPointer(rebasing: b[r])
                guard Self.mayBeForeign(a) else { return }
                let text = String(decoding: a, as: UTF8.self)
                guard text != "unknown-address", text != shieldedPool,
                    foreign == nil || text < foreign!.address, let other = nonBitcoinChain(of: text)
                else { return }
                foreign = other
            }
        }
        for path in paths {
            let sha: String
            do {
                sha = try forEachLine(path) { (n, line) in
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { return }
                    func fail(_ why: String) throws {
                        if strict { throw ProceedsError(file: path, line: n, reason: why) }
                        issues.append(ImportIssue(file: path, line: n, reason: why))
                    }
                    do throws(BitcoinETLLineError) { try BitcoinETLLineReader.read(line, into: &row) } catch {
                        try fail("not a bitcoin-etl transaction object (\(error.reason))")
                        return
                    }
                    if let t = row.type, !row.holds(t, "transaction") { return }
                    guard let hash = row.hash else {
                        try fail("not a bitcoin-etl transaction object (no hash)")
                        return
                    }
                    guard let block = row.blockNumber, let ts = row.blockTimestamp else {
                        try fail("block_number and block_timestamp are required")
                        return
                    }
                    let (ms, overflow) = ts.multipliedReportingOverflow(by: 1000)
                    guard !overflow else {
                        try fail("block_timestamp \(ts) is not a time in seconds")
                        return
                    }
                    tx.inputs.removeAll(keepingCapacity: true)
                    tx.outputs.removeAll(keepingCapacity: true)
                    var unknown: Range<Int>?
                    var shielded: Range<Int>?
                    func placeholder(_ p: inout Range<Int>?, _ text: StaticString) -> Range<Int> {
                        if let p { return p }
                        let mark = row.bytes.count
                        text.withUTF8Buffer { row.bytes.append(contentsOf: $0) }
                        p = mark..<row.bytes.count
                        return p!
                    }
                    var bad: String?
                    var missing = false
                    for (k, i) in row.inputs.enumerated() {
                        if !i.hasSpentTransactionHash && row.holds(i.type, "shielded") {
                            guard i.value?.units != nil else {
                                bad = "shielded input \(k) has no value"
                                break
                            }
                            tx.inputs.append(placeholder(&shielded, "zcash-shielded-pool"))
                            continue
                        }
                        guard i.hasSpentTransactionHash, i.hasSpentOutputIndex else {
                            bad = "input \(k) lacks spent_transaction_hash or spent_output_index"
                            break
                        }
                        let address = i.address.isEmpty ? placeholder(&unknown, "unknown-address") : i.address
                        if let v = i.value, v.units == nil {
                            bad = "input \(k) value \(v.text ?? "") is not a whole number of units"
                            break
                        }
                        if i.value == nil { missing = true }
                        tx.inputs.append(address)
                        observe(address)
                    }
                    if bad == nil {
                        for (k, out) in row.outputs.enumerated() {
                            guard let v = out.value, let value = v.units, out.hasIndex else {
                                // The text as written, for the message (the row keeps it only for a value that
                                // is not whole): this line is read again, the way `load` reads it.
                                let text = out.value.map { v in
                                    v.text ?? (try? BitcoinETLLineReader.read(line))?.outputs?[k].value?.text ?? ""
                                }
                                bad =
                                    text.map { "output \(k) value \($0) is not a whole number of units" }
                                    ?? "output \(k) lacks its value or index"
                                break
                            }
                            let address =
                                row.holds(out.type, "shielded") && out.noAddresses
                                ? placeholder(&shielded, "zcash-shielded-pool")
                                : out.address.isEmpty ? placeholder(&unknown, "unknown-address") : out.address
                            tx.outputs.append((address, value))
                            observe(address)
                        }
                    }
                    if let bad {
                        try fail(bad)
                        return
                    }
                    let index = row.index ?? 0
                    let inOrder = row.bytes.withUnsafeBufferPointer { b in
                        !started
                            || Self.precedes(
                                (lastBlock, lastIndex, lastHash), (block, index, UnsafeBufferPointer(rebasing: b[hash]))
                            )
                    }
                    guard !missing, inOrder else { throw StopStreamingBytes() }
                    started = true
                    lastBlock = block
                    lastIndex = index
                    lastHash.removeAll(keepingCapacity: true)
                    lastHash.append(contentsOf: row.bytes[hash])
                    tx.hash = hash
                    tx.isCoinbase = row.isCoinbase ?? false
                    tx.block = block
                    tx.indexInBlock = index
                    tx.time = ms
                    tx.file = path
                    tx.line = n
                    // The row's bytes are lent to the transaction for the call (a swap of buffers, no copy).
                    swap(&tx.bytes, &row.bytes)
                    body(tx)
                    swap(&tx.bytes, &row.bytes)
                }
            } catch is StopStreamingBytes {
                return nil
            }
            inputs.append((path, sha))
        }
        let (settled, note) = try settleChain(chain, foreign: foreign, file: paths.first ?? "")
        chain = settled
        return UTXOImport(transactions: [], issues: issues, inputs: inputs, chain: chain!, chainNote: note)
    }

    private struct StopStreamingBytes: Error {}

    /// Chain order (block, position in block, hash), the hash compared as `String` compares it: bytes for ASCII.
    private static func precedes(
        _ a: (Int64, Int64, [UInt8]), _ b: (Int64, Int64, UnsafeBufferPointer<UInt8>)
    ) -> Bool {
        if a.0 != b.0 { return a.0 < b.0 }
        if a.1 != b.1 { return a.1 < b.1 }
        if a.2.allSatisfy({ $0 < 0x80 }) && b.2.allSatisfy({ $0 < 0x80 }) {
            return a.2.lexicographicallyPrecedes(b.2)
        }
        return String(decoding: a.2, as: UTF8.self) < String(decoding: b.2, as: UTF8.self)
    }

    /// False when `nonBitcoinChain(of:)` surely finds the address to be Bitcoin's (`1…`, `3…`, `bc1…` and the
    /// testnet forms): those need no string. Anything else, or anything not ASCII, is looked at as text.
    private static func mayBeForeign(_ a: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = a.first else { return true }
        switch first {
        case UInt8(ascii: "1"), UInt8(ascii: "3"), UInt8(ascii: "2"), UInt8(ascii: "m"), UInt8(ascii: "n"):
            return a.contains { $0 >= 0x80 }
        case UInt8(ascii: "b"):
            return !(a.count >= 3 && a[1] == UInt8(ascii: "c") && a[2] == UInt8(ascii: "1"))
                || a.contains { $0 >= 0x80 }
        default: return true
        }
    }
}
