#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import EvidenceKit

extension PersonalDataScanner {
    /// The default amount read at a time.
    package static let defaultChunkSize = 4 << 20

    /// Scans everything readable from a file descriptor, in chunks, in constant memory whatever the input's size.
    ///
    /// Consecutive chunks overlap by ``maxHitLength`` plus a little context, and a hit is reported by the chunk
    /// its start falls in, so a value straddling a chunk boundary is found exactly once, with offsets counted
    /// from the start of the stream. The hits are exactly those ``scan(_:)-(UnsafeBufferPointer<UInt8>)`` gives
    /// for the whole input at once.
    /// - Parameters:
    ///   - fd: An open descriptor (a file, a pipe, standard input); read to its end, not closed.
    ///   - name: The path or name used in an error.
    ///   - chunkSize: Bytes read per step (at least 1).
    ///   - progress: Called after each chunk with the bytes read so far.
    ///   - onHit: Called for each hit of a requested type, in order of start.
    /// - Returns: The number of bytes read.
    /// - Throws: ``EvidenceKit/EvidenceError`` with code `.io` and `errno` when a read fails; what `onHit` throws.
    @discardableResult
    package func scan(
        fileDescriptor fd: Int32, name: String, chunkSize: Int = defaultChunkSize, progress: ((Int) -> Void)? = nil,
        onHit: (Hit) throws -> Void
    ) throws -> Int {
        try scan(
            fileDescriptor: fd, name: name, chunkSize: chunkSize, keepAhead: Self.maxHitLength + Self.rightContext,
            leftContext: Self.leftContext, progress: progress, onHit: onHit)
    }

    /// The streaming scan with its overlap as parameters: tests shrink them (on inputs whose values are short)
    /// to put many chunk boundaries through a small input.
    func scan(
        fileDescriptor fd: Int32, name: String, chunkSize: Int, keepAhead: Int, leftContext: Int,
        progress: ((Int) -> Void)?, onHit: (Hit) throws -> Void
    ) throws -> Int {
        let chunk = max(chunkSize, 1)
        let capacity = chunk + keepAhead + leftContext + 1
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var base = 0  // stream offset of buffer[0]
        var filled = 0  // valid bytes in buffer
        var scanFrom = 0  // stream offset from which candidates have not yet been collected
        var atEnd = false
        var resolver = HitResolver()
        var candidates: [Hit] = []
        let report: (Hit) throws -> Void = { if types.contains($0.type) { try onHit($0) } }

        while !atEnd {
            // Read one chunk (a pipe may deliver it in pieces).
            var got = 0
            while got < chunk {
                let n = read(fd, buffer.baseAddress! + filled, chunk - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    throw SharingError(
                        .inputUnreadable, "read \(name): \(String(cString: strerror(code)))", path: name,
                        function: "read",
                        systemCode: code)
                }
                if n == 0 {
                    atEnd = true
                    break
                }
                got += n
                filled += n
            }
            progress?(base + filled)
            let end = base + filled
            let commitLimit = atEnd ? end : end - keepAhead
            if commitLimit > scanFrom {
                candidates.removeAll(keepingCapacity: true)
                let window = UnsafeBufferPointer(start: buffer.baseAddress, count: filled)
                collect(in: ByteText(window), starts: (scanFrom - base)..<(commitLimit - base), into: &candidates)
                for c in candidates {
                    try resolver.add(Hit(type: c.type, start: c.start + base, end: c.end + base), emit: report)
                }
                scanFrom = commitLimit
            }
            // Keep the bytes still needed: the context before the next start, and everything after it.
            let keepFrom = max(base, scanFrom - leftContext)
            let drop = keepFrom - base
            if drop > 0 {
                let kept = filled - drop
                if kept > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + drop, kept) }
                filled = kept
                base = keepFrom
            }
        }
        try resolver.finish(emit: report)
        return base + filled
    }
}
