/// Recognises archives and compressed streams by their content (magic bytes), never by file name.
///
/// The sniffer decides only whether a stream is worth handing to libarchive; libarchive then makes the real
/// decision. Keeping the gate here means a plain file is never opened twice.
enum ArchiveSniffer {
    /// How many leading bytes the sniffer wants to see (ISO 9660's signature sits at 32769).
    static let prefixLength = 36 * 1024

    /// What the leading bytes look like.
    struct Hint: Equatable {
        /// A short name for notes ("zip", "tar", "gzip", …).
        var name: String
        /// Whether libarchive reads this format only with random access (zip's central directory, 7z).
        var wantsSeek: Bool

        /// Whether this is a compressed stream whose magic is long enough that a file starting with it and not
        /// decompressing is damaged, not a chance match (compress's two-byte magic is left out).
        var isCompressedStream: Bool { ["gzip", "bzip2", "xz", "zstd", "lz4", "lzip", "lzop"].contains(name) }
    }

    static func detect(_ p: UnsafeRawBufferPointer) -> Hint? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            guard p.count >= offset + magic.count else { return false }
            for (i, b) in magic.enumerated() where p[offset + i] != b { return false }
            return true
        }
        // ASCII magic as a literal, compared in place: an `Array(...utf8)` per check would cost an allocation per
        // check per file sniffed (every file of a run is).
        func starts(text magic: StaticString, at offset: Int = 0) -> Bool {
            let count = magic.utf8CodeUnitCount
            guard p.count >= offset + count else { return false }
            for i in 0..<count where p[offset + i] != magic.utf8Start[i] { return false }
            return true
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) || starts([0x50, 0x4B, 0x07, 0x08]) {
            return Hint(name: "zip", wantsSeek: true)
        }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return Hint(name: "7z", wantsSeek: true) }
        if starts(text: "Rar!\u{1A}\u{07}") { return Hint(name: "rar", wantsSeek: false) }
        if starts(text: "!<arch>\n") { return Hint(name: "ar", wantsSeek: false) }
        if starts(text: "xar!") { return Hint(name: "xar", wantsSeek: true) }
        if starts(text: "MSCF") { return Hint(name: "cab", wantsSeek: false) }
        if starts(text: "070707") || starts(text: "070701") || starts(text: "070702")
            || isBinaryCpioHeader(p)
        {
            return Hint(name: "cpio", wantsSeek: false)
        }
        if starts(text: "CD001", at: 32769) { return Hint(name: "iso9660", wantsSeek: false) }
        // gzip: magic, compression method 8 (deflate), reserved flag bits clear (RFC 1952).
        if starts([0x1F, 0x8B, 0x08]), p.count > 3, p[3] & 0xE0 == 0 { return Hint(name: "gzip", wantsSeek: false) }
        if starts(text: "BZh"), p.count > 3, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(p[3]) {
            return Hint(name: "bzip2", wantsSeek: false)
        }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return Hint(name: "xz", wantsSeek: false) }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return Hint(name: "zstd", wantsSeek: false) }
        if starts([0x04, 0x22, 0x4D, 0x18]) || starts([0x02, 0x21, 0x4C, 0x18]) {
            return Hint(name: "lz4", wantsSeek: false)
        }
        if starts(text: "LZIP") { return Hint(name: "lzip", wantsSeek: false) }
        // compress (.Z): magic, then a flags byte with 9–16 maximum code bits and the reserved bits clear.
        if starts([0x1F, 0x9D]), p.count > 2, (9...16).contains(p[2] & 0x1F), p[2] & 0x60 == 0 {
            return Hint(name: "compress", wantsSeek: false)
        }
        if starts([0x89, 0x4C, 0x5A, 0x4F, 0x00, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return Hint(name: "lzop", wantsSeek: false)
        }
        if isTarHeader(p) { return Hint(name: "tar", wantsSeek: false) }
        return nil
    }

    /// A binary (old) cpio header, little- or big-endian. Its magic is only two bytes, so the header must also
    /// make sense: a known file type, a name length of 1–4096 whose last byte is the name's NUL.
    static func isBinaryCpioHeader(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 28 else { return false }
        let little: Bool
        if p[0] == 0xC7 && p[1] == 0x71 {
            little = true
        } else if p[0] == 0x71 && p[1] == 0xC7 {
            little = false
        } else {
            return false
        }
        func u16(_ o: Int) -> Int { little ? Int(p[o]) | Int(p[o + 1]) << 8 : Int(p[o]) << 8 | Int(p[o + 1]) }
        let type = u16(6) & 0o170000
        guard [0o100000, 0o040000, 0o120000, 0o020000, 0o060000, 0o010000, 0o140000].contains(type) else {
            return false
        }
        let nameLength = u16(20)
        guard (1...4096).contains(nameLength), p.count >= 26 + nameLength else {
            return nameLength >= 1 && nameLength <= 4096 && p.count < 26 + nameLength
        }
        return p[26 + nameLength - 1] == 0
    }

    /// A tar header: "ustar" magic, or (for v7 tar, which has none) a valid header checksum.
    static func isTarHeader(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 512 else { return false }
        if p[257] == UInt8(ascii: "u"), p[258] == UInt8(ascii: "s"), p[259] == UInt8(ascii: "t"),
            p[260] == UInt8(ascii: "a"), p[261] == UInt8(ascii: "r")
        {
            return true
        }
        // v7: the checksum field (148..<156) holds octal digits, and equals the byte sum with it as spaces.
        var stored = 0
        var digits = 0
        for i in 148..<156 {
            let c = p[i]
            if c >= UInt8(ascii: "0"), c <= UInt8(ascii: "7") {
                stored = stored * 8 + Int(c - UInt8(ascii: "0"))
                digits += 1
            } else if c == 0 || c == UInt8(ascii: " ") {
                if digits > 0 { break }
            } else {
                return false
            }
        }
        guard digits > 0, p[0] != 0 else { return false }
        var sum = 0
        for i in 0..<512 { sum += (148..<156).contains(i) ? 32 : Int(p[i]) }
        return sum == stored
    }
}
