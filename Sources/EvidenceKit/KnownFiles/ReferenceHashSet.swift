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
    private let storage: Storage

    private enum Storage: Sendable {
        case index(SortedDigestIndex)
        case database(NSRLDatabase.Query)
    }

    /// Opens the set at `path`, recognising its format by content, to look up digests of `algorithms` (the run's).
    /// Text lists are read once into a sorted index on disk; an NSRL database is queried in place when it has an
    /// index on the digest column, and read once into a sorted index otherwise.
    /// - Throws: ``EvidenceError`` `hash-set-missing` when the file cannot be read, `hash-set` when it is not a
    ///   hash set or a line is malformed (naming the file and line), `invalid-argument` when the set holds no
    ///   digest the run computes.
    package init(path: String, algorithms: [DigestAlgorithm]) throws {
        self.path = path
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
            algorithm = try Self.choose(db.algorithms, for: algorithms, set: path)
            if let query = try db.indexedQuery(algorithm) {
                storage = .database(query)
                count = nil
            } else {
                let builder = SortedDigestIndex.Builder(width: algorithm.digestLength)
                try db.forEachDigest(algorithm) { try builder.add($0) }
                let index = try builder.finish()
                storage = .index(index)
                count = index.count
            }
        } else {
            let reader = try TextHashSetReader(path: path, head: head)
            format = reader.format
            algorithm = try Self.choose(reader.algorithms, for: algorithms, set: path)
            let builder = SortedDigestIndex.Builder(width: algorithm.digestLength)
            try reader.forEachDigest(algorithm) { try builder.add($0) }
            let index = try builder.finish()
            storage = .index(index)
            count = index.count
        }
        if count == 0 {
            throw EvidenceError(.hashSet, "hash set \(path) holds no \(algorithm.rawValue) digest", path: path)
        }
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
        case .database(let query): HashSetLookup(statement: try query.prepare())
        }
    }
}

/// Looks digests up in one ``ReferenceHashSet`` on one thread.
///
/// Not `Sendable`: an NSRL lookup holds an SQLite connection of its thread.
final class HashSetLookup {
    private let index: SortedDigestIndex?
    private let statement: NSRLDatabase.Statement?

    init(index: SortedDigestIndex) {
        self.index = index
        statement = nil
    }

    init(statement: NSRLDatabase.Statement) {
        index = nil
        self.statement = statement
    }

    /// Whether the lower-case hex digest `hex` is in the set.
    /// - Throws: ``EvidenceError`` when an NSRL database cannot be searched.
    func contains(hex: String) throws -> Bool {
        if let statement { return try statement.contains(hex: hex) }
        guard let index, let bytes = Hex.decode(hex) else { return false }
        return bytes.withUnsafeBytes { index.contains($0) }
    }
}

@available(*, unavailable)
extension HashSetLookup: Sendable {}
