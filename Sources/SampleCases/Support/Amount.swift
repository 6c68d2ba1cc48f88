import IProceedsBase
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

/// Times in the generator: seconds since 1970 in UTC, through the foundation's ``ISO8601`` (no Foundation
/// calendar, no time zone), plus the two local layouts the sample files use.
enum SampleClock {
    /// 2026-01-05T09:00:00Z and so on.
    static func iso(_ seconds: Int64) -> String { ISO8601.format(seconds: seconds) }

    static func date(_ seconds: Int64) -> String { ISO8601.date(seconds: seconds) }

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

    static func pad(_ v: Int, _ n: Int = 2) -> String { ISO8601.pad(v, n) }

    /// Year, month, day, hour, minute, second in UTC.
    static func fields(_ seconds: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let f = ISO8601.fields(seconds: seconds)
        return (f.year, f.month, f.day, f.hour, f.minute, f.second)
    }

    /// Seconds at a civil date and time in UTC.
    static func seconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int64 {
        ISO8601.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
