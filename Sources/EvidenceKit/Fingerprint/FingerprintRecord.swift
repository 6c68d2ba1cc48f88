/// What a fingerprinted item is.
package enum ItemKind: String, Sendable, Codable, CaseIterable {
    /// A regular file on disk.
    case file
    /// A member of an archive (at any depth).
    case member
    /// A symbolic link: recorded with its target in `note`, not followed.
    case symlink
    /// A device, FIFO or socket: recorded, never read.
    case special
    /// A directory that could not be listed (recorded only with an `error`).
    case directory
}

/// One line of a manifest: what was fingerprinted, its digests, and anything that went wrong.
package struct FingerprintRecord: Sendable, Equatable {
    /// The path on disk, as reached from the PATH argument given.
    package var path: RawName
    /// For archive members, the member paths from the outermost archive inwards, exactly as stored.
    package var member: [RawName]
    package var kind: ItemKind
    /// Bytes read (for content that was read whole) or the size the file system or archive reports.
    package var size: UInt64?
    /// Digests in canonical algorithm order, parallel to the run's algorithms; empty when not read whole.
    package var digests: [DigestAlgorithm: String]
    /// Per-piece digests when piecewise hashing was asked for.
    package var pieces: [PieceDigest]?
    /// Modification time, seconds since the epoch (UTC).
    package var mtime: Int64?
    /// Something the examiner should know that is not a failure (a symlink's target, a hard link).
    package var note: String?
    /// Why the item could not be read whole. A record with an error makes the run exit 1.
    package var error: String?
    /// For a file inside a disk image: its partition, file system, inode and times.
    package var filesystem: FileSystemFacts?
    /// The name of the first `--known` hash set that holds one of the record's digests.
    package var known: String?
    /// The name of the first `--known-bad` hash set that holds one of the record's digests.
    package var alert: String?

    package init(
        path: RawName, member: [RawName] = [], kind: ItemKind, size: UInt64? = nil,
        digests: [DigestAlgorithm: String] = [:], pieces: [PieceDigest]? = nil, mtime: Int64? = nil,
        note: String? = nil, error: String? = nil
    ) {
        self.path = path
        self.member = member
        self.kind = kind
        self.size = size
        self.digests = digests
        self.pieces = pieces
        self.mtime = mtime
        self.note = note
        self.error = error
    }

    /// The identity of the item within a manifest: its path and member chain.
    package var key: ItemKey { ItemKey(path: path, member: member) }
}

/// The identity of an item within a manifest: disk path plus member chain.
package struct ItemKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var path: RawName
    package var member: [RawName]

    package init(path: RawName, member: [RawName]) {
        self.path = path
        self.member = member
    }

    /// Manifest order: by path component-wise, then by the member chain element by element.
    package static func < (lhs: ItemKey, rhs: ItemKey) -> Bool {
        if lhs.path != rhs.path { return RawName.treeOrder(lhs.path, rhs.path) }
        return memberOrder(lhs.member, rhs.member)
    }

    static func memberOrder(_ a: [RawName], _ b: [RawName]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x < y }
        return a.count < b.count
    }

    /// A readable rendering: `path` or `path » member » member`.
    package var description: String {
        ([path] + member).map(\.text).joined(separator: " » ")
    }
}
