import Foundation
import IProceedsBase

/// How to read one bank's CSV export: a JSON file, documented in `docs/bank-profiles.md`, with shipped profiles
/// under `Samples/bank-profiles/`.
///
/// A profile is checked twice: when it is loaded (keys, formats, tokens), and against each file's header (every
/// column it names must be there), so a column that a bank renamed, or that a wrong encoding garbled, stops the
/// import instead of silently emptying a field.
package struct BankCSVProfile: Codable, Sendable, Equatable {
    package var name: String
    package var description: String?
    /// `utf-8` (the default), `utf-16` (with a byte-order mark), `utf-16le`, `utf-16be`, `windows-1250`,
    /// `windows-1251`, `windows-1252`, `windows-1253`, `windows-1254`, `iso-8859-1` or `iso-8859-2`.
    package var encoding: String?
    /// Lines before the header (or before the first row, without a header): a bank's preamble.
    package var skipLines: Int?
    /// Lines after the last row (a closing balance, a total).
    package var footerLines: Int?
    /// Whether the first line (after `skip_lines`) names the columns. Without a header, columns are named by
    /// position: `#1`, `#2`, …
    package var header: Bool?
    /// Field separator: "," or ";" or "\t".
    package var delimiter: String = ","
    /// "." or ",".
    package var decimalSeparator: String = "."
    /// The thousands marks amounts may carry: a string of marks (`"."`, `","`, `" "`, `"'"`), or `""` for none.
    /// Default: the other of `.` and `,`.
    package var thousandsSeparator: String?
    /// A pattern of `YYYY`, `YY`, `MM`, `DD`, `hh`, `mm`, `ss`, `fff` and literal characters (`DD.MM.YYYY`,
    /// `MM/DD/YYYY`, `YYYY-MM-DD-hh.mm.ss.fff`), or `ISO8601`.
    package var dateFormat: String = "YYYY-MM-DD"
    package var dateColumn: String
    /// A separate time of day, read with `time_format` (default `hh:mm:ss`).
    package var timeColumn: String?
    package var timeFormat: String?
    /// The zone of the dates and times: an IANA name (`Europe/Belgrade`), `UTC`, or an offset `+01:00`.
    /// Without one (and without `time_zone_column`), times are UTC.
    package var timeZone: String?
    /// A column naming each row's zone (an IANA name or an abbreviation such as `PST`).
    package var timeZoneColumn: String?
    package var idColumn: String?
    /// One amount column …
    package var amountColumn: String?
    /// … whose sign means: `negative-is-outgoing` (usual) or `positive-is-outgoing` …
    package var sign: String?
    /// … or whose direction is given by this column (`D`/`C`, `S`/`H`, `Debit`/`Credit`) …
    package var directionColumn: String?
    /// … with these tokens (compared case-insensitively, trimmed).
    package var debitTokens: [String]?
    package var creditTokens: [String]?
    /// … or separate debit (out) and credit (in) columns.
    package var debitColumn: String?
    package var creditColumn: String?
    /// What a negative figure means where the layout gives the direction otherwise (debit and credit columns,
    /// or an amount with a direction column): `refuse` (default: the row is malformed), `reverse` (a negative
    /// figure moves the other way: a negative credit is money out), `debit-negative` (the bank writes debits as
    /// negative figures: a debit column must not be positive), or `ignore` (the sign carries no meaning).
    package var negativeFigures: String?
    package var currencyColumn: String?
    /// The currency when the export has no column for it.
    package var currency: String?
    /// The statement's own account: a column, or given with `--account`.
    package var accountColumn: String?
    package var counterpartyAccountColumn: String?
    package var counterpartyNameColumn: String?
    /// Counterparty columns that depend on the direction (PayPal's From and To addresses): the payer of money
    /// in, the payee of money out. Used before the two above.
    package var payerColumn: String?
    package var payeeColumn: String?
    /// Only rows whose status is one of `booked_statuses` are imported; the others are set aside and counted.
    package var statusColumn: String?
    package var bookedStatuses: [String]?
    /// A fee charged on the row (negative, or positive in `fee_sign: positive-is-charged`): imported as its own
    /// transfer from the statement account to `fees:<profile name>`, id `<id>:fee`.
    package var feeColumn: String?
    package var feeSign: String?

    enum CodingKeys: String, CodingKey {
        case name, description, encoding, header, delimiter, sign, currency
        case skipLines = "skip_lines", footerLines = "footer_lines"
        case decimalSeparator = "decimal_separator", thousandsSeparator = "thousands_separator"
        case dateFormat = "date_format", dateColumn = "date_column", timeColumn = "time_column", timeFormat =
            "time_format"
        case timeZone = "time_zone", timeZoneColumn = "time_zone_column"
        case idColumn = "id_column", amountColumn = "amount_column", debitColumn = "debit_column", creditColumn =
            "credit_column"
        case directionColumn = "direction_column", debitTokens = "debit_tokens", creditTokens = "credit_tokens"
        case negativeFigures = "negative_figures"
        case currencyColumn = "currency_column", accountColumn = "account_column"
        case counterpartyAccountColumn = "counterparty_account_column", counterpartyNameColumn =
            "counterparty_name_column"
        case payerColumn = "payer_column", payeeColumn = "payee_column"
        case statusColumn = "status_column", bookedStatuses = "booked_statuses", feeColumn = "fee_column", feeSign =
            "fee_sign"
    }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        encoding = try c.decodeIfPresent(String.self, forKey: .encoding)
        skipLines = try c.decodeIfPresent(Int.self, forKey: .skipLines)
        footerLines = try c.decodeIfPresent(Int.self, forKey: .footerLines)
        header = try c.decodeIfPresent(Bool.self, forKey: .header)
        delimiter = try c.decodeIfPresent(String.self, forKey: .delimiter) ?? ","
        decimalSeparator = try c.decodeIfPresent(String.self, forKey: .decimalSeparator) ?? "."
        thousandsSeparator = try c.decodeIfPresent(String.self, forKey: .thousandsSeparator)
        dateFormat = try c.decodeIfPresent(String.self, forKey: .dateFormat) ?? "YYYY-MM-DD"
        dateColumn = try c.decode(String.self, forKey: .dateColumn)
        timeColumn = try c.decodeIfPresent(String.self, forKey: .timeColumn)
        timeFormat = try c.decodeIfPresent(String.self, forKey: .timeFormat)
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone)
        timeZoneColumn = try c.decodeIfPresent(String.self, forKey: .timeZoneColumn)
        idColumn = try c.decodeIfPresent(String.self, forKey: .idColumn)
        amountColumn = try c.decodeIfPresent(String.self, forKey: .amountColumn)
        sign = try c.decodeIfPresent(String.self, forKey: .sign)
        directionColumn = try c.decodeIfPresent(String.self, forKey: .directionColumn)
        debitTokens = try c.decodeIfPresent([String].self, forKey: .debitTokens)
        creditTokens = try c.decodeIfPresent([String].self, forKey: .creditTokens)
        debitColumn = try c.decodeIfPresent(String.self, forKey: .debitColumn)
        creditColumn = try c.decodeIfPresent(String.self, forKey: .creditColumn)
        negativeFigures = try c.decodeIfPresent(String.self, forKey: .negativeFigures)
        currencyColumn = try c.decodeIfPresent(String.self, forKey: .currencyColumn)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        accountColumn = try c.decodeIfPresent(String.self, forKey: .accountColumn)
        counterpartyAccountColumn = try c.decodeIfPresent(String.self, forKey: .counterpartyAccountColumn)
        counterpartyNameColumn = try c.decodeIfPresent(String.self, forKey: .counterpartyNameColumn)
        payerColumn = try c.decodeIfPresent(String.self, forKey: .payerColumn)
        payeeColumn = try c.decodeIfPresent(String.self, forKey: .payeeColumn)
        statusColumn = try c.decodeIfPresent(String.self, forKey: .statusColumn)
        bookedStatuses = try c.decodeIfPresent([String].self, forKey: .bookedStatuses)
        feeColumn = try c.decodeIfPresent(String.self, forKey: .feeColumn)
        feeSign = try c.decodeIfPresent(String.self, forKey: .feeSign)
    }

    /// Every column the profile names, with the key that names it.
    var namedColumns: [(key: String, column: String)] {
        let all: [(String, String?)] = [
            ("date_column", dateColumn), ("time_column", timeColumn), ("time_zone_column", timeZoneColumn),
            ("id_column", idColumn), ("amount_column", amountColumn), ("direction_column", directionColumn),
            ("debit_column", debitColumn), ("credit_column", creditColumn), ("currency_column", currencyColumn),
            ("account_column", accountColumn), ("counterparty_account_column", counterpartyAccountColumn),
            ("counterparty_name_column", counterpartyNameColumn), ("payer_column", payerColumn),
            ("payee_column", payeeColumn),
            ("status_column", statusColumn), ("fee_column", feeColumn),
        ]
        return all.compactMap { k, v in v.map { (k, $0) } }
    }

    static let encodings: [String: String.Encoding] = [
        "utf-8": .utf8, "utf-16": .utf16, "utf-16le": .utf16LittleEndian, "utf-16be": .utf16BigEndian,
        "windows-1250": .windowsCP1250, "windows-1251": .windowsCP1251, "windows-1252": .windowsCP1252,
        "windows-1253": .windowsCP1253, "windows-1254": .windowsCP1254, "iso-8859-1": .isoLatin1,
        "iso-8859-2": .isoLatin2,
    ]
    static let defaultDebitTokens = ["D", "DR", "DEBIT", "DBIT", "S", "SOLL", "-"]
    static let defaultCreditTokens = ["C", "CR", "CREDIT", "CRDT", "H", "HABEN", "+"]

    var stringEncoding: String.Encoding { Self.encodings[(encoding ?? "utf-8").lowercased()] ?? .utf8 }
    var decimal: Character { decimalSeparator == "," ? "," : "." }
    var grouping: String { thousandsSeparator ?? (decimal == "," ? "." : ",") }

    /// Reads a profile file and checks it.
    /// - Throws: ``ProceedsError`` naming the key at fault and what it accepts.
    package static func load(_ path: String) throws -> BankCSVProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProceedsError(.unreadableInput, file: path, line: 0, reason: "cannot read the profile")
        }
        // The one strict parser first: a key written twice (two `"sign"` lines after an edit) is refused with its
        // line, where the decoder would silently keep one of them.
        do { _ = try JSONValue.parse([UInt8](data)) } catch {
            throw ProceedsError(file: path, line: error.line, reason: "not a bank CSV profile: \(error.reason)")
        }
        let p: BankCSVProfile
        do { p = try JSONDecoder().decode(BankCSVProfile.self, from: data) } catch {
            throw ProceedsError(file: path, line: 0, reason: "not a bank CSV profile: \(error)")
        }
        func bad(_ why: String) -> ProceedsError { ProceedsError(file: path, line: 0, reason: "profile: " + why) }
        let layouts = [
            p.amountColumn != nil && p.directionColumn == nil, p.amountColumn != nil && p.directionColumn != nil,
            p.debitColumn != nil && p.creditColumn != nil,
        ].filter { $0 }.count
        guard layouts == 1, (p.debitColumn == nil) == (p.creditColumn == nil) else {
            throw bad(
                "give amount_column (with sign or direction_column), or debit_column and credit_column: exactly one layout"
            )
        }
        guard DateFormat(p.dateFormat) != nil else {
            throw bad(
                "date_format \(p.dateFormat) is not ISO8601 or a pattern of YYYY, YY, MM, DD, hh, mm, ss, fff and separators"
            )
        }
        if let t = p.timeFormat, DateFormat(t, timeOnly: true) == nil {
            throw bad("time_format \(t) is not a pattern of hh, mm, ss, fff and separators")
        }
        guard Self.encodings[(p.encoding ?? "utf-8").lowercased()] != nil else {
            throw bad("encoding \(p.encoding!) is not one of \(Self.encodings.keys.sorted().joined(separator: ", "))")
        }
        guard [",", ";", "\t", "\\t", "|"].contains(p.delimiter) else {
            throw bad("delimiter must be \",\", \";\", \"|\" or \"\\t\"")
        }
        guard [".", ","].contains(p.decimalSeparator) else { throw bad("decimal_separator must be \".\" or \",\"") }
        if let s = p.thousandsSeparator, s.contains(where: { !".,' ".contains($0) }) || s.contains(p.decimal) {
            throw bad(
                "thousands_separator takes marks among . , ' and space, other than the decimal separator (\"\" for none)"
            )
        }
        if let s = p.sign, !["negative-is-outgoing", "positive-is-outgoing"].contains(s) {
            throw bad("sign must be negative-is-outgoing or positive-is-outgoing")
        }
        if let n = p.negativeFigures, !["refuse", "reverse", "debit-negative", "ignore"].contains(n) {
            throw bad("negative_figures must be refuse, reverse, debit-negative or ignore")
        }
        if let n = p.feeSign, !["negative-is-charged", "positive-is-charged"].contains(n) {
            throw bad("fee_sign must be negative-is-charged or positive-is-charged")
        }
        if p.statusColumn != nil && (p.bookedStatuses ?? []).isEmpty {
            throw bad("status_column needs booked_statuses (the statuses to import)")
        }
        if let z = p.timeZone, FixedZone.parse(z) == nil {
            throw bad("time_zone \(z) is not an IANA zone name, UTC or an offset such as +01:00")
        }
        if (p.skipLines ?? 0) < 0 || (p.footerLines ?? 0) < 0 {
            throw bad("skip_lines and footer_lines cannot be negative")
        }
        if p.header == false,
            let c = p.namedColumns.first(where: { Int($0.column.dropFirst()) == nil || !$0.column.hasPrefix("#") })
        {
            throw bad("without a header, columns are named by position (#1, #2, …): \(c.key) is \"\(c.column)\"")
        }
        if p.currencyColumn == nil && p.currency == nil {
            throw bad("give currency_column, or the export's one currency")
        }
        return p
    }
}

