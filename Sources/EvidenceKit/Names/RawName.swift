import IProceedsBase

/// A file or member name exactly as the file system or archive stores it: a sequence of bytes.
///
/// Linux names are bytes, not text: they need not be UTF-8. iproceeds keeps the bytes and renders them
/// losslessly: a name that is valid UTF-8 is written as that text; any other name is written as text with
/// U+FFFD in place of each invalid sequence *and* as lowercase hex of the exact bytes in a companion field
/// (`path_bytes`, `member_bytes`). See `docs/formats.md`.
package struct RawName: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var bytes: [UInt8]

    package init(_ bytes: [UInt8]) { self.bytes = bytes }
    package init(_ string: String) { self.bytes = Array(string.utf8) }

    /// Whether the bytes are valid UTF-8 (so `text` is exact).
    package var isValidUTF8: Bool {
        // Most names are ASCII, which is UTF-8: checked a byte at a time before the full validation.
        bytes.allSatisfy { $0 < 0x80 } || String(validating: bytes, as: UTF8.self) != nil
    }

    /// The name as text: exact when the bytes are valid UTF-8, otherwise with U+FFFD replacements.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The exact bytes as lowercase hex.
    package var hex: String { Hex.encode(bytes) }

    package var description: String { text }

    /// Byte-wise lexicographic order (the order `LC_ALL=C sort` gives).
    package static func < (lhs: RawName, rhs: RawName) -> Bool {
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
    package static func treeOrder(_ lhs: RawName, _ rhs: RawName) -> Bool {
        let a = lhs.components
        let b = rhs.components
        for (x, y) in zip(a, b) where x != y {
            return x.lexicographicallyPrecedes(y)
        }
        return a.count < b.count
    }
}

extension RawName {
    /// The path made absolute against `directory` and cleaned lexically (`.` and empty components dropped,
    /// `..` removing the previous component), as hashdeep writes paths. Symbolic links are not resolved.
    package func absolute(in directory: String) -> RawName {
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
