import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fingerprints one file on disk: its own digests and, when it is an archive, every member inside.
///
/// Each worker thread owns one `FileHasher` (its buffers and digest contexts are reused from file to file, which
/// is what keeps a million small files fast). Not `Sendable`.
final class FileHasher {
    /// Files at least this large are read by this thread while the digests run on other threads, when there is
    /// more than one digest or the other workers have gone idle.
    static let pipelineThreshold: Int64 = 64 << 20
    static let bufferSize = 1 << 20
    static let slotSize = 4 << 20
    static let slotCount = 4

    private let options: FingerprintOptions
    private let digest: MultiDigest
    private let buffer: UnsafeMutableRawBufferPointer
    private var slots: UnsafeMutableRawBufferPointer?
    private let progress: FingerprintProgress?

    init(options: FingerprintOptions, progress: FingerprintProgress?) {
        self.options = options
        self.progress = progress
        self.digest = MultiDigest(options.algorithms, pieceSize: options.pieceSize)
        self.buffer = .allocate(byteCount: Self.bufferSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        slots?.deallocate()
    }

    /// Fingerprints `path`, returning its record followed by its members' records in manifest order.
    /// - Parameters:
    ///   - follow: open through a symbolic link (only when `--follow-symlinks` led here).
    ///   - othersIdle: whether the other workers have nothing left to do (a large file may then use them).
    func fingerprint(_ path: RawName, follow: Bool, othersIdle: () -> Bool) -> [FingerprintRecord] {
        var record = FingerprintRecord(path: path, kind: .file)
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW)
        let fd = path.bytes.withCString { open($0, flags) }
        guard fd >= 0 else {
            let code = errno
            record.error = code == ELOOP && !follow ? "became a symbolic link while being read" : describeErrno(code)
            return [record]
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            record.error = describeErrno(errno)
            return [record]
        }
        record.mtime = Int64(st.st_mtim.tv_sec)
        guard st.st_mode & S_IFMT == S_IFREG else {
            // Replaced by a FIFO or device between the walk and the open: record, never read.
            record.kind = .special
            record.note = "not a regular file when opened; not read"
            return [record]
        }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))

        // The first block decides whether this is an archive.
        let first = readFully(fd, into: buffer)
        guard case .success(let firstCount) = first else {
            if case .failure(let code) = first { record.error = "read error at offset 0: \(describeErrno(code))" }
            return [record]
        }
        let firstChunk = UnsafeRawBufferPointer(rebasing: buffer[0..<firstCount])

        var scan: ArchiveScanTask?
        if options.archives, options.maxDepth >= 1, let hint = ArchiveSniffer.detect(firstChunk) {
            scan = ArchiveScanTask(path: path, options: options, hint: hint)
        }

        digest.update(firstChunk)
        progress?.bytesDone.add(UInt64(firstCount), ordering: .relaxed)
        var total = UInt64(firstCount)
        var readError: Int32?
        if firstCount == buffer.count {
            let useOtherCores =
                st.st_size >= Self.pipelineThreshold && (options.algorithms.count > 1 || othersIdle())
            let rest = useOtherCores ? readPipelined(fd) : readSequential(fd)
            total += rest.bytes
            readError = rest.error
        }
        let finished = digest.finish()

        record.size = total
        if let readError {
            record.error = "read error at offset \(total): \(describeErrno(readError))"
        } else {
            for (alg, hex) in zip(options.algorithms, finished.digests) { record.digests[alg] = hex }
            record.pieces = finished.pieces
            if total != UInt64(st.st_size) {
                record.note = "size changed while reading (\(st.st_size) bytes at open, \(total) read)"
            }
        }
        guard let scan else { return [record] }
        let result = scan.wait()
        if !result.outcome.opened {
            record.note = ArchiveScanner.join(
                record.note, "looks like \(scan.hint.name) but could not be opened: \(result.outcome.error ?? "")")
        } else if let error = result.outcome.error {
            record.error = ArchiveScanner.join(record.error, error)
        }
        progress?.membersDone.add(result.members.count, ordering: .relaxed)
        return [record] + result.members
    }

    private enum ReadResult {
        case success(Int)
        case failure(Int32)
    }

    /// Reads until `into` is full or the file ends; retries interrupted reads.
    private func readFully(_ fd: Int32, into buf: UnsafeMutableRawBufferPointer) -> ReadResult {
        var filled = 0
        while filled < buf.count {
            let n = read(fd, buf.baseAddress! + filled, buf.count - filled)
            if n > 0 {
                filled += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                return .failure(errno)
            }
        }
        return .success(filled)
    }

    private func readSequential(_ fd: Int32) -> (bytes: UInt64, error: Int32?) {
        var total: UInt64 = 0
        while true {
            switch readFully(fd, into: buffer) {
            case .failure(let code): return (total, code)
            case .success(let n):
                if n == 0 { return (total, nil) }
                digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                total += UInt64(n)
                progress?.bytesDone.add(UInt64(n), ordering: .relaxed)
                if n < buffer.count { return (total, nil) }
            }
        }
    }

    /// Reads on this thread into a ring of slots while each algorithm digests on its own serial queue, so that
    /// reading overlaps hashing and the algorithms run side by side.
    private func readPipelined(_ fd: Int32) -> (bytes: UInt64, error: Int32?) {
        if slots == nil { slots = .allocate(byteCount: Self.slotSize * Self.slotCount, alignment: 64) }
        let ring = slots!
        let queues = digest.lanes.map { DispatchQueue(label: "iproceeds.digest.\($0.algorithm.rawValue)") }
        let groups = (0..<Self.slotCount).map { _ in DispatchGroup() }
        var total: UInt64 = 0
        var failure: Int32?
        var slot = 0
        while true {
            groups[slot].wait()
            let buf = UnsafeMutableRawBufferPointer(rebasing: ring[(slot * Self.slotSize)..<((slot + 1) * Self.slotSize)])
            let r = readFully(fd, into: buf)
            guard case .success(let n) = r else {
                if case .failure(let code) = r { failure = code }
                break
            }
            if n == 0 { break }
            let chunk = SlotChunk(bytes: UnsafeRawBufferPointer(rebasing: buf[0..<n]))
            for (lane, queue) in zip(digest.lanes, queues) {
                queue.async(group: groups[slot]) { lane.update(chunk.bytes) }
            }
            total += UInt64(n)
            progress?.bytesDone.add(UInt64(n), ordering: .relaxed)
            slot = (slot + 1) % Self.slotCount
            if n < buf.count { break }
        }
        for group in groups { group.wait() }
        return (total, failure)
    }
}

