#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import IProceedsBase

/// The reference hash sets of a fingerprint run: known files (`--known`), whose records are marked `known` or left
/// out, and known-bad files (`--known-bad`), whose records raise an `alert`.
///
/// Records are looked up on the worker thread that hashed them, each worker with its own ``HashSetLookup``s (an
/// NSRL database gets one connection and one prepared statement per worker), so the lookups run in parallel
/// like the hashing.
///
/// `Sendable`: the sets are; the per-thread state is made by ``makeMatcher()`` on the thread that uses it.
package struct KnownFileSets: Sendable {
    /// Sets of known files, in the order given: a record is marked with the first that holds its digest.
    package var known: [ReferenceHashSet]
    /// Sets of files of interest: a record is marked with the first that holds its digest.
    package var knownBad: [ReferenceHashSet]
    /// Whether records marked `known` (and not `alert`) are left out of the manifest; the summary counts them.
    package var skipKnown: Bool

    package init(known: [ReferenceHashSet] = [], knownBad: [ReferenceHashSet] = [], skipKnown: Bool = false) {
        self.known = known
        self.knownBad = knownBad
        self.skipKnown = skipKnown
    }

    /// Opens every set for a run computing `algorithms`, known sets first, each in the order given.
    /// - Throws: the first ``EvidenceError`` a set raised (see ``ReferenceHashSet/init(path:algorithms:)``).
    package init(known: [String], knownBad: [String], skipKnown: Bool, algorithms: [DigestAlgorithm]) throws {
        self.known = try known.map { try ReferenceHashSet(path: $0, algorithms: algorithms) }
        self.knownBad = try knownBad.map { try ReferenceHashSet(path: $0, algorithms: algorithms) }
        self.skipKnown = skipKnown
    }

    /// Whether there is any set to look records up in.
    package var isEmpty: Bool { known.isEmpty && knownBad.isEmpty }

    /// The sets as a custody entry records them: `[{"role":"known","name":…,"format":…,"algorithm":…,"sha256":…}]`,
    /// known sets first, each in the order given; `sha256` is of the set's file, read whole once more.
    /// - Throws: ``EvidenceError`` when a set's file cannot be read again, or `hash-set` when its SHA-256 is not
    ///   the one recorded when its sorted index was made (the index would not be of this content).
    func custodyDescription() throws -> JSONValue {
        let roles = known.map { ("known", $0) } + knownBad.map { ("known-bad", $0) }
        return .array(
            try roles.map { (role, set) -> JSONValue in
                let sha256 = try ImageVerifier.sha256(ofFile: set.path)
                if let indexed = set.indexedSetSHA256, indexed != sha256 {
                    // The next run makes the index anew.
                    if let directory = set.cacheDirectory {
                        unlink(DigestIndexCache.file(for: set.path, algorithm: set.algorithm, in: directory))
                    }
                    throw EvidenceError(
                        .hashSet,
                        "hash set \(set.path) has SHA-256 \(sha256), but its sorted index was made from content with "
                            + "SHA-256 \(indexed)\(set.indexFromCache ? " (a cached index)" : ""): the set changed "
                            + "during the run or the cache is not to be trusted; run again (the index is then made "
                            + "anew) and keep the set unchanged", path: set.path)
                }
                return .members([
                    ("role", .string(role)), ("name", .string(set.name)), ("format", .string(set.format.rawValue)),
                    ("algorithm", .string(set.algorithm.rawValue)), ("sha256", .string(sha256)),
                ])
            })
    }

    /// The state one worker thread looks records up with.
    /// - Throws: ``EvidenceError`` when an NSRL database cannot be opened again for this thread.
    func makeMatcher() throws -> KnownFileMatcher {
        KnownFileMatcher(
            known: try known.map { ($0, try $0.makeLookup()) }, knownBad: try knownBad.map { ($0, try $0.makeLookup()) }
        )
    }
}

/// Marks records from one worker thread.
///
/// Not `Sendable`: its lookups belong to the thread that made it.
final class KnownFileMatcher {
    private let known: [(set: ReferenceHashSet, lookup: HashSetLookup)]
    private let knownBad: [(set: ReferenceHashSet, lookup: HashSetLookup)]

    init(known: [(ReferenceHashSet, HashSetLookup)], knownBad: [(ReferenceHashSet, HashSetLookup)]) {
        self.known = known.map { (set: $0.0, lookup: $0.1) }
        self.knownBad = knownBad.map { (set: $0.0, lookup: $0.1) }
    }

    /// Sets `record.known` and `record.alert` from the first set of each kind that holds one of its digests. A set
    /// that cannot be searched leaves an `error` on the record (the run exits 1): a record never reads as
    /// unknown because a lookup failed.
    func mark(_ record: inout FingerprintRecord) {
        guard !record.digests.isEmpty else { return }
        record.known = first(known, &record)
        record.alert = first(knownBad, &record)
    }

    private func first(_ sets: [(set: ReferenceHashSet, lookup: HashSetLookup)], _ record: inout FingerprintRecord)
        -> String?
    {
        for entry in sets {
            guard let hex = record.digests[entry.set.algorithm] else { continue }
            do {
                if try entry.lookup.contains(hex: hex) { return entry.set.name }
            } catch {
                let reason = "hash set \(entry.set.name) could not be searched: \(error)"
                record.error = record.error.map { $0 + "; " + reason } ?? reason
            }
        }
        return nil
    }
}

@available(*, unavailable)
extension KnownFileMatcher: Sendable {}
