import Synchronization

/// Live counters of a fingerprint run, read by a progress display on another thread.
///
/// `Sendable`: every field is an atomic.
public final class FingerprintProgress: Sendable {
    /// Files found by the walk so far, and their total size.
    public let filesFound = Atomic<Int>(0)
    public let bytesFound = Atomic<UInt64>(0)
    /// Files on disk finished, and the bytes of them read.
    public let filesDone = Atomic<Int>(0)
    public let bytesDone = Atomic<UInt64>(0)
    /// Archive members fingerprinted.
    public let membersDone = Atomic<Int>(0)
    /// Whether the walk has finished, so `filesFound` and `bytesFound` are totals.
    public let walkFinished = Atomic<Bool>(false)

    public init() {}
}

/// What a finished run found.
public struct FingerprintSummary: Sendable, Equatable {
    /// Records written.
    public var items = 0
    /// Records with an `error`.
    public var errors = 0
    /// Records of archive members.
    public var members = 0
    /// Bytes of content hashed (files and members).
    public var bytes: UInt64 = 0
    /// Records marked `known` by a `--known` set, those left out by `--skip-known` included.
    public var known = 0
    /// Records marked `known` and left out of the manifest (`--skip-known`); not counted in `items`.
    public var knownSkipped = 0
    /// Records that raised an `alert` (their digest is in a `--known-bad` set).
    public var alerts = 0

    public init() {}

    /// Whether every item was read whole.
    public var isComplete: Bool { errors == 0 }
}