/// A slot of the read ring handed to a digest queue.
///
/// `@unchecked Sendable`: the reader does not refill a slot until it has waited on that slot's group, that is,
/// until every queue is done reading it.
struct SlotChunk: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

/// An archive on disk being scanned on another thread while its own bytes are hashed on this one.
final class ArchiveScanTask: @unchecked Sendable {
    // `@unchecked Sendable`: `result` is written once by the scanning block and read only after `group.wait()`.
    let hint: ArchiveSniffer.Hint
    private let group = DispatchGroup()
    private var result: (outcome: ArchiveScanner.Outcome, members: [FingerprintRecord])?

    init(path: RawName, options: FingerprintOptions, hint: ArchiveSniffer.Hint) {
        self.hint = hint
        DispatchQueue.global().async(group: group) { [self] in
            let scanner = ArchiveScanner(path: path, options: options)
            var outcome = ArchiveScanner.withUTF8Names { scanner.scan(.file(path), chain: [], depth: 1) }
            if hint.name == "gzip", let damage = GzipIntegrity.check(path: path) {
                outcome.error = ArchiveScanner.join(outcome.error, damage)
            }
            self.result = (outcome, Self.ordered(scanner.records))
        }
    }

    func wait() -> (outcome: ArchiveScanner.Outcome, members: [FingerprintRecord]) {
        group.wait()
        return result!
    }

    /// Members in manifest order (by member chain); members with the same name keep their archive order.
    static func ordered(_ records: [FingerprintRecord]) -> [FingerprintRecord] {
        records.enumerated().sorted { a, b in
            if a.element.member != b.element.member { return ItemKey.memberOrder(a.element.member, b.element.member) }
            return a.offset < b.offset
        }.map(\.element)
    }
}
