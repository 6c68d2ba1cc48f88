import Dispatch
import Foundation
import Synchronization

/// One buffer of the ring, handed from the reader to the digest queues and the writer queue.
///
/// `@unchecked Sendable`: the reader fills `buffer` only after `group.wait()` returns (every consumer has left
/// the group), and consumers only read it between their `enter` and `leave`.
final class PipelineSlot: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    let group = DispatchGroup()

    init(size: Int) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
    }

    deinit { buffer.deallocate() }
}

/// The writer, reached from its serial queue only.
///
/// `@unchecked Sendable`: every call goes through `queue`, and the owner reads it again only after draining it.
final class WriterBox: @unchecked Sendable {
    let writer: any ImageWriter
    let queue = DispatchQueue(label: "iproceeds.imaging.writer", qos: .userInitiated)
    let failure = Mutex<EvidenceError?>(nil)
    init(_ writer: any ImageWriter) { self.writer = writer }
}

/// The read loop: blocks from the reader to every digest lane and the writer, in parallel, in order.
final class Pipeline {
    struct Outcome {
        var bytes: UInt64
        var interrupted: Bool
        var writeError: EvidenceError?
        var streamFailure: SourceReadFailure?
    }

    private let box: WriterBox
    private let lanes: [(lane: DigestLane, queue: DispatchQueue)]
    private let slots: [PipelineSlot]

    init(writer: any ImageWriter, lanes: [DigestLane], options: ImagingOptions) {
        box = WriterBox(writer)
        self.lanes = lanes.map {
            ($0, DispatchQueue(label: "iproceeds.imaging.\($0.algorithm.rawValue)", qos: .userInitiated))
        }
        slots = (0..<max(options.buffers, 2)).map { _ in PipelineSlot(size: options.blockSize) }
    }

    func run(reader: inout SourceReader, progress: ImagingProgress) -> Outcome {
        var offset: UInt64 = 0
        var interrupted = false
        var streamFailure: SourceReadFailure?
        var index = 0
        while true {
            if progress.cancelRequested.load(ordering: .relaxed) {
                interrupted = true
                break
            }
            if box.failure.withLock({ $0 != nil }) { break }
            let slot = slots[index % slots.count]
            index += 1
            slot.group.wait()
            let result = reader.readBlock(into: slot.buffer, at: offset)
            let count = result.count
            if count > 0 {
                for (lane, queue) in lanes {
                    queue.async(group: slot.group) {
                        lane.update(UnsafeRawBufferPointer(rebasing: slot.buffer[0..<count]))
                    }
                }
                let box = self.box
                box.queue.async(group: slot.group) {
                    guard box.failure.withLock({ $0 == nil }) else { return }
                    let bytes = UnsafeRawBufferPointer(rebasing: slot.buffer[0..<count])
                    do {
                        try box.writer.write(bytes)
                    } catch let e as EvidenceError {
                        box.failure.withLock { $0 = e }
                    } catch { preconditionFailure("ImageWriter.write throws EvidenceError only") }
                }
                offset += UInt64(count)
                progress.bytesDone.store(offset, ordering: .relaxed)
            }
            if let failure = result.streamFailure {
                streamFailure = failure
                break
            }
            if result.atEnd { break }
        }
        // A Ctrl-C that arrived while the last block was read, before the end of the source was seen.
        if !interrupted, streamFailure == nil, progress.cancelRequested.load(ordering: .relaxed),
            let size = reader.source.description.size, offset < size
        {
            interrupted = true
        }
        for slot in slots { slot.group.wait() }
        let failure = box.failure.withLock { $0 }
        // A block read but not written (the writer had failed) is not in the image: count only what was written.
        let bytes = failure == nil ? offset : box.writer.bytesWritten
        return Outcome(bytes: bytes, interrupted: interrupted, writeError: failure, streamFailure: streamFailure)
    }
}

/// Reads whole blocks from the source, salvaging what it can from a failed read.
struct SourceReader {
    struct BlockResult {
        var count: Int
        var atEnd: Bool
        var streamFailure: SourceReadFailure?
    }

