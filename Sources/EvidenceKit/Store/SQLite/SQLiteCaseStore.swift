internal import CSQLite
internal import CZlib
import Foundation
import IProceedsBase

/// The case file: one SQLite database (WAL journal; `synchronous=FULL`, so an entry reported written survives a
/// crash or power loss). Schema versioned with `PRAGMA user_version`; migrations run on open for writing.
///
/// Not `Sendable`: one connection, one thread. Several processes may append at once: each append is a
/// `BEGIN IMMEDIATE` transaction, so they queue on SQLite's write lock.
package final class SQLiteCaseStore: CaseStore {
    /// `PRAGMA application_id` of an iproceeds case file ("iPRC").
    static let applicationID: Int64 = 0x6950_5243
    /// The newest schema this build knows.
    package static let schemaVersion: Int64 = 2
    /// How many uncompressed manifest bytes go into one stored chunk (each compressed with zlib on its own).
    package static let defaultManifestChunkSize = 8 << 20

    private let db: SQLiteDatabase
    /// The schema of the open file (a file opened read-only is not migrated).
    private var version: Int64
    private let manifestChunkSize: Int

    /// Migrations, in order: entry `i` brings a file from version `i` to `i + 1`.
    private static let migrations: [String] = [
        """
        CREATE TABLE case_info (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            case_id TEXT NOT NULL, title TEXT NOT NULL, created TEXT NOT NULL);
        CREATE TABLE examiners (
            public_key TEXT PRIMARY KEY, examiner_id TEXT NOT NULL, name TEXT NOT NULL,
            registered_seq INTEGER NOT NULL);
        CREATE TABLE manifests (sha256 TEXT PRIMARY KEY, format TEXT NOT NULL, content BLOB NOT NULL);
        CREATE TABLE items (
            item_id TEXT PRIMARY KEY, description TEXT NOT NULL, acquired_seq INTEGER NOT NULL,
            manifest_sha256 TEXT NOT NULL REFERENCES manifests(sha256));
        CREATE TABLE ledger (
            seq INTEGER PRIMARY KEY, time TEXT NOT NULL, case_id TEXT NOT NULL, examiner_id TEXT NOT NULL,
            public_key TEXT NOT NULL, action TEXT NOT NULL, items TEXT NOT NULL, inputs TEXT NOT NULL,
            outputs TEXT NOT NULL, tool TEXT NOT NULL, tool_version TEXT NOT NULL, parameters TEXT NOT NULL,
            note TEXT NOT NULL, prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL UNIQUE, signature TEXT NOT NULL);
        CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger
            BEGIN SELECT RAISE(ABORT, 'the custody ledger is append-only'); END;
        CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger
            BEGIN SELECT RAISE(ABORT, 'the custody ledger is append-only'); END;
        """,
        // 2: manifests stored as zlib-compressed chunks (a manifest can exceed SQLite's 1 GB value limit), and
        // reservations of item ids while an acquisition is hashing. Manifests stored by schema 1 stay inline.
        """
        ALTER TABLE manifests ADD COLUMN storage TEXT NOT NULL DEFAULT 'inline';
        ALTER TABLE manifests ADD COLUMN size INTEGER;
        CREATE TABLE manifest_chunks (
            sha256 TEXT NOT NULL REFERENCES manifests(sha256), chunk INTEGER NOT NULL, size INTEGER NOT NULL,
            data BLOB NOT NULL, PRIMARY KEY (sha256, chunk));
        CREATE TABLE item_reservations (
            item_id TEXT PRIMARY KEY, examiner_id TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
            started TEXT NOT NULL);
        """,
    ]

    private init(db: SQLiteDatabase, version: Int64, manifestChunkSize: Int = defaultManifestChunkSize) {
        self.db = db
        self.version = version
        self.manifestChunkSize = manifestChunkSize
    }

    /// Creates a new case file at `path`, whole or not at all: it is built in a new, randomly named file beside
    /// `path` (schema, then whatever `build` writes, such as the opening entry), closed, and only then moved to
    /// `path` with `RENAME_NOREPLACE`. A run killed half-way leaves no file at `path` (only a `.NAME.*.partial`
    /// file), so `case init` can simply be run again; two runs creating the same file cannot both succeed.
    /// - Throws: ``EvidenceError`` `.invalidArgument` if `path` exists, `.io` if it cannot be created.
    package static func create(
        path: String, manifestChunkSize: Int = defaultManifestChunkSize,
        build: (SQLiteCaseStore) throws -> Void = { _ in }
    ) throws -> SQLiteCaseStore {
        func exists() -> EvidenceError {
            EvidenceError(.invalidArgument, "case file \(path) already exists; choose another --case", path: path)
        }
        let reservation: OutputFile
        do { reservation = try OutputFile(path: path, existing: .refuse) } catch let e as OutputFileError {
            throw e.code == .exists ? exists() : EvidenceError(e)
        }
        let temporary = reservation.temporaryPath
        do {
            try {
                let db = try SQLiteDatabase(path: temporary, create: false)
                defer { db.close() }
                try db.execute(
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA application_id=\(applicationID);")
                let store = SQLiteCaseStore(db: db, version: 0, manifestChunkSize: manifestChunkSize)
                try store.migrate(from: 0)
                try build(store)
                // The last connection's close merges the journal into the file and removes it.
                try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            }()
            try EvidenceError.writing { try reservation.commit() }
        } catch let e as EvidenceError where e.systemCode == EEXIST {
            unlink(temporary + "-wal")
            unlink(temporary + "-shm")
            throw exists()
        } catch {
            reservation.discard()
            unlink(temporary + "-wal")
            unlink(temporary + "-shm")
            throw error
        }
        return try open(path: path, manifestChunkSize: manifestChunkSize)
    }

    /// Opens an existing case file.
    ///
    /// `readOnly` (every command that only reads: verify, log, export) opens with `SQLITE_OPEN_READONLY`; when
    /// the file or its folder cannot be written (read-only media, a write-protected copy), it is opened
    /// `immutable=1`, which needs no `-shm` or `-wal` file beside it.
    /// - Throws: ``EvidenceError`` with code `.caseFileMissing` for a missing file, `.caseFile` for a file that is
    ///   not an iproceeds case file, or one written by a newer iproceeds — before anything is written to it.
    package static func open(path: String, readOnly: Bool = false, manifestChunkSize: Int = defaultManifestChunkSize)
        throws
        -> SQLiteCaseStore
    {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvidenceError(
                .caseFileMissing,
                "case file \(path) does not exist; create one with `iproceeds case init --case \(path) --id ID --title TEXT`",
                path: path)
        }
        let db: SQLiteDatabase
        let appID: Int64
        let version: Int64
        func probe(immutable: Bool) throws -> (SQLiteDatabase, Int64, Int64) {
            let db = try SQLiteDatabase(path: path, create: false, readOnly: readOnly, immutable: immutable)
            let appID = try db.query("PRAGMA application_id").first?.first?.integer ?? 0
            let version = try db.query("PRAGMA user_version").first?.first?.integer ?? 0
            return (db, appID, version)
        }
        do {
            (db, appID, version) = try probe(immutable: false)
        } catch let first as EvidenceError {
            let notADatabase = first.systemCode.map { $0 & 0xff == SQLITE_NOTADB } ?? false
            guard readOnly, !notADatabase, !Self.writable(path) else {
                throw Self.openFailure(path, first, readOnly: readOnly)
            }
            // Read-only media: SQLite cannot make the -shm file a WAL reader needs. Immutable mode reads the file
            // alone, which is exact unless a journal holds entries not yet merged into it.
            var st = stat()
            if stat(path + "-wal", &st) == 0, st.st_size > 0 {
                throw EvidenceError(
                    .caseFile,
                    "case file \(path) is on read-only media with a journal (\(path)-wal) not yet merged into it; "
                        + "copy both files to a writable folder and run the command on the copy",
                    path: path)
            }
            do { (db, appID, version) = try probe(immutable: true) } catch let e as EvidenceError {
                throw Self.openFailure(path, e, readOnly: readOnly)
            }
        }
        guard appID == applicationID else {
            throw EvidenceError(
                .caseFile, "\(path) is not an iproceeds case file (SQLite application id \(appID))", path: path)
        }
        guard version <= schemaVersion else {
            throw EvidenceError(
                .caseFile,
                "\(path) was written by a newer iproceeds (case file schema \(version); this build reads up to \(schemaVersion)); upgrade iproceeds",
                path: path)
        }
        if !readOnly {
            try db.execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            if version < schemaVersion {
                try SQLiteCaseStore(db: db, version: version).migrate(from: version)
                return SQLiteCaseStore(db: db, version: schemaVersion, manifestChunkSize: manifestChunkSize)
            }
        }
        return SQLiteCaseStore(db: db, version: version, manifestChunkSize: manifestChunkSize)
    }

    /// Whether both the file and its folder can be written (false on read-only media, even for root).
    private static func writable(_ path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        return access(path, W_OK) == 0 && access(folder.isEmpty ? "." : folder, W_OK) == 0
    }

    /// Says why a case file could not be opened: not a database, damaged, or not openable (with SQLite's reason).
    private static func openFailure(_ path: String, _ e: EvidenceError, readOnly: Bool) -> EvidenceError {
        let code = (e.systemCode ?? 0) & 0xff
        switch code {
        case SQLITE_NOTADB:
            return EvidenceError(
                .caseFile, "\(path) is not an iproceeds case file (not an SQLite database)", path: path,
                systemCode: e.systemCode)
        case SQLITE_CORRUPT:
            return EvidenceError(
                .caseFile, "case file \(path) is damaged (SQLite: \(e.message)); work from a backup copy", path: path,
                systemCode: e.systemCode)
        default:
            return EvidenceError(
                .caseFile,
                "cannot open case file \(path)\(readOnly ? " for reading" : ""): \(e.message)"
                    + (readOnly ? "" : "; a command that records needs the file and its folder writable"),
                path: path, systemCode: e.systemCode)
        }
    }

    private func migrate(from version: Int64) throws {
        try db.immediateTransaction {
            // Read again under the write lock: another process may have migrated the file since it was opened.
            let current = version == 0 ? 0 : try db.query("PRAGMA user_version").first?.first?.integer ?? version
            guard current < Self.schemaVersion else { return }
            for v in Int(current)..<Self.migrations.count {
                try db.execute(Self.migrations[v])
            }
            try db.execute("PRAGMA user_version=\(Self.schemaVersion)")
        }
        self.version = Self.schemaVersion
    }

    package func caseInfo() throws -> CaseInfo? {
        guard let row = try db.query("SELECT case_id, title, created FROM case_info WHERE singleton = 1").first else {
            return nil
        }
        return CaseInfo(caseID: row[0].text ?? "", title: row[1].text ?? "", created: row[2].text ?? "")
    }

    package func entries() throws -> [CustodyEntry] {
        try db.query(
            """
            SELECT seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version,
                   parameters, note, prev_hash, entry_hash, signature FROM ledger ORDER BY seq
            """
        ).map(Self.entry)
    }

    package func items() throws -> [CustodyItem] {
        try db.query("SELECT item_id, description, acquired_seq, manifest_sha256 FROM items ORDER BY item_id").map {
            CustodyItem(
                itemID: $0[0].text ?? "", description: $0[1].text ?? "", acquiredSeq: $0[2].integer ?? 0,
                manifestSHA256: $0[3].text ?? "")
        }
    }

    package func examiners() throws -> [RegisteredExaminer] {
        try db.query("SELECT examiner_id, name, public_key, registered_seq FROM examiners ORDER BY registered_seq").map
        {
            RegisteredExaminer(
                examinerID: $0[0].text ?? "", name: $0[1].text ?? "", publicKey: $0[2].text ?? "",
                registeredSeq: $0[3].integer ?? 0)
        }
    }

    package func revocations() throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try db.query("SELECT seq, parameters FROM ledger WHERE action = 'revoked' ORDER BY seq") {
            if let key = KeyRevocation.revokedKey(parametersColumn: row[1].text ?? ""), out[key] == nil {
                out[key] = row[0].integer ?? 0
            }
        }
        return out
    }

    package func readManifest(sha256: String, _ body: ([UInt8]) throws -> Void) throws -> Bool {
        guard version >= 2 else {
            guard
                let content = try db.query("SELECT content FROM manifests WHERE sha256 = ?", [.text(sha256)]).first?
                    .first?.blob
            else { return false }
            try body(content)
            return true
        }
        guard
            let row = try db.query("SELECT storage, content, size FROM manifests WHERE sha256 = ?", [.text(sha256)])
                .first
        else {
            return false
        }
        switch row[0].text {
        case "inline":
            try body(row[1].blob ?? [])
        case "zlib-chunks":
            // Chunks in order; a missing, extra or damaged chunk surfaces as a wrong size or hash in verification.
            var expected: Int64 = 0
            try db.forEachRow(
                "SELECT chunk, size, data FROM manifest_chunks WHERE sha256 = ? ORDER BY chunk", [.text(sha256)]
            ) { r in
                guard r[0].integer == expected, let size = r[1].integer, let data = r[2].blob,
                    let plain = Self.inflate(data, size: Int(size))
                else {
                    throw EvidenceError(
                        .caseFile, "the stored manifest \(sha256.prefix(16))… is damaged at chunk \(expected)",
                        path: db.path)
                }
                expected += 1
                try body(plain)
            }
        default:
            throw EvidenceError(
                .caseFile, "the stored manifest \(sha256.prefix(16))… has an unknown storage \(row[0].text ?? "?")",
                path: db.path)
        }
        return true
    }

    package func reserveItem(_ itemID: String, examinerID: String, time: String) throws {
        var host = [UInt8](repeating: 0, count: 256)
        _ = host.withUnsafeMutableBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, 255) }
        }
        let hostname = String(decoding: host.prefix { $0 != 0 }, as: UTF8.self)
        try db.immediateTransaction {
            if let row = try db.query(
                """
                SELECT items.acquired_seq, ledger.examiner_id, ledger.time FROM items
                LEFT JOIN ledger ON ledger.seq = items.acquired_seq WHERE items.item_id = ?
                """, [.text(itemID)]
            ).first {
                throw EvidenceError(
                    .invalidArgument,
                    "item \(itemID) is already in the case (added by \(row[1].text ?? "?") at \(row[2].text ?? "?"), entry \(row[0].integer ?? 0)); "
                        + "choose another --item", path: db.path)
            }
            if let r = try db.query(
                "SELECT examiner_id, host, pid, started FROM item_reservations WHERE item_id = ?", [.text(itemID)]
            ).first {
                // A reservation whose process is gone (killed, crashed) on this host is stale: take it over.
                let pid = pid_t(truncatingIfNeeded: r[2].integer ?? 0)
                let alive = r[1].text != hostname || (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM))
                if alive {
                    throw EvidenceError(
                        .invalidArgument,
                        "item \(itemID) is being added to the case right now (by \(r[0].text ?? "?") on \(r[1].text ?? "?"), process \(pid), "
                            + "since \(r[3].text ?? "?")); wait for it to finish, or choose another --item",
                        path: db.path)
                }
            }
            try db.query(
                "INSERT OR REPLACE INTO item_reservations (item_id, examiner_id, host, pid, started) VALUES (?, ?, ?, ?, ?)",
                [.text(itemID), .text(examinerID), .text(hostname), .integer(Int64(getpid())), .text(time)])
        }
    }

    package func releaseItem(_ itemID: String) {
        _ = try? db.query(
            "DELETE FROM item_reservations WHERE item_id = ? AND pid = ?", [.text(itemID), .integer(Int64(getpid()))])
    }

    /// Stores a manifest as zlib-compressed chunks of `manifestChunkSize` bytes, read from `m` piece by piece.
    private func storeManifest(_ m: ManifestBlob) throws {
        guard try db.query("SELECT 1 FROM manifests WHERE sha256 = ?", [.text(m.sha256)]).isEmpty else { return }
        try db.query(
            "INSERT INTO manifests (sha256, format, content, storage, size) VALUES (?, ?, x'', 'zlib-chunks', ?)",
            [.text(m.sha256), .text(m.format), .integer(Int64(m.size))])
        var chunk: Int64 = 0
        try m.read(pieceSize: manifestChunkSize) { piece in
            try db.query(
                "INSERT INTO manifest_chunks (sha256, chunk, size, data) VALUES (?, ?, ?, ?)",
                [.text(m.sha256), .integer(chunk), .integer(Int64(piece.count)), .blob(try Self.deflate(piece))])
            chunk += 1
        }
    }

    /// zlib (RFC 1950) at level 6, as every case store compresses manifest chunks. The corresponding C function
    /// is `compress2`.
    package static func deflate(_ bytes: [UInt8]) throws -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let rc = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(bytes.count), 6) }
        }
        guard rc == Z_OK else {
            throw EvidenceError(.library, "zlib compress2 failed (\(rc))", function: "compress2", systemCode: rc)
        }
        out.removeSubrange(Int(size)...)
        return out
    }

    /// The bytes of one chunk, or nil when they do not inflate to exactly `size` bytes. The corresponding C
    /// function is `uncompress`.
    package static func inflate(_ data: [UInt8], size: Int) -> [UInt8]? {
        guard size >= 0, size <= 1 << 30 else { return nil }
        var out = [UInt8](repeating: 0, count: max(size, 1))
        var length = uLong(out.count)
        let rc = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in uncompress(o.baseAddress, &length, i.baseAddress, uLong(data.count)) }
        }
        guard rc == Z_OK, Int(length) == size else { return nil }
        return Array(out.prefix(size))
    }

    package func append(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws -> CustodyEntry {
        do { return try appendRows(changes: changes, make) } catch let e as EvidenceError where e.function != nil {
            // SQLite's own words ("UNIQUE constraint failed: items.item_id") are no message for an examiner.
            switch (e.systemCode ?? 0) & 0xff {
            case SQLITE_CONSTRAINT:
                throw EvidenceError(
                    .caseFile,
                    "the case file \(db.path) refused the entry (\(e.message.replacingOccurrences(of: "case file \(db.path): ", with: ""))); "
                        + "nothing was written. Run `iproceeds custody verify --case \(db.path)`: the file may have been edited",
                    path: db.path, function: e.function, systemCode: e.systemCode)
            case SQLITE_READONLY:
                throw EvidenceError(
                    .caseFile,
                    "the case file \(db.path) is read-only here; nothing was written. Record on a writable copy",
                    path: db.path, function: e.function, systemCode: e.systemCode)
            case SQLITE_BUSY:
                throw EvidenceError(
                    .caseFile,
                    "the case file \(db.path) stayed locked by another process for 30 s; nothing was written. Try again",
                    path: db.path, function: e.function, systemCode: e.systemCode)
            default: throw e
            }
        }
    }

    private func appendRows(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws
        -> CustodyEntry
    {
        try db.immediateTransaction {
            let last = try db.query(
                """
                SELECT seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version,
                       parameters, note, prev_hash, entry_hash, signature FROM ledger ORDER BY seq DESC LIMIT 1
                """
            ).first.map(Self.entry)
            let e = try make(last)
            // Under the write lock: a revocation committed by another process a moment ago counts.
            try KeyRevocation.refuse(e, revoked: try revocations())
            let changes = changes.stamped(with: e.seq)
            if let info = changes.caseInfo {
                try db.query(
                    "INSERT INTO case_info (singleton, case_id, title, created) VALUES (1, ?, ?, ?)",
                    [.text(info.caseID), .text(info.title), .text(info.created)])
            }
            if let m = changes.manifest { try storeManifest(m) }
            if let item = changes.item {
                if !(try db.query("SELECT 1 FROM items WHERE item_id = ?", [.text(item.itemID)]).isEmpty) {
                    throw EvidenceError(
                        .invalidArgument, "item \(item.itemID) is already in the case; choose another --item",
                        path: db.path)
                }
                try db.query(
                    "INSERT INTO items (item_id, description, acquired_seq, manifest_sha256) VALUES (?, ?, ?, ?)",
                    [
                        .text(item.itemID), .text(item.description), .integer(item.acquiredSeq),
                        .text(item.manifestSHA256),
                    ])
                try db.query("DELETE FROM item_reservations WHERE item_id = ?", [.text(item.itemID)])
            }
            if let x = changes.examiner {
                try db.query(
                    "INSERT INTO examiners (public_key, examiner_id, name, registered_seq) VALUES (?, ?, ?, ?)",
                    [.text(x.publicKey), .text(x.examinerID), .text(x.name), .integer(x.registeredSeq)])
            }
            try db.query(
                """
                INSERT INTO ledger (seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool,
                    tool_version, parameters, note, prev_hash, entry_hash, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(e.seq), .text(e.time), .text(e.caseID), .text(e.examinerID), .text(e.publicKey),
                    .text(e.action), .text(JSONValue.strings(e.items).canonical),
                    .text(CustodyEntry.json(e.inputs).canonical), .text(CustodyEntry.json(e.outputs).canonical),
                    .text(e.tool), .text(e.toolVersion), .text(CustodyEntry.json(e.parameters).canonical),
                    .text(e.note),
                    .text(e.prevHash), .text(e.entryHash), .text(e.signature),
                ])
            return e
        }
    }

    /// A ledger row back into an entry. Malformed JSON columns come back empty, which verification then reports
    /// as changed content (the hash no longer matches).
    private static func entry(_ r: [SQLiteValue]) -> CustodyEntry {
        CustodyEntry(
            storedSeq: r[0].integer ?? -1, time: r[1].text ?? "", caseID: r[2].text ?? "",
            examinerID: r[3].text ?? "", publicKey: r[4].text ?? "", action: r[5].text ?? "",
            itemsColumn: r[6].text ?? "", inputsColumn: r[7].text ?? "", outputsColumn: r[8].text ?? "",
            tool: r[9].text ?? "", toolVersion: r[10].text ?? "", parametersColumn: r[11].text ?? "",
            note: r[12].text ?? "", prevHash: r[13].text ?? "", entryHash: r[14].text ?? "",
            signature: r[15].text ?? "")
    }
}
