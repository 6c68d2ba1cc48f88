extension ISO8601 {
    /// Appends ``format(seconds:)`` of `seconds` to a byte buffer, for writers that emit a time per item by the
    /// thousand: the same bytes, without the intermediate strings.
    package static func append(seconds: Int64, to out: inout [UInt8]) {
        let f = fields(seconds: seconds)
        guard (0...9999).contains(f.year) else {
            // Years of more than four digits or before year 0 (a damaged time stamp): the general formatter.
            out.append(contentsOf: format(seconds: seconds).utf8)
            return
        }
        let zero = UInt8(ascii: "0")
        out.append(zero + UInt8(f.year / 1000))
        out.append(zero + UInt8(f.year / 100 % 10))
        appendTwoDigits(f.year % 100, to: &out)
        out.append(UInt8(ascii: "-"))
        appendTwoDigits(f.month, to: &out)
        out.append(UInt8(ascii: "-"))
        appendTwoDigits(f.day, to: &out)
        out.append(UInt8(ascii: "T"))
        appendTwoDigits(f.hour, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(f.minute, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(f.second, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// `v` (0 ≤ v < 100) in exactly two decimal digits.
    private static func appendTwoDigits(_ v: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") + UInt8(v / 10))
        out.append(UInt8(ascii: "0") + UInt8(v % 10))
    }
}
