internal import CDeflate
internal import CEWF
import Dispatch
import Foundation

/// An E01's media read chunk by chunk as stored (`libewf_handle_read_chunk`, in order, on the reading thread) and
/// unpacked on every core with libdeflate: a compressed chunk is inflated (zlib checks its own Adler-32), a chunk
/// stored as it is has its Adler-32 compared with the one stored after it. That is what libewf's `read_random`
/// does, one chunk after the other, on the reading thread.
///
/// A chunk that fails its check reads as zeros and is listed in ``checksumErrors`` by offset. A read that is not
/// where the last one ended (never, from the imaging pipeline, except after a failure) goes through
/// `libewf_handle_read_random` instead.
///
/// Not `Sendable`: one libewf handle, used by one reader thread (its worker threads run inside `read`).
final class EWFChunkSource: ImagingSource {
    let reader: EWFImageReader
    let description: SourceDescription
    let chunkSize: Int
    private let mediaSize: UInt64
    private let threads: Int
    private let decompressors: [OpaquePointer]
    /// libewf's current offset, while reads follow each other.
    private var position: UInt64 = 0
    private var sequential = true
    /// The stored chunks of one read, `storedStride` bytes apart.
    private var stored = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var storedCapacity = 0
    private var storedStride: Int { chunkSize * 2 + 64 }
    /// One chunk, for a read that ends inside a chunk.
    private let scratch: UnsafeMutableRawBufferPointer
    private(set) var checksumErrors: [(offset: UInt64, length: UInt64)] = []

    /// The first `length` bytes of `reader`'s media.
    init(_ reader: EWFImageReader, length: UInt64, threads: Int) throws {
        self.reader = reader
        mediaSize = reader.description.size ?? 0
        var d = reader.description
        d.size = min(length, mediaSize)
        description = d
        chunkSize = try reader.chunkSize()
        self.threads = max(1, threads)
        decompressors = (0..<max(1, threads)).map { _ in
            guard let d = libdeflate_alloc_decompressor() else {
                preconditionFailure("libdeflate_alloc_decompressor: out of memory")
            }
            return d
        }
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        try reader.seek(0)
    }

    deinit {
        decompressors.forEach { libdeflate_free_decompressor($0) }
        stored.deallocate()
        scratch.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SourceReadFailure) -> Int {
        let size = description.size ?? 0
        guard offset < size else { return 0 }
        let want = Int(min(UInt64(buffer.count), size - offset))
        guard sequential, offset == position, offset % UInt64(chunkSize) == 0 else {
            sequential = false
            return try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: offset)
        }
        let count = (want + chunkSize - 1) / chunkSize
        if count > storedCapacity {
            stored.deallocate()
            storedCapacity = count
            stored = UnsafeMutableRawBufferPointer.allocate(byteCount: count * storedStride, alignment: 64)
        }
        var chunks: [Stored] = []
        chunks.reserveCapacity(count)
        for i in 0..<count {
            let start = offset + UInt64(i * chunkSize)
            let dataSize = Int(min(UInt64(chunkSize), mediaSize - start))
            guard
                let c = reader.readStoredChunk(
                    into: UnsafeMutableRawBufferPointer(
                        rebasing: stored[i * storedStride..<(i + 1) * storedStride]))
            else {
                // libewf could not read the chunk (a damaged table or file): from here on, libewf's own reads.
                sequential = false
                throw SourceReadFailure(errno: EIO)
            }
            chunks.append(
                Stored(
                    offset: i * storedStride, count: c.count, compressed: c.compressed, checksum: c.checksum,
                    dataSize: dataSize))
        }
        position = offset + UInt64(count * chunkSize)
        // The last chunk of a read that ends inside it is unpacked into the scratch chunk, then copied.
        let lastPartial = count * chunkSize > want
        let job = Job(
            chunks: chunks, stored: stored.baseAddress!, buffer: buffer.baseAddress!, scratch: scratch.baseAddress!,
            lastPartial: lastPartial, chunkSize: chunkSize, decompressors: decompressors,
            workers: min(threads, count),
            failed: UnsafeMutableBufferPointer<Bool>.allocate(capacity: count))
        defer { job.failed.deallocate() }
        job.failed.initialize(repeating: false)
        if job.workers == 1 {
            job.run(worker: 0)
        } else {
            DispatchQueue.concurrentPerform(iterations: job.workers) { w in job.run(worker: w) }
        }
        if lastPartial {
            let i = count - 1
            let n = want - i * chunkSize
            UnsafeMutableRawBufferPointer(rebasing: buffer[i * chunkSize..<want])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        }
        for (i, failed) in job.failed.enumerated() where failed {
            checksumErrors.append((offset + UInt64(i * chunkSize), UInt64(chunks[i].dataSize)))
        }
        return want
    }

    /// One chunk as libewf read it: `count` bytes at `offset` in the stored buffer.
    struct Stored {
        var offset: Int
        var count: Int
        var compressed: Bool
        var checksum: UInt32
        var dataSize: Int
    }

    /// One read's unpacking, shared by its worker threads.
    ///
    /// `@unchecked Sendable`: worker `w` takes chunks `w`, `w + workers`, ... and writes only their stretches of
    /// the buffer (or the scratch chunk, for the last one), their `failed` slots and its own decompressor; `read`
    /// returns only after every worker has finished.
    private struct Job: @unchecked Sendable {
        let chunks: [Stored]
        let stored: UnsafeMutableRawPointer
        let buffer: UnsafeMutableRawPointer
        let scratch: UnsafeMutableRawPointer
        let lastPartial: Bool
        let chunkSize: Int
        let decompressors: [OpaquePointer]
        let workers: Int
        let failed: UnsafeMutableBufferPointer<Bool>

        func run(worker w: Int) {
            for i in Swift.stride(from: w, to: chunks.count, by: workers) {
                let c = chunks[i]
                let out = lastPartial && i == chunks.count - 1 ? scratch : buffer + i * chunkSize
                let input = stored + c.offset
                var ok = false
                if c.compressed {
                    var actual = 0
                    let r = libdeflate_zlib_decompress(
                        decompressors[w], input, c.count, out, c.dataSize, &actual)
                    ok = r == LIBDEFLATE_SUCCESS && actual == c.dataSize
                } else if c.count == c.dataSize {
                    out.copyMemory(from: input, byteCount: c.dataSize)
                    ok = UInt32(libdeflate_adler32(1, input, c.dataSize)) == c.checksum
                    // The data as stored is kept, as libewf keeps it: the digests then show the damage too.
                    if !ok { failed[i] = true }
                    continue
                }
                if !ok {
                    out.initializeMemory(as: UInt8.self, repeating: 0, count: c.dataSize)
                    failed[i] = true
                }
            }
        }
    }
}
