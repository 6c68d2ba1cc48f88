#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

internal import CTSK
import EvidenceKit
import Foundation
import Synchronization

/// Opens disk images found in a fingerprint run (raw, split raw, E01, VMDK, VHD) and fingerprints every file of
/// every file system inside, through The Sleuth Kit: plug it into ``Fingerprinter/containers``.
///
/// The files of each file system are listed on the worker thread that met the image, in the file system's own
/// tree order (`tsk_fs_dir_walk`), then read on up to `--threads` threads, each with the image opened on its own
/// (The Sleuth Kit's handles are not safe to share between threads). Records come back in listing order, so the
/// manifest is the same whatever the thread count. See `docs/formats.md` for the records.
///
/// `Sendable`: it holds only settings.
package struct DiskImageReader: ContainerReader {
    /// Whether deleted files (names in unused directory entries) are listed and, where the file system still
    /// maps their content, hashed.
    package var deleted: Bool
    /// Whether an E01's stored MD5 and SHA-1 are checked against its media, read again whole (a mismatch is an
    /// error on the image's record); when not, the note says they were not checked.
    package var verifyStoredDigests: Bool

    package init(deleted: Bool = false, verifyStoredDigests: Bool = true) {
        self.deleted = deleted
        self.verifyStoredDigests = verifyStoredDigests
    }

    package func recognises(_ firstBlock: UnsafeRawBufferPointer, path: RawName) -> Bool {
        ImageSniffer.detect(firstBlock) != nil
    }

    package func expand(path: RawName, fd: Int32, options: FingerprintOptions) -> ContainerContents {
        var head = [UInt8](repeating: 0, count: 4096)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0,
            let format = head.withUnsafeBytes({ ImageSniffer.detect(UnsafeRawBufferPointer(rebasing: $0[0..<n])) })
        else {
            return ContainerContents(error: "disk image could not be read again: \(String(cString: strerror(errno)))")
        }
        // The Sleuth Kit opens images by name (and finds the other segments by name): make sure the name still
        // leads to the file the walk opened, so that nothing swapped in since is read in its place.
        var opened = stat()
        var named = stat()
        let cPath = path.bytes + [0]
        guard fstat(fd, &opened) == 0,
            cPath.withUnsafeBufferPointer({
                stat(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), &named)
            }) == 0,
            opened.st_dev == named.st_dev, opened.st_ino == named.st_ino
        else {
            return ContainerContents(
                error: "disk image not read: the name no longer leads to the file that was hashed (replaced or removed)"
            )
        }
        let image: TSKImage
        do {
            image = try TSKImage(path: path.bytes, format: format)
        } catch {
            return ContainerContents(error: error.message)
        }
        var listing = ImageListing(path: path, format: format, deleted: deleted)
        listing.list(image)
        let records = ImageHashing(listing: listing, options: options).run(first: image)
        var error = listing.error
        var note = listing.note
        if format == .ewf {
            // The digests acquisition stored in the E01, against the media as it reads now: an image that no
            // longer holds what was acquired is a finding on its record, whatever its files hash to.
            if verifyStoredDigests, !path.isValidUTF8 {
                let skipped = "stored MD5 and SHA-1 not checked (the image's name is not UTF-8)"
                note = note.map { "\($0); \(skipped)" } ?? skipped
            } else if verifyStoredDigests {
                let check = ImageVerifier.storedDigestCheck(e01: path.text)
                if !check.note.isEmpty { note = note.map { "\($0); \(check.note)" } ?? check.note }
                if let problem = check.error { error = error.map { "\($0); \(problem)" } ?? problem }
            } else {
                let skipped = "stored MD5 and SHA-1 not checked (--no-verify-images)"
                note = note.map { "\($0); \(skipped)" } ?? skipped
            }
        }
        return ContainerContents(records: records, error: error, note: note)
    }
}

/// A file found in a file system's listing, still to be read.
struct ListedFile: Sendable {
    /// The member chain: the partition (when there is a table), then the path in the file system.
    var member: [RawName]
    /// Which file system of the listing holds it (index into `ImageListing.volumes`).
    var volume: Int
    var kind: ItemKind
    var facts: FileSystemFacts
    var mtime: Int64?
    var size: UInt64
    /// The attribute to read: `nil` for the file's default content; an NTFS `$DATA` stream's id otherwise.
    var streamID: UInt16?
    /// Why it cannot be read (it goes into the record's error, or its note for a deleted file).
    var problem: String?
    var note: String?
}

/// Every file system of one image and every file in them, in tree order.
struct ImageListing {
    let path: RawName
    let format: ImageSniffer.Format
    let deleted: Bool
    /// Where each file system starts in the image, in bytes.
    var volumes: [UInt64] = []
    var files: [ListedFile] = []
    var error: String?
    var note: String?

