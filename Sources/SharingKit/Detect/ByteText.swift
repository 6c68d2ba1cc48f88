#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only view of the bytes being scanned, with reads outside the buffer answering 0 (NUL), which every
/// detector treats as a boundary: the first and last byte of an input need no special cases.
///
/// Not `Sendable`: it borrows memory owned by the caller for the duration of one scan.
struct ByteText {
    let base: UnsafePointer<UInt8>
    let count: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have no base address; point at a static zero byte instead.
        base = buffer.baseAddress ?? ByteText.emptyBase
        count = buffer.count
    }

    // `nonisolated(unsafe)`: one zero byte, written once at initialization and only read afterwards.
    private nonisolated(unsafe) static let emptyBase: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    @inline(__always) subscript(i: Int) -> UInt8 { i >= 0 && i < count ? base[i] : 0 }

    /// The bytes of a span, for checksums that need them contiguous.
    func bytes(_ range: Range<Int>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Whether the bytes at `i` equal `literal`, ignoring ASCII case (the literal must be lowercase).
    @inline(__always) func matches(_ literal: StaticString, at i: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i >= 0, i + n <= count else { return false }
        let l = literal.utf8Start
        for k in 0..<n where Ascii.lower(base[i + k]) != l[k] { return false }
        return true
    }
}

/// Byte classification for ASCII; every byte of 0x80 and above (a UTF-8 lead or continuation byte, or a stray
/// byte of invalid UTF-8) counts as part of a word, so a value glued to accented letters is not cut out of them.
enum Ascii {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 6 }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }
    @inline(__always) static func upper(_ b: UInt8) -> UInt8 { isLower(b) ? b & ~0x20 : b }
    @inline(__always) static func hexValue(_ b: UInt8) -> Int {
        isDigit(b) ? Int(b &- 0x30) : Int((b | 0x20) &- 0x61) + 10
    }
    /// A byte that continues a word: ASCII letter or digit, `_`, or any byte of 0x80 and above.
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F || b >= 0x80 }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    @inline(__always) static func isLineBreak(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }
}

extension ByteText {
    /// The length of the well-formed UTF-8 sequence starting at `i` (1 for ASCII), or 0 when the bytes there are
    /// not one (a stray continuation byte, a truncated or overlong sequence, a surrogate).
    @inline(__always) func utf8Length(at i: Int) -> Int {
        let b0 = self[i]
        if b0 < 0x80 { return i < count ? 1 : 0 }
        let b1 = self[i + 1]
        switch b0 {
        case 0xC2...0xDF:
            return b1 & 0xC0 == 0x80 ? 2 : 0
        case 0xE0...0xEF:
            let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            return b1 >= lo && b1 <= hi && self[i + 2] & 0xC0 == 0x80 ? 3 : 0
        case 0xF0...0xF4:
            let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            return b1 >= lo && b1 <= hi && self[i + 2] & 0xC0 == 0x80 && self[i + 3] & 0xC0 == 0x80 ? 4 : 0
        default:
            return 0
        }
    }

    /// The start of the well-formed UTF-8 sequence that ends just before `i`, or nil when the bytes there are
    /// not one.
    @inline(__always) func utf8Start(before i: Int) -> Int? {
        let last = self[i - 1]
        if last < 0x80 { return i > 0 ? i - 1 : nil }
        var s = i - 1
        while s > i - 4, s > 0, self[s] & 0xC0 == 0x80 { s -= 1 }
        return utf8Length(at: s) == i - s ? s : nil
    }

    /// The scalar of the well-formed sequence at `i` (of length `len` as ``utf8Length(at:)`` gives it).
    @inline(__always) func scalar(at i: Int, length len: Int) -> UInt32 {
        let b0 = UInt32(self[i])
        switch len {
        case 1: return b0
        case 2: return (b0 & 0x1F) << 6 | UInt32(self[i + 1] & 0x3F)
        case 3: return (b0 & 0x0F) << 12 | UInt32(self[i + 1] & 0x3F) << 6 | UInt32(self[i + 2] & 0x3F)
        default:
            return (b0 & 0x07) << 18 | UInt32(self[i + 1] & 0x3F) << 12 | UInt32(self[i + 2] & 0x3F) << 6
                | UInt32(self[i + 3] & 0x3F)
        }
    }

    /// Whether the character ending just before `i` continues a word: an ASCII letter, digit or `_`, or a
    /// well-formed non-ASCII letter. Stray bytes of invalid UTF-8 and non-ASCII spaces or punctuation do not.
    @inline(__always) func wordBefore(_ i: Int) -> Bool {
        let b = self[i - 1]
        if b < 0x80 { return Ascii.isWord(b) }
        return nonASCIIWordBefore(i)
    }

    private func nonASCIIWordBefore(_ i: Int) -> Bool {
        guard let s = utf8Start(before: i) else { return false }
        return Unicode.isWordScalar(scalar(at: s, length: i - s))
    }

    /// Whether the character starting at `i` continues a word (see ``wordBefore(_:)``).
    @inline(__always) func wordAt(_ i: Int) -> Bool {
        let b = self[i]
        if b < 0x80 { return Ascii.isWord(b) }
        return nonASCIIWordAt(i)
    }

    private func nonASCIIWordAt(_ i: Int) -> Bool {
        let len = utf8Length(at: i)
        return len > 0 && Unicode.isWordScalar(scalar(at: i, length: len))
    }

    /// Calls `body` with the index of each occurrence of `byte` in `range`, using `memchr`.
    @inline(__always) func forEach(_ byte: UInt8, in range: Range<Int>, _ body: (Int) -> Void) {
        var i = Swift.max(range.lowerBound, 0)
        let hi = Swift.min(range.upperBound, count)
        while i < hi {
            guard let q = memchr(base + i, Int32(byte), hi - i) else { return }
            let k = base.distance(to: q.assumingMemoryBound(to: UInt8.self))
            body(k)
            i = k + 1
        }
    }
}

extension Unicode {
    /// Letters and marks of the scripts the scanner meets (Latin, Greek, Cyrillic and beyond) count as word
    /// characters; no-break spaces, general punctuation, symbols and specials do not.
    static func isWordScalar(_ v: UInt32) -> Bool {
        switch v {
        case 0xA0...0xBF, 0xD7, 0xF7: false
        case 0x2000...0x2BFF, 0x3000...0x303F, 0xFE30...0xFE4F, 0xFF00...0xFF0F, 0xFFF0...0xFFFF: false
        default: v >= 0x80
        }
    }
}
