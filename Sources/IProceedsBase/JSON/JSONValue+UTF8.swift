/// JSON string literals written straight into a byte buffer, for writers that emit one line per item by the
/// thousand (the manifest writers): the same bytes as ``JSONValue/quoted(_:)``, without building a `String` one
/// Unicode scalar at a time.
extension JSONValue {
    /// Appends `utf8` (which must be valid UTF-8, as every `String`'s is) as a quoted JSON string, escaped exactly
    /// as ``quoted(_:)`` escapes it: `"` and `\` with a backslash, `\b \f \n \r \t` by name, every other byte below
    /// 0x20 as `\u00xx` (lowercase hex), and every other byte as it is.
    ///
    /// Working on bytes gives the same output as working on scalars because every byte that is escaped is ASCII,
    /// and in valid UTF-8 an ASCII byte is always a whole scalar: the bytes of a longer scalar are all ≥ 0x80.
    package static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        guard let base = utf8.baseAddress else {
            out.append(UInt8(ascii: "\""))
            return
        }
        var runStart = 0
        for i in 0..<utf8.count {
            let b = base[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            // Copy the plain run before this byte in one go, then its escape.
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart)) }
            runStart = i + 1
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                let digits: StaticString = "0123456789abcdef"
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(digits.utf8Start[Int(b >> 4)])
                out.append(digits.utf8Start[Int(b & 0x0F)])
            }
        }
        if runStart < utf8.count {
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: utf8.count - runStart))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `s` as a quoted JSON string: the bytes of ``quoted(_:)``.
    package static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendQuoted(utf8: $0, to: &out) }
    }
}