    let source: any ImagingSource
    let progress: ImagingProgress
    private(set) var badRanges: [AcquisitionLog.BadRange] = []
    private let sector: Int
    private let size: UInt64?

    init(source: any ImagingSource, progress: ImagingProgress) {
        self.source = source
        self.progress = progress
        sector = max(source.description.sectorSize, 1)
        size = source.description.size
    }

    /// Fills `buffer` from `offset` (less at the end of the source).
    mutating func readBlock(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> BlockResult {
        var want = buffer.count
        if let size {
            guard offset < size else { return BlockResult(count: 0, atEnd: true) }
            want = Int(min(UInt64(want), size - offset))
        }
        if source.description.kind == .stream {
            do {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: offset)
                return BlockResult(count: n, atEnd: n == 0)
            } catch {
                // A stream cannot be read again at an offset: what came before is kept, the rest is lost.
                return BlockResult(count: 0, atEnd: true, streamFailure: error)
            }
        }
        let (got, failure, ended) = readFully(buffer, from: 0, to: want, at: offset)
        if failure == nil { return BlockResult(count: got, atEnd: ended || got < want) }
        salvage(buffer, from: got, to: want, base: offset)
        return BlockResult(count: want, atEnd: false)
    }

    /// Reads `[from, to)` of the block, resuming after short reads; stops at the first failure or at the end.
    private func readFully(_ buffer: UnsafeMutableRawBufferPointer, from: Int, to: Int, at base: UInt64)
        -> (count: Int, failure: Int32?, ended: Bool)
    {
        var pos = from
        while pos < to {
            do {
                let n = try source.read(
                    into: UnsafeMutableRawBufferPointer(rebasing: buffer[pos..<to]), at: base + UInt64(pos))
                if n == 0 { return (pos - from, nil, true) }
                pos += n
            } catch {
                return (pos - from, error.errno, false)
            }
        }
        return (pos - from, nil, false)
    }

    /// Reads `[from, to)` in eight smaller pieces (whole sectors), each failing piece again in eight, down to one
    /// sector; a sector that still fails is zeros in the image and a bad range in the log.
    private mutating func salvage(_ buffer: UnsafeMutableRawBufferPointer, from: Int, to: Int, base: UInt64) {
        // Start from the sector holding the failure: the part before it was read.
        var pos = from / sector * sector
        let span = to - pos
        let piece = max(sector, (span / 8 + sector - 1) / sector * sector)
        while pos < to {
            let end = min(pos + piece, to)
            let (got, failure, ended) = readFully(buffer, from: pos, to: end, at: base)
            guard let failure else {
                if ended {
                    // The source ended early (a device that shrank, a file truncated meanwhile): zeros up to the
                    // size the kernel gave, recorded as unreadable.
                    let start = pos + got
                    recordBad(buffer, from: start, to: to, base: base, errno: ENXIO)
                    return
                }
                pos = end
                continue
            }
            if end - pos <= sector {
                recordBad(buffer, from: pos, to: end, base: base, errno: failure)
            } else {
                salvage(buffer, from: pos + got, to: end, base: base)
            }
            pos = end
        }
    }

    private mutating func recordBad(
        _ buffer: UnsafeMutableRawBufferPointer, from: Int, to: Int, base: UInt64, errno code: Int32
    ) {
        guard to > from else { return }
        UnsafeMutableRawBufferPointer(rebasing: buffer[from..<to]).initializeMemory(as: UInt8.self, repeating: 0)
        let offset = base + UInt64(from)
        let length = UInt64(to - from)
        progress.badBytes.add(length, ordering: .relaxed)
        if var last = badRanges.last, last.offset + last.length == offset, last.errno == code {
            last.length += length
            badRanges[badRanges.count - 1] = last
        } else {
            badRanges.append(.init(offset: offset, length: length, errno: code, error: describeErrno(code)))
        }
    }
}
