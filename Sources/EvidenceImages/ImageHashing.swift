#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

internal import CTSK
import EvidenceKit
import Foundation
import Synchronization

/// Reads and hashes the files of an `ImageListing` on up to `options.threads` threads, each with the image opened
/// on its own, and returns their records (each file's followed by its archive members') in listing order.
struct ImageHashing {
    let listing: ImageListing
    let options: FingerprintOptions

    static let bufferSize = 1 << 20
    /// Archives inside the image are listed on these threads, nested ones by recursion: room for 64 levels.
    static let stackSize = 16 << 20

    /// - Parameter first: the image the listing was made from; the first thread reads through it (the calling
    ///   thread only waits, so the handle is never used by two threads at once).
    func run(first: TSKImage) -> [FingerprintRecord] {
        let files = listing.files
        guard !files.isEmpty else { return [] }
        let next = Atomic<Int>(0)
        let results = Mutex<[Int: [FingerprintRecord]]>([:])
        let workers = min(max(1, options.threads), files.count)
        let group = DispatchGroup()
        let listing = self.listing
        let options = self.options
        let handOver = UncheckedImage(image: first)
        for i in 0..<workers {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                // The other threads open the image again: The Sleuth Kit's handles are not shared between threads.
                let image = i == 0 ? handOver.image : try? TSKImage(path: listing.path.bytes, format: listing.format)
                let reader = FileReader(listing: listing, image: image, options: options)
                var mine: [(Int, [FingerprintRecord])] = []
                while case let k = next.add(1, ordering: .relaxed).oldValue, k < files.count {
                    mine.append((k, reader.records(files[k])))
                }
                results.withLock { r in for (k, v) in mine { r[k] = v } }
            }
            thread.name = "iproceeds-image-\(i)"
            thread.stackSize = Self.stackSize
            thread.start()
        }
        group.wait()
        return results.withLock { r in (0..<files.count).flatMap { r[$0]! } }
    }
}

/// The image the listing was made from, handed to the first reading thread.
///
/// `@unchecked Sendable`: the thread that made it waits while the reading thread uses it, and uses it again only
/// after `group.wait()`.
private struct UncheckedImage: @unchecked Sendable {
    let image: TSKImage
}