    init(path: RawName, format: ImageSniffer.Format, deleted: Bool) {
        self.path = path
        self.format = format
        self.deleted = deleted
    }

    private mutating func fail(_ message: String) { error = error.map { "\($0); \(message)" } ?? message }
    private mutating func tell(_ message: String) { note = note.map { "\($0); \(message)" } ?? message }

    mutating func list(_ image: TSKImage) {
        let segments = image.segments
        var about = "\(format.rawValue) disk image, \(image.size) bytes"
        if segments.count > 1 {
            about +=
                " in \(segments.count) segments (\(segments.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")))"
        }
        tell(about)
        if let (table, partitions) = image.partitions() {
            tell("\(table) partition table, \(partitions.count) partition\(partitions.count == 1 ? "" : "s")")
            for p in partitions {
                if p.offset + p.length > image.size {
                    fail(
                        "\(p.memberName) extends past the end of the image (ends at byte \(p.offset + p.length), "
                            + "the image holds \(image.size)): truncated image or damaged partition table")
                    if p.offset >= image.size { continue }
                }
                do {
                    let fs = try image.openFileSystem(at: p.offset)
                    var facts = FileSystemFacts(fileSystem: fs.typeName, inode: 0)
                    facts.partition = p.number
                    facts.partitionType = p.description
                    facts.partitionOffset = p.offset
                    facts.volume = fs.volumeFacts
                    walk(fs, image: image, prefix: [RawName(p.memberName)], template: facts)
                } catch {
                    if Self.looksLikeFileSystem(image, at: p.offset) {
                        fail("\(p.memberName): file system could not be opened: \(error.message)")
                    } else {
                        tell("\(p.memberName): no file system recognised, not listed")
                    }
                }
            }
        } else {
            do {
                let fs = try image.openFileSystem(at: 0)
                var facts = FileSystemFacts(fileSystem: fs.typeName, inode: 0)
                facts.volume = fs.volumeFacts
                walk(fs, image: image, prefix: [], template: facts)
            } catch {
                fail("no partition table or file system could be read: \(error.message)")
            }
        }
    }

    /// Whether the bytes at `offset` start like a file system (so failing to open it is damage, not an unknown
    /// or empty partition such as swap).
    static func looksLikeFileSystem(_ image: TSKImage, at offset: UInt64) -> Bool {
        var b = [UInt8](repeating: 0, count: 4096)
        let n = b.withUnsafeMutableBytes { tsk_img_read(image.handle, TSK_OFF_T(offset), $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        return b.withUnsafeBytes { ImageSniffer.detect(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } == .raw
    }

    private mutating func walk(_ fs: FileSystem, image: TSKImage, prefix: [RawName], template: FileSystemFacts) {
        let volume = volumes.count
        volumes.append(UInt64(fs.handle.pointee.offset))
        let collector = DirectoryCollector(fs: fs, volume: volume, prefix: prefix, template: template)
        var flags = TSK_FS_DIR_WALK_FLAG_ALLOC.rawValue | TSK_FS_DIR_WALK_FLAG_RECURSE.rawValue
        flags |= deleted ? TSK_FS_DIR_WALK_FLAG_UNALLOC.rawValue : TSK_FS_DIR_WALK_FLAG_NOORPHAN.rawValue
        let failed = withExtendedLifetime(collector) {
            tsk_fs_dir_walk(
                fs.handle, fs.handle.pointee.root_inum, TSK_FS_DIR_WALK_FLAG_ENUM(flags), directoryEntry,
                Unmanaged.passUnretained(collector).toOpaque()) != 0
        }
        let where_ = prefix.first.map { "\($0.text): " } ?? ""
        if failed {
            fail("\(where_)\(fs.typeName) file system could not be listed whole: \(tskError("directory walk failed"))")
        }
        if fs.handle.pointee.last_block > fs.handle.pointee.last_block_act {
            fail(
                "\(where_)\(fs.typeName) file system is larger than the image holds (block \(fs.handle.pointee.last_block) "
                    + "of \(fs.handle.pointee.last_block_act) present): truncated image")
        }
        files += collector.files
    }
}

/// Collects the files `tsk_fs_dir_walk` visits. A class so that its address can be the walk's context pointer.
///
/// Not `Sendable`: filled by the one thread that walks.
private final class DirectoryCollector {
    let fs: FileSystem
    let volume: Int
    let prefix: [RawName]
    let template: FileSystemFacts
    var files: [ListedFile] = []

    init(fs: FileSystem, volume: Int, prefix: [RawName], template: FileSystemFacts) {
        self.fs = fs
        self.volume = volume
        self.prefix = prefix
        self.template = template
    }

    func visit(_ file: UnsafeMutablePointer<TSK_FS_FILE>, parent: UnsafePointer<CChar>?) {
        guard let name = file.pointee.name, let cName = name.pointee.name else { return }
        let base = Array(UnsafeRawBufferPointer(start: cName, count: strlen(cName)))
        if base == [0x2E] || base == [0x2E, 0x2E] { return }
        let meta = file.pointee.meta
        let metaType = meta?.pointee.type ?? TSK_FS_META_TYPE_UNDEF
        let kind: ItemKind
        if metaType == TSK_FS_META_TYPE_REG || (meta == nil && name.pointee.type == TSK_FS_NAME_TYPE_REG) {
            kind = .member
        } else if metaType == TSK_FS_META_TYPE_LNK || (meta == nil && name.pointee.type == TSK_FS_NAME_TYPE_LNK) {
            kind = .symlink
        } else {
            return  // directories (walked into), devices, and The Sleuth Kit's virtual files
        }
        var path = parent.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
        path += base
        var facts = template
        facts.inode = UInt64(name.pointee.meta_addr)
        facts.deleted = name.pointee.flags.rawValue & TSK_FS_NAME_FLAG_UNALLOC.rawValue != 0
        var listed = ListedFile(
            member: prefix + [RawName(path)], volume: volume, kind: kind, facts: facts, mtime: nil, size: 0,
            streamID: nil, problem: nil, note: nil)
        guard let meta else {
            listed.problem = "metadata not readable: content not hashed"
            files.append(listed)
            return
        }
        func time(_ t: time_t) -> Int64? { t == 0 ? nil : Int64(t) }
        listed.mtime = time(meta.pointee.mtime)
        listed.facts.accessed = time(meta.pointee.atime)
        listed.facts.changed = time(meta.pointee.ctime)
        listed.facts.created = time(meta.pointee.crtime)
        listed.size = UInt64(max(0, meta.pointee.size))
        if kind == .symlink, let link = meta.pointee.link { listed.note = "symlink to \(String(cString: link))" }
        if facts.deleted, meta.pointee.flags.rawValue & TSK_FS_META_FLAG_ALLOC.rawValue != 0 {
            // The name is unused but its inode belongs to some file again: what it points to is not this file.
            listed.facts.possiblyOverwritten = true
        }
        guard kind == .member, fs.isNTFS else {
            files.append(listed)
            return
        }
        // NTFS: the unnamed $DATA stream is the file's content; each named one is an alternate data stream,
        // recorded as `name:stream`.
        var streams: [ListedFile] = []
        var sawDefault = false
        for i in 0..<max(0, tsk_fs_file_attr_getsize(file)) {
            guard let attr = tsk_fs_file_attr_get_idx(file, i), attr.pointee.type == TSK_FS_ATTR_TYPE_NTFS_DATA else {
                continue
            }
            let streamName = attr.pointee.name.map { String(cString: $0) } ?? ""
            var s = listed
            s.streamID = attr.pointee.id
            s.size = UInt64(max(0, attr.pointee.size))
            if streamName.isEmpty || streamName == "$Data" {
                sawDefault = true
                streams.insert(s, at: 0)
            } else {
                s.member[s.member.count - 1] = RawName(path + [0x3A] + Array(streamName.utf8))
                s.facts.stream = streamName
                streams.append(s)
            }
        }
        tsk_error_reset()
        if !sawDefault { streams.insert(listed, at: 0) }
        files += streams
    }
}

/// The `tsk_fs_dir_walk` callback: hands each entry to the `DirectoryCollector` behind `context`.
private func directoryEntry(
    _ file: UnsafeMutablePointer<TSK_FS_FILE>?, _ parent: UnsafePointer<CChar>?, _ context: UnsafeMutableRawPointer?
) -> TSK_WALK_RET_ENUM {
    guard let file, let context else { return TSK_WALK_CONT }
    Unmanaged<DirectoryCollector>.fromOpaque(context).takeUnretainedValue().visit(file, parent: parent)
    return TSK_WALK_CONT
}

extension DiskImageReader {
    /// The reader an `acquired` custody entry's parameters ask for (`images`, `deleted`, as `evidence add` records
    /// them), for `custody verify --rehash`; `nil` when the images were hashed as files only. An entry made before
    /// `evidence add` read images has no `images` parameter: its images were hashed as files only.
    package static let forAcquisition: @Sendable ([String: String]) -> (any ContainerReader)? = { parameters in
        parameters["images"] == "yes"
            ? DiskImageReader(
                deleted: parameters["deleted"] == "yes", verifyStoredDigests: parameters["verify_images"] != "no")
            : nil
    }
}
