import Dispatch
import Foundation
import PostgresNIO

/// Runs the async parts of postgres-nio (COPY) for a synchronous caller, on threads of its own.
///
/// A synchronous caller that blocks while async work runs on Swift's cooperative pool can deadlock when the caller
/// is itself on that pool (a test, say) and the pool is small (two cores here). Tasks started with this executor as
/// their preference run their jobs on a Dispatch queue instead, whose threads the cooperative pool does not count.
///
/// `@unchecked Sendable`: it holds only a Dispatch queue, which is thread-safe.
final class PostgresBridgeExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = PostgresBridgeExecutor()
    private let queue = DispatchQueue(label: "iproceeds.postgres.bridge", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// `COPY table (columns) FROM STDIN` on `connection`, fed by `produce` on the calling thread: each buffer it
    /// passes to `send` (rows in COPY's text format) is written to the server before `send` returns, so at most
    /// one buffer is in memory at a time. An error from either side stops the copy and is thrown here; the
    /// transaction around it then rolls back.
    static func copy(
        into table: String, columns: [String], on connection: PostgresConnection, logger: Logger,
        produce: (_ send: (ByteBuffer) throws -> Void) throws -> Void
    ) throws {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let state = CopyState()
        Task(executorPreference: shared) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for try await buffer in stream {
                        try await writer.write(buffer)
                        state.written.signal()
                    }
                }
                state.finish(nil)
            } catch {
                state.finish(error)
            }
        }
        var produced: (any Error)?
        do {
            try produce { buffer in
                if state.outcome != nil { throw CopyStopped() }
                continuation.yield(buffer)
                state.written.wait()
                if case .some(.some) = state.outcome { throw CopyStopped() }
            }
        } catch {
            produced = error
        }
        if let produced { continuation.finish(throwing: produced) } else { continuation.finish() }
        state.done.wait()
        if let produced, !(produced is CopyStopped) { throw produced }
        if case .some(.some(let error)) = state.outcome { throw error }
    }

    private struct CopyStopped: Error {}

    /// What the copying task reports back. `@unchecked Sendable`: guarded by its lock; the semaphores are
    /// thread-safe.
    private final class CopyState: @unchecked Sendable {
        let written = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var result: (any Error)??

        /// nil while copying; `.some(nil)` finished; `.some(error)` failed.
        var outcome: (any Error)?? {
            lock.lock()
            defer { lock.unlock() }
            return result
        }

        func finish(_ error: (any Error)?) {
            lock.lock()
            result = .some(error)
            lock.unlock()
            written.signal()  // a producer waiting for a write that will not come
            done.signal()
        }
    }
}
