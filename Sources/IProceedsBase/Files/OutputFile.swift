internal import CSysCall

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an ``OutputFile`` could not be written. Each kit turns it into its own error type (with the same path,
/// function and `errno`), so that a command's exit status still comes from one kit's code.
package struct OutputFileError: Error, CustomStringConvertible, Sendable, Equatable {
    package enum Code: String, CaseIterable, Sendable {
        /// The target exists and may not be replaced (``OutputFile/Existing/refuse``), at the start or at commit.
        case exists
        /// The path names a folder (`.`, `..`, a trailing slash), not a file.
        case notAFile = "not-a-file"
        /// A system call failed: the folder cannot be opened, the disk is full, the file cannot be synced or moved.
        case io
    }

    package let code: Code
    package let message: String
    /// The path involved (the target, or the temporary file or folder whose system call failed).
    package let path: String
    /// The C function that failed, when there is one.
    package let function: String?
    /// The `errno` value, when there is one.
    package let systemCode: Int32?

    package init(_ code: Code, _ message: String, path: String, function: String? = nil, systemCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.function = function
        self.systemCode = systemCode
    }

    /// A failed system call, with `errno`'s text as examiners read it ("write out.json: no space left on device").
    static func system(_ function: String, path: String, errno code: Int32 = errno) -> OutputFileError {
        OutputFileError(
            .io, "\(function) \(path): \(Self.describe(code))", path: path, function: function, systemCode: code)
    }

    /// `strerror` text for an errno value, lower-cased.
    package static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let s = String(cString: text)
        guard let first = s.first else { return s }
        return first.lowercased() + s.dropFirst()
    }

    package var description: String { message }
}

