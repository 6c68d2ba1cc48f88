#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a fingerprint run reads its inputs.
package struct FingerprintOptions: Sendable, Equatable {
    /// The algorithms computed over every item, in one read of the data (canonical order).
    package var algorithms: [DigestAlgorithm] = [.sha256]
    /// When set, every block of this many bytes also gets its own digests (hashdeep `-p`).
    package var pieceSize: UInt64?
    /// Worker threads reading files at once. Use 1 for spinning disks, where parallel reads make the head seek.
    package var threads: Int = FingerprintOptions.defaultThreads
    /// Whether archives are opened and their members fingerprinted.
    package var archives = true
    /// How deep archives inside archives are opened (members of an archive on disk are at depth 1).
    package var maxDepth = 8
    /// How many bytes may be decompressed out of one archive on disk, all nesting levels counted.
    package var maxExpand: UInt64 = 64 << 30
    /// How many bytes may be decompressed out of all the archives of one run together.
    package var maxExpandTotal: UInt64 = 256 << 30
    /// `fnmatch(3)` patterns; an item is skipped when a pattern matches its whole path or its last component.
    package var excludes: [String] = []
    /// Whether symbolic links are followed (loops are detected and recorded).
    package var followSymlinks = false

    package init() {}

    /// The deepest archive nesting that can be asked for: every level is read by one recursion on the scanning
    /// thread, whose stack is sized for this many (see ``scanStackSize``).
    package static let maxDepthLimit = 64

    /// The scanning thread's stack. Measured (debug build) at about 14 KiB per level of nested zips, so 64 levels
    /// take about 1 MiB of it; the rest is room for the decoders libarchive calls at the deepest level.
    static let scanStackSize = 16 << 20

    /// How much of a kernel pseudo-file (procfs, sysfs and the like, which report a size of 0) is read: such a
    /// file can be endless (`/proc/self/pagemap`). Past this the record gets an `error`.
    package static let pseudoFileLimit: UInt64 = 64 << 20

    /// The number of online processors.
    package static var defaultThreads: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Whether `name` (a path or member path) matches an `--exclude` pattern, on its whole or its last component.
    func isExcluded(_ name: [UInt8]) -> Bool {
        guard !excludes.isEmpty else { return false }
        let whole = String(decoding: name, as: UTF8.self)
        let trimmed = name.last == UInt8(ascii: "/") ? name.dropLast() : name[...]
        let base = String(decoding: trimmed.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self)
        for pattern in excludes where fnmatch(pattern, whole, 0) == 0 || fnmatch(pattern, base, 0) == 0 {
            return true
        }
        return false
    }
}
