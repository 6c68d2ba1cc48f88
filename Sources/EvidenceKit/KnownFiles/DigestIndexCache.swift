#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation
import IProceedsBase

/// Sorted digest indexes kept between runs, so that a large text set (a 10-million-line `sha256sum` list) is
/// converted once, not on every run (see `docs/formats.md`, "Known-file hash sets").
///
/// One file per set and algorithm, in `$IPROCEEDS_CACHE/known-sets` (default `$XDG_CACHE_HOME/iproceeds`, else
/// `~/.cache/iproceeds`), named from the set's full path. A cached index is used only when every check passes:
/// its header names the same algorithm and digest width; the set file has the same device, inode, size, modified
/// time and change time (to the nanosecond) as when the index was made (the change time cannot be set back by a
/// user, so an edited set is always noticed); the index file's length is its header plus its digests; and the
/// digests are in strictly ascending order (what the bisection needs not to miss one). The header also keeps the
/// set's SHA-256, read when the index was made: `evidence add` hashes the set for the custody record and stops
/// when they differ. Anything else makes the index again; a cache that cannot be written is not an error (the
/// index is then made in a temporary file, as before).
///
/// Header (128 bytes, little-endian): `IPKIDX01`, width (u32), 0 (u32), count (u64), set size, device, inode
/// (u64 each), modified and changed times (seconds and nanoseconds, i64 each), the set's SHA-256 (32 bytes), the
/// algorithm's name (16 bytes, NUL-padded).
enum DigestIndexCache {
    static let headerLength = 128
    static let magic = Array("IPKIDX01".utf8)

    /// The directory indexes are kept in, from the environment; `nil` when no home is known.
    static func directory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let dir = environment["IPROCEEDS_CACHE"], !dir.isEmpty { return dir + "/known-sets" }
        if let dir = environment["XDG_CACHE_HOME"], !dir.isEmpty { return dir + "/iproceeds/known-sets" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/iproceeds/known-sets" }
        return nil
    }

    /// What identifies the set file an index was made from.
    struct SetIdentity: Equatable {
        var size: UInt64
        var device: UInt64
        var inode: UInt64
        var modified: (Int64, Int64)
        var changed: (Int64, Int64)

        init?(path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            size = UInt64(max(0, st.st_size))
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
            #if canImport(Darwin)
                modified = (Int64(st.st_mtimespec.tv_sec), Int64(st.st_mtimespec.tv_nsec))
                changed = (Int64(st.st_ctimespec.tv_sec), Int64(st.st_ctimespec.tv_nsec))
            #else
                modified = (Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec))
                changed = (Int64(st.st_ctim.tv_sec), Int64(st.st_ctim.tv_nsec))
            #endif
        }

        static func == (a: SetIdentity, b: SetIdentity) -> Bool {
            a.size == b.size && a.device == b.device && a.inode == b.inode && a.modified == b.modified
                && a.changed == b.changed
        }
    }

    /// Where the index of the set at `path` for `algorithm` is kept.
    static func file(for path: String, algorithm: DigestAlgorithm, in directory: String) -> String {
        let full = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let key = digestHex(.sha256, of: Array((full + "\u{0}" + algorithm.rawValue).utf8))
        return directory + "/" + key.prefix(32) + "-" + algorithm.rawValue + ".idx"
    }

    static func header(
        width: Int, count: Int, identity: SetIdentity, setSHA256: [UInt8], algorithm: DigestAlgorithm
    ) -> [UInt8] {
        var h = magic
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { h.append(contentsOf: $0) } }
        put(UInt32(width))
        put(UInt32(0))
        put(UInt64(count))
        put(identity.size)
        put(identity.device)
        put(identity.inode)
        put(identity.modified.0)
        put(identity.modified.1)
        put(identity.changed.0)
        put(identity.changed.1)
        h += setSHA256.count == 32 ? setSHA256 : [UInt8](repeating: 0, count: 32)
        let name = Array(algorithm.rawValue.utf8.prefix(16))
        h += name + [UInt8](repeating: 0, count: 16 - name.count)
        precondition(h.count == headerLength)
        return h
    }

    /// A cached index of the set, when one passes every check; `nil` otherwise (it is then made again).
    static func load(
        setPath: String, algorithm: DigestAlgorithm, directory: String
    ) -> (index: SortedDigestIndex, setSHA256: String)? {
        guard let identity = SetIdentity(path: setPath) else { return nil }
        let path = file(for: setPath, algorithm: algorithm, in: directory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: headerLength)
        var st = stat()
        guard fstat(fd, &st) == 0, pread(fd, &head, headerLength, 0) == headerLength,
            head.starts(with: magic)
        else { return nil }
        func u64(_ at: Int) -> UInt64 {
            head[at..<at + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        let width = Int(u64(8) & 0xffff_ffff)
        let count = Int(clamping: u64(16))
        let setSHA256 = Array(head[80..<112])
        guard width == algorithm.digestLength, count > 0,
            count <= (Int.max - headerLength) / width,
            st.st_size == headerLength + count * width,
            head
                == Self.header(
                    width: width, count: count, identity: identity, setSHA256: setSHA256, algorithm: algorithm),
            let index = try? SortedDigestIndex.map(
                fd: fd, width: width, count: count, headerLength: headerLength, path: path),
            index.isStrictlyAscending
        else { return nil }
        return (index, Hex.encode(setSHA256))
    }

    /// Builds the index with `builder` (fed by `feed`) into the cache, replacing any older one for the set, and
    /// returns it; when the cache cannot be written, builds it in a temporary file (`setSHA256` is then `nil`).
    static func build(
        setPath: String, algorithm: DigestAlgorithm, directory: String?,
        feed: (SortedDigestIndex.Builder) throws -> Void
    ) throws -> (index: SortedDigestIndex, setSHA256: String?) {
        let builder = SortedDigestIndex.Builder(width: algorithm.digestLength)
        let before = SetIdentity(path: setPath)
        try feed(builder)
        guard let directory, let before,
            (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
            let setSHA256 = (try? ImageVerifier.sha256(ofFile: setPath)).flatMap(Hex.decode),
            SetIdentity(path: setPath) == before
        else { return (try builder.finish(), nil) }
        let final = file(for: setPath, algorithm: algorithm, in: directory)
        var template = Array((final + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0, let file = fdopen(fd, "w+b") else {
            if fd >= 0 { close(fd) }
            return (try builder.finish(), nil)
        }
        defer { fclose(file) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            let index = try builder.finish(
                to: (
                    file: file,
                    header: { count in
                        header(
                            width: algorithm.digestLength, count: count, identity: before, setSHA256: setSHA256,
                            algorithm: algorithm)
                    }
                ))
            // Another run may be making the same index: the rename replaces it whole, never in part.
            if fsync(fd) != 0 || rename(temporary, final) != 0 { unlink(temporary) }
            return (index, Hex.encode(setSHA256))
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
