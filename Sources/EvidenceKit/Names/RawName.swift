/// A file or member name exactly as the file system or archive stores it: a sequence of bytes.
///
/// Linux names are bytes, not text: they need not be UTF-8. iproceeds keeps the bytes and renders them
/// losslessly: a name that is valid UTF-8 is written as that text; any other name is written as text with
/// U+FFFD in place of each invalid sequence *and* as lowercase hex of the exact bytes in a companion field
/// (`path_bytes`, `member_bytes`). See `docs/formats.md`.
public struct RawName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// Whether the bytes are valid UTF-8 (so `text` is exact).
    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// The name as text: exact when the bytes are valid UTF-8, otherwise with U+FFFD replacements.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The exact bytes as lowercase hex.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { text }

    /// Byte-wise lexicographic order (the order `LC_ALL=C sort` gives).
    public static func < (lhs: RawName, rhs: RawName) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Whether the name contains bytes that break line-oriented formats (CR, LF).
    var hasLineBreak: Bool { bytes.contains(0x0A) || bytes.contains(0x0D) }

    /// Appends a path component, inserting `/` unless the name already ends with one.
    func appending(component: [UInt8]) -> RawName {
        var out = bytes
        if let last = out.last, last != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        out.append(contentsOf: component)
        return RawName(out)
    }

    /// The components split on `/`, for component-wise ordering.
    var components: [ArraySlice<UInt8>] { bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) }

    /// Component-wise order: the order of a depth-first walk that visits each directory's entries in byte order.
    /// This is the order of every manifest iproceeds writes, whatever the thread count.
    public static func treeOrder(_ lhs: RawName, _ rhs: RawName) -> Bool {
        let a = lhs.components
        let b = rhs.components
        for (x, y) in zip(a, b) where x != y {
            return x.lexicographicallyPrecedes(y)
        }
        return a.count < b.count
    }
}

/// Hex encoding and decoding of byte strings.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex string, or `nil` when it is not hex of even length.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension RawName {
    /// The path made absolute against `directory` and cleaned lexically (`.` and empty components dropped,
    /// `..` removing the previous component), as hashdeep writes paths. Symbolic links are not resolved.
    public func absolute(in directory: String) -> RawName {
        let slash = UInt8(ascii: "/")
        let joined: [UInt8] = bytes.first == slash ? bytes : Array(directory.utf8) + [slash] + bytes
        var parts: [ArraySlice<UInt8>] = []
        for part in joined.split(separator: slash, omittingEmptySubsequences: true) {
            if part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        var out: [UInt8] = []
        for part in parts {
            out.append(slash)
            out.append(contentsOf: part)
        }
        return RawName(out.isEmpty ? [slash] : out)
    }
}
