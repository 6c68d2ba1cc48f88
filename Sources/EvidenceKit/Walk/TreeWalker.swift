#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the walk found at one place in the tree.
enum WalkEvent {
    /// A regular file to hash, already opened by the walk as `fd` (the receiver closes it), with its `fstat` at
    /// open (the state the worker compares with after reading, so that it needs no `fstat` of its own).
    case file(RawName, fd: Int32, opened: stat)
    /// Something recorded without reading: a symbolic link, a special file, an error.
    case record(FingerprintRecord)
}

/// Walks PATH arguments depth first, visiting each directory's entries in byte order, so that the order of
/// events is the manifest order whatever the thread count. Symbolic links are recorded, not followed, unless
/// asked; with following, a directory already on the current path is a loop, and a directory already walked
/// through another link is not walked again: both are recorded, not entered.
///
/// The walk goes by file descriptor, never by path: each directory is opened relative to its parent's descriptor
/// with `O_NOFOLLOW` and checked (`fstat`) to be the directory `fstatat` saw, and each file is opened the same
/// way before it is handed to a worker. A directory swapped for a symbolic link during the walk therefore cannot
/// lead it (or the hashing) out of the tree being seized.
///
/// Not `Sendable`: runs on the calling thread of a fingerprint run.
final class TreeWalker {
    let options: FingerprintOptions
    let hooks: FingerprintHooks
    let emit: (WalkEvent) -> Bool
    /// With `--follow-symlinks`: every directory walked so far, and the path it was first walked at.
    private var walked: [DirectoryID: RawName] = [:]

