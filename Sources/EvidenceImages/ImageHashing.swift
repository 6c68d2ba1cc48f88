#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

internal import CTSK
import EvidenceKit
import Foundation
import Synchronization

/// Reads and hashes the files of an `ImageListing` on up to `threads` threads, each with the image opened on its
/// own, and returns their records in listing order.
struct ImageHashing {
    let listing: ImageListing
    let algorithms: [DigestAlgorithm]
    let threads: Int

    static let bufferSize = 1 << 20

    /// - Parameter first: the image the listing was made from, used by this thread.
    func run(first: TSKImage) -> [FingerprintRecord] {
        let files = listing.files
        guard !files.isEmpty else { return [] }
        let next = Atomic<Int>(0)
        let results = Mutex<[Int: FingerprintRecord]>([:])
        let workers = min(max(1, threads), files.count)
        let group = DispatchGroup()
        let listing = self.listing
        let algorithms = self.algorithms
        // The other threads open the image again: The Sleuth Kit's handles are not shared between threads.
        for i in 1..<max(1, workers) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let image = try? TSKImage(path: listing.path.bytes, format: listing.format)
                let reader = FileReader(listing: listing, image: image, algorithms: algorithms)
                var mine: [(Int, FingerprintRecord)] = []
                while case let k = next.add(1, ordering: .relaxed).oldValue, k < files.count {
                    mine.append((k, reader.record(files[k])))
                }
                results.withLock { r in for (k, v) in mine { r[k] = v } }
            }
            thread.name = "iproceeds-image-\(i)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        let reader = FileReader(listing: listing, image: first, algorithms: algorithms)
        var mine: [(Int, FingerprintRecord)] = []
        while case let k = next.add(1, ordering: .relaxed).oldValue, k < files.count {
            mine.append((k, reader.record(files[k])))
        }
        group.wait()
        return results.withLock { r in
            for (k, v) in mine { r[k] = v }
            return (0..<files.count).map { r[$0]! }
        }
    }
}

/// Reads files of one image through one thread's own `TSKImage`, with a buffer and digests reused from file
/// to file.
///
/// Not `Sendable`: one per thread.
private final class FileReader {
    let listing: ImageListing
    let image: TSKImage?
    let algorithms: [DigestAlgorithm]
    private var fileSystems: [Int: FileSystem] = [:]
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ImageHashing.bufferSize, alignment: 64)
    private let digesters: [Digester]

    init(listing: ImageListing, image: TSKImage?, algorithms: [DigestAlgorithm]) {
        self.listing = listing
        self.image = image
        self.algorithms = algorithms
        self.digesters = algorithms.map { Digester($0) }
    }

    deinit { buffer.deallocate() }

    private func fileSystem(_ volume: Int) throws(ImageOpenError) -> FileSystem {
        if let fs = fileSystems[volume] { return fs }
        guard let image else { throw ImageOpenError("the image could not be opened again on this thread") }
        let fs = try image.openFileSystem(at: listing.volumes[volume])
        fileSystems[volume] = fs
        return fs
    }

    func record(_ file: ListedFile) -> FingerprintRecord {
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
            offset += UInt64(n)
        }
        if initialised < file.size {
            r.note = "bytes \(initialised) to \(file.size) lie past the stream's initialised size: hashed as the "
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
