/// Values hidden from a byte scan by characters a reader does not see or reads as another: a zero-width space,
/// soft hyphen, word joiner or byte-order mark inside an address (`141.255\u{200B}.164.106`), and `@` or `.`
/// written as an HTML entity (`ana&#64;example.com`, `ana&#x40;example.com`). Percent escapes (`ana%40example.com`)
/// are left to the redactor's decoded views (`Run/EncodedViews.swift`), which pseudonymise the decoded value.
///
/// Around each such spot the scanner builds a cleaned copy of the text (invisible characters removed, escapes
/// decoded), runs the detectors on it, and maps every candidate that covers a cleaned spot back to the original
/// bytes, so the hit spans what is written, invisible characters and escapes included. Text without such
/// characters costs one pass over its bytes.
enum EvasionView {
    /// The bytes that may start an evasion.
    private static let triggers: [Bool] = {
        var a = [Bool](repeating: false, count: 256)
        for b: UInt8 in [0xE2, 0xC2, 0xEF, 0x26] { a[Int(b)] = true }
        return a
    }()

    private static let entities: [(StaticString, UInt8)] = [
        ("&#64;", 0x40), ("&#x40;", 0x40), ("&#064;", 0x40), ("&commat;", 0x40), ("&#46;", 0x2E), ("&#x2e;", 0x2E),
        ("&period;", 0x2E),
    ]

    /// The length of the evasion at `i` and the byte it stands for (nil: an invisible character, removed).
    @inline(__always) static func evasion(_ t: ByteText, _ i: Int) -> (length: Int, byte: UInt8?)? {
        switch t[i] {
        case 0xE2:
            // U+200B–U+200F zero-width space, joiners, marks; U+2060–U+2064 word joiner and invisible operators.
            if t[i + 1] == 0x80, t[i + 2] >= 0x8B, t[i + 2] <= 0x8F { return (3, nil) }
            if t[i + 1] == 0x81, t[i + 2] >= 0xA0, t[i + 2] <= 0xA4 { return (3, nil) }
        case 0xC2:
            if t[i + 1] == 0xAD { return (2, nil) }  // soft hyphen
        case 0xEF:
            if t[i + 1] == 0xBB, t[i + 2] == 0xBF { return (3, nil) }  // zero-width no-break space
        case 0x26:
            for (literal, byte) in entities where t.matches(literal, at: i) { return (literal.utf8CodeUnitCount, byte) }
        default:
            break
        }
        return nil
    }

    /// Appends the candidates found only through cleaned copies, for values starting in `starts`. `detect` is
    /// the plain collection (``PersonalDataScanner/collectPlain(in:starts:into:)``).
    static func collect(
        _ t: ByteText, _ starts: Range<Int>, into out: inout [Hit],
        detect: (ByteText, Range<Int>, inout [Hit]) -> Void
    ) {
        let lo = max(starts.lowerBound, 0)
        let hi = min(starts.upperBound + PersonalDataScanner.maxHitLength, t.count)
        var segment: Range<Int>? = nil
        var i = lo
        while i < hi {
            guard triggers[Int(t.base[i])], let e = evasion(t, i) else {
                i += 1
                continue
            }
            if let s = segment, i - s.upperBound < 1024 {
                segment = s.lowerBound..<(i + e.length)
            } else {
                if let s = segment { scanSegment(t, s, starts, &out, detect) }
                segment = i..<(i + e.length)
            }
            i += e.length
        }
        if let s = segment { scanSegment(t, s, starts, &out, detect) }
    }

    private static func scanSegment(
        _ t: ByteText, _ seg: Range<Int>, _ starts: Range<Int>, _ out: inout [Hit],
        _ detect: (ByteText, Range<Int>, inout [Hit]) -> Void
    ) {
        // Context on both sides, widened to white space so that no word is cut in two.
        var lo = max(seg.lowerBound - 600, 0)
        while lo > 0, lo > seg.lowerBound - 900, !isBreak(t[lo - 1]) { lo -= 1 }
        var hi = min(seg.upperBound + 600, t.count)
        while hi < t.count, hi < seg.upperBound + PersonalDataScanner.maxHitLength, !isBreak(t[hi]) { hi += 1 }
        var view: [UInt8] = []
        var from: [Int] = []  // original start of each view byte
        var to: [Int] = []  // original end of each view byte
        var decoded: [Bool] = []  // the view byte was an escape
        var afterRemoved: [Bool] = []  // an invisible character was removed just before the view byte
        view.reserveCapacity(hi - lo)
        var k = lo
        var removed = false
        while k < hi {
            if triggers[Int(t.base[k])], let e = evasion(t, k) {
                if let b = e.byte {
                    view.append(b)
                    from.append(k)
                    to.append(k + e.length)
                    decoded.append(true)
                    afterRemoved.append(removed)
                    removed = false
                } else {
                    removed = true
                }
                k += e.length
                continue
            }
            view.append(t.base[k])
            from.append(k)
            to.append(k + 1)
            decoded.append(false)
            afterRemoved.append(removed)
            removed = false
            k += 1
        }
        var found: [Hit] = []
        view.withUnsafeBufferPointer { buf in detect(ByteText(buf), 0..<buf.count, &found) }
        for h in found where h.end > h.start {
            // Only what the cleaning made visible: an escape inside the span, or an invisible character removed
            // between two of its bytes.
            var touches = false
            for j in h.start..<h.end where decoded[j] || (j > h.start && afterRemoved[j]) {
                touches = true
                break
            }
            let mapped = Hit(type: h.type, start: from[h.start], end: to[h.end - 1])
            if touches, starts.contains(mapped.start) { out.append(mapped) }
        }
    }

    @inline(__always) private static func isBreak(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x22
    }
}
