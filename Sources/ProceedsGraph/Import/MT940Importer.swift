import Foundation

/// SWIFT MT940 customer statements: every `:61:` statement line becomes a transfer between the statement's
/// account (`:25:`) and the counterparty named in the following `:86:` (its IBAN, from a `/IBAN/` field, a
/// German `?31` subfield, or the first IBAN-shaped word; else its name from `/NAME/` or `?32`; else unknown).
///
/// `C` and `RD` (reversal of a debit) are money in; `D` and `RC` money out. The time is the entry (booking) date
/// when the line has one, else the value date. The currency is that of the opening balance (`:60F:`/`:60M:`).
enum MT940Importer {
    static func load(_ bytes: [UInt8], path: String, sha256: String, options: ImportOptions, into ledger: inout Ledger) throws {
        // Tags with their first line number; a value runs on until the next line that starts a tag.
        var tags: [(tag: String, line: Int, value: String)] = []
        for (n, raw) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix(":"), let close = line.dropFirst().firstIndex(of: ":") {
                tags.append((String(line[line.index(after: line.startIndex)..<close]), n + 1, String(line[line.index(after: close)...])))
            } else if !tags.isEmpty, !line.hasPrefix("-"), !line.hasPrefix("{") {
                tags[tags.count - 1].value += "\n" + line
            }
        }
        guard tags.contains(where: { $0.tag == "61" }) || tags.contains(where: { $0.tag == "25" }) else {
            throw ImportError(file: path, line: 0, reason: "no MT940 statement (:25: account, :61: lines) found")
        }
        var account = ""
        var currency = ""
        var index = 0
        func fail(_ line: Int, _ why: String) throws {
            try LedgerImporter.record(ImportIssue(file: path, line: line, reason: why), strict: options.strict, into: &ledger)
        }
        while index < tags.count {
            let t = tags[index]
            index += 1
            switch t.tag {
            case "25":
                let v = t.value.trimmingCharacters(in: .whitespacesAndNewlines)
                account = v.split(separator: "/").last.map(String.init) ?? v
            case "60F", "60M":
                let v = Array(t.value.utf8)
                if v.count >= 10 { currency = String(decoding: v[7..<10], as: UTF8.self) }
            case "61":
                let info = index < tags.count && tags[index].tag == "86" ? tags[index].value : ""
                guard let line = parse61(t.value) else { try fail(t.line, "statement line :61: is not in MT940 form"); continue }
                guard !account.isEmpty else { try fail(t.line, "statement line before any :25: account"); continue }
                guard let scale = options.scale(of: currency) else { try fail(t.line, "unknown currency '\(currency)' (from :60F:)"); continue }
                guard let amount = Decimal.parse(line.amount, scale: scale, decimalSeparator: ","), amount > 0 else {
                    try fail(t.line, "amount '\(line.amount)' is not a positive amount with at most \(scale) decimals"); continue
                }
                let counterparty = counterpartyAccount(info, own: account) ?? counterpartyName(info) ?? "unknown counterparty of \(account)"
                let reference = line.bankReference ?? line.customerReference
                let id = (reference.flatMap { $0.isEmpty || $0 == "NONREF" ? nil : $0 } ?? "\(URL(fileURLWithPath: path).lastPathComponent):\(t.line)")
                var extra = ["direction": line.incoming ? "CRDT" : "DBIT", "statement_account": account, "type": line.type]
                extra["details"] = info.isEmpty ? nil : info.replacingOccurrences(of: "\n", with: " ")
                ledger.transfers.append(Transfer(
                    id: id, time: line.time, from: line.incoming ? counterparty : account, to: line.incoming ? account : counterparty,
                    amount: amount, asset: currency, scale: scale,
                    source: SourceReference(file: path, fileSHA256: sha256, line: t.line, reference: reference), extra: extra))
            default:
                break
            }
        }
    }

    struct StatementLine {
        var time: Int64
        var incoming: Bool
        var amount: String
        var type: String
        var customerReference: String?
        var bankReference: String?
    }

    /// `YYMMDD[MMDD](C|D|RC|RD)[funds code]amount N|F|S type reference[//bank reference]`.
    static func parse61(_ value: String) -> StatementLine? {
        let first = value.split(separator: "\n").first.map(String.init) ?? value
        let u = Array(first.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count, u[r].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int(String(decoding: u[r], as: UTF8.self))
        }
        guard let yy = digits(0..<2), let mm = digits(2..<4), let dd = digits(4..<6) else { return nil }
        var i = 6
        var (month, day) = (mm, dd)
        var year = 2000 + yy
        if let em = digits(6..<8), let ed = digits(8..<10) {
            // The entry date has no year: it is the value date's, or the next or previous year's across New Year.
            if em == 1 && mm == 12 { year += 1 } else if em == 12 && mm == 1 { year -= 1 }
            (month, day) = (em, ed)
            i = 10
        }
        guard i < u.count else { return nil }
        var incoming: Bool
        if u[i] == UInt8(ascii: "R"), i + 1 < u.count {
            incoming = u[i + 1] == UInt8(ascii: "D")  // reversal of a debit brings money back in
            i += 2
        } else if u[i] == UInt8(ascii: "C") || u[i] == UInt8(ascii: "D") {
            incoming = u[i] == UInt8(ascii: "C")
            i += 1
        } else {
            return nil
        }
        if i < u.count, u[i] >= 65, u[i] <= 90 { i += 1 }  // funds code (the third letter of the currency)
        let start = i
        while i < u.count, (u[i] >= 48 && u[i] <= 57) || u[i] == UInt8(ascii: ",") { i += 1 }
        guard i > start, i + 4 <= u.count else { return nil }
        let amount = String(decoding: u[start..<i], as: UTF8.self)
        let type = String(decoding: u[i..<(i + 4)], as: UTF8.self)
        let rest = String(decoding: u[(i + 4)...], as: UTF8.self)
        let parts = rest.components(separatedBy: "//")
        let pad = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
        guard let time = Timestamp.parse("\(year)-\(pad(month))-\(pad(day))") else { return nil }
        return StatementLine(
            time: time, incoming: incoming, amount: amount, type: type, customerReference: parts.first,
            bankReference: parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : nil)
    }

    static func counterpartyAccount(_ info: String, own: String) -> String? {
        let flat = info.replacingOccurrences(of: "\n", with: "")
        if let r = flat.range(of: "/IBAN/") {
            let v = flat[r.upperBound...].prefix { $0 != "/" }
            if !v.isEmpty { return String(v) }
        }
        if let r = flat.range(of: "?31") {
            let v = flat[r.upperBound...].prefix { $0 != "?" }
            if !v.isEmpty { return String(v) }
        }
        for word in flat.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            let w = String(word)
            if w != own, w.count >= 15, w.count <= 34, w.prefix(2).allSatisfy({ $0.isUppercase && $0.isASCII }),
                w.dropFirst(2).prefix(2).allSatisfy(\.isNumber)
            {
                return w
            }
        }
        return nil
    }

    static func counterpartyName(_ info: String) -> String? {
        let flat = info.replacingOccurrences(of: "\n", with: "")
        if let r = flat.range(of: "/NAME/") {
            let v = flat[r.upperBound...].prefix { $0 != "/" }
            if !v.isEmpty { return String(v) }
        }
        if let r = flat.range(of: "?32") {
            let v = flat[r.upperBound...].prefix { $0 != "?" }
            if !v.isEmpty { return String(v) }
        }
        return nil
    }
}
