import IProceedsDigest
import Foundation
import IProceedsBase

/// The import formats ProceedsGraph reads.
package enum ImportFormat: String, CaseIterable, Sendable {
    /// `id,timestamp,from,to,amount,currency` (ISO 8601 times, decimal point; other columns kept).
    case canonical
    /// AMLSim's `transactions.csv`: `tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,…`.
    case amlsim
    /// ISO 20022 camt.053 bank statements (XML).
    case camt053 = "camt.053"
    /// SWIFT MT940 customer statements.
    case mt940
    /// ethereum-etl `token_transfers.csv`.
    case ethereumETL = "ethereum-etl"
    /// A bank's CSV export, read through a ``BankCSVProfile``.
    case bankCSV = "bank-csv"
    /// bitcoin-etl `transactions` JSON Lines; traced per transaction by ``UTXOTracer``, not as account transfers.
    case bitcoinETL = "bitcoin-etl"
}

/// Options for an import.
package struct ImportOptions: Sendable {
    /// Stop at the first malformed row instead of recording it and going on.
    package var strict = false
    /// Currency for formats that carry none (AMLSim).
    package var defaultCurrency = "USD"
    /// Decimals per asset code, overriding ``AssetScale/known``.
    package var scales: [String: Int] = [:]
    /// The profile for `bank-csv`.
    package var profile: BankCSVProfile?
    /// The statement's own account, for bank CSV exports that do not carry it.
    package var statementAccount: String?
    /// The chain of a bitcoin-etl or ethereum-etl export (`dogecoin`, `DOGE`; for ethereum-etl the native
    /// asset's code), when the file does not say.
    package var chain: String?

    package init() {}

    func scale(of asset: String) -> Int? { scales[asset] ?? AssetScale.known[asset] }
}

