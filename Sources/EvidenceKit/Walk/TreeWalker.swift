#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the walk found at one place in the tree.
enum WalkEvent {
    /// A regular file to hash (through a symbolic link when `follow`).
    case file(RawName, follow: Bool, size: UInt64)
    /// Something recorded without reading: a symbolic link, a special file, an error.
    case record(FingerprintRecord)
}

/// Walks PATH arguments depth first, visiting each directory's entries in byte order, so that the order of
/// events is the manifest order whatever the thread count. Symbolic links are recorded, not followed, unless
/// asked; with following, a directory already on the current path is a loop and is recorded, not entered.
///
/// Not `Sendable`: runs on the calling thread of a fingerprint run.
struct TreeWalker {
    let options: FingerprintOptions
    let emit: (WalkEvent) -> Bool

    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Walks every root in tree order; stops early when `emit` returns false.
    func walk(_ roots: [RawName]) {
        var seen = Set<RawName>()
        for root in roots.sorted(by: RawName.treeOrder) where seen.insert(root).inserted {
            guard visit(root, isRoot: true, ancestors: []) else { return }
        }
    }

    private func visit(_ path: RawName, isRoot: Bool, ancestors: Set<DirectoryID>) -> Bool {
        if !isRoot && options.isExcluded(path.bytes) { return true }
        var st = stat()
        guard path.bytes.withCString({ lstat($0, &st) }) == 0 else {
            return emit(.record(FingerprintRecord(path: path, kind: .file, error: describeErrno(errno))))
        }
        return visit(path, st: st, ancestors: ancestors, via: nil)
    }

    /// - Parameter via: the link's target when `st` describes what a followed symbolic link points to.
    private func visit(_ path: RawName, st: stat, ancestors: Set<DirectoryID>, via: String?) -> Bool {
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return emit(.file(path, follow: via != nil, size: UInt64(max(0, st.st_size))))
        case S_IFDIR:
            let id = DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if ancestors.contains(id) {
                var record = FingerprintRecord(path: path, kind: .symlink, mtime: Int64(st.st_mtim.tv_sec))
                record.note = "symlink to \(via ?? "?"): loop back to a directory already on this path; not entered"
                return emit(.record(record))
            }
            return walkDirectory(path, ancestors: options.followSymlinks ? ancestors.union([id]) : ancestors)
        case S_IFLNK:
            let target = readLink(path)
            if options.followSymlinks {
                var targetStat = stat()
                if path.bytes.withCString({ stat($0, &targetStat) }) == 0 {
                    return visit(path, st: targetStat, ancestors: ancestors, via: target)
                }
                let reason = describeErrno(errno)
                var record = FingerprintRecord(path: path, kind: .symlink, mtime: Int64(st.st_mtim.tv_sec))
                record.note = "symlink to \(target): not followed (\(reason))"
                return emit(.record(record))
            }
            var record = FingerprintRecord(
                path: path, kind: .symlink, size: UInt64(max(0, st.st_size)), mtime: Int64(st.st_mtim.tv_sec))
            record.note = "symlink to \(target)"
            return emit(.record(record))
        default:
            var record = FingerprintRecord(path: path, kind: .special, mtime: Int64(st.st_mtim.tv_sec))
            record.note = "\(Self.describeType(st.st_mode))\(via.map { " (through symlink to \($0))" } ?? ""); not read"
            return emit(.record(record))
        }
    }

    private func walkDirectory(_ path: RawName, ancestors: Set<DirectoryID>) -> Bool {
        guard let dir = path.bytes.withCString({ opendir($0) }) else {
            let record = FingerprintRecord(path: path, kind: .directory, error: "cannot list directory: \(describeErrno(errno))")
            return emit(.record(record))
        }
        var names: [[UInt8]] = []
        var listError: Int32?
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { listError = errno }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[0..<length])
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        closedir(dir)
        names.sort { $0.lexicographicallyPrecedes($1) }
        for name in names {
            guard visit(path.appending(component: name), isRoot: false, ancestors: ancestors) else { return false }
        }
        if let listError {
            let record = FingerprintRecord(
                path: path, kind: .directory, error: "directory listing incomplete: \(describeErrno(listError))")
            return emit(.record(record))
        }
        return true
    }

    private func readLink(_ path: RawName) -> String {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = path.bytes.withCString { p in buf.withUnsafeMutableBytes { readlink(p, $0.baseAddress!.assumingMemoryBound(to: CChar.self), 4096) } }
        guard n >= 0 else { return "(unreadable: \(describeErrno(errno)))" }
        return RawName(Array(buf[0..<n])).text
    }

    static func describeType(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "named pipe (FIFO)"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file (mode \(String(mode, radix: 8)))"
        }
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with a NUL-terminated copy of the bytes.
    func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var copy = self
        copy.append(0)
        return try copy.withUnsafeBufferPointer { try $0.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) } }
    }
}
