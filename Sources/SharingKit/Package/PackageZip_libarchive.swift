internal import CLibArchive
import IProceedsBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Zip archives for sharing packages, written and read with libarchive.
///
/// Written deterministically: members in the order given (the writer sorts them), stored (not deflated, so
/// the bytes do not depend on the zlib build), mode 0644, uid and gid 0, one fixed modification time. libarchive
/// writes the MS-DOS time fields in the machine's local time zone (`dos_time` calls `localtime`); they are
/// rewritten afterwards to the same time in UTC so the bytes do not depend on the time zone. The `UT` extra
/// field libarchive adds carries the time as UTC seconds anyway.
enum PackageZip {
    /// A member read from an archive.
    struct Member {
        var name: String
        /// Regular file, directory, symlink… (`AE_IF*`).
        var isRegularFile: Bool
        var bytes: [UInt8]
    }

    /// Collects what libarchive writes. Not `Sendable`: one writer, one thread.
    private final class Collector {
        var bytes: [UInt8] = []
    }

    /// The archive's bytes. The corresponding C functions are `archive_write_*`.
    /// - Throws: ``SharingError`` with libarchive's message when a call fails.
    static func write(_ members: [(name: String, bytes: [UInt8])], modified seconds: Int64) throws -> [UInt8] {
        guard let a = archive_write_new() else { throw PackageZipError("archive_write_new failed") }
        defer { archive_write_free(a) }
        try check(a, archive_write_set_format_zip(a), "archive_write_set_format_zip")
        try check(
            a, archive_write_set_format_option(a, "zip", "compression", "store"), "archive_write_set_format_option")
        try check(a, archive_write_set_bytes_per_block(a, 0), "archive_write_set_bytes_per_block")
        try check(a, archive_write_set_bytes_in_last_block(a, 1), "archive_write_set_bytes_in_last_block")
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        try check(
            a,
            archive_write_open(
                a, context, nil,
                { _, client, buffer, length in
                    let c = Unmanaged<Collector>.fromOpaque(client!).takeUnretainedValue()
                    c.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
                    return length
                }, nil), "archive_write_open")
        for member in members {
            guard let entry = archive_entry_new() else { throw PackageZipError("archive_entry_new failed") }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname(entry, member.name)
            archive_entry_set_filetype(entry, CLibArchive_AE_IFREG)
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_size(entry, la_int64_t(member.bytes.count))
            archive_entry_set_mtime(entry, time_t(seconds), 0)
            archive_entry_set_uid(entry, 0)
            archive_entry_set_gid(entry, 0)
            try check(a, archive_write_header(a, entry), "archive_write_header")
            let written = member.bytes.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
            guard written == member.bytes.count else {
                throw PackageZipError("archive_write_data \(member.name): \(message(a))")
            }
            try check(a, archive_write_finish_entry(a), "archive_write_finish_entry")
        }
        try check(a, archive_write_close(a), "archive_write_close")
        var bytes = collector.bytes
        try rewriteDOSTimes(&bytes, seconds: seconds)
        return bytes
    }

    /// Sets every local and central header's MS-DOS time and date to `seconds` in UTC.
    static func rewriteDOSTimes(_ z: inout [UInt8], seconds: Int64) throws {
        func u16(_ at: Int) -> Int { Int(z[at]) | Int(z[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func put32(_ at: Int, _ v: UInt32) { for k in 0..<4 { z[at + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) } }
        let t = ISO8601.fields(seconds: seconds)
        let dosDate = UInt32(max(0, t.year - 1980) & 0x7F) << 9 | UInt32(t.month) << 5 | UInt32(t.day)
        let dosTime = UInt32(t.hour) << 11 | UInt32(t.minute) << 5 | UInt32(t.second / 2)
        let stamp = t.year < 1980 ? 0x0021_0000 : dosDate << 16 | dosTime
        let eocd = z.count - 22
        guard eocd >= 0, u32(eocd) == 0x0605_4B50 else {
            throw PackageZipError("no end of central directory where expected")
        }
        let count = u16(eocd + 10)
        var at = u32(eocd + 16)
        for _ in 0..<count {
            guard at + 46 <= z.count, u32(at) == 0x0201_4B50 else {
                throw PackageZipError("central directory entry not where expected")
            }
            put32(at + 12, stamp)
            let local = u32(at + 42)
            guard local + 30 <= z.count, u32(local) == 0x0403_4B50 else {
                throw PackageZipError("local header not where expected")
            }
            put32(local + 10, stamp)
            at += 46 + u16(at + 28) + u16(at + 30) + u16(at + 32)
        }
    }

    /// The members of a zip held in memory, through the central directory (`seekable`) or by walking the local
    /// headers (`streaming`). The corresponding C functions are `archive_read_*`.
    /// - Returns: the members, or libarchive's message when the bytes are not a readable zip.
    static func read(_ bytes: [UInt8], streaming: Bool = false) -> Result<[Member], PackageZipError> {
        guard let a = archive_read_new() else { return .failure(PackageZipError("archive_read_new failed")) }
        defer { archive_read_free(a) }
        if streaming {
            archive_read_support_format_zip_streamable(a)
        } else {
            archive_read_support_format_zip_seekable(a)
        }
        return bytes.withUnsafeBytes { buffer -> Result<[Member], PackageZipError> in
            guard archive_read_open_memory(a, buffer.baseAddress, buffer.count) == ARCHIVE_OK else {
                return .failure(PackageZipError(message(a)))
            }
            var members: [Member] = []
            var entry: OpaquePointer?
            while true {
                let r = archive_read_next_header(a, &entry)
                if r == ARCHIVE_EOF { break }
                guard r == ARCHIVE_OK || r == ARCHIVE_WARN, let entry else {
                    return .failure(PackageZipError("after \(members.count) members: \(message(a))"))
                }
                let name: String
                if let p = archive_entry_pathname_utf8(entry) {
                    name = String(cString: p)
                } else if let p = archive_entry_pathname(entry) {
                    name = String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
                } else {
                    name = ""
                }
                let regular = UInt32(archive_entry_filetype(entry)) == CLibArchive_AE_IFREG
                var data: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = chunk.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                    if n == 0 { break }
                    guard n > 0 else { return .failure(PackageZipError("member \(name): \(message(a))")) }
                    data.append(contentsOf: chunk[0..<n])
                }
                members.append(Member(name: name, isRegularFile: regular, bytes: data))
            }
            return .success(members)
        }
    }

    private static func check(_ a: OpaquePointer, _ result: Int32, _ function: String) throws {
        guard result == ARCHIVE_OK else { throw PackageZipError("\(function): \(message(a))") }
    }

    private static func message(_ a: OpaquePointer) -> String {
        guard let text = archive_error_string(a) else { return "libarchive error \(archive_errno(a))" }
        return String(cString: text)
    }
}

/// A libarchive failure while writing or reading a package's zip.
struct PackageZipError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
