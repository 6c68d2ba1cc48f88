import Dispatch
import Foundation

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
    private let runBudget: RunExpansionBudget?
    private let hooks: FingerprintHooks
    /// Opens disk images and other containers the pipeline does not know itself (see ``ContainerReader``).
    var containers: (any ContainerReader)?

    init(
        options: FingerprintOptions, progress: FingerprintProgress?, runBudget: RunExpansionBudget? = nil,
        hooks: FingerprintHooks = FingerprintHooks()
    ) {
        self.options = options
        self.progress = progress
        self.runBudget = runBudget
        self.hooks = hooks
        self.digest = MultiDigest(options.algorithms, pieceSize: options.pieceSize)
        self.buffer = .allocate(byteCount: Self.bufferSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        slots?.deallocate()
    }

    /// Fingerprints the file the walk opened as `fd` (and closes it), returning its record followed by its
    /// members' records in manifest order.
    /// - Parameters:
    ///   - path: the path the walk reached it by, for the record only: nothing is opened by name here.
    ///   - opened: the walk's `fstat` of `fd` right after it opened it: what the file must still be after reading.
    ///   - othersIdle: whether the other workers have nothing left to do (a large file may then use them).
    func fingerprint(_ path: RawName, fd: Int32, opened st: stat, othersIdle: () -> Bool) -> [FingerprintRecord] {
        var record = FingerprintRecord(path: path, kind: .file)
        defer { close(fd) }
        record.mtime = Int64(st.st_mtim.tv_sec)
        guard st.st_mode & S_IFMT == S_IFREG else {
            // Replaced by a FIFO or device between the walk and the open: record, never read.
            record.kind = .special
            record.note = "not a regular file when opened; not read"
            return [record]
        }
        // Read-ahead advice only pays past the first block (a small file is read by one `read`).
        if st.st_size > Self.bufferSize { _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL)) }
        // A kernel pseudo-file's size says nothing of its content (0 for /proc/self/pagemap, which is endless):
        // read it to its end, up to a cap. Any other file is read to one byte past its size at open at most, which
        // is enough to prove it grew.
        let pseudo = Self.pseudoFileSystem(st)
        let sizeAtOpen = UInt64(max(0, st.st_size))
        let allowed = pseudo != nil ? FingerprintOptions.pseudoFileLimit : sizeAtOpen
        var remaining = allowed + (pseudo != nil ? 4096 : 1)

        // The first block decides whether this is an archive.
        let firstWant = Int(min(UInt64(buffer.count), remaining))
        let first = readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<firstWant]))
        guard case .success(let firstCount) = first else {
            if case .failure(let code) = first { record.error = "read error at offset 0: \(describeErrno(code))" }
            return [record]
        }
        let firstChunk = UnsafeRawBufferPointer(rebasing: buffer[0..<firstCount])
        remaining -= UInt64(firstCount)

        let container = containers.flatMap { $0.recognises(firstChunk, path: path) ? $0 : nil }
        var scan: ArchiveScanTask?
        if container == nil, options.archives, options.maxDepth >= 1, let hint = ArchiveSniffer.detect(firstChunk) {
            scan = ArchiveScanTask(
                path: path, fd: fd, limit: allowed, options: options, runBudget: runBudget, hint: hint)
        }
        hooks.afterFirstBlock?(path)

        digest.update(firstChunk)
        progress?.bytesDone.add(UInt64(firstCount), ordering: .relaxed)
        var total = UInt64(firstCount)
        var readError: Int32?
        var truncatedWhileMapped = false
        if firstCount == buffer.count {
            let useOtherCores =
                st.st_size >= Self.pipelineThreshold && (options.algorithms.count > 1 || othersIdle())
            #if os(Linux)
                // The bytes the file had at open are hashed where they lie in the page cache; the read below then
                // only looks for bytes past that size (and takes over where a window could not be mapped).
                if pseudo == nil, sizeAtOpen > total {
                    let mapped = hashMapped(fd, from: total, to: sizeAtOpen, pipelined: useOtherCores)
                    total += mapped.bytes
                    remaining -= mapped.bytes
                    truncatedWhileMapped = mapped.truncated
                    if lseek(fd, off_t(total), SEEK_SET) < 0 { readError = errno }
                }
            #endif
            if readError == nil {
                let pipelineRest = useOtherCores && remaining > UInt64(Self.slotSize)
                let rest = pipelineRest ? readPipelined(fd, limit: remaining) : readSequential(fd, limit: remaining)
                total += rest.bytes
                readError = rest.error
            }
        }
        let finished = digest.finish()

        record.size = total
        var after = stat()
        let statAfter = fstat(fd, &after) == 0 ? after : st
        if let readError {
            record.error = "read error at offset \(total): \(describeErrno(readError))"
        } else if truncatedWhileMapped {
            record.error =
                "changed while being read (truncated to \(statAfter.st_size) bytes): not hashed; hash it "
                + "again once it is quiet"
        } else if let pseudo {
            if total > allowed {
                record.size = nil
                record.error =
                    "kernel pseudo-file (\(pseudo)) longer than \(allowed) bytes: reading stopped there, "
                    + "not hashed"
            } else {
                for (alg, hex) in zip(options.algorithms, finished.digests) { record.digests[alg] = hex }
                record.pieces = finished.pieces
                record.note = "kernel pseudo-file (\(pseudo)): reports \(st.st_size) bytes, \(total) read to its end"
            }
        } else if let change = Self.change(from: st, to: statAfter, read: total) {
            // The digest would be of bytes that never existed together in the file: none is given.
            record.error = "changed while being read (\(change)): not hashed; hash it again once it is quiet"
        } else {
            for (alg, hex) in zip(options.algorithms, finished.digests) { record.digests[alg] = hex }
            record.pieces = finished.pieces
        }
        if let container {
            // Read after the file's own bytes: an image's file systems then come from a warm cache.
            let contents = container.expand(path: path, fd: fd, options: options)
            if let error = contents.error { record.error = ArchiveScanner.join(record.error, error) }
            if let note = contents.note { record.note = ArchiveScanner.join(record.note, note) }
            progress?.membersDone.add(contents.records.count, ordering: .relaxed)
            return [record] + contents.records
        }
        guard let scan else { return [record] }
        let result = scan.wait()
        if let problem = ArchiveScanner.problem(of: result.outcome, hint: scan.hint) {
            record.error = ArchiveScanner.join(record.error, problem)
        } else if !result.outcome.opened {
            record.note = ArchiveScanner.join(
                record.note, "looks like \(scan.hint.name) but could not be opened: \(result.outcome.error ?? "")")
        }
        progress?.membersDone.add(result.members.count, ordering: .relaxed)
        return [record] + result.members
    }

    /// How the file changed between its `fstat` at open and the end of reading, or `nil` when it did not.
    static func change(from before: stat, to after: stat, read total: UInt64) -> String? {
        var parts: [String] = []
        if total != UInt64(max(0, before.st_size)) {
            parts.append(
                "\(before.st_size) bytes at open, \(total > UInt64(max(0, before.st_size)) ? "more than " : "")\(total) read"
            )
        }
        if after.st_size != before.st_size { parts.append("\(after.st_size) bytes after reading") }
        if after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec {
            parts.append("modification time changed")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// The name of the kernel pseudo-file system `st` is on (procfs, sysfs, …), or `nil` for a real one.
    static func pseudoFileSystem(_ st: stat) -> String? {
        PseudoFileSystems.devices[UInt64(st.st_dev)]
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

    /// Reads and digests the rest of the file, at most `limit` bytes.
    private func readSequential(_ fd: Int32, limit: UInt64) -> (bytes: UInt64, error: Int32?) {
        var total: UInt64 = 0
        while total < limit {
            let want = Int(min(UInt64(buffer.count), limit - total))
            switch readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want])) {
            case .failure(let code): return (total, code)
            case .success(let n):
                if n == 0 { return (total, nil) }
                digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                total += UInt64(n)
                progress?.bytesDone.add(UInt64(n), ordering: .relaxed)
                if n < want { return (total, nil) }
            }
        }
        return (total, nil)
    }

    /// Reads on this thread into a ring of slots while each algorithm digests on its own serial queue, so that
    /// reading overlaps hashing and the algorithms run side by side.
    private func readPipelined(_ fd: Int32, limit: UInt64) -> (bytes: UInt64, error: Int32?) {
        if slots == nil { slots = .allocate(byteCount: Self.slotSize * Self.slotCount, alignment: 64) }
        let ring = slots!
        let queues = digest.lanes.map { DispatchQueue(label: "iproceeds.digest.\($0.algorithm.rawValue)") }
        let groups = (0..<Self.slotCount).map { _ in DispatchGroup() }
        var total: UInt64 = 0
        var failure: Int32?
        var slot = 0
        while total < limit {
            groups[slot].wait()
            let want = Int(min(UInt64(Self.slotSize), limit - total))
            let buf = UnsafeMutableRawBufferPointer(
                rebasing: ring[(slot * Self.slotSize)..<(slot * Self.slotSize + want)])
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

#if os(Linux)
    extension FileHasher {
        /// Digests bytes `start..<end` of `fd` (`start` a multiple of the page size) from read-only mappings of the
        /// page cache, ``MappedWindow/size`` bytes at a time: sequentially on this thread, or with each algorithm on
        /// its own serial queue while this thread maps the next windows (`pipelined`).
        /// - Returns: how many bytes were digested (fewer than asked when a window could not be mapped: the caller
        ///   reads the rest), and whether the file was truncated under a window (the digest is then of zeros).
        func hashMapped(_ fd: Int32, from start: UInt64, to end: UInt64, pipelined: Bool) -> (
            bytes: UInt64, truncated: Bool
        ) {
            let ringSize = pipelined ? Self.slotCount : 1
            let queues =
                pipelined ? digest.lanes.map { DispatchQueue(label: "iproceeds.digest.\($0.algorithm.rawValue)") } : []
            let groups = (0..<ringSize).map { _ in DispatchGroup() }
            var windows: [MappedWindow?] = Array(repeating: nil, count: ringSize)
            var truncated = false
            var offset = start
            var slot = 0
            while offset < end {
                groups[slot].wait()
                if let done = windows[slot] {
                    truncated = truncated || done.faulted
                    windows[slot] = nil  // unmapped here, after every queue is done with it
                }
                let length = Int(min(UInt64(MappedWindow.size), end - offset))
                guard let window = MappedWindow(fd: fd, offset: offset, length: length) else { break }
                if pipelined {
                    windows[slot] = window
                    let chunk = SlotChunk(bytes: window.bytes)
                    for (lane, queue) in zip(digest.lanes, queues) {
                        queue.async(group: groups[slot]) { lane.update(chunk.bytes) }
                    }
                } else {
                    digest.update(window.bytes)
                    truncated = truncated || window.faulted
                }
                offset += UInt64(length)
                progress?.bytesDone.add(UInt64(length), ordering: .relaxed)
                slot = (slot + 1) % ringSize
            }
            for group in groups { group.wait() }
            truncated = truncated || windows.contains { $0?.faulted == true }
            return (offset - start, truncated)
        }
    }
#endif

/// A slot of the read ring handed to a digest queue.
///
/// `@unchecked Sendable`: the reader does not refill a slot until it has waited on that slot's group, that is,
/// until every queue is done reading it.
struct SlotChunk: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

/// An archive on disk being scanned on another thread while its own bytes are hashed on this one.
///
/// The scan reads the file through its own duplicate of the descriptor the walk opened (with `pread`), never by
/// name, and runs on a thread whose stack is sized for ``FingerprintOptions/maxDepthLimit`` nesting levels.
final class ArchiveScanTask: @unchecked Sendable {
    // `@unchecked Sendable`: `result` is written once by the scanning thread and read only after `group.wait()`.
    let hint: ArchiveSniffer.Hint
    private let group = DispatchGroup()
    private var result: (outcome: ArchiveScanner.Outcome, members: [FingerprintRecord])?

    init(
        path: RawName, fd: Int32, limit: UInt64, options: FingerprintOptions, runBudget: RunExpansionBudget?,
        hint: ArchiveSniffer.Hint
    ) {
        self.hint = hint
        let own = dup(fd)
        group.enter()
        let thread = Thread { [self] in
            defer { group.leave() }
            guard own >= 0 else {
                self.result = (
                    ArchiveScanner.Outcome(opened: true, error: "archive not scanned: \(describeErrno(errno))"), []
                )
                return
            }
            defer { close(own) }
            let scanner = ArchiveScanner(path: path, options: options, runBudget: runBudget)
            let source = DescriptorSource(fd: own, limit: limit)
            var outcome = ArchiveScanner.withUTF8Names {
                scanner.scan(.descriptor(source), chain: [], depth: 1, hint: hint)
            }
            if hint.name == "gzip", let damage = GzipIntegrity.check(fd: own, limit: limit) {
                if outcome.listedWholeFromOneStream {
                    scanner.markDecompressed(from: 0, ArchiveScanner.untrustworthy("gzip"))
                }
                outcome.error = ArchiveScanner.join(outcome.error, damage)
            }
            self.result = (outcome, Self.ordered(scanner.records))
        }
        thread.name = "iproceeds-archive"
        thread.stackSize = FingerprintOptions.scanStackSize
        thread.start()
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

/// The devices of the kernel pseudo-file systems mounted when the run began (procfs, sysfs and the like), whose
/// files report sizes that say nothing of their content.
///
/// Read once from `/proc/self/mountinfo` (`fstatfs`, which would say it per file, is not in Swift's Glibc module).
enum PseudoFileSystems {
    static let kinds: Set<String> = [
        "proc", "sysfs", "debugfs", "tracefs", "securityfs", "cgroup", "cgroup2", "configfs", "pstore", "efivarfs",
        "bpf", "selinuxfs", "fusectl", "binfmt_misc",
    ]

    /// `st_dev` → file system type, for pseudo-file systems only.
    static let devices: [UInt64: String] = {
        #if os(Linux)
            guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [:] }
            var found: [UInt64: String] = [:]
            for line in text.split(separator: "\n") {
                // "36 35 0:22 / /proc rw,nosuid - proc proc rw": major:minor is field 3, the type follows " - ".
                let fields = line.split(separator: " ")
                guard fields.count > 3, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
                let type = String(fields[dash + 1])
                guard kinds.contains(type) else { continue }
                let numbers = fields[2].split(separator: ":")
                guard numbers.count == 2, let major = UInt64(numbers[0]), let minor = UInt64(numbers[1]) else {
                    continue
                }
                // glibc's makedev.
                let dev = (major & 0xfff) << 8 | (major & ~0xfff) << 32 | (minor & 0xff) | (minor & ~0xff) << 12
                found[dev] = type
            }
            return found
        #else
            return [:]
        #endif
    }()
}
