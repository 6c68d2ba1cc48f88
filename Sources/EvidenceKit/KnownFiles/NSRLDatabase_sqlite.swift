internal import CSQLite
import IProceedsBase

/// An NSRL RDS version 3 database (SQLite), opened read-only and unchanged (`immutable=1`: the reference set on
/// read-only media needs no `-shm` beside it).
///
/// NIST publishes the digests in the `METADATA` table (`sha256`, `sha1`, `md5` as hex) and a `FILE` view over it
/// that upper-cases them; `FILE` is used only when there is no such `METADATA` table (a set exported as a plain
/// `FILE` table). The corresponding C functions are `sqlite3_open_v2`, `sqlite3_prepare_v2`, `sqlite3_step`.
///
/// Not `Sendable`: a connection belongs to the thread that opened it.
final class NSRLDatabase {
    let path: String
    private let db: OpaquePointer
    /// The table (or view) the digests are read from, and the digest columns it has.
    let table: String
    let algorithms: [DigestAlgorithm]

    init(path: String) throws {
        self.path = path
        let db = try Self.open(path)
        var found: (String, [DigestAlgorithm])?
        do {
            for candidate in ["METADATA", "FILE"] {
                let columns = try Self.rows(db, path, "PRAGMA table_info(\(candidate))").compactMap { $0[1] }
                let algs = [DigestAlgorithm.md5, .sha1, .sha256].filter { columns.contains($0.rawValue) }
                if !algs.isEmpty {
                    found = (candidate, algs)
                    break
                }
            }
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
        guard let found else {
            sqlite3_close_v2(db)
            throw EvidenceError(
                .hashSet,
                "hash set \(path) is an SQLite database but not an NSRL RDS version 3: it has no METADATA table "
                    + "(nor FILE view) with sha256, sha1 or md5 columns",
                path: path)
        }
        (table, algorithms) = found
        self.db = db
    }

    deinit { sqlite3_close_v2(db) }

    static func open(_ path: String) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(
            SQLiteDatabase.immutableURI(path), &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
            nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw EvidenceError(
                .hashSet, "cannot open hash set \(path) as SQLite: \(message)", path: path,
                function: "sqlite3_open_v2", systemCode: rc)
        }
        return handle
    }

    static func failure(_ db: OpaquePointer, _ path: String, _ function: String, _ rc: Int32) -> EvidenceError {
        EvidenceError(
            .hashSet, "hash set \(path): \(String(cString: sqlite3_errmsg(db)))", path: path, function: function,
            systemCode: rc)
    }

    /// Every row of `sql`, each column as text (`nil` for NULL).
    static func rows(_ db: OpaquePointer, _ path: String, _ sql: String) throws -> [[String?]] {
        var rows: [[String?]] = []
        try each(db, path, sql) { statement in
            rows.append(
                (0..<sqlite3_column_count(statement)).map { c in
                    sqlite3_column_text(statement, c).map { String(cString: $0) }
                })
        }
        return rows
    }

