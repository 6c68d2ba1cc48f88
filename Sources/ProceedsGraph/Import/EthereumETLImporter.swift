/// ethereum-etl `token_transfers.csv`: `token_address, from_address, to_address, value, transaction_hash,
/// log_index, block_number` (and `block_timestamp` when the export has it).
///
/// `value` is the raw integer in the token's smallest unit, so it is taken as is: an 18-decimal token cannot
/// overflow `Int128`. The asset is the token's contract address (lowercase); its decimals come from
/// `--scale ADDRESS=N`. Transfers are ordered by block, then log index. Without `block_timestamp` the time is
/// unknown: every transfer gets time 0, so `--since` and `--until` cannot select among them.
enum EthereumETLImporter {
    static func load(_ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger) throws {
        var reader = CSVReader(bytes)
        let index = try LedgerImporter.header(
            &reader, path: path, required: ["token_address", "from_address", "to_address", "value", "transaction_hash", "log_index", "block_number"])
        func fail(_ line: Int, _ why: String) throws {
            try LedgerImporter.record(ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
        }
        while let (line, fields) = reader.next() {
            guard let f = fields, f.count >= index.count else { try fail(line, "malformed row"); continue }
            func v(_ k: String) -> String { index[k].map { LedgerImporter.trimmed(f[$0]) } ?? "" }
            let token = v("token_address").lowercased()
            guard let scale = options.scales[token] ?? options.scales[token.uppercased()] else {
                try fail(line, "decimals of token \(token) unknown: give them with --scale \(token)=N"); continue
            }
            guard let value = MinorUnits(v("value")), value > 0 else { try fail(line, "value '\(v("value"))' is not a positive integer"); continue }
            guard let block = Int64(v("block_number")), let log = Int64(v("log_index")) else {
                try fail(line, "block_number and log_index must be integers"); continue
            }
            var time: Int64 = 0
            if index["block_timestamp"] != nil {
                let ts = v("block_timestamp")
                guard let t = Int64(ts).map({ $0 * 1000 }) ?? Timestamp.parse(ts) else { try fail(line, "block_timestamp '\(ts)' is not a time"); continue }
                time = t
            }
            let hash = v("transaction_hash").lowercased()
            ledger.transfers.append(Transfer(
                id: "\(hash):\(log)", time: time, orderKey: [block, log], from: v("from_address").lowercased(), to: v("to_address").lowercased(),
                amount: value, asset: token, scale: scale,
                source: SourceReference(file: path, fileSHA256: sha256, line: line, reference: hash), extra: ["block_number": String(block)]))
        }
    }
}
