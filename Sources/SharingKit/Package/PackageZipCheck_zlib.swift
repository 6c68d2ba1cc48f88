internal import CZlib
import EvidenceKit

/// Limits on what ``PackageZipCheck`` reads, so that a hostile package cannot exhaust memory or time.
package struct PackageLimits: Sendable, Hashable {
    /// Members in the archive (a sharing package has eight).
    package var members: Int
    /// Bytes inflated over all members together; a member's declared size counts against it before any byte is
    /// inflated, so a member declaring more is refused without being read.
    package var totalInflated: Int64
    /// The largest `manifest.json` or `manifest.sig` held in memory (the only members that are).
    package var manifestBytes: Int

    package init(members: Int = 256, totalInflated: Int64 = 8 << 30, manifestBytes: Int = 16 << 20) {
        self.members = members
        self.totalInflated = totalInflated
        self.manifestBytes = manifestBytes
    }
}

/// Reads a zip archive the way its recipient's tools might disagree about, and says where they would.
///
/// A zip lists its members twice: a local header before each member's data, read by streaming readers (`bsdtar`
/// from a pipe, Java's `ZipInputStream`), and the central directory at the end, read by most others. A crafted
/// archive can make the two disagree, hide bytes between members, or overlap members, so that a reader sees
/// content the signature never covered. This check accepts only the plain layout: local header, data (and a data
/// descriptor for a deflated member that has one), member after member from the first byte, each exactly as
/// the central directory describes it (name, flags, method, CRC-32, sizes, offset), then the central directory,
/// then the end record, with nothing between, before or after. Zip64, encryption, split archives and archive
/// comments are refused (a sharing package needs none of them).
///
/// Members are never held whole: each streams through SHA-256 and CRC-32 (inflated by zlib when deflated) in
/// 64 KiB pieces, within ``PackageLimits``; only `manifest.json` and `manifest.sig` are kept.
enum PackageZipCheck {
    /// One member as the central directory lists it, with what reading its data found.
    struct Member {
        var name: String
        var isRegularFile: Bool
        /// SHA-256 of the member's content, hex; `nil` when it could not be read (see the problems).
        var sha256: String?
        /// The content, for the members asked for.
        var bytes: [UInt8]?
    }

    /// What was read: the members in central-directory order, and every disagreement found, by member name.
    struct Result {
        var members: [Member] = []
        var problems: [PackageVerification.Problem] = []
    }

    /// Why the bytes are not a zip archive this check can read at all.
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    private struct Entry {
        var name: String
        var nameBytes: [UInt8]
        var flags: Int
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localOffset: Int
        var isRegularFile: Bool
        /// Where the data starts, once the local header is read.
        var dataOffset = 0
    }

    static let chunk = 1 << 16

