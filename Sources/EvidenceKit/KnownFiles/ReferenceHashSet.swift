import Foundation
import IProceedsBase

/// A reference hash set's file format, recognised by content (see `docs/formats.md`, "Known-file hash sets").
package enum HashSetFormat: String, Sendable, CaseIterable {
    /// NIST NSRL RDS version 3: an SQLite database whose `METADATA` table (or `FILE` view) has `sha256`, `sha1`
    /// and `md5` columns.
    case nsrlRDS3 = "nsrl-rds3"
    /// A hashdeep file (`%%%% HASHDEEP-1.0`), any of its md5, sha1, sha256 columns.
    case hashdeep
    /// `md5sum`, `sha1sum`, `sha256sum`, `sha512sum` output (GNU or `--tag` style); the digest length says which.
    case checksumList = "checksum-list"
    /// A CSV of digests with a description: a header naming a digest column (`md5`, `sha1`, `sha256`, `sha512`),
    /// or no header and the digest in the first column.
    case csv
}

/// One reference hash set opened for lookups: its name (the file's name), what it holds, and how to look a
/// digest up in it.
///
/// `Sendable`: an index is read-only; an NSRL database is opened once per worker through ``makeLookup()``.
package final class ReferenceHashSet: Sendable {
    /// The set's name as records show it: the file's last path component.
    package let name: String
    /// The path given on the command line.
    package let path: String
    package let format: HashSetFormat
    /// The algorithm the run looks records up by (the strongest the set and the run both have).
    package let algorithm: DigestAlgorithm
    /// Distinct digests in the set, when known without a scan (not for an indexed NSRL database).
    package let count: Int?
    /// The set file's SHA-256 as recorded when its sorted index was made (`nil` for a set queried in place, or
    /// an index that could not be cached): the custody record checks it against the set's SHA-256 read then.
    let indexedSetSHA256: String?
    /// Whether the sorted index was read back from the cache (`DigestIndexCache`) rather than made in this run.
    package let indexFromCache: Bool
    /// Where the set's sorted index is cached (`nil` when it is not).
    let cacheDirectory: String?
    private let storage: Storage

    private enum Storage: Sendable {
        case index(SortedDigestIndex)
        case database(NSRLDatabase.Query, DigestFilter?)
    }

    /// Opens the set at `path`, recognising its format by content, to look up digests of `algorithms` (the run's).
    /// Text lists are read once into a sorted index on disk; an NSRL database is queried in place when it has an
    /// index on the digest column, and read once into a sorted index otherwise.
    /// - Throws: ``EvidenceError`` `hash-set-missing` when the file cannot be read, `hash-set` when it is not a
    ///   hash set or a line is malformed (naming the file and line), `invalid-argument` when the set holds no
    ///   digest the run computes.
    /// - Parameter cacheDirectory: where sorted indexes are kept between runs (`nil`: made in a temporary file
    ///   every run); by default from the environment (``DigestIndexCache/directory(_:)``).
    package init(
        path: String, algorithms: [DigestAlgorithm], cacheDirectory: String? = DigestIndexCache.directory()
    ) throws {
        self.path = path
        self.cacheDirectory = cacheDirectory
        name = path.split(separator: "/").last.map(String.init) ?? path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let code = errno
            throw EvidenceError(
                .hashSetMissing, "cannot read hash set \(path): \(describeErrno(code))", path: path, function: "open",
                systemCode: code)
        }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        try? handle.close()
        if head.starts(with: Array("SQLite format 3\0".utf8)) {
            format = .nsrlRDS3
            let db = try NSRLDatabase(path: path)
            let chosen = try Self.choose(db.algorithms, for: algorithms, set: path)
            algorithm = chosen
            if let query = try db.indexedQuery(chosen) {
                // A filter in front of the database (made once, kept in the cache): most lookups of a run are
                // of files not in the set, and the filter answers those without SQLite.
                var filter: (filter: DigestFilter, setSHA256: String)?
                var cached = false
                if let cacheDirectory {
                    filter = DigestFilter.load(setPath: path, algorithm: chosen, directory: cacheDirectory)
                    cached = filter != nil
                    if filter == nil {
                        filter = DigestFilter.build(setPath: path, algorithm: chosen, directory: cacheDirectory, db: db)
                    }
                }
                storage = .database(query, filter?.filter)
                count = nil
                indexedSetSHA256 = filter?.setSHA256
                indexFromCache = cached
            } else {
                let made = try Self.index(path, chosen, cacheDirectory) { builder in
                    try db.forEachDigest(chosen) { try builder.add($0) }
                }
                storage = .index(made.index)
                count = made.index.count
                indexedSetSHA256 = made.setSHA256
                indexFromCache = made.cached
            }
        } else {
            let reader = try TextHashSetReader(path: path, head: head)
            format = reader.format
            let chosen = try Self.choose(reader.algorithms, for: algorithms, set: path)
            algorithm = chosen
            let made = try Self.index(path, chosen, cacheDirectory) { builder in
                try reader.forEachDigest(chosen) { try builder.add($0) }
            }
            storage = .index(made.index)
            count = made.index.count
            indexedSetSHA256 = made.setSHA256
            indexFromCache = made.cached
        }
        if count == 0 {
            throw EvidenceError(.hashSet, "hash set \(path) holds no \(algorithm.rawValue) digest", path: path)
        }
    }

    /// The sorted index of the set: read back from the cache when it passes every check, made (and cached) otherwise.
    private static func index(
        _ path: String, _ algorithm: DigestAlgorithm, _ cacheDirectory: String?,
        _ feed: (SortedDigestIndex.Builder) throws -> Void
    ) throws -> (index: SortedDigestIndex, setSHA256: String?, cached: Bool) {
        if let cacheDirectory,
            let cached = DigestIndexCache.load(setPath: path, algorithm: algorithm, directory: cacheDirectory)
        {
            return (cached.index, cached.setSHA256, true)
        }
        let made = try DigestIndexCache.build(
            setPath: path, algorithm: algorithm, directory: cacheDirectory, feed: feed)
        return (made.index, made.setSHA256, false)
    }

    /// The algorithm to look up by: the first of sha256, sha512, sha1, md5 that the set has and the run computes.
    static func choose(
        _ offered: [DigestAlgorithm], for run: [DigestAlgorithm], set path: String
    ) throws -> DigestAlgorithm {
        for alg in [DigestAlgorithm.sha256, .sha512, .sha1, .md5] where offered.contains(alg) && run.contains(alg) {
            return alg
        }
        let names = offered.map(\.rawValue).joined(separator: ", ")
        throw EvidenceError(
            .invalidArgument,
            "hash set \(path) holds \(names) digests, which this run does not compute: add one of them to -c "
                + "(for example -c \((run.map(\.rawValue) + [offered.last!.rawValue]).joined(separator: ",")))",
            path: path)
    }

    /// A lookup for one worker thread (an NSRL database gets its own connection and prepared statement).
    func makeLookup() throws -> HashSetLookup {
        switch storage {
        case .index(let index): HashSetLookup(index: index)
        case .database(let query, let filter): HashSetLookup(statement: try query.prepare(), filter: filter)
        }
    }
}

