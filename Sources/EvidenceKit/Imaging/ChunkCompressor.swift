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
/// With `--compression fast`, a chunk whose bytes are spread so evenly over the 256 values that no Huffman code could
/// shrink it by more than a few dozen bytes (random data, encrypted or already compressed files) is stored as it is
/// without trying deflate: on such data deflate nearly always fails, after spending most of the acquisition's time.
/// Only repeated strings inside such a chunk could have made it smaller; those chunks are stored whole. See
/// ``isFlat(_:)``; `best` always tries.
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
    /// Store chunks that ``isFlat(_:)`` without trying deflate.
    let skipFlat: Bool
    /// One compressor a thread (a libdeflate compressor is not thread-safe); empty for `--compression none`.
    private let compressors: [OpaquePointer]
    /// Room for `capacity` chunks of `chunkSize + 4` bytes.
    private(set) var output: UnsafeMutableRawBufferPointer
    private var capacity = 0
    private var stride: Int { chunkSize + 4 }

    /// - Parameters:
    ///   - level: libdeflate's level (1 fast ... 12 best), nil to store chunks uncompressed.
    ///   - threads: how many chunks are compressed at once.
    ///   - skipFlat: store chunks whose bytes are evenly spread without trying deflate (`fast`).
    init(chunkSize: Int, level: Int32?, threads: Int, skipFlat: Bool = false) {
        self.chunkSize = chunkSize
        self.threads = max(1, threads)
        self.skipFlat = skipFlat
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
            workers: min(threads, chunks.count), skipFlat: skipFlat)
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
        let skipFlat: Bool

        func run(worker w: Int) {
            let compressor = compressors.isEmpty ? nil : compressors[w]
            for i in Swift.stride(from: w, to: chunks.count, by: workers) {
                let tryDeflate = compressor != nil && !(skipFlat && ChunkCompressor.isFlat(chunks[i]))
                let prepared = ChunkCompressor.prepareOne(
                    chunks[i], into: output + i * stride, tryDeflate ? compressor : nil, offset: i * stride)
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

extension ChunkCompressor {
    /// Chunks shorter than this are always tried: too few bytes for the test to say much, and too few to matter.
    static let flatMinimum = 4096
    /// The largest chi-square statistic of the byte counts against an even spread that counts as flat. Random
    /// bytes give 255 on average (the degrees of freedom), with a standard deviation of about 23: 512 is 11
    /// deviations above. An ideal code for bytes that far from even would save about `chi² / (2 ln 2)` bits
    /// (the Kullback-Leibler divergence from the even spread): at most 370 bits, 46 bytes, whatever the chunk's
    /// size, about what a zlib stream's header, checksum and Huffman tables cost by themselves.
    static let flatChiSquare: Int64 = 512

    /// Whether the chunk's bytes are so evenly spread over the 256 values that only repeated strings, not a shorter
    /// code for frequent bytes, could make it smaller. Integer arithmetic only: the same chunk gets the same answer
    /// on every machine.
    static func isFlat(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let n = chunk.count
        guard n >= flatMinimum, let base = chunk.baseAddress else { return false }
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 1024) { table in
            table.initialize(repeating: 0)
            let t = table.baseAddress!
            // Four tables, so that runs of one byte value do not wait on the same counter.
            var i = 0
            while i + 8 <= n {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                t[Int(w & 0xFF)] &+= 1
                t[256 + Int(w >> 8 & 0xFF)] &+= 1
                t[512 + Int(w >> 16 & 0xFF)] &+= 1
                t[768 + Int(w >> 24 & 0xFF)] &+= 1
                t[Int(w >> 32 & 0xFF)] &+= 1
                t[256 + Int(w >> 40 & 0xFF)] &+= 1
                t[512 + Int(w >> 48 & 0xFF)] &+= 1
                t[768 + Int(w >> 56)] &+= 1
                i += 8
            }
            while i < n {
                t[Int(base.load(fromByteOffset: i, as: UInt8.self))] &+= 1
                i += 1
            }
            // chi² = Σ (c − n/256)² / (n/256) = Σ (256c − n)² / (256 n), compared without dividing.
            var sum: Int64 = 0
            for v in 0..<256 {
                let c = Int64(t[v]) + Int64(t[256 + v]) + Int64(t[512 + v]) + Int64(t[768 + v])
                let d = 256 * c - Int64(n)
                sum += d * d
            }
            return sum <= flatChiSquare * 256 * Int64(n)
        }
    }
}

@available(*, unavailable)
extension ChunkCompressor: Sendable {}
