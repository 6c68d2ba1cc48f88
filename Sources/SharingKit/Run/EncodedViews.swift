import Foundation
import IProceedsBase

/// Decoded views of a text, so that a value written percent-encoded (`ana%40example.com`), with escapes
/// (`ana\u0040example.com`, `\xc4\x87`) or in base64 is found as well as one written plainly.
///
/// A view is the decoded text plus, for each of its UTF-8 bytes, the range of original bytes it came from; a hit in
/// the view maps back to the original span that must be replaced. Runs whose decoded bytes are not UTF-8 are left
/// as they are written.
struct DecodedView {
    var text: String
    /// For each UTF-8 byte of `text`, the original bytes it stands for.
    var origin: [Range<Int>]

    /// The original span of the view's bytes `start..<end`.
    func originalSpan(_ start: Int, _ end: Int) -> Range<Int> {
        origin[start].lowerBound..<origin[end - 1].upperBound
    }

    /// Percent-encoding as in URLs and form data: `%HH` and `+` for a space. `nil` when the text has no `%HH`.
    static func percentDecoded(_ bytes: [UInt8]) -> DecodedView? {
        guard hasPercentEscape(bytes) else { return nil }
        return decode(bytes) { b, i in
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = Hex.value(ofDigit: b[i + 1]),
                let l = Hex.value(ofDigit: b[i + 2])
            {
                return (h << 4 | l, 3)
            }
            if b[i] == UInt8(ascii: "+") { return (0x20, 1) }
            return nil
        }
    }