/// A file written whole or not at all: the one way iproceeds writes a report, a manifest, a key, a vault, a
/// package or a new case file.
///
/// The bytes go to a new file with a random name beside the target (`.NAME.RANDOM.partial`), created with
/// `O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC` through a descriptor of the target's folder, so a name planted in
/// advance (a symbolic link, a file) is never opened or followed, and two runs writing the same target each get
/// their own. ``commit()`` syncs the file, renames it over the target (or, with ``Existing/refuse``, with
/// `renameat2(RENAME_NOREPLACE)`, which fails if the target appeared meanwhile), then syncs the folder. A file
/// that is never committed is removed; a killed process leaves only its `.partial` file, never a half-written
/// target.
///
/// Not `Sendable`: one writer owns it.
package final class OutputFile {
    /// What to do when the target exists.
    package enum Existing: Sendable {
        /// Replace it at commit, atomically: readers see the old file or the new one, never a mix.
        case replace
        /// Refuse: the target must not exist, at the start or at commit (`RENAME_NOREPLACE`).
        case refuse
    }

    /// The target path.
    package let path: String
    /// The temporary file's descriptor, open for writing until ``commit()`` or ``discard()``.
    package let fileDescriptor: Int32
    /// The temporary file's path (in the target's folder).
    package let temporaryPath: String
    private let directory: Int32
    private let finalName: String
    private let temporaryName: String
    private let existing: Existing
    private var open = true

    /// Creates the temporary file beside `path`.
    /// - Parameters:
    ///   - mode: the new file's permission bits (before the umask): 0o600 for keys and vaults.
    ///   - existing: whether an existing target may be replaced.
    /// - Throws: ``OutputFileError`` `.io` when the folder cannot be opened or written, `.exists` when the target
    ///   exists and `existing` is ``Existing/refuse``, `.notAFile` when the path names a folder.
    package init(path: String, mode: mode_t = 0o644, existing: Existing = .replace) throws {
        self.path = path
        self.existing = existing
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        finalName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !finalName.isEmpty, finalName != ".", finalName != ".." else {
            throw OutputFileError(.notAFile, "\(path) names a folder, not a file", path: path)
        }
        let dir = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw OutputFileError.system("open", path: folder) }
        if existing == .refuse {
            var st = stat()
            if fstatat(dir, finalName, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                close(dir)
                throw OutputFileError(
                    .exists, "\(path) already exists", path: path, function: "fstatat", systemCode: EEXIST)
            }
        }
        // Keep the temporary name within NAME_MAX (255) whatever the target's length.
        let stem = String(decoding: Array(finalName.utf8.prefix(200)), as: UTF8.self)
        var fd: Int32 = -1
        var name = ""
        for _ in 0..<100 {
            name = "." + stem + "." + Self.randomSuffix() + ".partial"
            fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else {
            let code = errno
            close(dir)
            throw OutputFileError.system("open", path: folder + "/" + name, errno: code)
        }
        directory = dir
        fileDescriptor = fd
        temporaryName = name
        temporaryPath = (folder == "/" ? "" : folder) + "/" + name
    }

    deinit {
        if open { discard() }
        close(directory)
    }

    /// Twelve characters from [a-z0-9], from the system's random source.
    private static func randomSuffix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var g = SystemRandomNumberGenerator()
        return String(
            decoding: (0..<12).map { _ in alphabet[Int(g.next(upperBound: UInt64(alphabet.count)))] }, as: UTF8.self)
    }

    /// Writes all of `bytes`, retrying short writes. The corresponding C function is `write`.
    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        try Self.writeAll(fileDescriptor, bytes, path: path)
    }

    /// Writes every byte to `fd`, resuming after short writes and interrupted calls. The corresponding C function is
    /// `write`.
    /// - Throws: ``OutputFileError`` `.io` with `errno` when a write fails (disk full, closed pipe), naming `path`.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputFileError.system("write", path: path)
            }
            offset += n
        }
    }

    /// Writes all of `bytes`.
    package func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Syncs the file, moves it into place and syncs the folder.
    /// - Throws: ``OutputFileError`` `.io` when a step fails (the temporary file is then removed), or `.exists`
    ///   when the target appeared meanwhile and may not be replaced.
    package func commit() throws {
        precondition(open, "OutputFile committed twice")
        guard fsync(fileDescriptor) == 0 else {
            let e = OutputFileError.system("fsync", path: path)
            discard()
            throw e
        }
        close(fileDescriptor)
        open = false
        let moved: Int32
        switch existing {
        case .replace: moved = renameat(directory, temporaryName, directory, finalName)
        case .refuse: moved = Self.renameNoReplace(directory, temporaryName, finalName)
        }
        guard moved == 0 else {
            let code = errno
            unlinkat(directory, temporaryName, 0)
            if code == EEXIST {
                throw OutputFileError(
                    .exists, "\(path) already exists", path: path, function: "renameat2", systemCode: code)
            }
            throw OutputFileError.system("rename", path: path, errno: code)
        }
        // The rename is durable only once the folder's entry is on disk.
        fsync(directory)
    }

    /// Moves without replacing: `renameat2(RENAME_NOREPLACE)`, or where the file system does not offer it
    /// (`EINVAL`, `ENOSYS`), a hard link (which also fails on an existing name) and an unlink.
    private static func renameNoReplace(_ dir: Int32, _ from: String, _ to: String) -> Int32 {
        if CSysCall_renameat2(dir, from, dir, to, CSysCall_RENAME_NOREPLACE) == 0 { return 0 }
        guard errno == EINVAL || errno == ENOSYS || errno == ENOTSUP else { return -1 }
        guard linkat(dir, from, dir, to, 0) == 0 else { return -1 }
        unlinkat(dir, from, 0)
        return 0
    }

    /// Closes and removes the temporary file; the target is untouched.
    package func discard() {
        guard open else { return }
        open = false
        close(fileDescriptor)
        unlinkat(directory, temporaryName, 0)
    }

    /// Writes `bytes` to `path` whole or not at all.
    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, existing: Existing = .replace)
        throws
    {
        let file = try OutputFile(path: path, mode: mode, existing: existing)
        try file.write(bytes)
        try file.commit()
    }
}

@available(*, unavailable)
extension OutputFile: Sendable {}