/// Reads files of one image through one thread's own `TSKImage`, with a buffer and digests reused from file
/// to file.
///
/// Not `Sendable`: one per thread.
private final class FileReader {
    let listing: ImageListing
    let image: TSKImage?
    let options: FingerprintOptions
    private var fileSystems: [Int: FileSystem] = [:]
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ImageHashing.bufferSize, alignment: 64)
    private let digesters: [Digester]

    private var algorithms: [DigestAlgorithm] { options.algorithms }

    init(listing: ImageListing, image: TSKImage?, options: FingerprintOptions) {
        self.listing = listing
        self.image = image
        self.options = options
        self.digesters = options.algorithms.map { Digester($0) }
    }

    /// The file's record followed, when it is an archive, by its members' records.
    func records(_ file: ListedFile) -> [FingerprintRecord] {
        var held: [UInt8]? = nil
        var record = record(file, holding: &held)
        guard let held, record.error == nil, !record.digests.isEmpty else { return [record] }
        let listing = held.withUnsafeBytes {
            EmbeddedArchives.list($0, path: record.path, chain: record.member, options: options)
        }
        if let error = listing.error { record.error = record.error.map { "\($0); \(error)" } ?? error }
        if let note = listing.note { record.note = record.note.map { "\($0); \(note)" } ?? note }
        return [record] + listing.members
    }

    deinit { buffer.deallocate() }

    private func fileSystem(_ volume: Int) throws(ImageOpenError) -> FileSystem {
        if let fs = fileSystems[volume] { return fs }
        guard let image else { throw ImageOpenError("the image could not be opened again on this thread") }
        let fs = try image.openFileSystem(at: listing.volumes[volume])
        fileSystems[volume] = fs
        return fs
    }

    /// Reads and hashes one file; when its first block looks like an archive small enough to list from memory,
    /// its bytes are kept in `held`.
    func record(_ file: ListedFile, holding held: inout [UInt8]?) -> FingerprintRecord {
        var r = FingerprintRecord(path: listing.path, member: file.member, kind: file.kind, mtime: file.mtime)
        r.filesystem = file.facts
        r.size = file.size
        r.note = file.note
        // A deleted file whose content is gone is what deletion means, not a failure: a note, not an error.
        func problem(_ message: String) {
            if file.facts.deleted { r.note = message } else { r.error = message }
        }
        if let p = file.problem {
            problem(p)
            return r
        }
        guard file.kind == .member else { return r }
        let fs: FileSystem
        do { fs = try fileSystem(file.volume) } catch {
            problem(error.message)
            return r
        }
        guard let handle = tsk_fs_file_open_meta(fs.handle, nil, TSK_INUM_T(file.facts.inode)) else {
            problem("metadata \(file.facts.inode) could not be read: \(tskError("unknown error"))")
            return r
        }
        defer { tsk_fs_file_close(handle) }
        if file.facts.deleted, !r.filesystem!.possiblyOverwritten,
            reallocated(handle, fs: fs, streamID: file.streamID)
        {
            r.filesystem!.possiblyOverwritten = true
        }
        let attribute =
            if let id = file.streamID { tsk_fs_file_attr_get_type(handle, TSK_FS_ATTR_TYPE_NTFS_DATA, id, 1) } else {
                tsk_fs_file_attr_get(handle)
            }
        guard let attribute else {
            if file.size == 0 {
                tsk_error_reset()  // no content attribute at all: an empty file
                for (alg, d) in zip(algorithms, digesters) { r.digests[alg] = d.finalizeHex() }
            } else {
                problem("content not found: \(tskError("no data attribute"))")
            }
            return r
        }
        let nonResident = attribute.pointee.flags.rawValue & TSK_FS_ATTR_NONRES.rawValue != 0
        let initialised = nonResident ? UInt64(max(0, attribute.pointee.nrd.initsize)) : file.size
        var offset: UInt64 = 0
        while offset < file.size {
            let want = Int(min(UInt64(buffer.count), file.size - offset))
            if offset >= initialised {
                // Past an NTFS stream's initialised size the content reads as zeros (the file system never wrote
                // it); The Sleuth Kit returns nothing there.
                buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: want)
                for d in digesters { d.update(UnsafeRawBufferPointer(rebasing: buffer[0..<want])) }
                offset += UInt64(want)
                continue
            }
            let ptr = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            let n = tsk_fs_attr_read(attribute, TSK_OFF_T(offset), ptr, want, TSK_FS_FILE_READ_FLAG_NONE)
            guard n > 0 else {
                for d in digesters { _ = d.finalizeHex() }  // start over for the next file
                let reason = tskError(n == 0 ? "content ends early" : "unknown error")
                if file.facts.deleted {
                    r.note = "content recoverable only up to byte \(offset) of \(file.size) (\(reason)): not hashed"
                } else {
                    r.error = "read error at offset \(offset): \(reason)"
                }
                return r
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            for d in digesters { d.update(chunk) }
            if offset == 0, options.archives, options.maxDepth >= 1,
                EmbeddedArchives.looksLikeArchive(
                    UnsafeRawBufferPointer(rebasing: chunk.prefix(EmbeddedArchives.prefixLength)))
            {
                if file.size <= UInt64(EmbeddedArchives.memoryLimit) {
                    held = []
                    held!.reserveCapacity(Int(file.size))
                } else {
                    r.note =
                        "an archive larger than \(EmbeddedArchives.memoryLimit >> 20) MiB inside a disk image: "
                        + "hashed, members not listed"
                }
            }
            if held != nil { held!.append(contentsOf: chunk) }
            offset += UInt64(n)
        }
        if initialised < file.size {
            r.note =
                "bytes \(initialised) to \(file.size) lie past the stream's initialised size: hashed as the "
                + "zeros NTFS reads there"
        }
        for (alg, d) in zip(algorithms, digesters) { r.digests[alg] = d.finalizeHex() }
        return r
    }

    /// Whether any block the deleted file's content still points to is allocated again.
    private func reallocated(_ file: UnsafeMutablePointer<TSK_FS_FILE>, fs: FileSystem, streamID: UInt16?) -> Bool {
        let attr =
            if let streamID { tsk_fs_file_attr_get_type(file, TSK_FS_ATTR_TYPE_NTFS_DATA, streamID, 1) } else {
                tsk_fs_file_attr_get(file)
            }
        guard let attr else {
            tsk_error_reset()
            return false
        }
        guard attr.pointee.flags.rawValue & TSK_FS_ATTR_NONRES.rawValue != 0 else { return false }
        var run = attr.pointee.nrd.run
        while let r = run {
            let skip = TSK_FS_ATTR_RUN_FLAG_SPARSE.rawValue | TSK_FS_ATTR_RUN_FLAG_FILLER.rawValue
            if r.pointee.flags.rawValue & skip == 0 {
                for b in 0..<r.pointee.len where fs.blockAllocated(r.pointee.addr + b) { return true }
            }
            run = r.pointee.next
        }
        return false
    }
}