    /// Backslash escapes as JSON, JavaScript, C and Python write them: `\uXXXX` (surrogate pairs joined),
    /// `\xHH`, `\/`, `\"`, `\\`, `\n`, `\r`, `\t`. `nil` when the text has no backslash.
    static func escapeDecoded(_ bytes: [UInt8]) -> DecodedView? {
        guard bytes.contains(0x5C) else { return nil }
        var out: [UInt8] = []
        var origin: [Range<Int>] = []
        var i = 0
        func plain(_ n: Int) {
            for k in i..<i + n {
                out.append(bytes[k])
                origin.append(k..<k + 1)
            }
            i += n
        }
        func hex(_ at: Int, _ count: Int) -> UInt32? {
            guard at + count <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in at..<at + count {
                guard let d = Hex.value(ofDigit: bytes[k]) else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < bytes.count {
            guard bytes[i] == 0x5C, i + 1 < bytes.count else {
                plain(1)
                continue
            }
            let e = bytes[i + 1]
            switch e {
            case UInt8(ascii: "u"):
                guard var scalar = hex(i + 2, 4) else {
                    plain(1)
                    continue
                }
                var length = 6
                if (0xD800...0xDBFF).contains(scalar), i + 12 <= bytes.count, bytes[i + 6] == 0x5C,
                    bytes[i + 7] == UInt8(ascii: "u"), let low = hex(i + 8, 4), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    length = 12
                }
                guard let s = Unicode.Scalar(scalar) else {
                    plain(1)
                    continue
                }
                for b in String(Character(s)).utf8 {
                    out.append(b)
                    origin.append(i..<i + length)
                }
                i += length
            case UInt8(ascii: "x"):
                // A run of \xHH escapes decodes together, since one character may take several.
                var run: [UInt8] = []
                var j = i
                while j + 3 < bytes.count, bytes[j] == 0x5C, bytes[j + 1] == UInt8(ascii: "x"),
                    let v = hex(j + 2, 2)
                {
                    run.append(UInt8(v))
                    j += 4
                }
                guard !run.isEmpty, String(validating: run, as: UTF8.self) != nil else {
                    plain(1)
                    continue
                }
                for (k, b) in run.enumerated() {
                    out.append(b)
                    origin.append(i + 4 * k..<i + 4 * k + 4)
                }
                i = j
            case UInt8(ascii: "/"), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"):
                out.append(e)
                origin.append(i..<i + 2)
                i += 2
            case UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                out.append(e == UInt8(ascii: "n") ? 0x0A : e == UInt8(ascii: "r") ? 0x0D : 0x09)
                origin.append(i..<i + 2)
                i += 2
            default:
                plain(1)
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { return nil }
        return DecodedView(text: text, origin: origin)
    }

    /// The text with a space after each `,` `;` and `|` that is directly followed by something else: values
    /// packed into a CSV or pipe-separated line (`…6547,RS35 2600…,4012 8888 8888 1881,3112985450122`) are found
    /// as they would be with spaces, where the detectors would otherwise see one long run or a truncated value.
    /// `nil` when there is no such separator.
    static func separatorsSpaced(_ bytes: [UInt8]) -> DecodedView? {
        func isSeparator(_ b: UInt8) -> Bool { b == 0x2C || b == 0x3B || b == 0x7C }
        var packed = false
        for i in 0..<max(bytes.count - 1, 0) where isSeparator(bytes[i]) && bytes[i + 1] != 0x20 {
            packed = true
            break
        }
        guard packed else { return nil }
        var out: [UInt8] = []
        var origin: [Range<Int>] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for (i, b) in bytes.enumerated() {
            out.append(b)
            origin.append(i..<i + 1)
            if isSeparator(b), i + 1 < bytes.count, bytes[i + 1] != 0x20 {
                out.append(0x20)
                origin.append(i..<i + 1)
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { return nil }
        return DecodedView(text: text, origin: origin)
    }

    /// MIME encoded words in mail headers (RFC 2047), UTF-8 or US-ASCII, `B` (base64) or `Q` encoding:
    /// `=?UTF-8?B?QW5hIFBldHJvdmnEhw==?=` reads `Ana Petrović`. Every decoded byte stands for the whole word.
    /// `nil` when the text has none.
    static func mimeWordsDecoded(_ bytes: [UInt8]) -> DecodedView? {
        guard bytes.count > 8, let text = String(validating: bytes, as: UTF8.self), text.contains("=?") else {
            return nil
        }
        var out: [UInt8] = []
        var origin: [Range<Int>] = []
        var i = 0
        var any = false
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "="), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "?"),
                let (decoded, end) = encodedWord(bytes, at: i)
            {
                for b in decoded {
                    out.append(b)
                    origin.append(i..<end)
                }
                i = end
                any = true
                continue
            }
            out.append(bytes[i])
            origin.append(i..<i + 1)
            i += 1
        }
        guard any, let decodedText = String(validating: out, as: UTF8.self) else { return nil }
        return DecodedView(text: decodedText, origin: origin)
    }

    /// One encoded word starting at `i`: its decoded bytes and where it ends.
    private static func encodedWord(_ b: [UInt8], at i: Int) -> ([UInt8], Int)? {
        // =?charset?X?text?=
        var j = i + 2
        while j < b.count, j < i + 40, b[j] != UInt8(ascii: "?") { j += 1 }
        guard j + 2 < b.count, b[j] == UInt8(ascii: "?") else { return nil }
        let charset = String(decoding: b[(i + 2)..<j], as: UTF8.self).lowercased()
        guard ["utf-8", "utf8", "us-ascii"].contains(charset.split(separator: "*").first.map(String.init) ?? "") else {
            return nil
        }
        let encoding = b[j + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q"), b[j + 2] == UInt8(ascii: "?") else {
            return nil
        }
        let start = j + 3
        var k = start
        while k + 1 < b.count, !(b[k] == UInt8(ascii: "?") && b[k + 1] == UInt8(ascii: "=")) {
            guard b[k] > 0x20, b[k] < 0x7F else { return nil }
            k += 1
        }
        guard k + 1 < b.count else { return nil }
        let body = Array(b[start..<k])
        var decoded: [UInt8]
        if encoding == UInt8(ascii: "b") {
            var padded = body
            while padded.count % 4 != 0 { padded.append(UInt8(ascii: "=")) }
            guard let data = Data(base64Encoded: Data(padded)) else { return nil }
            decoded = [UInt8](data)
        } else {
            decoded = []
            var q = 0
            while q < body.count {
                if body[q] == UInt8(ascii: "_") {
                    decoded.append(0x20)
                    q += 1
                } else if body[q] == UInt8(ascii: "="), q + 2 < body.count, let h = Hex.value(ofDigit: body[q + 1]),
                    let l = Hex.value(ofDigit: body[q + 2])
                {
                    decoded.append(h << 4 | l)
                    q += 3
                } else {
                    decoded.append(body[q])
                    q += 1
                }
            }
        }
        guard String(validating: decoded, as: UTF8.self) != nil else { return nil }
        return (decoded, k + 2)
    }

    private static func hasPercentEscape(_ b: [UInt8]) -> Bool {
        var i = 0
        while i + 2 < b.count {
            if b[i] == UInt8(ascii: "%"), Hex.value(ofDigit: b[i + 1]) != nil, Hex.value(ofDigit: b[i + 2]) != nil {
                return true
            }
            i += 1
        }
        return false
    }

    /// A view where `step` decodes one unit at `i` (its byte and length) or declines. Consecutive decoded units
    /// whose bytes are not UTF-8 together are kept as written.
    private static func decode(_ bytes: [UInt8], step: ([UInt8], Int) -> (UInt8, Int)?) -> DecodedView? {
        var out: [UInt8] = []
        var origin: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            guard step(bytes, i) != nil else {
                out.append(bytes[i])
                origin.append(i..<i + 1)
                i += 1
                continue
            }
            var run: [(UInt8, Range<Int>)] = []
            var j = i
            while j < bytes.count, let (b, n) = step(bytes, j) {
                run.append((b, j..<j + n))
                j += n
            }
            if String(validating: run.map(\.0), as: UTF8.self) != nil {
                for (b, r) in run {
                    out.append(b)
                    origin.append(r)
                }
            } else {
                for k in i..<j {
                    out.append(bytes[k])
                    origin.append(k..<k + 1)
                }
            }
            i = j
        }
        guard let text = String(validating: out, as: UTF8.self) else { return nil }
        return DecodedView(text: text, origin: origin)
    }
}

/// A run of base64 in a text that decodes to UTF-8 text (a MIME encoded word, a `raw` field, a token in a log
/// line), so that the decoded text can be redacted and encoded again.
struct Base64Run {
    var range: Range<Int>
    var decoded: String
    var urlSafe: Bool
    var padded: Bool
    /// For a run wrapped over lines: the width of its lines and the line break between them.
    var lineWidth: Int? = nil
    var lineBreak: [UInt8] = []

