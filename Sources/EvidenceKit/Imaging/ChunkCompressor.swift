internal import CDeflate
import Dispatch

/// EWF chunks made ready for `libewf_handle_write_chunk` on every core, the way libewf's own
/// `libewf_handle_prepare_write_chunk` (20140813) makes them on one: a chunk is stored as a zlib stream when that is
/// smaller than the chunk, else as it is followed by its Adler-32 checksum (`--compression none`: always as it is).
///
/// libewf compresses chunk by chunk on the thread that writes; this does the deflating, the expensive part, on
/// `threads` threads with libdeflate (zlib streams that libewf, ewfverify and The Sleuth Kit read with zlib), and
/// leaves libewf only the writing, in order.
///
/// Not `Sendable`: used by the imager's writer queue only (its worker threads run inside ``prepare(_:)``).
final class ChunkCompressor {
    /// One chunk as libewf is to write it: `size` bytes at `offset` in ``output``; for a chunk stored as it is,
    /// four more bytes follow for the checksum libewf writes after it.
    struct Prepared {
        var offset: Int
        var size: Int
        var dataSize: Int
        var compressed: Bool
        var checksum: UInt32
    }

    let chunkSize: Int
    let threads: Int
    /// One compressor a thread (a libdeflate compressor is not thread-safe); empty for `--compression none`.
    private let compressors: [OpaquePointer]
    /// Room for `capacity` chunks of `chunkSize + 4` bytes.
    private(set) var output: UnsafeMutableRawBufferPointer
    private var capacity = 0
    private var stride: Int { chunkSize + 4 }

    /// - Parameters:
    ///   - level: libdeflate's level (1 fast ... 12 best), nil to store chunks uncompressed.
    ///   - threads: how many chunks are compressed at once.
    init(chunkSize: Int, level: Int32?, threads: Int) {
        self.chunkSize = chunkSize
        self.threads = max(1, threads)
        compressors =
            level.map { level in
                (0..<max(1, threads)).map { _ in
                    guard let c = libdeflate_alloc_compressor(level) else {
                        preconditionFailure("libdeflate_alloc_compressor(\(level)): out of memory")
                    }
                    return c
                }
            } ?? []
        output = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    deinit {
        compressors.forEach { libdeflate_free_compressor($0) }
        output.deallocate()
    }

    /// The zlib level ewfacquire's `-c fast` and `-c best` use (Z_BEST_SPEED, Z_BEST_COMPRESSION); libdeflate's
    /// levels of the same number compress as well or better, faster.
    static func level(_ compression: ImagingOptions.Compression) -> Int32? {
        switch compression {
        case .none: nil
        case .fast: 1
        case .best: 9
        }
    }

    /// Prepares `chunks` (each of 1 to `chunkSize` bytes) into ``output``, in their order.
    func prepare(_ chunks: [UnsafeRawBufferPointer]) -> [Prepared] {
        guard !chunks.isEmpty else { return [] }
        if chunks.count > capacity {
            output.deallocate()
            capacity = chunks.count
            output = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * stride, alignment: 64)
        }
        let results = UnsafeMutableBufferPointer<Prepared>.allocate(capacity: chunks.count)
        defer { results.deallocate() }
        let job = Job(
            chunks: chunks, output: output.baseAddress!, stride: stride, compressors: compressors, results: results,
            workers: min(threads, chunks.count))
        if job.workers == 1 {
            job.run(worker: 0)
        } else {
            DispatchQueue.concurrentPerform(iterations: job.workers) { w in job.run(worker: w) }
        }
        let list = Array(results)
        results.deinitialize()
        return list
    }

    /// One call's work, shared by its worker threads.
    ///
    /// `@unchecked Sendable`: worker `w` takes chunks `w`, `w + workers`, ... and writes only their result slots,
    /// their stretches of the output and its own compressor; the chunks are only read; `prepare` returns only after
    /// every worker has finished.
    private struct Job: @unchecked Sendable {
        let chunks: [UnsafeRawBufferPointer]
        let output: UnsafeMutableRawPointer
        let stride: Int
        let compressors: [OpaquePointer]
        let results: UnsafeMutableBufferPointer<Prepared>
        let workers: Int

        func run(worker w: Int) {
            let compressor = compressors.isEmpty ? nil : compressors[w]
            for i in Swift.stride(from: w, to: chunks.count, by: workers) {
                let prepared = ChunkCompressor.prepareOne(
                    chunks[i], into: output + i * stride, compressor, offset: i * stride)
                results.initializeElement(at: i, to: prepared)
            }
        }
    }

    fileprivate static func prepareOne(
        _ chunk: UnsafeRawBufferPointer, into slot: UnsafeMutableRawPointer, _ compressor: OpaquePointer?, offset: Int
    ) -> Prepared {
        let count = chunk.count
        if let compressor {
            // Room for one byte less than the chunk: libdeflate returns 0 when the stream would not be smaller, and
            // libewf too keeps a chunk compressed only when that is smaller.
            let n = libdeflate_zlib_compress(compressor, chunk.baseAddress, count, slot, count - 1)
            if n > 0 {
                // libewf takes the stream's own Adler-32 (its last four bytes) as the chunk's checksum.
                let checksum = slot.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
                return Prepared(offset: offset, size: n, dataSize: count, compressed: true, checksum: checksum)
            }
        }
        slot.copyMemory(from: chunk.baseAddress!, byteCount: count)
        let checksum = UInt32(libdeflate_adler32(1, chunk.baseAddress, count))
        return Prepared(offset: offset, size: count, dataSize: count, compressed: false, checksum: checksum)
    }
}

@available(*, unavailable)
extension ChunkCompressor: Sendable {}
