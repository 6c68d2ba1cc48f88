import Foundation
import IProceedsBase

/// ethereum-etl exports, told apart by their content:
///
/// - `token_transfers.csv` (`token_address, from_address, to_address, value, transaction_hash, log_index,
///   block_number[, block_timestamp]`) and the same as JSON Lines (`{"type": "token_transfer", …}`, as
///   `ethereumetl stream` writes): one transfer per row, the asset is the token's contract address (lower case),
///   id `transaction_hash:log_index`, ordered by block then log index.
/// - `transactions.csv` (`hash, …, from_address, to_address, value, …, block_timestamp`): native ether, `value`
///   in wei, asset `ETH` (or `--chain` for another EVM chain's native asset), id the transaction hash, ordered by
///   block then transaction index. A transaction that creates a contract (no `to_address`) is paid to
///   `contract-creation:HASH`. transactions.csv does not say whether a transaction failed on chain (that is in
///   receipts.csv): a failed transaction's value is imported as if it moved.
/// - `tokens.csv` (`address, symbol, name, decimals, …`): not transfers but each token's decimals, which scale
///   the token transfers of the same import (`--scale 0x…=N` overrides).
///
/// `value` is the raw integer in the smallest unit, read from its digits (JSON numbers too, never through
/// floating point): an 18-decimal token cannot overflow `Int128`. A zero value moves nothing and is set aside
/// and counted. Without `block_timestamp` the time is unknown: every transfer gets time 0, so `--since` and
/// `--until` cannot select among them.
enum EthereumETLImporter {
    enum Kind { case tokenTransfersCSV, tokenTransfersJSON, transactionsCSV, tokens }

