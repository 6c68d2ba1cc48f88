import Foundation
import IProceedsBase

/// SWIFT MT940 customer statements (and MT942 interim reports): every `:61:` statement line becomes a transfer
/// between the statement's account (`:25:`) and the counterparty named by the following `:86:` or the `:61:` line
/// itself. docs/formats.md describes what is read; in short:
///
/// - Lines end in CRLF, LF or CR (mixed too); text is UTF-8, or Latin-1 where a line is not valid UTF-8.
/// - A file holds any number of statements; each starts at `:20:` (or at the first tag of a file without one).
/// - `:61:` is read by the SWIFT layout: value date, optional entry date (MMDD, or four blanks), mark (`C`, `D`,
///   `RC`, `RD`), optional funds code letter, amount (`,` or `.` decimal, never rounded), transaction type
///   (`N`/`F`/`S` and three characters; may be missing), reference for the account owner, `//` bank reference,
///   and supplementary details on the next line.
/// - `C` and `RD` (reversal of a debit) are money in; `D` and `RC` money out. The time is the entry (booking) date
///   when the line has one, else the value date.
/// - The counterparty comes from the German `?20..?63` subfields (`?31` account or IBAN, `?30` bank code,
///   `?32`/`?33` name), the slash codes (`/CNTP/`, `/IBAN/`, `/ORDP/`, `/BENM/`, `/NAME/`), SEPA keywords
///   (`IBAN+`, `ABWA+`/`ABWE+`), else an IBAN (with a valid check) in the details; else its name; else an account
///   `unknown:<file>#<entry>` of its own, so that unidentified counterparties never merge into one node.
/// - Transfer ids are `<file name>:<line of the :61:>`: unique and stable. The bank's references are kept as
///   `bank_reference` and `customer_reference`, never used as ids (`NONREF`, `EREF`, an IBAN, repeats).
enum MT940Importer {
    /// Tags of MT940/MT942 (and the German `:NS:`). Another `:NN:` at the start of a line is text of the field
    /// before (banks wrap `:86:` text that way).
    static let tags: Set<String> = [
        "20", "21", "25", "28", "28C", "28D", "34F", "13", "13D", "60F", "60M", "61", "62F", "62M", "64", "65", "86",
        "90D", "90C", "NS",
    ]

    struct Field {
        var tag: String
        var line: Int
        var lines: [String]
        var first: String { lines[0] }
    }

