import IProceedsBase

/// The archive formats of seized media, written byte for byte by the generator so that the same seed gives the
/// same bytes on every machine: ustar and gzip with fixed times, owners and modes, members in the order given,
/// and no compression (stored deflate blocks), so nothing depends on a zlib build. Zip archives come from
/// IProceedsBase's ``StoredZip``, the writer of sharing packages too.
enum ArchiveWriter {
    /// A ustar archive of regular files (POSIX.1-1988), ending in two zero blocks, padded to 10 KiB records as
    /// GNU and BSD tar write it.
    static func tar(_ members: [(name: String, bytes: [UInt8])], modified: Int64) -> [UInt8] {
        var out: [UInt8] = []
        for m in members {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int, width: Int) {
                for (k, b) in text.utf8.prefix(width).enumerated() { header[offset + k] = b }
            }
            func octal(_ v: Int64, at offset: Int, width: Int) {
                let digits = String(v, radix: 8)
                put(String(repeating: "0", count: width - 1 - digits.count) + digits, at: offset, width: width - 1)
            }
            var name = m.name
            var prefix = ""
            if name.utf8.count > 100, let cut = name.lastIndex(of: "/") {
                prefix = String(name[..<cut])
                name = String(name[name.index(after: cut)...])
            }
            precondition(name.utf8.count <= 100 && prefix.utf8.count <= 155, "tar member name too long: \(m.name)")
            put(name, at: 0, width: 100)
            octal(0o644, at: 100, width: 8)
            octal(0, at: 108, width: 8)
            octal(0, at: 116, width: 8)
            octal(Int64(m.bytes.count), at: 124, width: 12)
            octal(modified, at: 136, width: 12)
            header[156] = UInt8(ascii: "0")
            put("ustar", at: 257, width: 6)
            put("00", at: 263, width: 2)
            put("examiner", at: 265, width: 32)
            put("examiner", at: 297, width: 32)
            put(prefix, at: 345, width: 155)
            for k in 148..<156 { header[k] = 0x20 }
            let sum = header.reduce(0) { $0 + Int64($1) }
            octal(sum, at: 148, width: 7)
            header[155] = 0x20
            out += header
            out += m.bytes
            out += [UInt8](repeating: 0, count: (512 - m.bytes.count % 512) % 512)
        }
        out += [UInt8](repeating: 0, count: 1024)
        out += [UInt8](repeating: 0, count: (10240 - out.count % 10240) % 10240)
        return out
    }

    /// A gzip member (RFC 1952) holding `bytes` in stored deflate blocks (RFC 1951 §3.2.4), modification time
    /// 0 and no file name, as `gzip -n` would label it.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
        var at = 0
        repeat {
            let n = min(65535, bytes.count - at)
            let last = at + n == bytes.count
            out.append(last ? 1 : 0)
            out.le16(n)
            out.le16(n ^ 0xFFFF)
            out += bytes[at..<(at + n)]
            at += n
        } while at < bytes.count
        out.le32(CRC32.checksum(bytes))
        out.le32(UInt32(truncatingIfNeeded: bytes.count))
        return out
    }
}