    init(options: FingerprintOptions, hooks: FingerprintHooks = FingerprintHooks(), emit: @escaping (WalkEvent) -> Bool)
    {
        self.options = options
        self.hooks = hooks
        self.emit = emit
    }

    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ st: stat) {
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
        }
    }

    /// Walks every root in tree order; stops early when `emit` returns false.
    func walk(_ roots: [RawName]) {
        var seen = Set<RawName>()
        for root in roots.sorted(by: RawName.treeOrder) where seen.insert(root).inserted {
            guard visit(in: AT_FDCWD, name: root.bytes, path: root, isRoot: true, ancestors: []) else { return }
        }
    }

    /// Visits `name` in the directory open as `dirfd` (a root's path relative to the working directory).
    private func visit(in dirfd: Int32, name: [UInt8], path: RawName, isRoot: Bool, ancestors: Set<DirectoryID>) -> Bool
    {
        if !isRoot && options.isExcluded(path.bytes) { return true }
        var st = stat()
        guard name.withCString({ fstatat(dirfd, $0, &st, AT_SYMLINK_NOFOLLOW) }) == 0 else {
            return emit(.record(FingerprintRecord(path: path, kind: .file, error: describeErrno(errno))))
        }
        return visit(in: dirfd, name: name, path: path, st: st, ancestors: ancestors, via: nil)
    }

    /// - Parameter via: the link's target when `st` describes what a followed symbolic link points to.
    private func visit(
        in dirfd: Int32, name: [UInt8], path: RawName, st: stat, ancestors: Set<DirectoryID>, via: String?
    ) -> Bool {
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return openFile(in: dirfd, name: name, path: path, st: st, follow: via != nil)
        case S_IFDIR:
            let id = DirectoryID(st)
            if ancestors.contains(id) {
                var record = FingerprintRecord(path: path, kind: .symlink, mtime: Int64(st.st_mtim.tv_sec))
                record.note = "symlink to \(via ?? "?"): loop back to a directory already on this path; not entered"
                return emit(.record(record))
            }
            if options.followSymlinks {
                if let first = walked[id] {
                    var record = FingerprintRecord(
                        path: path, kind: via == nil ? .directory : .symlink, mtime: Int64(st.st_mtim.tv_sec))
                    record.note =
                        "\(via.map { "symlink to \($0): " } ?? "")directory already walked as \(first.text); not entered again"
                    return emit(.record(record))
                }
                walked[id] = path
            }
            hooks.beforeOpen?(path)
            let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | (via == nil ? O_NOFOLLOW : 0)
            let fd = name.withCString { openat(dirfd, $0, flags) }
            guard fd >= 0 else {
                let code = errno
                let why =
                    (code == ELOOP || code == ENOTDIR) && via == nil
                    ? "replaced by a symbolic link or a file while being walked; not entered" : describeErrno(code)
                let record = FingerprintRecord(path: path, kind: .directory, error: "cannot list directory: \(why)")
                return emit(.record(record))
            }
            var opened = stat()
            guard fstat(fd, &opened) == 0, DirectoryID(opened) == id else {
                close(fd)
                let record = FingerprintRecord(
                    path: path, kind: .directory,
                    error: "cannot list directory: replaced by another directory while being walked; not entered")
                return emit(.record(record))
            }
            return walkDirectory(fd, path: path, ancestors: options.followSymlinks ? ancestors.union([id]) : ancestors)
        case S_IFLNK:
            let target = readLink(in: dirfd, name: name)
            if options.followSymlinks {
                var targetStat = stat()
                if name.withCString({ fstatat(dirfd, $0, &targetStat, 0) }) == 0 {
                    return visit(in: dirfd, name: name, path: path, st: targetStat, ancestors: ancestors, via: target)
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

    /// Opens a regular file relative to its directory's descriptor and hands the descriptor on, after checking it
    /// is still the file `fstatat` saw.
    private func openFile(in dirfd: Int32, name: [UInt8], path: RawName, st: stat, follow: Bool) -> Bool {
        hooks.beforeOpen?(path)
        // O_NONBLOCK: a FIFO swapped in after the check must not stall the walk; O_NOCTTY: nor a terminal take it.
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (follow ? 0 : O_NOFOLLOW)
        let fd = name.withCString { openat(dirfd, $0, flags) }
        guard fd >= 0 else {
            let code = errno
            let why =
                code == ELOOP && !follow ? "became a symbolic link while being walked; not read" : describeErrno(code)
            return emit(.record(FingerprintRecord(path: path, kind: .file, error: why)))
        }
        var opened = stat()
        guard fstat(fd, &opened) == 0 else {
            let code = errno
            close(fd)
            return emit(.record(FingerprintRecord(path: path, kind: .file, error: describeErrno(code))))
        }
        if opened.st_mode & S_IFMT != S_IFREG {
            close(fd)
            var record = FingerprintRecord(path: path, kind: .special, mtime: Int64(opened.st_mtim.tv_sec))
            record.note = "\(Self.describeType(opened.st_mode)) when opened (a regular file when checked); not read"
            return emit(.record(record))
        }
        if opened.st_dev != st.st_dev || opened.st_ino != st.st_ino {
            close(fd)
            return emit(
                .record(
                    FingerprintRecord(
                        path: path, kind: .file, error: "replaced by another file while being walked; not read")))
        }
        return emit(.file(path, fd: fd, opened: opened))
    }

    /// Lists the directory open as `fd` (and closes it), visiting its entries in byte order.
    private func walkDirectory(_ fd: Int32, path: RawName, ancestors: Set<DirectoryID>) -> Bool {
        guard let dir = fdopendir(fd) else {
            let code = errno
            close(fd)
            let record = FingerprintRecord(
                path: path, kind: .directory, error: "cannot list directory: \(describeErrno(code))")
            return emit(.record(record))
        }
        defer { closedir(dir) }
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
        // Byte order (memcmp, then length), which is `lexicographicallyPrecedes` on bytes, without its per-byte
        // generic comparison: a directory of many files is sorted on every walk.
        names.sort { a, b in
            let common = Swift.min(a.count, b.count)
            // Both non-empty when `common` > 0, so both base addresses exist.
            let order =
                common == 0
                ? 0
                : a.withUnsafeBufferPointer { x in
                    b.withUnsafeBufferPointer { y in memcmp(x.baseAddress!, y.baseAddress!, common) }
                }
            return order != 0 ? order < 0 : a.count < b.count
        }
        for name in names {
            let child = path.appending(component: name)
            guard visit(in: fd, name: name, path: child, isRoot: false, ancestors: ancestors) else { return false }
        }
        if let listError {
            let record = FingerprintRecord(
                path: path, kind: .directory, error: "directory listing incomplete: \(describeErrno(listError))")
            return emit(.record(record))
        }
        return true
    }

    private func readLink(in dirfd: Int32, name: [UInt8]) -> String {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = name.withCString { p in
            buf.withUnsafeMutableBytes {
                readlinkat(dirfd, p, $0.baseAddress!.assumingMemoryBound(to: CChar.self), 4096)
            }
        }
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
        return try copy.withUnsafeBufferPointer {
            try $0.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}
