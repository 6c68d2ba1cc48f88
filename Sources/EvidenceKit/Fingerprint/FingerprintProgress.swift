import Synchronization

/// Live counters of a fingerprint run, read by a progress display on another thread.
///
/// `Sendable`: every field is an atomic.
package final class FingerprintProgress: Sendable {
    /// Files found by the walk so far, and their total size.
    package let filesFound = Atomic<Int>(0)
    package let bytesFound = Atomic<UInt64>(0)
    /// Files on disk finished, and the bytes of them read.
    package let filesDone = Atomic<Int>(0)
    package let bytesDone = Atomic<UInt64>(0)
    /// Archive members fingerprinted.
    package let membersDone = Atomic<Int>(0)
    /// Whether the walk has finished, so `filesFound` and `bytesFound` are totals.
    package let walkFinished = Atomic<Bool>(false)

    package init() {}
}

/// What a finished run found.
package struct FingerprintSummary: Sendable, Equatable {
    /// Records written.
    package var items = 0
    /// Records with an `error`.
    package var errors = 0
    /// Records of archive members.
    package var members = 0
    /// Bytes of content hashed (files and members).
    package var bytes: UInt64 = 0
    /// Records marked `known` by a `--known` set, those left out by `--skip-known` included.
    package var known = 0
    /// Records marked `known` and left out of the manifest (`--skip-known`); not counted in `items`.
    package var knownSkipped = 0
    /// Records that raised an `alert` (their digest is in a `--known-bad` set).
    package var alerts = 0

    package init() {}

    /// Whether every item was read whole.
    package var isComplete: Bool { errors == 0 }
}