    /// The file's lines (CRLF, LF or CR), each decoded as UTF-8 or, where it is not valid UTF-8, as Latin-1.
    static func lines(_ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        var start = 0
        var i = 0
        func emit(_ end: Int) {
            let slice = Array(bytes[start..<end])
            out.append(String(validating: slice, as: UTF8.self) ?? String(slice.map { Character(Unicode.Scalar($0)) }))
        }
        while i < bytes.count {
            if bytes[i] == 0x0A || bytes[i] == 0x0D {
                emit(i)
                if bytes[i] == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { emit(bytes.count) }
        return out
    }

    /// The tag at the start of `line` (`:61:` gives `61`), when it is one of ``tags``.
    static func tag(of line: String) -> (tag: String, rest: String)? {
        guard line.hasPrefix(":") else { return nil }
        let body = line.dropFirst()
        guard let close = body.firstIndex(of: ":") else { return nil }
        let t = String(body[..<close])
        guard tags.contains(t) else { return nil }
        return (t, String(body[body.index(after: close)...]))
    }

    static func fields(_ lines: [String]) -> [Field] {
        var fields: [Field] = []
        var k = 0
        while k < lines.count {
            var line = lines[k]
            let number = k + 1
            // A tag broken after its first colon (":" then "86:…" on the next line), as one bank's export does.
            if line == ":", k + 1 < lines.count, tag(of: ":" + lines[k + 1]) != nil {
                k += 1
                line = ":" + lines[k]
            }
            k += 1
            // A lone "-" ends a message only where a new one (or the end) follows: ING wraps :86: text onto a "-".
            let next = lines[k...].first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let endsMessage =
                line.hasPrefix("-}")
                || (line == "-" && (next == nil || next!.hasPrefix("{") || next!.hasPrefix(":20:")))
            if let (t, rest) = tag(of: line) {
                fields.append(Field(tag: t, line: number, lines: [rest]))
            } else if endsMessage || line.hasPrefix("{") {
                // Message framing: `{1:…}{2:…}{4:` opens a message, `-}` (or `-`) closes it.
                if line.hasPrefix("-") { fields.append(Field(tag: "-", line: number, lines: [""])) }
            } else if !fields.isEmpty, fields[fields.count - 1].tag != "-" {
                fields[fields.count - 1].lines.append(line)
            }
        }
        return fields
    }

    static func load(_ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger)
        throws
    {
        let all = fields(lines(bytes))
        guard all.contains(where: { $0.tag == "61" || $0.tag == "25" }) else {
            throw ProceedsError(
                file: path, line: 0,
                reason:
                    "no MT940 statement found (no :25: account and no :61: statement line); if the file is in another "
                    + "format, give it with --import-format")
        }
        // Statements: from one :20: (or the first field) to the next :20:, a message end, or a second :25: after
        // a closing balance. A :25: between a statement's entries and its closing balance cannot start a statement
        // (one bank's export puts :86: text there): it is read as text of the field before, and said so.
        var statements: [[Field]] = []
        var current: [Field] = []
        for f in all {
            if f.tag == "25", current.contains(where: { $0.tag == "61" }),
                !current.contains(where: { $0.tag.hasPrefix("62") })
            {
                try LedgerImporter.record(
                    ImportIssue(
                        file: path, line: f.line,
                        reason:
                            ":25: inside a statement's entries (before its closing balance): read as text of the :\(current[current.count - 1].tag): field before it"
                    ),
                    strict: options.strict, into: &ledger)
                current[current.count - 1].lines += [":25:" + f.lines[0]] + f.lines.dropFirst()
                continue
            }
            let startsNew = f.tag == "20" || (f.tag == "25" && current.contains { $0.tag == "25" })
            if f.tag == "-" || startsNew {
                if !current.isEmpty { statements.append(current) }
                current = f.tag == "-" ? [] : [f]
            } else {
                current.append(f)
            }
        }
        if !current.isEmpty { statements.append(current) }
        var entryOrdinal = 0
        let name = URL(fileURLWithPath: path).lastPathComponent
        for (s, fields) in statements.enumerated()
        where fields.contains(where: { ["25", "60F", "60M", "61", "62F", "62M"].contains($0.tag) }) {
            try statement(
                fields, index: s + 1, path: path, name: name, sha256: sha256, options: options,
                entryOrdinal: &entryOrdinal, into: &ledger)
        }
    }

    /// `C` or `D`, a YYMMDD date, a currency and an amount: `:60F:`, `:62F:`, `:64:`.
    static func balance(_ f: Field, scale: (String) -> Int?) -> Result<(StatementBalance, String), ProceedsError> {
        let u = Array(f.first.trimmingCharacters(in: .whitespaces).utf8)
        func bad(_ why: String) -> Result<(StatementBalance, String), ProceedsError> {
            .failure(
                ProceedsError(
                    file: "", line: f.line,
                    reason: ":\(f.tag): \(why) (expected C|D, YYMMDD, currency, amount as in C260105EUR1234,56)"))
        }
        guard u.count >= 11, u[0] == 67 || u[0] == 68 else { return bad("'\(f.first)' does not start with C or D") }
        guard let yy = Int(String(decoding: u[1..<3], as: UTF8.self)),
            let mm = Int(String(decoding: u[3..<5], as: UTF8.self)),
            let dd = Int(String(decoding: u[5..<7], as: UTF8.self)),
            let date = StatementText.date(century(yy) + yy, mm, dd)
        else { return bad("date '\(String(decoding: u[1..<7], as: UTF8.self))' is not a calendar date") }
        let currency = String(decoding: u[7..<10], as: UTF8.self).uppercased()
        guard currency.allSatisfy({ $0.isLetter }) else {
            return bad("'\(f.first)' has no three-letter currency code after the date")
        }
        guard let sc = scale(currency) else {
            return .failure(
                ProceedsError(
                    file: "", line: f.line,
                    reason: ":\(f.tag): unknown currency '\(currency)' (give its decimals with --scale \(currency)=N)"))
        }
        let text = String(decoding: u[10...], as: UTF8.self)
        switch StatementText.amount(text, scale: sc) {
        case .success(let v):
            return .success((StatementBalance(amount: u[0] == 68 ? -v : v, date: date, kind: f.tag), currency))
        case .failure(.tooManyDecimals(let n)):
            return bad(
                "amount '\(text)' has \(n) decimals, \(currency) has \(sc) (if it has more here, give --scale \(currency)=\(n))"
            )
        case .failure: return bad("amount '\(text)' is not a number")
        }
    }

    static func century(_ yy: Int) -> Int { yy < 80 ? 2000 : 1900 }

    /// The account of `:25:` without its bank code's ambiguity or a currency: an IBAN alone, else `BANK/ACCOUNT`
    /// (BIC or German bank code), else the account as written.
    static func account(_ raw: String, currency: String?) -> String {
        var v = StatementText.collapsed(raw)
        var parts = v.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
        // BIC/ACCOUNT/CCY
        if parts.count == 3, parts[2].count == 3, parts[2].allSatisfy({ $0.isUppercase }) { parts.removeLast() }
        // ACCOUNT CCY, and an account with its currency glued on (NL77INGB0574908765EUR, 9223382012EUR)
        var last = parts[parts.count - 1]
        let words = last.split(separator: " ")
        if words.count == 2, words[1].count == 3, words[1].allSatisfy({ $0.isUppercase }),
            currency == nil || words[1] == currency!
        {
            last = String(words[0])
        } else if last.count > 3,
            let ccy = currency ?? (AssetScale.known[String(last.suffix(3))] != nil ? String(last.suffix(3)) : nil),
            last.hasSuffix(ccy), let before = last.dropLast(3).last, before.isNumber
        {
            last = String(last.dropLast(3))
        }
        parts[parts.count - 1] = last
        let acct = StatementText.normalizedAccount(last)
        if StatementText.isIBAN(acct) || parts.count == 1 { return acct }
        let bank = parts[0]
        v = bank.isEmpty ? acct : "\(bank)/\(acct)"
        return v
    }

    private static func statement(
        _ fields: [Field], index: Int, path: String, name: String, sha256: String, options: ImportOptions,
        entryOrdinal: inout Int,
        into ledger: inout Ledger
    ) throws {
        func fail(_ line: Int, _ why: String) throws {
            try LedgerImporter.record(
                ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
        }
        var summary = StatementSummary(
            file: path, fileSHA256: sha256, index: index, location: "line \(fields[0].line)", kind: "MT940")
        summary.reference = fields.first(where: { $0.tag == "20" }).map {
            $0.lines.joined().trimmingCharacters(in: .whitespaces)
        }
        summary.number = fields.first(where: { $0.tag == "28C" || $0.tag == "28" }).map {
            $0.lines.joined().trimmingCharacters(in: .whitespaces)
        }
        // Currency: from the opening balance, else the closing, else an MT942's floor limit (:34F:).
        var currency: String?
        var balances: [(Field, StatementBalance)] = []
        for f in fields where ["60F", "60M", "62F", "62M", "64"].contains(f.tag) {
            switch balance(f, scale: options.scale(of:)) {
            case .success(let (b, ccy)):
                if currency == nil { currency = ccy }
                if ccy != currency {
                    try fail(f.line, ":\(f.tag): currency \(ccy) differs from the statement's \(currency!)"); continue
                }
                balances.append((f, b))
            case .failure(let e): try fail(f.line, e.reason)
            }
        }
        if balances.isEmpty, let floor = fields.first(where: { $0.tag == "34F" }) {
            currency = String(floor.first.prefix(3)).uppercased()
            summary.kind = "MT942"
            summary.notes.append(
                "interim report (MT942): no balances; its entries reappear in the day's MT940, so do not import both")
        }
        for (f, b) in balances {
            switch f.tag {
            case "60F", "60M": if summary.opening == nil { summary.opening = b }
            // the last one: a statement split over messages closes with the last
            case "62F", "62M": summary.closing = b
            default: summary.available = b
            }
        }
        let accountField = fields.first { $0.tag == "25" }
        summary.accountAsWritten = accountField.map { $0.lines.joined().trimmingCharacters(in: .whitespaces) } ?? ""
        summary.account = accountField == nil ? "" : account(summary.accountAsWritten, currency: currency)
        summary.currency = currency ?? ""
        let scale = currency.flatMap { options.scale(of: $0) }
        summary.scale = scale ?? 2
        var k = 0
        while k < fields.count {
            let f = fields[k]
            k += 1
            guard f.tag == "61" else { continue }
            entryOrdinal += 1
            let info: Field? = k < fields.count && fields[k].tag == "86" ? fields[k] : nil
            guard !summary.account.isEmpty else {
                try fail(f.line, ":61: statement line with no :25: account before it"); summary.skipped += 1; continue
            }
            guard let currency, let scale else {
                try fail(f.line, ":61: the statement has no currency (no :60F: opening balance with a known currency)")
                summary.skipped += 1
                continue
            }
            let line: StatementLine
            switch parse61(f, scale: scale, currency: currency) {
            case .success(let l): line = l
            case .failure(let e):
                try fail(f.line, e.reason)
                summary.skipped += 1
                continue
            }
            summary.entries += 1
            if line.incoming {
                summary.credits += line.amount
                summary.creditCount += 1
            } else {
                summary.debits += line.amount
                summary.debitCount += 1
            }
            guard line.amount > 0 else {
                summary.notes.append("line \(f.line): an entry of 0.00 moves no money; no transfer made")
                continue
            }
            let details = Details(info?.lines ?? [], statementLine: line, own: summary.account)
            let counterparty = details.account ?? details.name ?? "unknown:\(path)#\(entryOrdinal)"
            var extra: [String: String] = [
                "direction": line.incoming ? "CRDT" : "DBIT", "statement_account": summary.account,
                "statement": "\(index)",
                "value_date": String(ISO8601.format(line.valueDate).prefix(10)), "mark": line.mark,
            ]
            extra["entry_date"] = line.entryDate.map { String(ISO8601.format($0).prefix(10)) }
            extra["type"] = line.type
            extra["customer_reference"] = line.customerReference
            extra["bank_reference"] = line.bankReference
            extra["supplementary_details"] = line.supplementary
            extra["funds_code"] = line.fundsCode
            extra["counterparty_name"] = details.name
            extra["end_to_end_id"] = details.endToEnd
            extra["mandate_id"] = details.mandate
            extra["remittance"] = details.remittance
            extra["details"] = info.map { $0.lines.joined(separator: " ") }
            ledger.transfers.append(
                Transfer(
                    id: "\(name):\(f.line)", time: line.entryDate ?? line.valueDate, orderKey: [Int64(entryOrdinal)],
                    from: line.incoming ? counterparty : summary.account,
                    to: line.incoming ? summary.account : counterparty,
                    amount: line.amount, asset: currency, scale: scale,
                    source: SourceReference(
                        file: path, fileSHA256: sha256, line: f.line,
                        reference: line.bankReference ?? line.customerReference),
                    extra: extra))
            summary.transfers += 1
        }
        ledger.statements.append(summary)
    }

    struct StatementLine {
        var valueDate: Int64
        var entryDate: Int64?
        var mark: String
        var incoming: Bool
        var fundsCode: String?
        var amount: MinorUnits
        var type: String?
        var customerReference: String?
        var bankReference: String?
        var supplementary: String?
    }

    /// `YYMMDD[MMDD](C|D|RC|RD)[funds code]amount[N|F|S+3 type]reference[//bank reference]`, supplementary
    /// details on the next line. A first line cut before the type (one bank wraps there) is joined to the next.
    static func parse61(_ f: Field, scale: Int, currency: String) -> Result<StatementLine, ProceedsError> {
        var result = parse61Line(f.first, scale: scale, currency: currency, line: f.line)
        var rest = Array(f.lines.dropFirst())
        if case .failure = result, !rest.isEmpty,
            case .success = parse61Line(f.first + rest[0], scale: scale, currency: currency, line: f.line)
        {
            result = parse61Line(f.first + rest[0], scale: scale, currency: currency, line: f.line)
            rest.removeFirst()
        }
        guard case .success(var l) = result else { return result }
        let supp = rest.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        l.supplementary = supp.isEmpty ? nil : supp
        return .success(l)
    }

    static func parse61Line(_ text: String, scale: Int, currency: String, line: Int) -> Result<
        StatementLine, ProceedsError
    > {
        let u = Array(text.utf8)
        func bad(_ why: String) -> Result<StatementLine, ProceedsError> {
            .failure(
                ProceedsError(
                    file: "", line: line,
                    reason:
                        ":61: \(why) (layout: YYMMDD[MMDD] C|D|RC|RD [funds code] amount type reference[//bank reference])"
                ))
        }
        func number(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count, u[r].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int(String(decoding: u[r], as: UTF8.self))
        }
        guard let yy = number(0..<2), let mm = number(2..<4), let dd = number(4..<6) else {
            return bad("value date '\(text.prefix(6))' is not YYMMDD")
        }
        let year = century(yy) + yy
        guard let valueDate = StatementText.date(year, mm, dd) else {
            return bad("value date '\(text.prefix(6))' is not a calendar date (\(year)-\(mm)-\(dd) does not exist)")
        }
        var i = 6
        var entryDate: Int64?
        if let em = number(6..<8), let ed = number(8..<10) {
            // The entry date has no year: the value date's, or the next or previous one across New Year.
            var ey = year
            if em == 1 && mm == 12 { ey += 1 } else if em == 12 && mm == 1 { ey -= 1 }
            guard let d = StatementText.date(ey, em, ed) else {
                return bad("entry date '\(String(decoding: u[6..<10], as: UTF8.self))' is not a calendar date")
            }
            entryDate = d
            i = 10
        } else if i + 4 <= u.count, u[6..<10].allSatisfy({ $0 == 0x20 }) {
            i = 10  // an entry date left blank
        }
        guard i < u.count else { return bad("no debit/credit mark") }
        var mark: String
        if u[i] == UInt8(ascii: "R"), i + 1 < u.count, u[i + 1] == UInt8(ascii: "C") || u[i + 1] == UInt8(ascii: "D") {
            mark = "R" + String(UnicodeScalar(u[i + 1]))
            i += 2
        } else if u[i] == UInt8(ascii: "C") || u[i] == UInt8(ascii: "D") {
            mark = String(UnicodeScalar(u[i]))
            i += 1
        } else {
            return bad("debit/credit mark '\(String(UnicodeScalar(u[i])))' is not C, D, RC or RD")
        }
        var fundsCode: String?
        if i < u.count, u[i] >= 65, u[i] <= 90 {
            fundsCode = String(UnicodeScalar(u[i]))
            i += 1
        }
        let start = i
        while i < u.count, (u[i] >= 48 && u[i] <= 57) || u[i] == UInt8(ascii: ",") || u[i] == UInt8(ascii: ".") {
            i += 1
        }
        let amountText = String(decoding: u[start..<i], as: UTF8.self)
        guard i > start else { return bad("no amount after the mark \(mark)") }
        let amount: MinorUnits
        switch StatementText.amount(amountText, scale: scale) {
        case .success(let v): amount = v
        case .failure(.tooManyDecimals(let n)):
            return bad(
                "amount '\(amountText)' has \(n) decimals, \(currency) has \(scale) (if it has more here, give --scale \(currency)=\(n))"
            )
        case .failure: return bad("amount '\(amountText)' is not a number (digits with one ',' or '.')")
        }
        // Transaction type: N or F and three letters or digits, or S and a message type. It may be missing; a
        // reference of NONREF is never taken for a type NONR.
        var type: String?
        if i + 4 <= u.count, [UInt8(ascii: "N"), UInt8(ascii: "F"), UInt8(ascii: "S")].contains(u[i]),
            u[(i + 1)..<(i + 4)].allSatisfy({
                ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 0x20
            }),
            !String(decoding: u[i...], as: UTF8.self).hasPrefix("NONREF")
        {
            type = String(decoding: u[i..<(i + 4)], as: UTF8.self)
            i += 4
        }
        let rest = String(decoding: u[i...], as: UTF8.self)
        var customer: String? = rest
        var bank: String?
        if let r = rest.range(of: "//") {
            customer = String(rest[..<r.lowerBound])
            bank = String(rest[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        customer = customer?.trimmingCharacters(in: .whitespaces)
        if customer?.isEmpty == true || customer == "NONREF" { customer = nil }
        if bank?.isEmpty == true || bank == "NONREF" { bank = nil }
        let incoming = mark == "C" || mark == "RD"
        return .success(
            StatementLine(
                valueDate: valueDate, entryDate: entryDate, mark: mark, incoming: incoming, fundsCode: fundsCode,
                amount: amount,
                type: type, customerReference: customer, bankReference: bank, supplementary: nil))
    }

    /// What `:86:` (and the `:61:` line) say about the counterparty and the payment.
    struct Details {
        var account: String?
        var name: String?
        var endToEnd: String?
        var mandate: String?
        var remittance: String?

        init(_ lines: [String], statementLine: StatementLine, own: String) {
            // Continuation lines wrap inside subfields: joined without a separator, as the banks cut them.
            let flat = lines.joined()
            let head = Array(flat.utf8.prefix(4))
            let gvc =
                head.count == 4 && head[0..<3].allSatisfy({ $0 >= 48 && $0 <= 57 }) && head[3] == UInt8(ascii: "?")
            if gvc
                || (head.count >= 3 && head[0] == UInt8(ascii: "?") && head[1...2].allSatisfy({ $0 >= 48 && $0 <= 57 }))
            {
                german(flat, from: gvc ? 3 : 0)
            } else if flat.hasPrefix("/") || flat.contains("/NAME/") || flat.contains("/IBAN/")
                || flat.contains("/CNTP/")
            {
                slashCodes(flat)
            } else if flat.contains("+") {
                sepa(StatementText.collapsed(lines.joined(separator: " ")))
            }
            if account == nil {
                // An IBAN with a valid check anywhere in the details, the reference or the supplementary details.
                let texts = [
                    lines.joined(separator: " "), statementLine.customerReference ?? "",
                    statementLine.supplementary ?? "",
                ]
                for text in texts where account == nil {
                    for word in text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                        let w = String(word).uppercased()
                        if w != own, StatementText.isIBAN(w) {
                            account = w
                            break
                        }
                    }
                }
            }
            if account == own { account = nil }
            if let n = name {
                let c = StatementText.collapsed(n)
                name = c.isEmpty ? nil : c
            }
        }

        /// German `GVC?00…?20…`: `?30` bank code or BIC, `?31` account or IBAN, `?32`/`?33` name, `?20`–`?29` and
        /// `?60`–`?63` purpose (SEPA keywords inside).
        mutating func german(_ flat: String, from start: Int) {
            var sub: [Int: String] = [:]
            let u = Array(flat.utf8)
            var i = start
            var code = -1
            var value: [UInt8] = []
            func close() { if code >= 0 { sub[code, default: ""] += String(decoding: value, as: UTF8.self) } }
            while i < u.count {
                if u[i] == UInt8(ascii: "?"), i + 2 < u.count, u[i + 1] >= 48, u[i + 1] <= 57, u[i + 2] >= 48,
                    u[i + 2] <= 57
                {
                    close()
                    code = Int(u[i + 1] - 48) * 10 + Int(u[i + 2] - 48)
                    value = []
                    i += 3
                    continue
                }
                value.append(u[i])
                i += 1
            }
            close()
            let acct = sub[31].map { StatementText.normalizedAccount($0) } ?? ""
            let bank = sub[30].map { StatementText.collapsed($0) } ?? ""
            if !acct.isEmpty, acct.contains(where: { $0.isNumber }),
                acct.trimmingCharacters(in: CharacterSet(charactersIn: "0")) != ""
            {
                account =
                    StatementText.isIBAN(acct) || bank.isEmpty || StatementText.isBIC(bank) ? acct : "\(bank)/\(acct)"
            }
            let n = (sub[32] ?? "") + (sub[33] ?? "")
            if !n.trimmingCharacters(in: .whitespaces).isEmpty { name = n }
            let purpose = (Array(20...29) + Array(60...63)).compactMap { sub[$0] }.joined()
            if !purpose.isEmpty { remittance = StatementText.collapsed(purpose) }
            if purpose.contains("+") { sepa(purpose) }
        }

        /// `/CODE/value` layouts (Dutch banks, `/ORDP/`, `/BENM/`, ING's `/CNTP/account/BIC/name/city/`).
        mutating func slashCodes(_ flat: String) {
            let codes: Set<String> = [
                "EREF", "KREF", "MARF", "CSID", "CNTP", "REMI", "PURP", "ULTC", "ULTD", "ULTB", "ORDP", "BENM", "NAME",
                "ADDR",
                "ID", "ISDT", "IBAN", "BIC", "TRCD", "BUSP", "RTRN", "ACCW", "OCMT", "CHGS", "EXCH", "SWOC", "PREF",
                "RTYP",
                "NRTX", "ACCT", "CDTRREFTP", "CDTRREF", "CODE", "ISSR", "CUSTREF", "BENMID", "ORDPID", "TRTP",
            ]
            // Split at every /CODE/ whose code is known; the text up to the next one is its value.
            var pairs: [(String, String)] = []
            var i = flat.startIndex
            var currentCode: String?
            var valueStart = flat.startIndex
            while i < flat.endIndex {
                if flat[i] == "/", let close = flat[flat.index(after: i)...].firstIndex(of: "/") {
                    let candidate = String(flat[flat.index(after: i)..<close])
                    if codes.contains(candidate) {
                        if let c = currentCode { pairs.append((c, String(flat[valueStart..<i]))) }
                        currentCode = candidate
                        valueStart = flat.index(after: close)
                        i = valueStart
                        continue
                    }
                }
                i = flat.index(after: i)
            }
            if let c = currentCode { pairs.append((c, String(flat[valueStart...]))) }
            var party: String?
            for (code, raw) in pairs {
                let v = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
                switch code {
                case "CNTP":
                    let parts = v.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                    if let a = parts.first, !a.isEmpty, account == nil { account = StatementText.normalizedAccount(a) }
                    if parts.count > 2, !parts[2].isEmpty { name = parts[2] }
                case "IBAN", "ACCT": if !v.isEmpty, account == nil { account = StatementText.normalizedAccount(v) }
                case "ORDP", "BENM":
                    party = code
                    if !v.isEmpty, account == nil { account = StatementText.normalizedAccount(v) }
                case "ID" where party != nil:
                    if !v.isEmpty, account == nil { account = StatementText.normalizedAccount(v) }
                case "NAME": if name == nil || party != nil { name = v }
                case "ADDR", "ISDT": break
                case "EREF": if !v.isEmpty, v != "NOTPROVIDED" { endToEnd = v }
                case "MARF": mandate = v.isEmpty ? nil : v
                case "REMI":
                    // Structured remittance: /REMI/USTD//text/ or /REMI/STRD/CUR/ref/.
                    remittance = StatementText.collapsed(v.replacingOccurrences(of: "USTD//", with: ""))
                case "ULTC", "ULTD", "ULTB": party = nil
                default: break
                }
            }
        }

        /// SEPA keywords in the purpose text: `EREF+ KREF+ MREF+ CRED+ DEBT+ SVWZ+ ABWA+ ABWE+ IBAN+ BIC+`.
        mutating func sepa(_ text: String) {
            let keys = [
                "EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+", "IBAN+", "BIC+", "COAM+",
                "OAMT+", "SQTP+",
            ]
            var found: [(range: Range<String.Index>, key: String)] = []
            for k in keys {
                var from = text.startIndex
                while let r = text.range(of: k, range: from..<text.endIndex) {
                    found.append((r, k))
                    from = r.upperBound
                }
            }
            found.sort { $0.range.lowerBound < $1.range.lowerBound }
            for (n, f) in found.enumerated() {
                let end = n + 1 < found.count ? found[n + 1].range.lowerBound : text.endIndex
                let v = text[f.range.upperBound..<end].trimmingCharacters(in: .whitespaces)
                guard !v.isEmpty else { continue }
                switch f.key {
                case "EREF+": if endToEnd == nil, v != "NOTPROVIDED" { endToEnd = v }
                case "MREF+": if mandate == nil { mandate = v }
                case "SVWZ+": if remittance == nil || remittance!.contains("SVWZ+") { remittance = v }
                case "IBAN+":
                    let a = StatementText.normalizedAccount(v)
                    if account == nil, StatementText.isIBAN(a) { account = a }
                case "ABWA+", "ABWE+": if name == nil { name = v }
                default: break
                }
            }
        }
    }
}