    private static func each(_ db: OpaquePointer, _ path: String, _ sql: String, _ body: (OpaquePointer) throws -> Void)
        throws
    {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(db, path, "sqlite3_prepare_v2", rc) }
        defer { sqlite3_finalize(statement) }
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return }
            guard step == SQLITE_ROW else { throw failure(db, path, "sqlite3_step", step) }
            try body(statement)
        }
    }

    /// A query on the digest column when an index starts with it (so a lookup is a B-tree search), else `nil`.
    func indexedQuery(_ algorithm: DigestAlgorithm) throws -> Query? {
        let column = algorithm.rawValue
        for index in try Self.rows(db, path, "PRAGMA index_list(\(table))") {
            guard let name = index[1] else { continue }
            let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            // index_xinfo: seqno, cid, name, desc, coll, key.
            let first = try Self.rows(db, path, "PRAGMA index_xinfo(\(quoted))").first { $0[0] == "0" }
            if first?[2]?.lowercased() == column {
                guard try !Self.rows(db, path, "SELECT 1 FROM \(table) LIMIT 1").isEmpty else {
                    throw EvidenceError(.hashSet, "hash set \(path) holds no \(column) digest", path: path)
                }
                // NIST stores upper case, a set rebuilt by another tool may not, and a sample of rows cannot prove
                // every row is in one case (a miss must never come from the letter case). So a miss in upper case
                // is probed again in lower case — two single `=` probes, each one B-tree descent, cost less than
                // `IN (?1, ?2)` (measured in Docs/benchmarks.md) — unless the index itself compares without case
                // (`COLLATE NOCASE`), which proves one probe finds either.
                let caseless = first?[4]?.uppercased() == "NOCASE"
                return Query(
                    path: path, sql: "SELECT 1 FROM \(table) WHERE \(column) = ?1 LIMIT 1", bothCases: !caseless)
            }
        }
        return nil
    }

    /// The number of rows of the table.
    func rowCount() throws -> Int {
        let value = try Self.rows(db, path, "SELECT count(*) FROM \(table)").first?.first ?? nil
        return value.flatMap { Int($0) } ?? 0
    }

    /// Hands every digest of the column to `body` as bytes, in table order.
    /// - Throws: ``EvidenceError`` `hash-set` naming the row whose value is not a digest of `algorithm`.
    func forEachDigest(_ algorithm: DigestAlgorithm, _ body: ([UInt8]) throws -> Void) throws {
        let column = algorithm.rawValue
        var row = 0
        try Self.each(db, path, "SELECT \(column) FROM \(table)") { statement in
            row += 1
            guard let text = sqlite3_column_text(statement, 0), let bytes = Hex.decode(String(cString: text)),
                bytes.count == algorithm.digestLength
            else {
                let shown = sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "NULL"
                throw EvidenceError(
                    .hashSet,
                    "hash set \(path): row \(row) of \(table) has \(column) '\(shown.prefix(140))', not a \(column) "
                        + "digest", path: path)
            }
            try body(bytes)
        }
    }

    /// The text of a lookup, opened again by each worker thread.
    struct Query: Sendable {
        let path: String
        let sql: String
        /// Whether a miss in upper case is probed again in lower case.
        let bothCases: Bool

        func prepare() throws -> Statement { try Statement(path: path, sql: sql, bothCases: bothCases) }
    }

    /// One connection and one prepared lookup, reset after each use.
    ///
    /// Not `Sendable`: the connection belongs to the worker thread that prepared it.
    final class Statement {
        private let db: OpaquePointer
        private let statement: OpaquePointer
        private let bothCases: Bool
        /// The digest as bound: hex, then a NUL (bound `SQLITE_STATIC`, so no copy is made per lookup).
        private var key = [CChar](repeating: 0, count: 129)
        let path: String

        init(path: String, sql: String, bothCases: Bool) throws {
            self.path = path
            self.bothCases = bothCases
            let db = try NSRLDatabase.open(path)
            // 16 MiB of pages per connection keeps the upper levels of a 10-million-entry index cached (measured:
            // half the CPU time per lookup of SQLite's default 2 MiB). Not mmap: it saved no CPU time on two
            // probes a lookup (docs/benchmarks.md), and every page it touches, with the kernel's fault-around,
            // counts in the resident size. query_only: this connection never writes, whatever the statement.
            sqlite3_exec(db, "PRAGMA cache_size = -16384", nil, nil, nil)
            sqlite3_exec(db, "PRAGMA query_only = 1", nil, nil, nil)
            var s: OpaquePointer?
            let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
            guard rc == SQLITE_OK, let s else {
                let error = NSRLDatabase.failure(db, path, "sqlite3_prepare_v3", rc)
                sqlite3_close_v2(db)
                throw error
            }
            self.db = db
            statement = s
        }

        deinit {
            sqlite3_finalize(statement)
            sqlite3_close_v2(db)
        }

        /// Whether the digest is in the column, stored in upper or lower case.
        /// - Throws: ``EvidenceError`` `hash-set` when SQLite cannot search (a damaged page, a read error).
        func contains(hex: String) throws -> Bool {
            let bytes = hex.utf8
            guard bytes.count < key.count else { return false }
            var letters = false
            for (i, c) in bytes.enumerated() {
                // Upper case first: NIST's case, so a hit in an RDS takes one probe.
                let isLower = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")
                let isUpper = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")
                letters = letters || isLower || isUpper
                key[i] = CChar(bitPattern: isLower ? c - 32 : c)
            }
            key[bytes.count] = 0
            if try probe(bytes.count) { return true }
            guard bothCases, letters else { return false }
            for i in 0..<bytes.count where key[i] >= CChar(UInt8(ascii: "A")) && key[i] <= CChar(UInt8(ascii: "Z")) {
                key[i] += 32
            }
            return try probe(bytes.count)
        }

        private func probe(_ length: Int) throws -> Bool {
            let rc = key.withUnsafeBufferPointer { k in
                // nil: SQLITE_STATIC. The binding is cleared before `key` can move.
                sqlite3_bind_text(statement, 1, k.baseAddress, Int32(length), nil)
                defer {
                    sqlite3_reset(statement)
                    sqlite3_clear_bindings(statement)
                }
                return sqlite3_step(statement)
            }
            if rc == SQLITE_ROW { return true }
            if rc == SQLITE_DONE { return false }
            throw NSRLDatabase.failure(db, path, "sqlite3_step", rc)
        }
    }
}

@available(*, unavailable)
extension NSRLDatabase: Sendable {}