    /// Checks the archive in `z` and reads every member's digest; keeps the content of the members named in
    /// `keep` (up to ``PackageLimits/manifestBytes`` each).
    /// - Throws: ``Unreadable`` when there is no central directory to read.
    static func read(_ z: UnsafeRawBufferPointer, keep: Set<String>, limits: PackageLimits) throws -> Result {
        func u16(_ at: Int) -> Int { Int(z[at]) | Int(z[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        var result = Result()
        func problem(_ file: String?, _ reason: String) { result.problems.append(.init(file: file, reason: reason)) }

        // The end record: fixed at the end, since a package has no archive comment.
        let eocdSignature = 0x0605_4B50
        guard z.count >= 22 else { throw Unreadable("too short to be a zip archive (\(z.count) bytes)") }
        var eocd = z.count - 22
        if u32(eocd) != eocdSignature {
            var at = eocd - 1
            while at >= max(0, z.count - 22 - 0xFFFF), u32(at) != eocdSignature { at -= 1 }
            guard at >= 0, u32(at) == eocdSignature else {
                throw Unreadable("no end of central directory record: not a zip archive")
            }
            problem(nil, "\(z.count - at - 22) bytes after the end of central directory record (an archive comment)")
            eocd = at
        }
        let entryCount = u16(eocd + 10)
        let cdSize = u32(eocd + 12)
        let cdOffset = u32(eocd + 16)
        if u16(eocd + 4) != 0 || u16(eocd + 6) != 0 || u16(eocd + 8) != entryCount {
            throw Unreadable("a split (multi-disk) zip archive, which a sharing package never is")
        }
        if entryCount == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            throw Unreadable("a zip64 archive, which a sharing package never is")
        }
        guard entryCount <= limits.members else {
            throw Unreadable("\(entryCount) members, more than the \(limits.members) a package may hold")
        }
        guard cdOffset <= eocd, cdSize <= eocd - cdOffset else {
            throw Unreadable("the central directory lies outside the archive")
        }
        if cdOffset + cdSize != eocd {
            problem(nil, "\(eocd - cdOffset - cdSize) bytes between the central directory and its end record")
        }

        // The central directory.
        var entries: [Entry] = []
        var at = cdOffset
        for n in 0..<entryCount {
            guard at + 46 <= cdOffset + cdSize, u32(at) == 0x0201_4B50 else {
                throw Unreadable("central directory entry \(n + 1) of \(entryCount) is not where the archive says")
            }
            let nameLength = u16(at + 28)
            let next = at + 46 + nameLength + u16(at + 30) + u16(at + 32)
            guard next <= cdOffset + cdSize else {
                throw Unreadable("central directory entry \(n + 1) runs past the central directory")
            }
            let nameBytes = Array(z[(at + 46)..<(at + 46 + nameLength)])
            let name = String(decoding: nameBytes, as: UTF8.self)
            let flags = u16(at + 8)
            let hostUnix = z[at + 5] == 3
            let mode = u32(at + 38) >> 16
            let regular =
                !name.hasSuffix("/") && !(hostUnix && mode & 0o170000 != 0 && mode & 0o170000 != 0o100000)
            entries.append(
                Entry(
                    name: name, nameBytes: nameBytes, flags: flags, method: u16(at + 10), crc: UInt32(u32(at + 16)),
                    compressedSize: u32(at + 20), size: u32(at + 24), localOffset: u32(at + 42),
                    isRegularFile: regular))
            if String(validating: nameBytes, as: UTF8.self) == nil {
                problem(name, "the member name is not UTF-8")
            }
            if u16(at + 34) != 0 { problem(name, "a member on another disk (a split archive)") }
            at = next
        }
        if at != cdOffset + cdSize {
            problem(nil, "\(cdOffset + cdSize - at) bytes in the central directory after its last entry")
        }
        var seen: [String: Int] = [:]
        for e in entries { seen[e.name, default: 0] += 1 }
        for (name, n) in seen.sorted(by: { $0.key < $1.key }) where n > 1 {
            problem(name, "appears \(n) times in the archive")
        }

        // The local headers, in the order of their offsets: contiguous from the first byte to the central
        // directory, each agreeing with its central directory entry.
        var expected = 0
        var readable = Set<Int>()
        for i in entries.indices.sorted(by: { entries[$0].localOffset < entries[$1].localOffset }) {
            let e = entries[i]
            let local = e.localOffset
            if local > expected {
                problem(
                    e.name,
                    "\(local - expected) bytes before this member's local header that no central directory entry "
                        + "covers (a streaming reader may read them as another member)")
            } else if local < expected {
                problem(e.name, "overlaps the member before it")
            }
            guard local + 30 <= cdOffset, u32(local) == 0x0403_4B50 else {
                problem(e.name, "no local header where the central directory says (offset \(local))")
                expected = max(expected, local)
                continue
            }
            let nameLength = u16(local + 26)
            let dataOffset = local + 30 + nameLength + u16(local + 28)
            guard dataOffset <= cdOffset else {
                problem(e.name, "the local header runs into the central directory")
                continue
            }
            let localName = Array(z[(local + 30)..<(local + 30 + nameLength)])
            var ok = true
            func differs(_ what: String, _ localValue: String, _ central: String) {
                problem(
                    e.name,
                    "the local header gives \(what) \(localValue), the central directory \(central): readers "
                        + "that stream the archive see something else")
                ok = false
            }
            if localName != e.nameBytes {
                differs(
                    "the name", TerminalText.quoted(String(decoding: localName, as: UTF8.self)),
                    TerminalText.quoted(e.name))
            }
            let localFlags = u16(local + 6)
            if localFlags & 0x0809 != e.flags & 0x0809 { differs("flags", hex(localFlags), hex(e.flags)) }
            if e.flags & 0x41 != 0 || localFlags & 0x41 != 0 {
                problem(e.name, "encrypted; a sharing package is never encrypted")
                ok = false
            }
            if u16(local + 8) != e.method { differs("compression method", "\(u16(local + 8))", "\(e.method)") }
            let hasDescriptor = e.flags & 0x08 != 0
            if e.method != 0 && e.method != 8 {
                problem(e.name, "compression method \(e.method); only stored (0) and deflate (8) are read")
                ok = false
            }
            let localCRC = UInt32(u32(local + 14))
            let localCompressed = u32(local + 18)
            let localSize = u32(local + 22)
            if localCompressed == 0xFFFF_FFFF || localSize == 0xFFFF_FFFF || e.size == 0xFFFF_FFFF
                || e.compressedSize == 0xFFFF_FFFF
            {
                problem(e.name, "zip64 sizes, which a sharing package never needs")
                ok = false
            }
            // With a data descriptor (flag 3) the local header may leave the CRC, and for a deflated member the
            // sizes, at zero: the descriptor after the data gives them. A stored member must still give its size
            // (libarchive writes packages that way): a streaming reader has no other way to find its end.
            if !hasDescriptor || localCRC != 0 {
                if localCRC != e.crc { differs("CRC-32", hex(Int(localCRC)), hex(Int(e.crc))) }
            }
            if !hasDescriptor || e.method == 0 || localCompressed != 0 || localSize != 0 {
                if localCompressed != e.compressedSize {
                    differs("compressed size", "\(localCompressed)", "\(e.compressedSize)")
                }
                if localSize != e.size { differs("size", "\(localSize)", "\(e.size)") }
            }
            var end = dataOffset + e.compressedSize
            guard end <= cdOffset else {
                problem(e.name, "the member's data runs into the central directory")
                continue
            }
            if hasDescriptor {
                var d = end
                if d + 4 <= cdOffset, u32(d) == 0x0807_4B50 { d += 4 }
                if d + 12 <= cdOffset, UInt32(u32(d)) == e.crc, u32(d + 4) == e.compressedSize, u32(d + 8) == e.size {
                    end = d + 12
                } else {
                    problem(e.name, "its data descriptor is missing or differs from the central directory")
                    ok = false
                    end = min(d + 12, cdOffset)
                }
            }
            expected = max(expected, end)
            entries[i].dataOffset = dataOffset
            if ok { readable.insert(i) }
        }
        if expected < cdOffset {
            problem(
                nil,
                "\(cdOffset - expected) bytes between the last member and the central directory that no entry "
                    + "covers (a streaming reader may read them as more members)")
        }

        // The data, streamed.
        var budget = limits.totalInflated
        for (i, e) in entries.enumerated() {
            var member = Member(name: e.name, isRegularFile: e.isRegularFile)
            defer { result.members.append(member) }
            guard readable.contains(i) else { continue }
            guard Int64(e.size) <= budget else {
                problem(
                    e.name,
                    "declares \(e.size) bytes, beyond what is left of the \(limits.totalInflated)-byte limit on "
                        + "inflated content; not read")
                budget = 0
                continue
            }
            let keepIt = keep.contains(e.name)
            if keepIt, e.size > limits.manifestBytes {
                problem(e.name, "\(e.size) bytes, more than the \(limits.manifestBytes) a manifest may have")
                continue
            }
            let data = UnsafeRawBufferPointer(rebasing: z[e.dataOffset..<(e.dataOffset + e.compressedSize)])
            let read = stream(data, method: e.method, declaredSize: e.size, keep: keepIt)
            budget -= Int64(min(read.size, e.size))
            if let why = read.failure {
                problem(e.name, why)
                continue
            }
            if read.size != e.size {
                problem(e.name, "inflates to \(read.size) bytes, the archive says \(e.size)")
                continue
            }
            if read.crc != e.crc {
                problem(
                    e.name,
                    "CRC-32 is \(hex(Int(read.crc))), the archive says \(hex(Int(e.crc))): the content was changed "
                        + "after the archive was made")
            }
            member.sha256 = read.sha256
            member.bytes = read.bytes
        }
        return result
    }

    private static func hex(_ v: Int) -> String { "0x" + String(v, radix: 16) }

    /// Feeds one member's data through SHA-256 and CRC-32, inflating it when deflated, stopping as soon as it
    /// gives more than `declaredSize` bytes (a deflate bomb stops there).
    private static func stream(
        _ data: UnsafeRawBufferPointer, method: Int, declaredSize: Int, keep: Bool
    ) -> (sha256: String, crc: UInt32, size: Int, bytes: [UInt8]?, failure: String?) {
        let digest = Digester(.sha256)
        var crc = UInt32(truncatingIfNeeded: crc32(0, nil, 0))
        var size = 0
        var kept: [UInt8]? = keep ? [] : nil
        func feed(_ piece: UnsafeRawBufferPointer) {
            digest.update(piece)
            crc = UInt32(
                truncatingIfNeeded: crc32(
                    UInt(crc), piece.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(piece.count)))
            size += piece.count
            kept?.append(contentsOf: piece)
        }
        if method == 0 {
            var at = 0
            while at < data.count {
                let n = min(chunk, data.count - at)
                feed(UnsafeRawBufferPointer(rebasing: data[at..<(at + n)]))
                at += n
            }
            return (digest.finalizeHex(), crc, size, kept, nil)
        }
        var z = z_stream()
        // -15: raw deflate, as zip stores it. The corresponding C function is `inflateInit2`.
        guard CZlib_inflateInit2(&z, -15) == Z_OK else { return ("", 0, 0, nil, "zlib could not start inflating") }
        defer { inflateEnd(&z) }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
        defer { output.deallocate() }
        z.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: Bytef.self))
        z.avail_in = uInt(data.count)
        while true {
            z.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            z.avail_out = uInt(chunk)
            let r = inflate(&z, Z_NO_FLUSH)
            let produced = chunk - Int(z.avail_out)
            if produced > 0 {
                if size + produced > declaredSize {
                    return (
                        "", crc, size + produced, nil,
                        "inflates to more than the \(declaredSize) bytes the archive declares; stopped there "
                            + "(a decompression bomb?)"
                    )
                }
                feed(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
            }
            if r == Z_STREAM_END {
                if z.avail_in != 0 {
                    return (
                        "", crc, size, nil,
                        "the deflate stream ends \(z.avail_in) bytes before the member's data does"
                    )
                }
                return (digest.finalizeHex(), crc, size, kept, nil)
            }
            if r == Z_BUF_ERROR && z.avail_in == 0 {
                return ("", crc, size, nil, "the deflate stream is cut short")
            }
            if r != Z_OK && r != Z_BUF_ERROR {
                let why = z.msg.map { String(cString: $0) } ?? "zlib error \(r)"
                return ("", crc, size, nil, "the deflated data is damaged: \(why)")
            }
        }
    }
}