/// Reads ledger files into one ``Ledger``.
package enum LedgerImporter {
    /// Imports `paths` in `format`, in order, appending to one ledger.
    /// - Throws: ``ProceedsError`` when a file cannot be read, its header is not the format's, or (`strict`) a row
    ///   is malformed.
    package static func load(_ paths: [String], format: ImportFormat, options: ImportOptions = ImportOptions()) throws
        -> Ledger
    {
        var ledger = Ledger()
        // ethereum-etl's tokens.csv scales the token transfers of the same import, whatever the order of files.
        let options = format == .ethereumETL ? try EthereumETLImporter.tokenScales(paths, options: options) : options
        for path in paths {
            if format == .canonical {
                // Streamed: a ledger of any size, without holding the file.
                try importCanonical(path: path, options: options, into: &ledger)
                continue
            }
            let bytes = try readBytes(path)
            let sha = SHA256Digest.hex(of: bytes)
            if format == .camt053 || format == .mt940, let earlier = ledger.inputs.first(where: { $0.sha256 == sha }) {
                // The same statement file given twice (or under two names): its entries are not doubled.
                try record(
                    ImportIssue(
                        file: path, line: 0,
                        reason: "same bytes as \(earlier.path) (SHA-256 \(sha.prefix(16))…): not imported a second time"
                    ), strict: options.strict, into: &ledger)
                ledger.inputs.append((path, sha))
                continue
            }
            ledger.inputs.append((path, sha))
            switch format {
            case .canonical: break  // above
            case .amlsim: try importAMLSim(bytes, path: path, sha256: sha, options: options, into: &ledger)
            case .camt053:
                let importer = Camt053Importer(path: path, sha256: sha, options: options)
                try importer.run(Data(bytes))
                ledger.transfers += importer.transfers
                ledger.issues += importer.issues
                ledger.statements += importer.statements
            case .mt940: try MT940Importer.load(bytes, path: path, sha256: sha, options: options, into: &ledger)
            case .ethereumETL:
                try EthereumETLImporter.load(bytes, path: path, sha256: sha, options: options, into: &ledger)
            case .bankCSV:
                guard let profile = options.profile else {
                    throw ProceedsError(file: path, line: 0, reason: "bank-csv needs --profile FILE")
                }
                try BankCSVImporter.load(
                    bytes, path: path, sha256: sha, profile: profile, options: options, into: &ledger)
            case .bitcoinETL:
                throw ProceedsError(
                    file: path, line: 0,
                    reason:
                        "bitcoin-etl transactions are traced per transaction with `trace run`, not as account transfers"
                )
            }
        }
        if format == .camt053 { ledger.duplicatesMerged = mergeDuplicates(&ledger.transfers) }
        return ledger
    }

    /// Opens a ledger file for reading, with the error a user can act on when it cannot be opened or is a folder;
    /// the caller closes the descriptor.
    static func openLedgerFile(_ path: String) throws -> (fd: Int32, status: stat) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ProceedsError(
                .unreadableInput, file: path, line: 0,
                reason: "cannot read the file (\(String(cString: strerror(errno))))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = "cannot read the file (\(String(cString: strerror(errno))))"
            close(fd)
            throw ProceedsError(.unreadableInput, file: path, line: 0, reason: reason)
        }
        guard st.st_mode & S_IFMT != S_IFDIR else {
            close(fd)
            throw ProceedsError(.unreadableInput, file: path, line: 0, reason: "is a directory, not a ledger file")
        }
        return (fd, st)
    }

    /// The whole file, read straight into one buffer (a ledger of a million rows is 60 MB; going through `Data`
    /// would hold it twice).
    static func readBytes(_ path: String) throws -> [UInt8] {
        let (fd, st) = try openLedgerFile(path)
        defer { close(fd) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(max(Int(st.st_size), 0))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ProceedsError(file: path, line: 0, reason: "read failed (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Imports once a payment that two statements both show: the payer's debit (in the payer's statement) and the
    /// payee's credit (in the payee's), with the same sender, receiver, amount, asset and end-to-end id. The first
    /// sighting in input order is kept, and each pairs with at most one sighting from the other side. Entries of one
    /// statement are never merged, however alike: two equal payments on one day are two payments. Returns how many
    /// sightings were dropped.
    static func mergeDuplicates(_ transfers: inout TransferTable) -> Int {
        struct Key: Hashable {
            var from, to, asset, endToEnd: String
            var amount: MinorUnits
        }
        // Unpaired sightings so far, per key: positive for debits, negative for credits.
        var open: [Key: Int] = [:]
        let before = transfers.count
        transfers = TransferTable(
            transfers.filter { t in
                guard let e2e = t.extra["end_to_end_id"], !e2e.isEmpty, e2e != "NOTPROVIDED" else { return true }
                let debit = t.extra["direction"] == "DBIT" && t.extra["statement_account"] == t.from
                let credit = t.extra["direction"] == "CRDT" && t.extra["statement_account"] == t.to
                guard debit || credit else { return true }
                let key = Key(from: t.from, to: t.to, asset: t.asset, endToEnd: e2e, amount: t.amount)
                let n = open[key] ?? 0
                if debit ? n < 0 : n > 0 {
                    open[key] = debit ? n + 1 : n - 1
                    return false
                }
                open[key] = debit ? n + 1 : n - 1
                return true
            })
        return before - transfers.count
    }

    static func header(_ reader: inout CSVReader, path: String, required: [String]) throws -> [String: Int] {
        guard let (line, names, problem) = reader.next() else {
            throw ProceedsError(file: path, line: 1, reason: "empty file, or no CSV header")
        }
        return try header(names, line: line, problem: problem, path: path, required: required)
    }

    static func header(
        _ names: [String], line: Int, problem: CSVReader.Problem?, path: String, required: [String]
    ) throws -> [String: Int] {
        if let problem { throw ProceedsError(file: path, line: line, reason: "the CSV header: \(problem)") }
        // Rows are checked against `index.count`, so the index must hold one key per column: a name given twice
        // is refused (which column would be meant?), and a blank name is kept as `#N`, its 1-based position.
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() {
            var key = n.trimmingCharacters(in: .whitespaces).lowercased()
            if key.isEmpty { key = "#\(i + 1)" }
            if let first = index[key] {
                throw ProceedsError(
                    file: path, line: line,
                    reason: "header names column '\(key)' twice (columns \(first + 1) and \(i + 1)); "
                        + "rename one so that each column has one name")
            }
            index[key] = i
        }
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ProceedsError(
                file: path, line: line,
                reason: "header lacks \(missing.joined(separator: ", ")) (found: \(names.joined(separator: ",")))")
        }
        return index
    }

    /// Checks a row of a side file (labels, tags, entities, conversions, tokens.csv), which is read whole or not
    /// at all: a row that cannot be read as written, or has fewer fields than the header, stops the read.
    /// - Throws: ``ProceedsError`` naming the file, the line and what is wrong.
    static func requireRow(
        _ fields: [String], line: Int, problem: CSVReader.Problem?, columns: Int, path: String, what: String
    ) throws {
        if let problem { throw ProceedsError(file: path, line: line, reason: "\(what) row: \(problem)") }
        guard fields.count >= columns else {
            throw ProceedsError(
                file: path, line: line, reason: "\(what) row with \(fields.count) fields, the header has \(columns)")
        }
    }

    /// The field without surrounding blanks; most fields have none, so most calls allocate nothing.
    @inline(__always) static func trimmed(_ s: String) -> String {
        guard let first = s.utf8.first, let last = s.utf8.last,
            first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        else { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    static func record(_ issue: ImportIssue, strict: Bool, into ledger: inout Ledger) throws {
        if strict { throw ProceedsError(file: issue.file, line: issue.line, reason: issue.reason) }
        ledger.issues.append(issue)
    }

    static func importCanonical(path: String, options: ImportOptions, into ledger: inout Ledger) throws {
        var reader = try CSVFileStream(path: path)
        let columns = ["id", "timestamp", "from", "to", "amount", "currency"]
        var names: [String] = []
        guard let (headerLine, headerProblem) = try reader.next(into: &names) else {
            throw ProceedsError(file: path, line: 1, reason: "empty file, or no CSV header")
        }
        let index = try header(names, line: headerLine, problem: headerProblem, path: path, required: columns)
        let known = Set(columns.map { index[$0]! })
        let (cID, cTime, cFrom, cTo, cAmount, cCurrency) = (
            index["id"]!, index["timestamp"]!, index["from"]!, index["to"]!, index["amount"]!, index["currency"]!
        )
        let extraNames = index.filter { !known.contains($0.value) }.sorted { $0.value < $1.value }
        var f: [String] = []
        var last: (text: String, code: String, scale: Int, asset: UInt16)?  // rows nearly always repeat the currency
        // The file's digest is known at its end; its rows name it by a placeholder until then.
        let placeholder = "pending:" + path
        let file = ledger.transfers.internFile(path, sha256: placeholder)
        // Room for the rows at once (rows are rarely shorter than 40 bytes; pages reserved and not used cost nothing).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int {
            ledger.transfers.reserveCapacity(additional: size / 40)
        }
        var extraRows: [(row: Int, extra: [String: String])] = []
        while let (line, problem) = try reader.next(into: &f) {
            func fail(_ why: String) throws {
                try record(ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
            }
            // Read as U+FFFD, `A\xff` and `A\xfe` would be one account and their transfers would merge.
            if let problem { try fail(problem.description); continue }
            guard f.count >= index.count else { try fail("\(f.count) fields, the header has \(index.count)"); continue }
            func v(_ k: Int) -> String { trimmed(f[k]) }
            let scale: Int
            let asset: UInt16
            let currency: String
            if let l = last, l.text == f[cCurrency] {
                (currency, scale, asset) = (l.code, l.scale, l.asset)
            } else {
                currency = v(cCurrency).uppercased()
                guard let s = options.scale(of: currency) else {
                    try fail("unknown currency '\(currency)' (give its decimals with --scale \(currency)=N)"); continue
                }
                scale = s
                asset = ledger.transfers.internAsset(currency, scale: s)
                last = (f[cCurrency], currency, s, asset)
            }
            guard let time = ISO8601.parse(f[cTime]) else {
                try fail("timestamp '\(v(cTime))' is not ISO 8601 as accepted: expected \(ISO8601.grammar)"); continue
            }
            guard let amount = ExactDecimal.parse(f[cAmount], scale: scale) else {
                try fail(
                    "amount '\(v(cAmount))': expected \(ExactDecimal.grammar(scale: scale)) (\(currency) has \(scale); give another with --scale \(currency)=N)"
                )
                continue
            }
            guard amount != 0 else { ledger.setAside["zero amount (moves no money)", default: 0] += 1; continue }
            guard amount > 0 else {
                try fail(
                    "amount '\(v(cAmount))' is negative: the canonical CSV gives every transfer from payer to payee with a positive amount"
                ); continue
            }
            let (id, from, to) = (v(cID), v(cFrom), v(cTo))
            guard !id.isEmpty, !from.isEmpty, !to.isEmpty else {
                try fail("id, from and to must not be empty"); continue
            }
            ledger.transfers.appendRow(
                id: id, time: time, from: from, to: to, amount: amount, asset: asset, file: file, line: line)
            if !extraNames.isEmpty {
                var extra: [String: String] = [:]
                for (name, i) in extraNames where i < f.count { extra[name] = f[i] }
                extraRows.append((ledger.transfers.count - 1, extra))
            }
        }
        let sha256 = try reader.finish()
        ledger.transfers.setExtras(extraRows)
        ledger.transfers.resolveFile(file, sha256: sha256)
        ledger.inputs.append((path, sha256))
    }

    static func importAMLSim(
        _ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger
    ) throws {
        var reader = CSVReader(bytes)
        var probe = reader
        let names = probe.next().map { $0.fields.map { $0.lowercased() } } ?? []
        if names.contains("txn_id") && names.contains("counter_party_account_num")
            && !names.contains("tran_timestamp")
        {
            throw ProceedsError(
                file: path, line: 1,
                reason: "this is AMLSim's older output layout (TXN_ID, ACCOUNT_ID, COUNTER_PARTY_ACCOUNT_NUM, "
                    + "start/end simulation steps): its times are step numbers, not dates, so it is not imported; convert it to the "
                    + "canonical CSV (id,timestamp,from,to,amount,currency) with the dates the simulation stands for")
        }
        let index = try header(
            &reader, path: path, required: ["tran_id", "orig_acct", "bene_acct", "base_amt", "tran_timestamp"])
        let currency = options.defaultCurrency.uppercased()
        guard let scale = options.scale(of: currency) else {
            throw ProceedsError(
                file: path, line: 0,
                reason: "unknown currency \(currency): give its decimals with --scale \(currency)=N")
        }
        while let (line, f, problem) = reader.next() {
            func fail(_ why: String) throws {
                try record(ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
            }
            if let problem { try fail(problem.description); continue }
            guard f.count >= index.count else { try fail("\(f.count) fields, the header has \(index.count)"); continue }
            func v(_ k: String) -> String { f[index[k]!].trimmingCharacters(in: .whitespaces) }
            guard let time = ISO8601.parse(v("tran_timestamp")) else {
                try fail(
                    "tran_timestamp '\(v("tran_timestamp"))' is not ISO 8601 as accepted: expected \(ISO8601.grammar)");
                continue
            }
            guard let amount = ExactDecimal.parse(v("base_amt"), scale: scale), amount >= 0 else {
                try fail(
                    "base_amt '\(v("base_amt"))': expected a positive amount, \(ExactDecimal.grammar(scale: scale)) (give another scale with --scale \(currency)=N)"
                ); continue
            }
            guard amount != 0 else { ledger.setAside["zero amount (moves no money)", default: 0] += 1; continue }
            var extra: [String: String] = [:]
            for k in ["tx_type", "is_sar", "alert_id"] where index[k] != nil { extra[k] = v(k) }
            ledger.transfers.append(
                Transfer(
                    id: v("tran_id"), time: time, orderKey: [Int64(v("tran_id")) ?? 0], from: v("orig_acct"),
                    to: v("bene_acct"),
                    amount: amount, asset: currency, scale: scale,
                    source: SourceReference(file: path, fileSHA256: sha256, line: line),
                    extra: extra))
        }
    }
}