/// A zone given in a profile or a row: an IANA name, an abbreviation, `UTC`, or a fixed offset.
enum FixedZone {
    static func parse(_ text: String) -> TimeZone? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.uppercased() == "UTC" || t == "Z" { return TimeZone(identifier: "UTC") }
        if let f = t.first, f == "+" || f == "-" {
            let digits = t.dropFirst().split(separator: ":")
            guard digits.count == 2, let h = Int(digits[0]), let m = Int(digits[1]), m < 60,
                h * 60 + m <= ISO8601.maxOffsetMinutes
            else { return nil }
            return TimeZone(secondsFromGMT: (f == "-" ? -1 : 1) * (h * 3600 + m * 60))
        }
        if t.contains("/"), let z = TimeZone(identifier: t) { return z }
        if t.count <= 5, t.allSatisfy(\.isLetter) { return TimeZone(abbreviation: t.uppercased()) }
        return nil
    }
}

/// A date (and time) pattern: `YYYY`, `YY` (20YY), `MM`, `DD`, `hh`, `mm`, `ss`, `fff` (any number of fraction
/// digits) and literal characters. `MM`, `DD`, `hh` also read one digit when a separator follows.
struct DateFormat {
    enum Part: Equatable { case year4, year2, month, day, hour, minute, second, fraction, literal(Character) }
    let parts: [Part]
    let iso: Bool

