import Foundation
import Synchronization

/// Fingerprints files, trees and archive members in parallel and hands the records, in manifest order, to a sink.
///
/// The calling thread walks the trees; `options.threads` worker threads hash files; a worker that meets an
/// archive scans its members on a dispatch thread while it hashes the archive's own bytes. Records reach the
/// sink one at a time, in tree order, from whichever thread completes the next one in order.
package struct Fingerprinter: Sendable {
    package let options: FingerprintOptions
    /// Points where tests step in to change the evidence under the run (a race, made deterministic).
    var hooks = FingerprintHooks()
    /// Opens containers the pipeline does not know itself (disk images); `nil` hashes them as plain files.
    package var containers: (any ContainerReader)?
    /// Reference hash sets every record with digests is looked up in (`--known`, `--known-bad`, `--skip-known`).
    package var knownFiles: KnownFileSets?

    package init(options: FingerprintOptions) {
        self.options = options
    }

    /// Fingerprints `roots` (paths as given: relative paths stay relative).
    /// - Parameters:
    ///   - progress: counters updated as the run goes, for a progress display.
    ///   - sink: receives every record in manifest order, serially. A throw stops the run.
    /// - Returns: counts of what was written.
    /// - Throws: the first error `sink` threw, or an ``EvidenceError`` when a hash set cannot be opened.
    package func run(
        _ roots: [RawName], progress: FingerprintProgress? = nil,
        sink: @escaping (FingerprintRecord) throws -> Void
    ) throws -> FingerprintSummary {
        let knownFiles = self.knownFiles.flatMap { $0.isEmpty ? nil : $0 }
        // Each worker opens its own lookups; opening them once here first turns a failure into a stop, not a
        // record error on every item.
        _ = try knownFiles?.makeMatcher()
        let delivery = OrderedDelivery(sink: UncheckedSink(body: sink), skipKnown: knownFiles?.skipKnown ?? false)
        // Every queued file is an open descriptor (the walk opens what it checked): bound how many wait.
        let queue = WorkQueue<(seq: Int, path: RawName, fd: Int32, opened: stat)>(
            capacity: 64 + 4 * max(1, options.threads))
        let workers = DispatchGroup()
        let options = self.options
        let hooks = self.hooks
        let containers = self.containers
        let runBudget = RunExpansionBudget(limit: options.maxExpandTotal)
        for i in 0..<max(1, options.threads) {
            workers.enter()
            let thread = Thread {
                let hasher = FileHasher(options: options, progress: progress, runBudget: runBudget, hooks: hooks)
                hasher.containers = containers
                let matcher = knownFiles.map { sets in Result { try sets.makeMatcher() } }
                while let item = queue.pop() {
                    if delivery.stopped {
                        close(item.fd)
                        delivery.deliver(item.seq, [])
                        continue
                    }
                    var records = hasher.fingerprint(
                        item.path, fd: item.fd, opened: item.opened, othersIdle: { queue.isDrained })
                    switch matcher {
                    case .success(let m)?: for i in records.indices { m.mark(&records[i]) }
                    case .failure(let error)?:
                        for i in records.indices where !records[i].digests.isEmpty {
                            let reason = "hash sets could not be opened: \(error)"
                            records[i].error = records[i].error.map { $0 + "; " + reason } ?? reason
                        }
                    case nil: break
                    }
                    progress?.filesDone.add(1, ordering: .relaxed)
                    delivery.deliver(item.seq, records)
                }
                workers.leave()
            }
            thread.name = "iproceeds-hash-\(i)"
            thread.stackSize = 1 << 20
            thread.start()
        }

        var seq = 0
        let walker = TreeWalker(options: options, hooks: hooks) { event in
            switch event {
            case .file(let path, let fd, let opened):
                progress?.filesFound.add(1, ordering: .relaxed)
                progress?.bytesFound.add(UInt64(max(0, opened.st_size)), ordering: .relaxed)
                queue.push((seq, path, fd, opened))
            case .record(let record):
                delivery.deliver(seq, [record])
            }
            seq += 1
            return !delivery.stopped
        }
        walker.walk(roots)
        progress?.walkFinished.store(true, ordering: .relaxed)
        queue.close()
        workers.wait()
        return try delivery.finish()
    }
}

/// Points where a test steps in during a run, to make a race with the evidence deterministic.
///
/// `Sendable`: the closures are `@Sendable`.
struct FingerprintHooks: Sendable {
    /// Called by the walk after it has checked an entry (`fstatat`) and before it opens it.
    var beforeOpen: (@Sendable (RawName) -> Void)?
    /// Called by a worker after it has read a file's first block and before it reads the rest.
    var afterFirstBlock: (@Sendable (RawName) -> Void)?
}

/// The sink closure, called only with `OrderedDelivery`'s mutex held.
///
/// `@unchecked Sendable`: the mutex serialises every call, so the closure never runs on two threads at once.
private struct UncheckedSink: @unchecked Sendable {
    let body: (FingerprintRecord) throws -> Void
}

/// Puts records back into walk order as workers finish them out of order.
private final class OrderedDelivery: Sendable {
    private struct State {
        var next = 0
        var pending: [Int: [FingerprintRecord]] = [:]
        var failure: (any Error)?
        var summary = FingerprintSummary()
    }

    private let state = Mutex(State())
    private let sink: UncheckedSink
    private let skipKnown: Bool
    private let stopFlag = Atomic<Bool>(false)

    init(sink: UncheckedSink, skipKnown: Bool) {
        self.sink = sink
        self.skipKnown = skipKnown
    }

    var stopped: Bool { stopFlag.load(ordering: .relaxed) }

    func deliver(_ seq: Int, _ records: [FingerprintRecord]) {
        state.withLock { s in
            s.pending[seq] = records
            while let ready = s.pending.removeValue(forKey: s.next) {
                s.next += 1
                guard s.failure == nil else { continue }
                do {
                    for record in ready {
                        if record.known != nil { s.summary.known += 1 }
                        if record.alert != nil { s.summary.alerts += 1 }
                        // A known file that is also known-bad is never left out: the alert must be seen.
                        if skipKnown, record.known != nil, record.alert == nil, record.error == nil {
                            s.summary.knownSkipped += 1
                            continue
                        }
                        try sink.body(record)
                        s.summary.items += 1
                        if record.error != nil { s.summary.errors += 1 }
                        if record.kind == .member { s.summary.members += 1 }
                        if !record.digests.isEmpty { s.summary.bytes += record.size ?? 0 }
                    }
                } catch {
                    s.failure = error
                    stopFlag.store(true, ordering: .relaxed)
                }
            }
        }
    }

    func finish() throws -> FingerprintSummary {
        try state.withLock { s in
            if let failure = s.failure { throw failure }
            return s.summary
        }
    }
}
