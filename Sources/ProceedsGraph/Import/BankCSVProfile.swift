import Foundation

/// How to read one bank's CSV export: a JSON file, documented in `docs/tracing-policies.md`, with two shipped
/// examples under `Samples/bank-profiles/`.
public struct BankCSVProfile: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// Field separator: "," or ";" or "\t".
    public var delimiter: String = ","
    /// "." or ",".
    public var decimalSeparator: String = "."
    /// `YYYY-MM-DD`, `DD.MM.YYYY`, `DD/MM/YYYY`, `MM/DD/YYYY` or `ISO8601`.
    public var dateFormat: String = "YYYY-MM-DD"
    public var dateColumn: String
    public var idColumn: String?
    /// One signed amount column …
    public var amountColumn: String?
    /// … whose sign means: `negative-is-outgoing` (usual) or `positive-is-outgoing`.
    public var sign: String?
    /// … or separate debit (out) and credit (in) columns.
    public var debitColumn: String?
    public var creditColumn: String?
    public var currencyColumn: String?
    /// The currency when the export has no column for it.
    public var currency: String?
    /// The statement's own account: a column, or given with `--account`.
    public var accountColumn: String?
    public var counterpartyAccountColumn: String?
    public var counterpartyNameColumn: String?

    enum CodingKeys: String, CodingKey {
        case name, description, delimiter, sign, currency
        case decimalSeparator = "decimal_separator", dateFormat = "date_format", dateColumn = "date_column"
        case idColumn = "id_column", amountColumn = "amount_column", debitColumn = "debit_column", creditColumn = "credit_column"
        case currencyColumn = "currency_column", accountColumn = "account_column"
        case counterpartyAccountColumn = "counterparty_account_column", counterpartyNameColumn = "counterparty_name_column"
    }

    /// Reads a profile file, checking that it names an amount (or debit and credit) column.
    public static func load(_ path: String) throws -> BankCSVProfile {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError(file: path, line: 0, reason: "cannot read the profile") }
        let p: BankCSVProfile
        do { p = try JSONDecoder().decode(BankCSVProfile.self, from: data) } catch {
            throw ImportError(file: path, line: 0, reason: "not a bank CSV profile: \(error)")
        }
        guard p.amountColumn != nil || (p.debitColumn != nil && p.creditColumn != nil) else {
            throw ImportError(file: path, line: 0, reason: "a profile needs amount_column, or debit_column and credit_column")
        }
        guard ["YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY", "ISO8601"].contains(p.dateFormat) else {
            throw ImportError(file: path, line: 0, reason: "date_format \(p.dateFormat) is not one of YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, ISO8601")
        }
        return p
    }

    func parseDate(_ s: String) -> Int64? {
        let parts = s.split(whereSeparator: { $0 == "." || $0 == "/" || $0 == "-" || $0 == " " }).map(String.init)
        switch dateFormat {
        case "ISO8601", "YYYY-MM-DD": return Timestamp.parse(s)
        case "DD.MM.YYYY", "DD/MM/YYYY":
            guard parts.count >= 3 else { return nil }
            return Timestamp.parse("\(parts[2])-\(parts[1].count == 1 ? "0" : "")\(parts[1])-\(parts[0].count == 1 ? "0" : "")\(parts[0])")
        case "MM/DD/YYYY":
            guard parts.count >= 3 else { return nil }
            return Timestamp.parse("\(parts[2])-\(parts[0].count == 1 ? "0" : "")\(parts[0])-\(parts[1].count == 1 ? "0" : "")\(parts[1])")
        default: return nil
        }
    }
}

enum BankCSVImporter {
    static func load(_ bytes: [UInt8], path: String, sha256: String, profile p: BankCSVProfile, options: ImportOptions, into ledger: inout Ledger) throws {
        let separator = p.delimiter == "\\t" ? UInt8(ascii: "\t") : (p.delimiter.utf8.first ?? UInt8(ascii: ","))
        var reader = CSVReader(bytes, separator: separator)
        let required = [p.dateColumn, p.amountColumn, p.debitColumn, p.creditColumn].compactMap { $0?.lowercased() }
        let index = try LedgerImporter.header(&reader, path: path, required: required)
        let decimal: Character = p.decimalSeparator == "," ? "," : "."
        while let (line, fields) = reader.next() {
            func fail(_ why: String) throws { try LedgerImporter.record(ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger) }
            guard let f = fields, f.count >= index.count else { try fail("malformed row"); continue }
            func v(_ column: String?) -> String? { column.flatMap { index[$0.lowercased()] }.map { LedgerImporter.trimmed(f[$0]) } }
            guard let account = v(p.accountColumn) ?? options.statementAccount, !account.isEmpty else {
                throw ImportError(file: path, line: line, reason: "the statement account is unknown: the profile has no account_column; give --account")
            }
            let currency = (v(p.currencyColumn) ?? p.currency ?? "").uppercased()
            guard let scale = options.scale(of: currency) else { try fail("unknown currency '\(currency)'"); continue }
            guard let time = p.parseDate(v(p.dateColumn) ?? "") else { try fail("date '\(v(p.dateColumn) ?? "")' is not \(p.dateFormat)"); continue }
            var outgoing: Bool
            var amount: MinorUnits
            if p.amountColumn != nil {
                guard let a = Decimal.parse(v(p.amountColumn) ?? "", scale: scale, decimalSeparator: decimal), a != 0 else {
                    try fail("amount '\(v(p.amountColumn) ?? "")' is not a non-zero amount with at most \(scale) decimals"); continue
                }
                outgoing = (a < 0) == (p.sign != "positive-is-outgoing")
                amount = a < 0 ? -a : a
            } else {
                let debit = Decimal.parse(v(p.debitColumn) ?? "", scale: scale, decimalSeparator: decimal) ?? 0
                let credit = Decimal.parse(v(p.creditColumn) ?? "", scale: scale, decimalSeparator: decimal) ?? 0
                guard (debit != 0) != (credit != 0) else { try fail("exactly one of the debit and credit columns must hold an amount"); continue }
                outgoing = debit != 0
                amount = debit != 0 ? abs(debit) : abs(credit)
            }
            let counterparty = v(p.counterpartyAccountColumn).flatMap { $0.isEmpty ? nil : $0 }
                ?? v(p.counterpartyNameColumn).flatMap { $0.isEmpty ? nil : $0 } ?? "unknown counterparty of \(account)"
            let id = v(p.idColumn).flatMap { $0.isEmpty ? nil : $0 } ?? "\(URL(fileURLWithPath: path).lastPathComponent):\(line)"
            ledger.transfers.append(Transfer(
                id: id, time: time, from: outgoing ? account : counterparty, to: outgoing ? counterparty : account, amount: amount,
                asset: currency, scale: scale, source: SourceReference(file: path, fileSHA256: sha256, line: line),
                extra: ["direction": outgoing ? "DBIT" : "CRDT", "statement_account": account, "profile": p.name]))
        }
    }
}
