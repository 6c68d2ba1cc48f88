/// What a file system says of a file found inside a disk image: where it is (partition, file system) and the
/// file system's own identity and times for it. See `docs/formats.md` (the `fs` object).
/// A file system inside a disk image as The Sleuth Kit opened it: what DFXML's `<volume>` element holds, with the
/// element names and values fiwalk writes.
package struct VolumeFacts: Sendable, Equatable {
    /// Where the file system starts in the image, in bytes (`offset` attribute and `partition_offset`).
    package var offset: UInt64
    package var blockSize: UInt32
    /// The Sleuth Kit's `TSK_FS_TYPE_ENUM` value (`ftype`) and its name (`ftype_str`).
    package var fileSystemType: UInt32
    package var fileSystemTypeName: String
    package var blockCount: UInt64
    package var firstBlock: UInt64
    package var lastBlock: UInt64

    package init(
        offset: UInt64, blockSize: UInt32, fileSystemType: UInt32, fileSystemTypeName: String, blockCount: UInt64,
        firstBlock: UInt64, lastBlock: UInt64
    ) {
        self.offset = offset
        self.blockSize = blockSize
        self.fileSystemType = fileSystemType
        self.fileSystemTypeName = fileSystemTypeName
        self.blockCount = blockCount
        self.firstBlock = firstBlock
        self.lastBlock = lastBlock
    }
}

package struct FileSystemFacts: Sendable, Equatable {
    /// The partition's number, from 1, in the order of the partition table; `nil` for a file system with no table.
    package var partition: Int?
    /// The partition's type as the table gives it (`Linux (0x83)`, `Basic data partition`).
    package var partitionType: String?
    /// Where the partition starts, in bytes from the start of the image.
    package var partitionOffset: UInt64?
    /// The file system: `ext4`, `ntfs`, `fat16`, `exfat`, `iso9660`, `hfs` …
    package var fileSystem: String
    /// The inode, MFT entry or directory-entry address of the file's metadata.
    package var inode: UInt64
    /// The name of an NTFS alternate data stream, for the stream's own record.
    package var stream: String?
    /// Whether the name was found in a directory entry marked unused (a deleted file, `--deleted`).
    package var deleted = false
    /// For a deleted file: its metadata or some of its blocks are allocated again to something else, so the
    /// content read may not be the file's.
    package var possiblyOverwritten = false
    /// Access, metadata-change and creation times, seconds since the epoch, where the file system keeps them.
    package var accessed: Int64?
    package var changed: Int64?
    package var created: Int64?
    /// The file system the file is in, as DFXML's `<volume>` describes it (not written to JSON Lines).
    package var volume: VolumeFacts?

    package init(fileSystem: String, inode: UInt64) {
        self.fileSystem = fileSystem
        self.inode = inode
    }
}
