/// ISO 8601 instants and calendar dates, exactly: integer seconds or milliseconds since 1970-01-01T00:00:00Z,
/// the proleptic Gregorian calendar (Howard Hinnant's days-from-civil algorithms), no floating point, no locale,
/// no time zone of the machine.
package enum ISO8601 {
    // MARK: Calendar

    /// Days since 1970-01-01 of a civil date (month 1–12; the day is not checked against the month).
    package static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number (days since 1970-01-01).
    package static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Days in `month` of `year`.
    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Seconds since the epoch at a civil date and time in UTC (fields are not checked).
    package static func seconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0)
        -> Int64
    {
        Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The UTC calendar fields of an instant in seconds (floor division: instants before 1970 too).
    package static func fields(seconds: Int64) -> (
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    ) {
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = civilFromDays(Int(days))
        return (y, m, d, Int(rem / 3600), Int(rem / 60 % 60), Int(rem % 60))
    }

    // MARK: Formatting

    /// How many fraction digits a formatted instant carries.
    package enum Fraction: Sendable {
        /// None: `2026-01-05T09:12:00Z` (milliseconds are dropped, rounding down).
        case none
        /// Always three: `2026-01-05T09:12:00.000Z`.
        case milliseconds
        /// Three when the milliseconds are not zero: `…T09:12:00Z`, `…T09:12:00.250Z`.
        case millisecondsUnlessZero
    }

    /// `YYYY-MM-DDTHH:MM:SS[.sss]Z`, milliseconds only when not zero: the form of the tracing reports.
    package static func format(_ millis: Int64) -> String {
        format(milliseconds: millis, fraction: .millisecondsUnlessZero)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.sss]Z` of an instant in milliseconds since the epoch.
    package static func format(milliseconds millis: Int64, fraction: Fraction) -> String {
        var seconds = millis / 1000
        var ms = millis % 1000
        if ms < 0 {
            ms += 1000
            seconds -= 1
        }
        let base = format(seconds: seconds).dropLast()
        switch fraction {
        case .none: return base + "Z"
        case .milliseconds: return base + "." + pad(Int(ms), 3) + "Z"
        case .millisecondsUnlessZero: return ms == 0 ? base + "Z" : base + "." + pad(Int(ms), 3) + "Z"
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` of an instant in seconds since the epoch.
    package static func format(seconds: Int64) -> String {
        let f = fields(seconds: seconds)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))T"
            + "\(pad(f.hour, 2)):\(pad(f.minute, 2)):\(pad(f.second, 2))Z"
    }

    /// `YYYY-MM-DD`, the UTC calendar date of an instant in seconds since the epoch.
    package static func date(seconds: Int64) -> String {
        let f = fields(seconds: seconds)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))"
    }

    /// `v` in decimal, zero-padded on the left to `width` characters.
    package static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // MARK: Parsing

    /// The widest zone offset ``parse(_:)`` accepts, in minutes (±14:00).
    package static let maxOffsetMinutes = 14 * 60

    /// What ``parse(_:)`` accepts, in words for an error message.
    package static let grammar =
        "an ISO 8601 date or time (YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or an offset "
        + "within ±14:00; no zone is UTC) on a day the calendar has"

    /// Parses `2026-01-05`, `2026-01-05T09:12:00Z`, `2026-01-05T09:12:00.250+01:00`, `2026-01-05 09:12:00`
    /// (a space for `T`; no zone means UTC; spaces around the text are ignored) to milliseconds since the epoch.
    /// Fraction digits past the third are dropped.
    ///
    /// Refused (`nil`): a day the month does not have (30 February, 29 February outside leap years), an hour
    /// past 23, a fraction that is not of seconds or has no digit (`10:00.5`, `10:00:00.`), and a zone offset
    /// beyond ±14:00 or with minutes past 59. ±14:00 is the range XML Schema allows
    /// for `xs:dateTime` (and the widest offset in use, Kiribati's +14:00); ISO 8601 itself sets no bound, but
    /// an offset beyond it in a bank file is a damaged field, not a place.
    package static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { raw in
            var start = 0
            var end = raw.count
            while start < end && raw[start] == 0x20 { start += 1 }
            while end > start && raw[end - 1] == 0x20 { end -= 1 }
            return parse(UnsafeBufferPointer(rebasing: raw[start..<end]))
        }
    }

    /// ``parse(_:)`` over UTF-8 bytes (no trimming).
    package static func parse(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count else { return nil }
            var v = 0
            for i in r {
                guard u[i] >= 48 && u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u.count >= 10, u[4] == 0x2D, u[7] == 0x2D, let y = num(0..<4), let mo = num(5..<7),
            let d = num(8..<10), (1...12).contains(mo), (1...daysIn(month: mo, year: y)).contains(d)
        else { return nil }
        var h = 0
        var mi = 0
        var s = 0
        var ms = 0
        var offset = 0
        var i = 10
        if i < u.count {
            guard u[i] == 0x54 || u[i] == 0x20, let hh = num(11..<13), u.count > 13, u[13] == 0x3A,
                let mm = num(14..<16)
            else {
                return nil
            }
            h = hh
            mi = mm
            i = 16
            if i < u.count && u[i] == 0x3A {
                guard let ss = num(17..<19) else { return nil }
                s = ss
                i = 19
            }
            // A fraction of seconds only: ISO 8601 reads `10:00.5` as half a minute past ten (10:00:30), where
            // this parser read 10:00:00.500; rather than guess what the writer meant, such a time is refused.
            if i < u.count && (u[i] == 0x2E || u[i] == 0x2C) {
                guard i == 19 else { return nil }
                i += 1
                var digits = 0
                while i < u.count && u[i] >= 48 && u[i] <= 57 {
                    if digits < 3 { ms = ms * 10 + Int(u[i] - 48) }
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { return nil }
                while digits < 3 {
                    ms *= 10
                    digits += 1
                }
            }
            if i < u.count {
                if u[i] == 0x5A {
                    i += 1
                } else if u[i] == 0x2B || u[i] == 0x2D {
                    let sign = u[i] == 0x2B ? 1 : -1
                    guard let oh = num((i + 1)..<(i + 3)) else { return nil }
                    var j = i + 3
                    if j < u.count && u[j] == 0x3A { j += 1 }
                    guard let om = num(j..<(j + 2)), om < 60, oh * 60 + om <= maxOffsetMinutes else { return nil }
                    offset = sign * (oh * 60 + om)
                    i = j + 2
                } else {
                    return nil
                }
            }
            guard i == u.count, h < 24, mi < 60, s < 61 else { return nil }
        }
        let days = daysFromCivil(y, mo, d)
        return (Int64(days) * 86_400 + Int64(h * 3600 + mi * 60 + s - offset * 60)) * 1000 + Int64(ms)
    }
}