    init?(_ pattern: String, timeOnly: Bool = false) {
        if pattern == "ISO8601" && !timeOnly {
            parts = []
            iso = true
            return
        }
        iso = false
        var parts: [Part] = []
        var s = Substring(pattern)
        let tokens: [(String, Part)] = [
            ("YYYY", .year4), ("YY", .year2), ("MM", .month), ("DD", .day), ("hh", .hour),
            ("mm", .minute), ("ss", .second), ("fff", .fraction),
        ]
        outer: while !s.isEmpty {
            for (t, p) in tokens where s.hasPrefix(t) {
                parts.append(p)
                s = s.dropFirst(t.count)
                continue outer
            }
            guard let c = s.first, !c.isLetter, !c.isNumber else { return nil }
            parts.append(.literal(c))
            s = s.dropFirst()
        }
        let has = Set(parts.map { "\($0)" })
        if timeOnly {
            guard has.contains("hour"), !has.contains("year4"), !has.contains("year2"), !has.contains("month"),
                !has.contains("day")
            else { return nil }
        } else {
            guard has.contains("day"), has.contains("month"), has.contains("year4") || has.contains("year2") else {
                return nil
            }
        }
        self.parts = parts
    }

    /// Civil fields read from `text`: (y, mo, d, h, mi, s, ms); nil if the text does not fit the pattern.
    func read(_ text: String) -> (y: Int, mo: Int, d: Int, h: Int, mi: Int, s: Int, ms: Int)? {
        let u = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        var v = (y: 0, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0)
        func digits(_ min: Int, _ max: Int) -> Int? {
            var n = 0
            var count = 0
            while i < u.count, count < max, u[i] >= 48, u[i] <= 57 {
                n = n * 10 + Int(u[i] - 48)
                i += 1
                count += 1
            }
            return count >= min ? n : nil
        }
        for p in parts {
            switch p {
            case .year4: guard let n = digits(4, 4) else { return nil }; v.y = n
            case .year2: guard let n = digits(2, 2) else { return nil }; v.y = 2000 + n
            case .month: guard let n = digits(1, 2) else { return nil }; v.mo = n
            case .day: guard let n = digits(1, 2) else { return nil }; v.d = n
            case .hour: guard let n = digits(1, 2) else { return nil }; v.h = n
            case .minute: guard let n = digits(2, 2) else { return nil }; v.mi = n
            case .second: guard let n = digits(2, 2) else { return nil }; v.s = n
            case .fraction:
                let start = i
                guard digits(1, 64) != nil else { return nil }
                let frac = u[start..<min(i, start + 3)].reduce(0) { $0 * 10 + Int($1 - 48) }
                v.ms = frac * [100, 10, 1][min(i, start + 3) - start - 1]
            case .literal(let c):
                guard i < u.count, let a = c.asciiValue, u[i] == a else { return nil }
                i += 1
            }
        }
        guard i == u.count, (1...12).contains(v.mo), (1...ISO8601.daysIn(month: v.mo, year: v.y)).contains(v.d),
            v.h < 24, v.mi < 60, v.s < 60
        else { return nil }
        return v
    }
}