    /// The shortest run considered: 16 characters (12 bytes) — shorter runs are mostly words and ids.
    static let minimumLength = 16

    /// Runs of at least ``minimumLength`` base64 characters (standard or URL-safe alphabet, optional `=`
    /// padding, a length that decodes) whose bytes are UTF-8 text without control characters other than tab,
    /// CR and LF.
    static func find(_ bytes: [UInt8]) -> [Base64Run] {
        var runs: [Base64Run] = []
        var i = 0
        while i < bytes.count {
            guard isBase64Byte(bytes[i]) else {
                i += 1
                continue
            }
            let first = scanRun(bytes, at: i)
            i = first.upperBound
            // After `%` the run is percent-encoding, which the percent view decodes.
            if first.lowerBound > 0, bytes[first.lowerBound - 1] == UInt8(ascii: "%") { continue }
            let (wrapped, lines) = wrappedRun(bytes, from: first)
            if let wrapped {
                runs.append(wrapped)
                i = wrapped.range.upperBound
                continue
            }
            // Not text when joined (a binary attachment): each line as before, and each line looked at once.
            for line in lines {
                if let run = decode(bytes, line) { runs.append(run) }
            }
            i = lines.last!.upperBound
        }
        return runs
    }

    /// The base64 run (alphabet, then up to two `=`) that starts at `start`.
    private static func scanRun(_ bytes: [UInt8], at start: Int) -> Range<Int> {
        var i = start
        while i < bytes.count, isBase64Byte(bytes[i]) { i += 1 }
        var end = i
        while end < bytes.count, end - i < 2, bytes[end] == UInt8(ascii: "=") { end += 1 }
        return start..<end
    }

