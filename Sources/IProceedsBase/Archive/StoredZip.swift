/// Zip archives of stored members, written byte for byte: the one zip writer of the toolkit (sharing packages,
/// the samples' seized archives).
///
/// Deterministic by construction: members in the order given, stored (method 0, so nothing depends on a zlib
/// build), made by "UNIX" with mode 0644, one MS-DOS time for every member taken from `modified` in UTC (never
/// the machine's time zone), no extra fields, no data descriptors, no comment. Names that are not ASCII carry
/// the UTF-8 flag (bit 11). Sizes and offsets are 32-bit: an archive that would need zip64 (a member or the whole
/// past 4 GiB, more than 65,535 members) is refused; sharing packages are read back without zip64 too.
package enum StoredZip {
    /// Why an archive cannot be written without zip64.
    package struct TooLarge: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The archive's bytes.
    /// - Parameters:
    ///   - members: names (with `/` between folders) and contents, in archive order.
    ///   - modified: the members' modification time, seconds since the epoch (clamped to 1980–2107, what the
    ///     MS-DOS fields can hold).
    /// - Throws: ``TooLarge`` when the archive would need zip64.
    package static func archive(_ members: [(name: String, bytes: [UInt8])], modified: Int64) throws(TooLarge)
        -> [UInt8]
    {
        guard members.count < 0xFFFF else { throw TooLarge(description: "\(members.count) members (zip holds 65,534)") }
        let (dosTime, dosDate) = dosTimeAndDate(modified)
        var out: [UInt8] = []
        var central: [UInt8] = []
        for m in members {
            let name = Array(m.name.utf8)
            guard name.count <= 0xFFFF else { throw TooLarge(description: "member name of \(name.count) bytes") }
            guard m.bytes.count < 0xFFFF_FFFF, out.count + 30 + name.count + m.bytes.count < 0xFFFF_FFFF else {
                throw TooLarge(description: "\(m.name): beyond 4 GiB, which needs zip64")
            }
            let size = UInt32(m.bytes.count)
            let crc = CRC32.checksum(m.bytes)
            let offset = UInt32(out.count)
            let utf8Flag = name.contains { $0 >= 0x80 } ? 0x0800 : 0
            // Local header (APPNOTE 4.3.7): version 1.0, flags, stored, time, date, CRC-32, sizes, name.
            out.le32(0x0403_4B50)
            out.le16(10)
            out.le16(utf8Flag)
            out.le16(0)
            out.le16(dosTime)
            out.le16(dosDate)
            out.le32(crc)
            out.le32(size)
            out.le32(size)
            out.le16(name.count)
            out.le16(0)
            out += name
            out += m.bytes
            // Central directory entry (4.3.12): made by UNIX 1.0, the same fields, mode 0644 as a regular file.
            central.le32(0x0201_4B50)
            central.le16(3 << 8 | 10)
            central.le16(10)
            central.le16(utf8Flag)
            central.le16(0)
            central.le16(dosTime)
            central.le16(dosDate)
            central.le32(crc)
            central.le32(size)
            central.le32(size)
            central.le16(name.count)
            central.le16(0)
            central.le16(0)
            central.le16(0)
            central.le16(0)
            central.le32(UInt32(0o100644) << 16)
            central.le32(offset)
            central += name
        }
        guard out.count + central.count + 22 < 0xFFFF_FFFF else {
            throw TooLarge(description: "the archive passes 4 GiB, which needs zip64")
        }
        let centralOffset = UInt32(out.count)
        out += central
        // End of central directory (4.3.16): one disk, no comment.
        out.le32(0x0605_4B50)
        out.le16(0)
        out.le16(0)
        out.le16(members.count)
        out.le16(members.count)
        out.le32(UInt32(central.count))
        out.le32(centralOffset)
        out.le16(0)
        return out
    }

    /// The MS-DOS time and date fields of an instant in UTC, clamped to the years they can hold (1980–2107).
    static func dosTimeAndDate(_ seconds: Int64) -> (time: Int, date: Int) {
        let low = ISO8601.seconds(year: 1980, month: 1, day: 1)
        let high = ISO8601.seconds(year: 2107, month: 12, day: 31, hour: 23, minute: 59, second: 58)
        let t = ISO8601.fields(seconds: min(max(seconds, low), high))
        return (t.hour << 11 | t.minute << 5 | t.second / 2, (t.year - 1980) << 9 | t.month << 5 | t.day)
    }
}

/// CRC-32 (ISO 3309, the polynomial of zip and gzip), table-driven.
package enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of `bytes`.
    package static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

extension Array where Element == UInt8 {
    /// Appends the low 16 bits of `v`, little-endian (the byte order of zip and gzip).
    package mutating func le16(_ v: Int) {
        append(UInt8(v & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
    }

    /// Appends `v`, little-endian.
    package mutating func le32(_ v: UInt32) {
        for k in 0..<4 { append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) }
    }
}