/// Looks digests up in one ``ReferenceHashSet`` on one thread.
///
/// Not `Sendable`: an NSRL lookup holds an SQLite connection of its thread.
final class HashSetLookup {
    private let index: SortedDigestIndex?
    private let statement: NSRLDatabase.Statement?
    private let filter: DigestFilter?
    /// The digest's bytes for the filter, decoded in place (no allocation per lookup).
    private var scratch = [UInt8](repeating: 0, count: 64)
    private var decoded = 0

    /// Decodes hex (either case) into `scratch`; false when it is not a digest of 16 to 64 bytes.
    private func decode(_ hex: String) -> Bool {
        var hex = hex
        let count: Int? = hex.withUTF8 { text in
            guard text.count % 2 == 0, text.count / 2 >= 16, text.count / 2 <= 64 else { return nil }
            return scratch.withUnsafeMutableBufferPointer { out -> Int? in
                var i = 0
                while i < text.count {
                    guard let hi = Hex.value(ofDigit: text[i]), let lo = Hex.value(ofDigit: text[i + 1]) else {
                        return nil
                    }
                    out[i / 2] = hi << 4 | lo
                    i += 2
                }
                return text.count / 2
            }
        }
        decoded = count ?? 0
        return count != nil
    }

    init(index: SortedDigestIndex) {
        self.index = index
        statement = nil
        filter = nil
    }

    init(statement: NSRLDatabase.Statement, filter: DigestFilter?) {
        index = nil
        self.statement = statement
        self.filter = filter
    }

    /// Whether the lower-case hex digest `hex` is in the set.
    /// - Throws: ``EvidenceError`` when an NSRL database cannot be searched.
    func contains(hex: String) throws -> Bool {
        if let statement {
            if let filter, decode(hex) {
                // Certainly absent: no SQLite.
                if !scratch.withUnsafeBytes({ filter.mightContain(UnsafeRawBufferPointer(rebasing: $0[0..<decoded])) })
                {
                    return false
                }
            }
            return try statement.contains(hex: hex)
        }
        guard let index, let bytes = Hex.decode(hex) else { return false }
        return bytes.withUnsafeBytes { index.contains($0) }
    }
}

@available(*, unavailable)
extension HashSetLookup: Sendable {}