    static func kind(of bytes: [UInt8]) -> Kind? {
        guard
            let first = bytes.first(where: {
                $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF
            })
        else { return nil }
        if first == UInt8(ascii: "{") { return .tokenTransfersJSON }
        var reader = CSVReader(bytes)
        guard let (_, fields, _) = reader.next() else { return nil }
        let names = Set(fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        if names.contains("token_address") { return .tokenTransfersCSV }
        if names.contains("decimals") && names.contains("address") { return .tokens }
        if names.contains("hash") && names.contains("value") && names.contains("from_address") {
            return .transactionsCSV
        }
        return nil
    }

    /// Token decimals from the `tokens.csv` files among `paths`, added to `options.scales` (a `--scale` given for
    /// the same address wins).
    static func tokenScales(_ paths: [String], options: ImportOptions) throws -> ImportOptions {
        var options = options
        for path in paths {
            let bytes = try LedgerImporter.readBytes(path)
            guard kind(of: bytes) == .tokens else { continue }
            var reader = CSVReader(bytes)
            let index = try LedgerImporter.header(&reader, path: path, required: ["address", "decimals"])
            while let (line, f, problem) = reader.next() {
                try LedgerImporter.requireRow(
                    f, line: line, problem: problem, columns: index.count, path: path, what: "tokens.csv")
                let address = f[index["address"]!].trimmingCharacters(in: .whitespaces).lowercased()
                let text = f[index["decimals"]!].trimmingCharacters(in: .whitespaces)
                guard let d = Int(text), (0...36).contains(d) else {
                    throw ProceedsError(
                        file: path, line: line,
                        reason: "decimals '\(text)' of token \(address) is not a whole number from 0 to 36")
                }
                if options.scales[address] == nil { options.scales[address] = d }
            }
        }
        return options
    }

    static func load(_ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger)
        throws
    {
        switch kind(of: bytes) {
        case .tokenTransfersCSV:
            try loadTokenTransfersCSV(bytes, path: path, sha256: sha256, options: options, into: &ledger)
        case .tokenTransfersJSON:
            try loadTokenTransfersJSON(bytes, path: path, sha256: sha256, options: options, into: &ledger)
        case .transactionsCSV:
            try loadTransactionsCSV(bytes, path: path, sha256: sha256, options: options, into: &ledger)
        case .tokens: break  // read by tokenScales before the transfers
        case nil:
            throw ProceedsError(
                file: path, line: 1,
                reason: "not an ethereum-etl export: expected token_transfers (CSV or JSON lines), "
                    + "transactions.csv or tokens.csv; check --import-format")
        }
    }

    struct Fields {
        var token, from, to, value, hash, log, block: String
        var timestamp: String?
    }

    static func add(
        _ r: Fields, line: Int, path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger
    ) throws {
        func fail(_ why: String) throws {
            try LedgerImporter.record(
                ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
        }
        let token = r.token.lowercased()
        guard let scale = options.scales[token] ?? options.scales[token.uppercased()] else {
            try fail(
                "decimals of token \(token) unknown: give them with --scale \(token)=N, or add ethereum-etl's tokens.csv to --transfers"
            ); return
        }
        guard r.value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = MinorUnits(r.value) else {
            try fail("value '\(r.value)' is not a whole non-negative number of the token's smallest unit"); return
        }
        guard value > 0 else { ledger.setAside["zero amount (moves no money)", default: 0] += 1; return }
        guard let block = Int64(r.block), let log = Int64(r.log) else {
            try fail("block_number '\(r.block)' and log_index '\(r.log)' must be integers"); return
        }
        var time: Int64 = 0
        if let ts = r.timestamp {
            guard let t = Int64(ts).map({ $0 * 1000 }) ?? ISO8601.parse(ts) else {
                try fail("block_timestamp '\(ts)' is not a time"); return
            }
            time = t
        }
        let hash = r.hash.lowercased()
        ledger.transfers.append(
            Transfer(
                id: "\(hash):\(log)", time: time, orderKey: [block, log], from: r.from.lowercased(),
                to: r.to.lowercased(),
                amount: value, asset: token, scale: scale,
                source: SourceReference(file: path, fileSHA256: sha256, line: line, reference: hash),
                extra: ["block_number": String(block)]))
    }

    static func loadTokenTransfersCSV(
        _ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger
    ) throws {
        var reader = CSVReader(bytes)
        let index = try LedgerImporter.header(
            &reader, path: path,
            required: [
                "token_address", "from_address", "to_address", "value", "transaction_hash", "log_index", "block_number",
            ])
        while let (line, f, problem) = reader.next() {
            if let problem {
                try LedgerImporter.record(
                    ImportIssue(file: path, line: line, reason: problem.description), strict: options.strict,
                    into: &ledger)
                continue
            }
            guard f.count >= index.count else {
                try LedgerImporter.record(
                    ImportIssue(file: path, line: line, reason: "\(f.count) fields, the header has \(index.count)"),
                    strict: options.strict, into: &ledger)
                continue
            }
            func v(_ k: String) -> String { index[k].map { LedgerImporter.trimmed(f[$0]) } ?? "" }
            try add(
                Fields(
                    token: v("token_address"), from: v("from_address"), to: v("to_address"), value: v("value"),
                    hash: v("transaction_hash"),
                    log: v("log_index"), block: v("block_number"),
                    timestamp: index["block_timestamp"] != nil ? v("block_timestamp") : nil),
                line: line, path: path, sha256: sha256, options: options, into: &ledger)
        }
    }

    struct JSONRow: Decodable {
        var type: String?
        var token_address: String?
        var from_address: String?
        var to_address: String?
        var value: Units?
        var transaction_hash: String?
        var log_index: Int64?
        var block_number: Int64?
        var block_timestamp: Int64?
    }

    static func loadTokenTransfersJSON(
        _ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger
    ) throws {
        let decoder = JSONDecoder()
        for (n, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
            func fail(_ why: String) throws {
                try LedgerImporter.record(
                    ImportIssue(file: path, line: n + 1, reason: why), strict: options.strict, into: &ledger)
            }
            let o: JSONRow
            do { o = try decoder.decode(JSONRow.self, from: Data(line)) } catch {
                try fail("not an ethereum-etl JSON object (\(BitcoinETLImporter.describe(error)))"); continue
            }
            if let t = o.type, t != "token_transfer" { continue }  // blocks, transactions, logs streamed alongside
            guard let token = o.token_address, let from = o.from_address, let to = o.to_address, let value = o.value,
                let hash = o.transaction_hash, let log = o.log_index, let block = o.block_number
            else {
                try fail(
                    "a token transfer needs token_address, from_address, to_address, value, transaction_hash, log_index and block_number"
                ); continue
            }
            try add(
                Fields(
                    token: token, from: from, to: to, value: value.text, hash: hash, log: String(log),
                    block: String(block),
                    timestamp: o.block_timestamp.map(String.init)),
                line: n + 1, path: path, sha256: sha256, options: options, into: &ledger)
        }
    }

    static func loadTransactionsCSV(
        _ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger
    ) throws {
        var reader = CSVReader(bytes)
        let index = try LedgerImporter.header(
            &reader, path: path, required: ["hash", "from_address", "to_address", "value", "block_number"])
        let asset = (options.chain ?? "ETH").uppercased()
        let scale = options.scale(of: asset) ?? 18
        while let (line, f, problem) = reader.next() {
            func fail(_ why: String) throws {
                try LedgerImporter.record(
                    ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
            }
            if let problem { try fail(problem.description); continue }
            guard f.count >= index.count else { try fail("\(f.count) fields, the header has \(index.count)"); continue }
            func v(_ k: String) -> String { index[k].map { LedgerImporter.trimmed(f[$0]) } ?? "" }
            let text = v("value")
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = MinorUnits(text) else {
                try fail("value '\(text)' is not a whole non-negative number of wei"); continue
            }
            guard value > 0 else { ledger.setAside["zero amount (moves no money)", default: 0] += 1; continue }
            guard let block = Int64(v("block_number")) else {
                try fail("block_number '\(v("block_number"))' is not an integer"); continue
            }
            let position = Int64(v("transaction_index")) ?? 0
            var time: Int64 = 0
            if index["block_timestamp"] != nil {
                let ts = v("block_timestamp")
                guard let t = Int64(ts).map({ $0 * 1000 }) ?? ISO8601.parse(ts) else {
                    try fail("block_timestamp '\(ts)' is not a time"); continue
                }
                time = t
            }
            let hash = v("hash").lowercased()
            let to = v("to_address").lowercased()
            ledger.transfers.append(
                Transfer(
                    id: hash, time: time, orderKey: [block, position], from: v("from_address").lowercased(),
                    to: to.isEmpty ? "contract-creation:\(hash)" : to,
                    amount: value, asset: asset, scale: scale,
                    source: SourceReference(file: path, fileSHA256: sha256, line: line, reference: hash),
                    extra: ["block_number": String(block)]))
        }
    }
}