extension BankCSVProfile {
    /// Milliseconds since the epoch of a row's date (and time) in `zone` (UTC when nil).
    func parseTime(date: String, time: String?, zone: TimeZone?) -> Int64? {
        guard let f = DateFormat(dateFormat) else { return nil }
        if f.iso {
            guard time == nil else { return nil }
            return ISO8601.parse(date)
        }
        guard var v = f.read(date) else { return nil }
        if let time {
            guard let t = DateFormat(timeFormat ?? "hh:mm:ss", timeOnly: true)?.read(time) else { return nil }
            (v.h, v.mi, v.s, v.ms) = (t.h, t.mi, t.s, t.ms)
        }
        let local = (Int64(ISO8601.daysFromCivil(v.y, v.mo, v.d)) * 86_400 + Int64(v.h * 3600 + v.mi * 60 + v.s))
        guard let zone else { return local * 1000 + Int64(v.ms) }
        // The offset in force at that local time: guess with the offset at the local time read as UTC, then
        // correct once (the tz database decides; a time repeated when clocks go back takes the later offset).
        let first = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - Int64(first))))
        return (local - Int64(offset)) * 1000 + Int64(v.ms)
    }
}

enum BankCSVImporter {
    /// The file's bytes as UTF-8, decoded from the profile's encoding; a byte the encoding does not define is an
    /// error naming its line, never dropped or replaced.
    static func utf8Bytes(_ bytes: [UInt8], path: String, profile p: BankCSVProfile) throws -> [UInt8] {
        let encoding = p.stringEncoding
        let name = (p.encoding ?? "utf-8").lowercased()
        func firstBadLine() -> Int {
            // Single-byte and UTF-8 files: the first line that does not decode (UTF-16 files are not split here).
            var line = 1
            for chunk in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                let data = Data(chunk)
                if let s = String(data: data, encoding: encoding), s.data(using: encoding) == data {
                    line += 1; continue
                }
                return line
            }
            return 0
        }
        if encoding == .utf8 {
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            if String(validating: body, as: UTF8.self) != nil { return body }
            throw ProceedsError(
                file: path, line: firstBadLine(),
                reason:
                    "the file is not UTF-8 (profile \(p.name) expects utf-8): set \"encoding\" in the profile to the export's "
                    + "encoding (windows-1250 for Central and South-East Europe, windows-1252 or iso-8859-1 for Western Europe, "
                    + "windows-1254 for Turkey)")
        }
        if encoding == .utf16, !(bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])) {
            throw ProceedsError(
                file: path, line: 1,
                reason: "encoding utf-16 needs a byte-order mark; set utf-16le or utf-16be in the profile")
        }
        guard let text = String(data: Data(bytes), encoding: encoding),
            text.data(using: encoding).map({ roundTrips($0, bytes, encoding) }) == true
        else {
            throw ProceedsError(
                file: path,
                line: encoding == .utf16 || encoding == .utf16LittleEndian || encoding == .utf16BigEndian
                    ? 0 : firstBadLine(),
                reason: "the file holds bytes that are not \(name) (profile \(p.name)); check the export's encoding")
        }
        // C1 control characters (U+0080–U+009F) are what a single-byte code page makes of bytes it does not
        // define, or of another code page's letters (Windows-1252's € read as ISO-8859-1): never bank text.
        if let bad = text.unicodeScalars.firstIndex(where: { (0x80...0x9F).contains($0.value) }) {
            let line = text.unicodeScalars[..<bad].reduce(1) { $0 + ($1 == "\n" ? 1 : 0) }
            throw ProceedsError(
                file: path, line: line,
                reason: "the file holds a byte that \(name) does not define as a letter "
                    + "(it decodes to the control character U+\(String(text.unicodeScalars[bad].value, radix: 16, uppercase: true))); "
                    + "check the export's encoding (profile \(p.name))")
        }
        var out = Array(text.utf8)
        if out.starts(with: [0xEF, 0xBB, 0xBF]) { out.removeFirst(3) }
        return out
    }

    /// Whether re-encoding gave the original bytes (a UTF-16 byte-order mark may be written back differently).
    private static func roundTrips(_ again: Data, _ bytes: [UInt8], _ encoding: String.Encoding) -> Bool {
        if [String.Encoding.utf16, .utf16LittleEndian, .utf16BigEndian].contains(encoding) { return true }
        return again == Data(bytes)
    }

    static func load(
        _ bytes: [UInt8], path: String, sha256: String, profile p: BankCSVProfile, options: ImportOptions,
        into ledger: inout Ledger
    ) throws {
        let text = try utf8Bytes(bytes, path: path, profile: p)
        let separator = p.delimiter == "\\t" ? UInt8(ascii: "\t") : (p.delimiter.utf8.first ?? UInt8(ascii: ","))
        // Preamble lines are skipped by line, before the CSV reader sees them (they rarely have the columns).
        var start = 0
        var skipped = 0
        while skipped < (p.skipLines ?? 0), start < text.count {
            if let nl = text[start...].firstIndex(of: 0x0A) { start = nl + 1 } else { start = text.count }
            skipped += 1
        }
        var end = text.count
        var footer = 0
        while footer < (p.footerLines ?? 0), end > start {
            var e = end
            while e > start && (text[e - 1] == 0x0A || text[e - 1] == 0x0D) { e -= 1 }  // trailing line breaks
            let nl = text[start..<e].lastIndex(of: 0x0A).map { $0 + 1 } ?? start
            end = nl
            footer += 1
        }
        var reader = CSVReader(Array(text[start..<end]), separator: separator, firstLine: skipped + 1)
        let fileName = URL(fileURLWithPath: path).lastPathComponent

        // Columns: by header name (case-insensitive, trimmed) or by position (#N).
        var index: [String: Int] = [:]
        var width = 0
        if p.header ?? true {
            guard let (line, names, problem) = reader.next() else {
                throw ProceedsError(
                    file: path, line: skipped + 1,
                    reason: "no header line (profile \(p.name) expects one after \(skipped) skipped lines)")
            }
            if let problem { throw ProceedsError(file: path, line: line, reason: "the header line: \(problem)") }
            for (i, n) in names.enumerated() where index[norm(n)] == nil { index[norm(n)] = i }
            width = names.count
            let missing = p.namedColumns.filter { !$0.column.hasPrefix("#") && index[norm($0.column)] == nil }
            if !missing.isEmpty {
                let garbled = names.contains { $0.contains("\u{FFFD}") }
                throw ProceedsError(
                    file: path, line: line,
                    reason: "the header lacks the profile's "
                        + missing.map { "\($0.key) \"\($0.column)\"" }.joined(separator: ", ")
                        + " (profile \(p.name); header found: \(names.joined(separator: String(UnicodeScalar(separator)))))"
                        + (garbled ? "; the header holds undecodable characters: check the profile's encoding" : "")
                        + (skipped == 0 ? "; if the export has lines before its header, set skip_lines" : ""))
            }
        }
        func column(_ name: String?) -> Int? {
            guard let name else { return nil }
            if name.hasPrefix("#"), let n = Int(name.dropFirst()), n >= 1 { return n - 1 }
            return index[norm(name)]
        }
        let needed = p.namedColumns.compactMap { column($0.column) }.max().map { $0 + 1 } ?? 0
        let debitTokens = Set((p.debitTokens ?? BankCSVProfile.defaultDebitTokens).map { $0.uppercased() })
        let creditTokens = Set((p.creditTokens ?? BankCSVProfile.defaultCreditTokens).map { $0.uppercased() })
        let booked = Set((p.bookedStatuses ?? []).map { $0.lowercased() })
        let fixedZone = p.timeZone.flatMap(FixedZone.parse)
        let negative = p.negativeFigures ?? "refuse"

        while let (line, f, problem) = reader.next() {
            func fail(_ why: String) throws {
                try LedgerImporter.record(
                    ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
            }
            if let problem { try fail(problem.description); continue }
            guard f.count >= needed else {
                try fail(
                    "\(f.count) fields, but the profile reads column \(needed)"
                        + (width > 0 ? " (the header has \(width))" : ""))
                continue
            }
            func v(_ name: String?) -> String? { column(name).map { LedgerImporter.trimmed(f[$0]) } }
            func nonEmpty(_ name: String?) -> String? { v(name).flatMap { $0.isEmpty ? nil : $0 } }
            func label(_ name: String?) -> String { name.map { "\"\($0)\"" } ?? "" }

            if let status = v(p.statusColumn), !booked.contains(status.lowercased()) {
                ledger.setAside[
                    "status \"\(status)\" in \(p.statusColumn!) (not booked; profile \(p.name))", default: 0] += 1
                continue
            }
            guard let account = nonEmpty(p.accountColumn) ?? options.statementAccount else {
                throw ProceedsError(
                    file: path, line: line,
                    reason: p.accountColumn == nil
                        ? "the statement account is unknown: the profile has no account_column; give --account"
                        : "the statement account column \(label(p.accountColumn)) is empty; give --account")
            }
            let currency = (v(p.currencyColumn) ?? p.currency ?? "").uppercased()
            guard let scale = options.scale(of: currency) else {
                try fail(
                    "currency \(label(p.currencyColumn)) '\(currency)' is not an ISO 4217 code or a known asset: give its decimals with --scale \(currency.isEmpty ? "CODE" : currency)=N"
                )
                continue
            }
            var zone = fixedZone
            if let z = v(p.timeZoneColumn) {
                guard let tz = FixedZone.parse(z) else {
                    try fail(
                        "time zone \(label(p.timeZoneColumn)) '\(z)' is not an IANA zone name, an abbreviation or an offset"
                    ); continue
                }
                zone = tz
            }
            let dateText = v(p.dateColumn) ?? ""
            guard let time = p.parseTime(date: dateText, time: v(p.timeColumn), zone: zone) else {
                let t =
                    v(p.timeColumn).map {
                        " with time \(label(p.timeColumn)) '\($0)' (expected \(p.timeFormat ?? "hh:mm:ss"))"
                    } ?? ""
                try fail("date \(label(p.dateColumn)) '\(dateText)' is not a calendar date in \(p.dateFormat)\(t)")
                continue
            }
            func amount(_ column: String?) throws -> MinorUnits?? {
                guard let text = v(column) else { return .some(nil) }
                if text.isEmpty { return .some(nil) }
                guard let a = ExactDecimal.parse(text, scale: scale, decimalSeparator: p.decimal, grouping: p.grouping)
                else {
                    try fail(
                        "\(label(column)) '\(text)': expected \(ExactDecimal.grammar(scale: scale, decimalSeparator: p.decimal, grouping: p.grouping)) "
                            + "(\(currency) has \(scale); give another with --scale \(currency)=N)")
                    return nil
                }
                return .some(a)
            }
            var outgoing: Bool
            var value: MinorUnits
            if let directionColumn = p.directionColumn {
                guard let parsed = try amount(p.amountColumn) else { continue }
                guard let a = parsed else { try fail("amount \(label(p.amountColumn)) is empty"); continue }
                let token = (v(directionColumn) ?? "").uppercased()
                if debitTokens.contains(token) {
                    outgoing = true
                } else if creditTokens.contains(token) {
                    outgoing = false
                } else {
                    try fail(
                        "direction \(label(directionColumn)) '\(token)' is neither a debit token (\(debitTokens.sorted().joined(separator: " "))) "
                            + "nor a credit token (\(creditTokens.sorted().joined(separator: " "))); set debit_tokens and credit_tokens in the profile"
                    )
                    continue
                }
                if a < 0 {
                    switch negative {
                    case "reverse": outgoing.toggle()
                    case "ignore": break
                    default:
                        try fail(
                            "amount \(label(p.amountColumn)) '\(v(p.amountColumn)!)' is negative while \(label(directionColumn)) says \(token): "
                                + "ambiguous (set negative_figures to reverse or ignore in the profile if the bank means one of them)"
                        )
                        continue
                    }
                }
                value = a < 0 ? -a : a
            } else if p.amountColumn != nil {
                guard let parsed = try amount(p.amountColumn) else { continue }
                guard let a = parsed else { try fail("amount \(label(p.amountColumn)) is empty"); continue }
                outgoing = (a < 0) == (p.sign != "positive-is-outgoing")
                value = a < 0 ? -a : a
            } else {
                guard let d = try amount(p.debitColumn), let c = try amount(p.creditColumn) else { continue }
                let debit = d ?? 0
                let credit = c ?? 0
                if debit != 0 && credit != 0 {
                    try fail(
                        "both debit \(label(p.debitColumn)) '\(v(p.debitColumn)!)' and credit \(label(p.creditColumn)) '\(v(p.creditColumn)!)' hold an amount; one row moves money one way"
                    )
                    continue
                }
                let figure = debit != 0 ? debit : credit
                outgoing = debit != 0
                let column = outgoing ? p.debitColumn : p.creditColumn
                if figure < 0 || (negative == "debit-negative" && outgoing && figure > 0) {
                    switch (negative, outgoing) {
                    case ("reverse", _): outgoing.toggle()
                    case ("ignore", _): break
                    case ("debit-negative", true) where figure < 0: break
                    default:
                        let rule =
                            negative == "debit-negative"
                            ? (outgoing
                                ? "the profile says debits are written negative" : "a credit must not be negative")
                            : "a negative figure in a \(outgoing ? "debit" : "credit") column is ambiguous"
                        try fail(
                            "\(outgoing ? "debit" : "credit") \(label(column)) '\(v(column)!)': \(rule) "
                                + "(negative_figures: \(negative); set it to reverse, debit-negative or ignore if the bank means one of them)"
                        )
                        continue
                    }
                }
                value = figure < 0 ? -figure : figure
            }
            let id = nonEmpty(p.idColumn) ?? "\(fileName):\(line)"
            if value == 0 {
                ledger.setAside["zero amount (moves no money)", default: 0] += 1
            } else {
                let counterparty =
                    (outgoing ? nonEmpty(p.payeeColumn) : nonEmpty(p.payerColumn))
                    ?? nonEmpty(p.counterpartyAccountColumn) ?? nonEmpty(p.counterpartyNameColumn)
                    // One node per row: unidentified counterparties are not one account.
                    ?? "unknown counterparty (\(fileName) line \(line))"
                ledger.transfers.append(
                    Transfer(
                        id: id, time: time, from: outgoing ? account : counterparty,
                        to: outgoing ? counterparty : account, amount: value,
                        asset: currency, scale: scale,
                        source: SourceReference(file: path, fileSHA256: sha256, line: line),
                        extra: [
                            "direction": outgoing ? "DBIT" : "CRDT", "statement_account": account, "profile": p.name,
                        ]))
            }
            if p.feeColumn != nil {
                guard let parsed = try amount(p.feeColumn) else { continue }
                if let fee = parsed, fee != 0 {
                    let charged = (fee < 0) == (p.feeSign != "positive-is-charged")
                    let feeAccount = "fees:\(p.name)"
                    ledger.transfers.append(
                        Transfer(
                            id: id + ":fee", time: time, from: charged ? account : feeAccount,
                            to: charged ? feeAccount : account,
                            amount: fee < 0 ? -fee : fee, asset: currency, scale: scale,
                            source: SourceReference(file: path, fileSHA256: sha256, line: line),
                            extra: [
                                "direction": charged ? "DBIT" : "CRDT", "statement_account": account, "profile": p.name,
                                "fee": "true",
                            ]))
                }
            }
        }
    }

    static func norm(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces).lowercased() }
}
