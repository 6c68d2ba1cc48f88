import Foundation
import Synchronization

/// Fingerprints files, trees and archive members in parallel and hands the records, in manifest order, to a sink.
///
/// The calling thread walks the trees; `options.threads` worker threads hash files; a worker that meets an
/// archive scans its members on a dispatch thread while it hashes the archive's own bytes. Records reach the
/// sink one at a time, in tree order, from whichever thread completes the next one in order.
public struct Fingerprinter: Sendable {
    public let options: FingerprintOptions

    public init(options: FingerprintOptions) {
        self.options = options
    }

    /// Fingerprints `roots` (paths as given: relative paths stay relative).
    /// - Parameters:
    ///   - progress: counters updated as the run goes, for a progress display.
    ///   - sink: receives every record in manifest order, serially. A throw stops the run.
    /// - Returns: counts of what was written.
    /// - Throws: the first error `sink` threw.
    public func run(
        _ roots: [RawName], progress: FingerprintProgress? = nil,
        sink: @escaping (FingerprintRecord) throws -> Void
    ) throws -> FingerprintSummary {
        let delivery = OrderedDelivery(sink: UncheckedSink(body: sink))
        let queue = WorkQueue<(seq: Int, path: RawName, follow: Bool)>()
        let workers = DispatchGroup()
        let options = self.options
        for i in 0..<max(1, options.threads) {
            workers.enter()
            let thread = Thread {
                let hasher = FileHasher(options: options, progress: progress)
                while let item = queue.pop() {
                    if delivery.stopped {
                        delivery.deliver(item.seq, [])
                        continue
                    }
                    let records = hasher.fingerprint(item.path, follow: item.follow, othersIdle: { queue.isDrained })
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
        let walker = TreeWalker(options: options) { event in
            switch event {
            case .file(let path, let follow, let size):
                progress?.filesFound.add(1, ordering: .relaxed)
                progress?.bytesFound.add(size, ordering: .relaxed)
                queue.push((seq, path, follow))
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
    private let stopFlag = Atomic<Bool>(false)

    init(sink: UncheckedSink) { self.sink = sink }

    var stopped: Bool { stopFlag.load(ordering: .relaxed) }

    func deliver(_ seq: Int, _ records: [FingerprintRecord]) {
        state.withLock { s in
            s.pending[seq] = records
            while let ready = s.pending.removeValue(forKey: s.next) {
                s.next += 1
                guard s.failure == nil else { continue }
                do {
                    for record in ready {
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