    /// A run wrapped over lines, as MIME bodies and PEM blocks are (every line but the last of one width, a
    /// multiple of 4, the same line break between them), decoded as one: a value that crosses a line break is
    /// found whole. Returns the run, or `nil` when `first` does not start such a run or the joined lines do not
    /// decode to text, and the lines it spans (`[first]` when it is no wrapped run): the caller tries those one by
    /// one and goes on after them, so that each line is looked at once.
    private static func wrappedRun(_ bytes: [UInt8], from first: Range<Int>) -> (Base64Run?, [Range<Int>]) {
        let width = first.count
        guard width >= minimumLength, width % 4 == 0, bytes[first.upperBound - 1] != UInt8(ascii: "=") else {
            return (nil, [first])
        }
        var segments = [first]
        var lineBreak: [UInt8] = []
        var j = first.upperBound
        while true {
            var brk: [UInt8] = []
            if j < bytes.count, bytes[j] == 0x0A {
                brk = [0x0A]
            } else if j + 1 < bytes.count, bytes[j] == 0x0D, bytes[j + 1] == 0x0A {
                brk = [0x0D, 0x0A]
            }
            guard !brk.isEmpty, lineBreak.isEmpty || brk == lineBreak else { break }
            let next = j + brk.count
            guard next < bytes.count, isBase64Byte(bytes[next]) else { break }
            let segment = scanRun(bytes, at: next)
            guard segment.count <= width else { break }
            lineBreak = brk
            segments.append(segment)
            j = segment.upperBound
            if segment.count != width || bytes[segment.upperBound - 1] == UInt8(ascii: "=") { break }
        }
        // The line after the last full one may be no part of it (a MIME boundary `--…` is in the URL-safe
        // alphabet): then the run ends with the full lines.
        guard segments.count > 1 else { return (nil, segments) }
        func joinedRun(_ lines: [Range<Int>]) -> Base64Run? {
            let joined = lines.flatMap { bytes[$0] }
            return decode(joined, 0..<joined.count)
        }
        var run = joinedRun(segments)
        if run == nil, segments.count > 2, segments.last!.count < width {
            segments.removeLast()
            run = joinedRun(segments)
        }
        guard var run else { return (nil, segments) }
        run.range = first.lowerBound..<segments.last!.upperBound
        run.lineWidth = width
        run.lineBreak = lineBreak
        return (run, segments)
    }

    /// Decodes one whole value as base64 (white space and line breaks ignored), for a field that is base64 by
    /// definition (IntelMQ `raw`). `nil` when it is not base64; `.some(nil)` when it is but the bytes are not
    /// UTF-8 text.
    static func decodeWhole(_ value: String) -> String?? {
        let compact = value.filter { !$0.isWhitespace }
        guard !compact.isEmpty else { return nil }
        let urlSafe = compact.contains("-") || compact.contains("_")
        var standard =
            urlSafe
            ? compact.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") : compact
        while standard.count % 4 != 0 { standard += "=" }
        guard let data = Data(base64Encoded: standard) else { return nil }
        return .some(String(validating: [UInt8](data), as: UTF8.self))
    }

    static func isBase64Byte(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2B
            || b == 0x2F || b == 0x2D || b == 0x5F
    }

    private static func decode(_ bytes: [UInt8], _ r: Range<Int>) -> Base64Run? {
        let body = bytes[r].prefix { $0 != UInt8(ascii: "=") }
        guard body.count >= minimumLength else { return nil }
        let urlSafe = body.contains(0x2D) || body.contains(0x5F)
        guard !(urlSafe && (body.contains(0x2B) || body.contains(0x2F))) else { return nil }
        // Plain words and hex ids are base64-alphabet runs too; real base64 of text mixes cases and digits.
        let hasUpper = body.contains { (0x41...0x5A).contains($0) }
        let hasLower = body.contains { (0x61...0x7A).contains($0) }
        guard hasUpper && hasLower else { return nil }
        guard body.count % 4 != 1 else { return nil }
        var standard = body.map { $0 == 0x2D ? UInt8(ascii: "+") : $0 == 0x5F ? UInt8(ascii: "/") : $0 }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(standard)),
            let text = String(validating: [UInt8](data), as: UTF8.self),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 && ![0x09, 0x0A, 0x0D].contains($0.value) })
        else { return nil }
        return Base64Run(range: r, decoded: text, urlSafe: urlSafe, padded: r.count > body.count)
    }

    /// `text` encoded the way this run was: the same alphabet, padded if it was, wrapped if it was.
    func encode(_ text: String) -> String {
        var s = Data(text.utf8).base64EncodedString()
        if urlSafe { s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") }
        if !padded { s = String(s.prefix { $0 != "=" }) }
        guard let lineWidth, s.utf8.count > lineWidth else { return s }
        // Wrapped as it was: lines of the same width, the same line break.
        let chars = Array(s.utf8)
        let separator = String(decoding: lineBreak, as: UTF8.self)
        return stride(from: 0, to: chars.count, by: lineWidth)
            .map { String(decoding: chars[$0..<min($0 + lineWidth, chars.count)], as: UTF8.self) }
            .joined(separator: separator)
    }
}
