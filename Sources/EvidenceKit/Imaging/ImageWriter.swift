internal import CSysCall
import Foundation
import IProceedsBase

/// Where the imager's bytes go: written in order by one writer thread, under the image's partial names
/// (`BASE.partial.raw`, `BASE.partial.001`, `BASE.partial.E01`, ...) until the imager renames them.
protocol ImageWriter: AnyObject {
    /// Appends `bytes` to the image.
    /// - Throws: ``EvidenceError`` `.io` (with `errno`: `ENOSPC` for a full disk) when the output cannot be written.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Finishes the image's files (final metadata, sync) and closes them.
    func finish() throws
    /// Closes whatever is open without finishing; the files stay, under their partial names.
    func abandon()
    /// The files written so far, partial paths in order.
    var partialPaths: [String] { get }
    /// Bytes of source the files hold, also after a failed write.
    var bytesWritten: UInt64 { get }
    /// SHA-256 of each file, when the writer computed it while writing (nil: the imager reads the file back).
    var segmentDigests: [String]? { get }
}

/// A raw image: one file `BASE.raw`, or `BASE.001`, `BASE.002`, ... of `segmentSize` bytes each.
///
/// Not `Sendable`: used by the imager's writer queue only.
final class RawImageWriter: ImageWriter {
    private let partialBase: String
    private let segmentSize: UInt64?
    private let hashSegments: Bool
    private(set) var partialPaths: [String] = []
    private var digests: [String] = []
    private var fd: Int32 = -1
    private var fill: UInt64 = 0
    private(set) var bytesWritten: UInt64 = 0
    private var hasher: DigestContext?

    /// - Parameters:
    ///   - partialBase: `BASE.partial`; the writer appends `.raw` or `.001`, `.002`, ...
    ///   - hashSegments: compute each file's SHA-256 while writing.
    init(partialBase: String, segmentSize: UInt64?, hashSegments: Bool) throws {
        self.partialBase = partialBase
        self.segmentSize = segmentSize
        self.hashSegments = hashSegments
        try openNext()
    }

    deinit { if fd >= 0 { close(fd) } }

    var segmentDigests: [String]? { hashSegments ? digests : nil }

    static func extensions(split: Bool, count: Int) -> [String] {
        split ? (1...max(count, 1)).map { String(format: ".%03d", $0) } : [".raw"]
    }

    private func openNext() throws {
        if fd >= 0 { try closeCurrent() }
        let path = partialBase + (segmentSize == nil ? ".raw" : String(format: ".%03d", partialPaths.count + 1))
        let opened = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o444)
        guard opened >= 0 else { throw EvidenceError.system("open", path: path) }
        fd = opened
        fill = 0
        partialPaths.append(path)
        hasher = hashSegments ? DigestContext(.sha256) : nil
    }

    private func closeCurrent() throws {
        let path = partialPaths.last ?? partialBase
        guard fsync(fd) == 0 else { throw EvidenceError.system("fsync", path: path) }
        guard close(fd) == 0 else {
            fd = -1
            throw EvidenceError.system("close", path: path)
        }
        fd = -1
        if let hasher { digests.append(hasher.finalizeHex()) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            if let segmentSize, fill == segmentSize { try openNext() }
            let room = segmentSize.map { Int(min(UInt64(rest.count), $0 - fill)) } ?? rest.count
            let part = UnsafeRawBufferPointer(rebasing: rest[0..<room])
            do { try EvidenceError.writing { try OutputFile.writeAll(fd, part, path: partialPaths.last!) } } catch {
                // Cut a half-written block off, so that the file holds exactly `bytesWritten` bytes of source.
                ftruncate(fd, off_t(fill))
                throw error
            }
            hasher?.update(part)
            // Start writing these bytes to the disk now, without waiting: the fsync that closes the file then
            // waits only for the last blocks, instead of the whole image's write-back coming after the last read
            // (best effort; fsync still decides that the image is on the disk).
            _ = CSysCall_startWriteBack(fd, Int64(fill), Int64(room))
            fill += UInt64(room)
            bytesWritten += UInt64(room)
            rest = UnsafeRawBufferPointer(rebasing: rest[room...])
        }
    }

    func finish() throws {
        if fd >= 0 { try closeCurrent() }
    }

    func abandon() {
        if fd >= 0 {
            fsync(fd)
            close(fd)
            fd = -1
        }
    }
}

@available(*, unavailable)
extension RawImageWriter: Sendable {}
