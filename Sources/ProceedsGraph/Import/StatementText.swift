import IProceedsBase

/// Small pieces the statement importers (MT940, camt) share: account identifiers, strict amounts and calendar dates.
enum StatementText {
    /// Whether `s` is an IBAN: two letters, two check digits, up to 30 letters or digits, and the ISO 13616
    /// mod-97 check gives 1.
    static func isIBAN(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 15, u.count <= 34, u[0] >= 65, u[0] <= 90, u[1] >= 65, u[1] <= 90, u[2] >= 48, u[2] <= 57,
            u[3] >= 48, u[3] <= 57, u.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) })
        else { return false }
        var rem = 0
        for c in u[4...] + u[0..<4] {
            if c <= 57 {
                rem = (rem * 10 + Int(c - 48)) % 97
            } else {
                rem = (rem * 100 + Int(c - 55)) % 97
            }
        }
        return rem == 1
    }

    /// An account as written, upper-cased with blanks removed when it is an IBAN written in groups.
    static func normalizedAccount(_ s: String) -> String {
        let t = collapsed(s)
        let compact = t.replacingOccurrences(of: " ", with: "").uppercased()
        return isIBAN(compact) ? compact : t
    }

    /// Runs of blanks collapsed to one, ends trimmed.
    static func collapsed(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// A SWIFT BIC: 4 letters (bank), 2 letters (country), 2 letters or digits (place), optionally 3 more (branch).
    static func isBIC(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 8 || u.count == 11 else { return false }
        let letter = { (c: UInt8) in c >= 65 && c <= 90 }
        let alnum = { (c: UInt8) in letter(c) || (c >= 48 && c <= 57) }
        return u[0..<6].allSatisfy(letter) && u[6...].allSatisfy(alnum)
    }

    enum AmountProblem: Error {
        case notANumber
        case tooManyDecimals(Int)
    }

    /// An unsigned amount with `,` or `.` as its decimal mark and no grouping marks (`380115,`, `0,12`, `12.50`):
    /// the digits are taken as written, never rounded or cut.
    static func amount(_ text: String, scale: Int) -> Result<MinorUnits, AmountProblem> {
        let u = Array(text.utf8)
        var whole: MinorUnits = 0
        var fraction: MinorUnits = 0
        var fractionDigits = 0
        var seenMark = false
        var digits = 0
        for c in u {
            if c == UInt8(ascii: ",") || c == UInt8(ascii: ".") {
                guard !seenMark else { return .failure(.notANumber) }
                seenMark = true
                continue
            }
            guard c >= 48 && c <= 57 else { return .failure(.notANumber) }
            digits += 1
            guard digits <= 30 else { return .failure(.notANumber) }
            let d = MinorUnits(c - 48)
            if seenMark {
                fractionDigits += 1
                if fractionDigits <= scale {
                    fraction = fraction * 10 + d
                } else if d != 0 {
                    return .failure(.tooManyDecimals(fractionDigits))
                }
            } else {
                whole = whole * 10 + d
            }
        }
        guard digits > 0 else { return .failure(.notANumber) }
        let kept = min(fractionDigits, scale)
        for _ in kept..<scale { fraction *= 10 }
        return .success(whole * ExactDecimal.pow10(scale) + fraction)
    }

    /// Midnight UTC of a calendar date, or `nil` when there is no such day (30 February).
    static func date(_ y: Int, _ m: Int, _ d: Int) -> Int64? {
        guard (1...12).contains(m), d >= 1 else { return nil }
        let days = ISO8601.daysFromCivil(y, m, d)
        let (y2, m2, d2) = ISO8601.civilFromDays(days)
        guard y2 == y, m2 == m, d2 == d else { return nil }
        return Int64(days) * 86_400_000
    }

    /// `2026-01-05` or `2026-01-05+02:00` / `2026-01-05Z` (an `xs:date` with a zone): midnight UTC of that day.
    /// A booking date is a calendar day; its zone says where the day was, not a time to shift it by.
    static func isoDate(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count >= 10, u[4] == 45, u[7] == 45, let y = Int(String(decoding: u[0..<4], as: UTF8.self)),
            let m = Int(String(decoding: u[5..<7], as: UTF8.self)),
            let d = Int(String(decoding: u[8..<10], as: UTF8.self))
        else { return nil }
        let zone = String(decoding: u[10...], as: UTF8.self)
        guard zone.isEmpty || zone == "Z" || isZoneOffset(zone) else { return nil }
        return date(y, m, d)
    }

    /// `+02:00`, `-05:30` (hours up to 14, as XML Schema allows).
    static func isZoneOffset(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 6, u[0] == 43 || u[0] == 45, u[3] == 58,
            let h = Int(String(decoding: u[1..<3], as: UTF8.self)),
            let m = Int(String(decoding: u[4..<6], as: UTF8.self))
        else { return false }
        return h <= 14 && m < 60 && (h < 14 || m == 0)
    }

    /// An `xs:dateTime` (zone optional, UTC when absent), checked against the calendar: `ISO8601.parse` takes
    /// day 31 in any month, the date check refuses 30 February.
    static func isoDateTime(_ text: String) -> Int64? {
        guard isoDate(String(text.prefix(10))) != nil else { return nil }
        return ISO8601.parse(text)
    }
}
