import Foundation

/// The case file: one SQLite database (WAL journal; `synchronous=FULL`, so an entry reported written survives a
/// crash or power loss). Schema versioned with `PRAGMA user_version`; migrations run on open for writing.
///
/// Not `Sendable`: one connection, one thread. Several processes may append at once: each append is a
/// `BEGIN IMMEDIATE` transaction, so they queue on SQLite's write lock.
public final class SQLiteCaseStore: CaseStore {
    /// `PRAGMA application_id` of an iproceeds case file ("iPRC").
    static let applicationID: Int64 = 0x6950_5243
    /// The newest schema this build knows.
    public static let schemaVersion: Int64 = 1

    private let db: SQLiteDatabase

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
        """
    ]

    private init(db: SQLiteDatabase) { self.db = db }

    /// Creates a new, empty case file at `path`.
    /// - Throws: ``EvidenceError`` if the file exists or cannot be created.
    public static func create(path: String) throws -> SQLiteCaseStore {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw EvidenceError(.invalidArgument, "case file \(path) already exists; choose another --case", path: path)
        }
        let db = try SQLiteDatabase(path: path, create: true)
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA application_id=\(applicationID);")
        let store = SQLiteCaseStore(db: db)
        try store.migrate(from: 0)
        return store
    }

    /// Opens an existing case file.
    /// - Throws: ``EvidenceError`` with code `.caseFile` for a missing file, a file that is not an iproceeds case
    ///   file, or one written by a newer iproceeds — before anything is written to it.
    public static func open(path: String, readOnly: Bool = false) throws -> SQLiteCaseStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvidenceError(
                .caseFile, "case file \(path) does not exist; create one with `iproceeds case init --case \(path) --id ID --title TEXT`",
                path: path)
        }
        let db: SQLiteDatabase
        let appID: Int64
        let version: Int64
        do {
            db = try SQLiteDatabase(path: path, create: false, readOnly: readOnly)
            appID = try db.query("PRAGMA application_id").first?.first?.integer ?? 0
            version = try db.query("PRAGMA user_version").first?.first?.integer ?? 0
        } catch {
            throw EvidenceError(.caseFile, "\(path) is not an iproceeds case file (not an SQLite database)", path: path)
        }
        guard appID == applicationID else {
            throw EvidenceError(.caseFile, "\(path) is not an iproceeds case file (SQLite application id \(appID))", path: path)
        }
        guard version <= schemaVersion else {
            throw EvidenceError(
                .caseFile,
                "\(path) was written by a newer iproceeds (case file schema \(version); this build reads up to \(schemaVersion)); upgrade iproceeds",
                path: path)
        }
        let store = SQLiteCaseStore(db: db)
        if !readOnly {
            try db.execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            if version < schemaVersion { try store.migrate(from: version) }
        }
        return store
    }

    private func migrate(from version: Int64) throws {
        try db.immediateTransaction {
            for v in Int(version)..<Self.migrations.count {
                try db.execute(Self.migrations[v])
            }
            try db.execute("PRAGMA user_version=\(Self.schemaVersion)")
        }
    }

    public func caseInfo() throws -> CaseInfo? {
        guard let row = try db.query("SELECT case_id, title, created FROM case_info WHERE singleton = 1").first else {
            return nil
        }
        return CaseInfo(caseID: row[0].text ?? "", title: row[1].text ?? "", created: row[2].text ?? "")
    }

    public func entries() throws -> [CustodyEntry] {
        try db.query(
            """
            SELECT seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version,
                   parameters, note, prev_hash, entry_hash, signature FROM ledger ORDER BY seq
            """
        ).map(Self.entry)
    }

    public func items() throws -> [CustodyItem] {
        try db.query("SELECT item_id, description, acquired_seq, manifest_sha256 FROM items ORDER BY item_id").map {
            CustodyItem(itemID: $0[0].text ?? "", description: $0[1].text ?? "", acquiredSeq: $0[2].integer ?? 0, manifestSHA256: $0[3].text ?? "")
        }
    }

    public func examiners() throws -> [RegisteredExaminer] {
        try db.query("SELECT examiner_id, name, public_key, registered_seq FROM examiners ORDER BY registered_seq").map {
            RegisteredExaminer(examinerID: $0[0].text ?? "", name: $0[1].text ?? "", publicKey: $0[2].text ?? "", registeredSeq: $0[3].integer ?? 0)
        }
    }

    public func manifest(sha256: String) throws -> [UInt8]? {
        try db.query("SELECT content FROM manifests WHERE sha256 = ?", [.text(sha256)]).first?.first?.blob
    }

    public func append(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws -> CustodyEntry {
        try db.immediateTransaction {
            let last = try db.query(
                """
                SELECT seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version,
                       parameters, note, prev_hash, entry_hash, signature FROM ledger ORDER BY seq DESC LIMIT 1
                """
            ).first.map(Self.entry)
            let e = try make(last)
            let changes = changes.stamped(with: e.seq)
            if let info = changes.caseInfo {
                try db.query(
                    "INSERT INTO case_info (singleton, case_id, title, created) VALUES (1, ?, ?, ?)",
                    [.text(info.caseID), .text(info.title), .text(info.created)])
            }
            if let m = changes.manifest {
                try db.query(
                    "INSERT OR IGNORE INTO manifests (sha256, format, content) VALUES (?, ?, ?)",
                    [.text(m.sha256), .text(m.format), .blob(m.content)])
            }
            if let item = changes.item {
                try db.query(
                    "INSERT INTO items (item_id, description, acquired_seq, manifest_sha256) VALUES (?, ?, ?, ?)",
                    [.text(item.itemID), .text(item.description), .integer(item.acquiredSeq), .text(item.manifestSHA256)])
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
                    .text(e.action), .text("[" + e.items.map(CanonicalJSON.string).joined(separator: ",") + "]"),
                    .text(CanonicalJSON.references(e.inputs)), .text(CanonicalJSON.references(e.outputs)),
                    .text(e.tool), .text(e.toolVersion), .text(CanonicalJSON.object(e.parameters)), .text(e.note),
                    .text(e.prevHash), .text(e.entryHash), .text(e.signature),
                ])
            return e
        }
    }

    /// A ledger row back into an entry. Malformed JSON columns come back empty, which verification then reports
    /// as changed content (the hash no longer matches).
    private static func entry(_ r: [SQLiteValue]) -> CustodyEntry {
        func json(_ v: SQLiteValue) -> Any? {
            guard let t = v.text else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(t.utf8))
        }
        func refs(_ v: SQLiteValue) -> [HashReference] {
            ((json(v) as? [[String: Any]]) ?? []).map {
                HashReference(name: $0["name"] as? String ?? "", sha256: $0["sha256"] as? String ?? "")
            }
        }
        return CustodyEntry(
            seq: r[0].integer ?? -1, time: r[1].text ?? "", caseID: r[2].text ?? "", examinerID: r[3].text ?? "",
            publicKey: r[4].text ?? "", action: r[5].text ?? "", items: (json(r[6]) as? [String]) ?? [],
            inputs: refs(r[7]), outputs: refs(r[8]), tool: r[9].text ?? "", toolVersion: r[10].text ?? "",
            parameters: (json(r[11]) as? [String: String]) ?? [:], note: r[12].text ?? "", prevHash: r[13].text ?? "",
            entryHash: r[14].text ?? "", signature: r[15].text ?? "")
    }
}
