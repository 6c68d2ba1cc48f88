internal import CSQLite
import Foundation

/// A minimal owner of one SQLite connection: open, execute, prepare, bind, step. The corresponding C functions
/// are `sqlite3_open_v2`, `sqlite3_exec`, `sqlite3_prepare_v2`, `sqlite3_bind_*`, `sqlite3_step`.
///
/// Not `Sendable`: a connection belongs to one thread (`@available(*, unavailable)` below says so).
final class SQLiteDatabase {
    private var handle: OpaquePointer?
    let path: String

    /// Opens `path`. `create` allows a new file; `readOnly` opens without write access; `immutable` (with
    /// `readOnly`) tells SQLite the file cannot change while open, so it needs no `-shm` or `-wal` beside it —
    /// what lets a case file on read-only media be read (the `immutable=1` URI parameter).
    /// - Throws: ``EvidenceError`` with SQLite's message.
    init(path: String, create: Bool, readOnly: Bool = false, immutable: Bool = false) throws {
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | (create ? SQLITE_OPEN_CREATE : 0)
            | SQLITE_OPEN_NOMUTEX | (immutable ? SQLITE_OPEN_URI : 0)
        let name = immutable ? Self.immutableURI(path) : path
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw EvidenceError(
                .io, "cannot open case file \(path): \(message)", path: path, function: "sqlite3_open_v2",
                systemCode: rc)
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 30_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { if let handle { sqlite3_close_v2(handle) } }

    /// Closes the connection now (the last connection's close checkpoints and removes the `-wal` file).
    func close() {
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// `file:` URI for `path` with `mode=ro&immutable=1`, percent-encoding what a URI path cannot hold.
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var out = "file:"
        for b in absolute.utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80, c.isLetter || c.isNumber || "/-._~".contains(c) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out + "?mode=ro&immutable=1"
    }

    func error(_ function: String, _ rc: Int32) -> EvidenceError {
        EvidenceError(
            .io, "case file \(path): \(String(cString: sqlite3_errmsg(handle)))", path: path, function: function,
            systemCode: rc)
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error("sqlite3_exec", rc) }
    }

    /// Prepares `sql`, binds `arguments` in order, and returns each row as an array of values.
    @discardableResult
    func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error("sqlite3_prepare_v2", rc) }
        defer { sqlite3_finalize(statement) }
        try bind(statement, arguments)
        var rows: [[SQLiteValue]] = []
        try step(statement) { rows.append($0) }
        return rows
    }

    /// Like ``query(_:_:)``, but hands each row to `body` as it is read, so a large result (a manifest's chunks)
    /// is never held whole.
    func forEachRow(_ sql: String, _ arguments: [SQLiteValue] = [], _ body: ([SQLiteValue]) throws -> Void) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error("sqlite3_prepare_v2", rc) }
        defer { sqlite3_finalize(statement) }
        try bind(statement, arguments)
        try step(statement, body)
    }

    private func bind(_ statement: OpaquePointer, _ arguments: [SQLiteValue]) throws {
        for (i, value) in arguments.enumerated() {
            let index = Int32(i + 1)
            let bound: Int32
            switch value {
            case .null: bound = sqlite3_bind_null(statement, index)
            case .integer(let v): bound = sqlite3_bind_int64(statement, index, v)
            case .text(let v): bound = sqlite3_bind_text(statement, index, v, -1, CSQLite_TRANSIENT)
            case .blob(let v):
                bound = v.withUnsafeBytes {
                    sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), CSQLite_TRANSIENT)
                }
            }
            guard bound == SQLITE_OK else { throw error("sqlite3_bind", bound) }
        }
    }

    private func step(_ statement: OpaquePointer, _ body: ([SQLiteValue]) throws -> Void) throws {
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw error("sqlite3_step", step) }
            let count = sqlite3_column_count(statement)
            var row: [SQLiteValue] = []
            row.reserveCapacity(Int(count))
            for c in 0..<count {
                switch sqlite3_column_type(statement, c) {
                case SQLITE_NULL: row.append(.null)
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, c)))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(statement, c))
                    if n == 0 {
                        row.append(.blob([]))
                    } else {
                        let p = sqlite3_column_blob(statement, c)!
                        row.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: n))))
                    }
                default:
                    if let p = sqlite3_column_text(statement, c) {
                        row.append(.text(String(cString: p)))
                    } else {
                        row.append(.null)
                    }
                }
            }
            try body(row)
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so two processes
    /// appending at once queue (up to the busy timeout) instead of failing on upgrade. Rolls back on a throw.
    func immediateTransaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

@available(*, unavailable)
extension SQLiteDatabase: Sendable {}

/// A value read from or bound to SQLite.
enum SQLiteValue: Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
    var integer: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }
    var blob: [UInt8]? {
        if case .blob(let b) = self { return b }
        return nil
    }
}
