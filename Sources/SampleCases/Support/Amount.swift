/// Money in the generator: integer minor units (cents, satoshi), formatted without any floating point.
enum Amount {
    /// `4800000` at scale 2 → `48000.00`.
    static func text(_ minor: Int64, scale: Int = 2) -> String {
        let sign = minor < 0 ? "-" : ""
        let m = minor.magnitude
        guard scale > 0 else { return sign + String(m) }
        var p: UInt64 = 1
        for _ in 0..<scale { p *= 10 }
        let frac = String(m % p)
        return sign + String(m / p) + "." + String(repeating: "0", count: scale - frac.count) + frac
    }

    /// `4800000` → `48.000,00`: the decimal comma and thousands dot of Serbian, Turkish and most Balkan banks.
    static func commaText(_ minor: Int64) -> String {
        let plain = text(abs(minor))
        let parts = plain.split(separator: ".")
        var whole = Array(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "." + String(whole.suffix(3)) + grouped
            whole.removeLast(3)
        }
        return (minor < 0 ? "-" : "") + String(whole) + grouped + "," + parts[1]
    }

    /// `48000.00 EUR` for prose, with thin grouping: `48,000.00`.
    static func prose(_ minor: Int64, scale: Int = 2) -> String {
        let plain = text(minor, scale: scale)
        let neg = plain.hasPrefix("-")
        let parts = plain.drop { $0 == "-" }.split(separator: ".", omittingEmptySubsequences: false)
        var whole = Array(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + String(whole.suffix(3)) + grouped
            whole.removeLast(3)
        }
        return (neg ? "-" : "") + String(whole) + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }
}

/// Times in the generator: seconds since 1970 in UTC, formatted by hand (no Foundation calendar, no time zone).
enum Clock {
    /// 2026-01-05T09:00:00Z and so on.
    static func iso(_ seconds: Int64) -> String {
        let (y, m, d, hh, mm, ss) = fields(seconds)
        return "\(pad(y, 4))-\(pad(m))-\(pad(d))T\(pad(hh)):\(pad(mm)):\(pad(ss))Z"
    }

    static func date(_ seconds: Int64) -> String {
        let (y, m, d, _, _, _) = fields(seconds)
        return "\(pad(y, 4))-\(pad(m))-\(pad(d))"
    }

    /// `05.01.2026`.
    static func dottedDate(_ seconds: Int64) -> String {
        let (y, m, d, _, _, _) = fields(seconds)
        return "\(pad(d)).\(pad(m)).\(pad(y, 4))"
    }

    /// `05/Jan/2026:09:00:00 +0000`, as web servers log.
    static func logTime(_ seconds: Int64) -> String {
        let (y, m, d, hh, mm, ss) = fields(seconds)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(pad(d))/\(months[m - 1])/\(y):\(pad(hh)):\(pad(mm)):\(pad(ss)) +0000"
    }

    static func pad(_ v: Int, _ n: Int = 2) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }

    /// Days-from-civil (Howard Hinnant's algorithm), inverted.
    static func fields(_ seconds: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let days = Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
        let rem = Int(seconds - Int64(days) * 86400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
    }

    /// Seconds at 00:00 UTC of a civil date.
    static func seconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
