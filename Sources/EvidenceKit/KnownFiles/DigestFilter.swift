#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation
import IProceedsBase

/// A Bloom filter of the digests of an NSRL database that is queried in place: a digest the filter does not hold
/// is certainly not in the set, so most lookups of a run (files not in the set) never reach SQLite; a digest it
/// may hold is looked up in the database as before, so the filter decides nothing on its own about a match.
///
/// Made once (a scan of every row, as bytes: the letter case of the hex does not matter) and kept between runs in
/// the known-set cache (``DigestIndexCache/directory(_:)``), one file per set and algorithm. Used only when every
/// check passes: the header's algorithm and sizes; the set file's device, inode, size, modification and change
/// times as when it was made; the file's length; and the SHA-256 of the filter's bits, recorded when it was made
/// (a damaged filter could otherwise say "absent" for a digest the set holds). The header also keeps the set's
/// SHA-256, which `evidence add` checks as for a cached index.
///
/// 8 to 16 bits per digest (a power of two), 8 probes: about 0.2 % of absent digests reach SQLite (10 million
/// digests: 16 MiB).
///
/// `Sendable`: the bits are immutable.
final class DigestFilter: Sendable {
    static let magic = Array("IPKBLM01".utf8)
    static let headerLength = 168
    static let probes = 8

    private let bits: [UInt8]
    private let mask: UInt64

    private init(bits: [UInt8]) {
        self.bits = bits
        mask = UInt64(bits.count) * 8 - 1
    }

    /// Whether `digest` may be in the set; `false` means it is certainly not.
    func mightContain(_ digest: UnsafeRawBufferPointer) -> Bool {
        let (h1, h2) = Self.seeds(digest)
        return bits.withUnsafeBufferPointer { b in
            for i in 0..<UInt64(Self.probes) {
                let bit = (h1 &+ i &* h2) & mask
                if b[Int(bit >> 3)] & (1 << (bit & 7)) == 0 { return false }
            }
            return true
        }
    }

    /// Two 64-bit seeds from the digest's own bytes (a digest is already uniformly spread), the second odd.
    private static func seeds(_ d: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        (d.loadUnaligned(fromByteOffset: 0, as: UInt64.self), d.loadUnaligned(fromByteOffset: 8, as: UInt64.self) | 1)
    }

    static func file(for setPath: String, algorithm: DigestAlgorithm, in directory: String) -> String {
        String(DigestIndexCache.file(for: setPath, algorithm: algorithm, in: directory).dropLast(4)) + ".bloom"
    }

    private static func header(
        bitBytes: Int, entries: Int, width: Int, identity: DigestIndexCache.SetIdentity, setSHA256: [UInt8],
        bitsSHA256: [UInt8], algorithm: DigestAlgorithm
    ) -> [UInt8] {
        var h = magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { h.append(contentsOf: $0) } }
        put(UInt32(probes))
        put(UInt32(width))
        put(UInt64(bitBytes))
        put(UInt64(entries))
        put(identity.size)
        put(identity.device)
        put(identity.inode)
        put(identity.modified.0)
        put(identity.modified.1)
        put(identity.changed.0)
        put(identity.changed.1)
        h += setSHA256 + bitsSHA256
        let name = Array(algorithm.rawValue.utf8.prefix(16))
        h += name + [UInt8](repeating: 0, count: 16 - name.count)
        precondition(h.count == headerLength)
        return h
    }

    /// The kept filter of the set, when one passes every check.
    static func load(setPath: String, algorithm: DigestAlgorithm, directory: String) -> (
        filter: DigestFilter, setSHA256: String
    )? {
        guard let identity = DigestIndexCache.SetIdentity(path: setPath),
            let (head, body) = readWhole(file(for: setPath, algorithm: algorithm, in: directory))
        else { return nil }
        func u64(_ at: Int) -> UInt64 { head[at..<at + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        let bitBytes = Int(clamping: u64(16))
        guard head.starts(with: magic), bitBytes == body.count, bitBytes.nonzeroBitCount == 1,
            let bitsSHA256 = Hex.decode(digestHex(.sha256, of: body)),
            head
                == header(
                    bitBytes: bitBytes, entries: Int(clamping: u64(24)), width: algorithm.digestLength,
                    identity: identity, setSHA256: Array(head[88..<120]), bitsSHA256: bitsSHA256,
                    algorithm: algorithm)
        else { return nil }
        return (DigestFilter(bits: body), Hex.encode(head[88..<120]))
    }

    /// The header and the bits of a kept filter, read with read(2) straight into the arrays.
    private static func readWhole(_ path: String) -> (head: [UInt8], body: [UInt8])? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > headerLength, st.st_size <= 1 << 34 else { return nil }
        func readExactly(_ count: Int) -> [UInt8]? {
            var failed = false
            let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
                var done = 0
                while done < count {
                    let n = read(fd, buffer.baseAddress! + done, count - done)
                    if n < 0, errno == EINTR { continue }
                    if n <= 0 { break }
                    done += n
                }
                failed = done != count
                initialised = failed ? 0 : count
            }
            return failed ? nil : out
        }
        guard let head = readExactly(headerLength), let body = readExactly(Int(st.st_size) - headerLength) else {
            return nil
        }
        return (head, body)
    }

    /// Makes the filter of every digest `db` holds for `algorithm` and keeps it in `directory`; `nil` when it
    /// cannot be made or kept (a row that is not a digest, a cache that cannot be written): the set is then
    /// queried without a filter, as before.
    static func build(setPath: String, algorithm: DigestAlgorithm, directory: String, db: NSRLDatabase) -> (
        filter: DigestFilter, setSHA256: String
    )? {
        guard let before = DigestIndexCache.SetIdentity(path: setPath),
            let rows = try? db.rowCount(), rows > 0
        else { return nil }
        var bitBytes = 8
        while bitBytes < rows { bitBytes *= 2 }  // 8 to 16 bits a digest, a power of two
        var bits = [UInt8](repeating: 0, count: bitBytes)
        let mask = UInt64(bitBytes) * 8 - 1
        do {
            try bits.withUnsafeMutableBufferPointer { b in
                try db.forEachDigest(algorithm) { digest in
                    digest.withUnsafeBytes { d in
                        let (h1, h2) = seeds(d)
                        for i in 0..<UInt64(probes) {
                            let bit = (h1 &+ i &* h2) & mask
                            b[Int(bit >> 3)] |= 1 << (bit & 7)
                        }
                    }
                }
            }
        } catch {
            return nil
        }
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
            let setSHA256 = (try? ImageVerifier.sha256(ofFile: setPath)).flatMap(Hex.decode),
            DigestIndexCache.SetIdentity(path: setPath) == before,
            let bitsSHA256 = Hex.decode(digestHex(.sha256, of: bits))
        else { return nil }
        let content =
            header(
                bitBytes: bitBytes, entries: rows, width: algorithm.digestLength, identity: before,
                setSHA256: setSHA256, bitsSHA256: bitsSHA256, algorithm: algorithm) + bits
        let final = file(for: setPath, algorithm: algorithm, in: directory)
        // Written whole under a temporary name, then renamed: another run never reads half a filter.
        let temporary = final + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(content)),
            rename(temporary, final) == 0
        else {
            unlink(temporary)
            return nil
        }
        return (DigestFilter(bits: bits), Hex.encode(setSHA256))
    }
}
