import EvidenceKit
import Foundation
import IProceedsBase
import PostgresNIO

/// A case kept on a PostgreSQL server, with the guarantees of the SQLite case file, enforced by the server too
/// (see ``PostgresSchema``): appends for one case are serialised by an advisory lock, the chain is checked by a
/// trigger, rows are append-only, and an entry's hash is unique, so a client that lost its connection and retries
/// learns that its entry was already recorded instead of writing it twice.
///
/// Synchronous over postgres-nio: every query is an `EventLoopFuture` waited for on the calling thread, on the
/// process's one event loop group (`MultiThreadedEventLoopGroup.singleton`); the calling thread is never an event
/// loop thread, so the wait cannot deadlock. The one async API (COPY) runs on ``PostgresBridgeExecutor``, threads
/// of its own, never Swift's cooperative pool, which a blocked caller may be occupying.
///
/// Not `Sendable`: one connection, used by one thread at a time. Several processes may append at once.
package final class PostgresCaseStore: CaseStore {
    /// The server and case, for messages (never with a password).
    package let url: PostgresCaseURL
    /// The case this store reads and writes (the URL's `?case=`).
    package let caseRef: String
    /// Receives one-line notices for the user: an entry found already recorded after a lost connection, a
    /// reconnection, a password file ignored. The CLI prints them on standard error.
    package var notice: (String) -> Void
    /// How long an operation keeps trying to reconnect to a server that was reachable and went away (a restart,
    /// a fail-over) before giving up with ``EvidenceError/Code/storeUnavailable``.
    package var reconnectBudget: TimeInterval = 60

    private let configuration: PostgresConnection.Configuration
    private let readOnly: Bool
    private let manifestChunkSize: Int
    private var connection: PostgresConnection?
    private var nextConnectionID = 1
    /// Whether this process ever connected: only then is a refused connection a server going away (retried), not
    /// a wrong address (reported at once).
    private var everConnected = false
    private let logger: Logger = {
        var l = Logger(label: "iproceeds.postgres")
        l.logLevel = .critical
        return l
    }()

    private init(
        url: PostgresCaseURL, caseRef: String, readOnly: Bool, manifestChunkSize: Int,
        notice: @escaping (String) -> Void
    )
        throws
    {
        self.url = url
        self.caseRef = caseRef
        self.readOnly = readOnly
        self.manifestChunkSize = manifestChunkSize
        self.notice = notice
        self.configuration = try Self.configuration(for: url, warn: notice)
    }

    deinit { _ = try? connection?.close().wait() }

    // MARK: Opening

    /// Opens the case `url` names, migrating an older schema unless `readOnly`.
    /// - Throws: ``EvidenceError``: `.storeUnavailable` when the server cannot be reached, `.storeAccessDenied`
    ///   for refused credentials, `.caseFileMissing` for a database without the schema or the case, `.caseFile` for
    ///   a schema from a newer iproceeds.
    package static func open(
        _ url: PostgresCaseURL, readOnly: Bool = false,
        manifestChunkSize: Int = SQLiteCaseStore.defaultManifestChunkSize,
        notice: @escaping (String) -> Void = { _ in }
    ) throws -> PostgresCaseStore {
        guard let caseRef = url.caseID else {
            throw EvidenceError(.invalidArgument, "\(url) names no case; add ?case=CASE-ID to the URL")
        }
        let store = try PostgresCaseStore(
            url: url, caseRef: caseRef, readOnly: readOnly, manifestChunkSize: manifestChunkSize, notice: notice)
        // Through retrying(): a server restarting while the store opens is waited for, and every failure becomes
        // an EvidenceError (its exit status), never a raw driver error.
        let version = try store.retrying { try store.schemaVersion() }
        guard let version else {
            throw EvidenceError(
                .caseFileMissing,
                "case \(caseRef) does not exist on \(url): the database has no iproceeds schema; "
                    + "create the case with `iproceeds case init --case \(url) --id \(caseRef) --title TEXT`")
        }
        try store.refuseNewer(version)
        if version < PostgresSchema.version && !readOnly { try store.retrying { try store.migrate() } }
        guard
            try store.retrying({ try !store.rows("SELECT 1 FROM iproceeds.cases WHERE case_ref = \(caseRef)").isEmpty })
        else {
            throw EvidenceError(
                .caseFileMissing,
                "case \(caseRef) does not exist on \(url); create it with `iproceeds case init --case \(url) --id \(caseRef) --title TEXT`"
            )
        }
        return store
    }

    /// Creates the schema if the database has none (or migrates it), then the case, whole or not at all: `build`
    /// (which appends the opening entry, with the case row in the same transaction) either commits or leaves
    /// nothing behind, and a second `case init` for the same case is refused by the server.
    /// - Throws: ``EvidenceError`` `.invalidArgument` when the case exists.
    package static func create(
        _ url: PostgresCaseURL, caseID: String, manifestChunkSize: Int = SQLiteCaseStore.defaultManifestChunkSize,
        notice: @escaping (String) -> Void = { _ in }, build: (PostgresCaseStore) throws -> Void
    ) throws -> PostgresCaseStore {
        if let named = url.caseID, named != caseID {
            throw EvidenceError(
                .invalidArgument, "the URL names case \(named) but --id is \(caseID); make them the same")
        }
        var url = url
        url.caseID = caseID
        let store = try PostgresCaseStore(
            url: url, caseRef: caseID, readOnly: false, manifestChunkSize: manifestChunkSize, notice: notice)
        if let version = try store.retrying({ try store.schemaVersion() }) { try store.refuseNewer(version) }
        try store.retrying { try store.migrate() }
        guard try store.retrying({ try store.rows("SELECT 1 FROM iproceeds.cases WHERE case_ref = \(caseID)").isEmpty })
        else {
            throw EvidenceError(
                .invalidArgument, "case \(caseID) already exists on \(store.url.description); choose another --id")
        }
        try build(store)
        return store
    }

    /// Whether the database `url` names holds its case (false also when it has no iproceeds schema yet).
    package static func caseExists(_ url: PostgresCaseURL, notice: @escaping (String) -> Void = { _ in }) throws -> Bool
    {
        guard let caseRef = url.caseID else { return false }
        let store = try PostgresCaseStore(
            url: url, caseRef: caseRef, readOnly: true, manifestChunkSize: SQLiteCaseStore.defaultManifestChunkSize,
            notice: notice)
        guard let version = try store.retrying({ try store.schemaVersion() }) else { return false }
        try store.refuseNewer(version)
        return try store.retrying {
            try !store.rows("SELECT 1 FROM iproceeds.cases WHERE case_ref = \(caseRef)").isEmpty
        }
    }

    /// The schema version of the database, or nil when it has no iproceeds schema.
    private func schemaVersion() throws -> Int? {
        guard
            try rows("SELECT to_regclass('iproceeds.schema_info')::text").first.flatMap({ try $0.decode(String?.self) })
                != nil
        else { return nil }
        return try rows("SELECT version FROM iproceeds.schema_info WHERE singleton = 1").first.map {
            try $0.decode(Int.self)
        } ?? 0
    }

    private func refuseNewer(_ version: Int) throws {
        guard version <= PostgresSchema.version else {
            throw EvidenceError(
                .caseFile,
                "\(url) was written by a newer iproceeds (case store schema \(version); this build reads up to "
                    + "\(PostgresSchema.version)); upgrade iproceeds")
        }
    }

    /// Brings the schema to ``PostgresSchema/version`` in one transaction, under an advisory lock so that two
    /// first `case init`s do not both create it.
    private func migrate() throws {
        try transaction {
            _ = try rows("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockClass), \(PostgresSchema.migrationLock))")
            for statement in PostgresSchema.bootstrap { _ = try rows(PostgresQuery(unsafeSQL: statement)) }
            let current =
                try rows("SELECT version FROM iproceeds.schema_info WHERE singleton = 1").first.map {
                    try $0.decode(Int.self)
                } ?? 0
            try refuseNewer(current)
            guard current < PostgresSchema.version else { return }
            for v in current..<PostgresSchema.migrations.count {
                for statement in PostgresSchema.migrations[v] { _ = try rows(PostgresQuery(unsafeSQL: statement)) }
            }
            _ = try rows(
                """
                INSERT INTO iproceeds.schema_info (singleton, version) VALUES (1, \(PostgresSchema.version))
                ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version
                """)
        }
    }

    // MARK: CaseStore

    package func caseInfo() throws -> CaseInfo? {
        try retrying {
            try rows("SELECT case_ref, title, created FROM iproceeds.cases WHERE case_ref = \(caseRef)").first.map {
                let (id, title, created) = try $0.decode((String, String, String).self)
                return CaseInfo(caseID: id, title: title, created: created)
            }
        }
    }

    package func entries() throws -> [CustodyEntry] {
        try retrying { try rows(Self.ledgerSelect(caseRef, newestFirst: false)).map(Self.entry) }
    }

    package func items() throws -> [CustodyItem] {
        try retrying {
            try rows(
                """
                SELECT item_id, description, acquired_seq, manifest_sha256 FROM iproceeds.items
                WHERE case_ref = \(caseRef) ORDER BY item_id
                """
            ).map {
                let (id, description, seq, sha) = try $0.decode((String, String, Int64, String).self)
                return CustodyItem(itemID: id, description: description, acquiredSeq: seq, manifestSHA256: sha)
            }
        }
    }

    package func examiners() throws -> [RegisteredExaminer] {
        try retrying {
            try rows(
                """
                SELECT examiner_id, name, public_key, registered_seq FROM iproceeds.examiners
                WHERE case_ref = \(caseRef) ORDER BY registered_seq
                """
            ).map {
                let (id, name, key, seq) = try $0.decode((String, String, String, Int64).self)
                return RegisteredExaminer(examinerID: id, name: name, publicKey: key, registeredSeq: seq)
            }
        }
    }

    package func readManifest(sha256: String, _ body: ([UInt8]) throws -> Void) throws -> Bool {
        let chunks: [(Int, Int)]? = try retrying {
            guard
                let storage = try rows(
                    "SELECT storage FROM iproceeds.manifests WHERE case_ref = \(caseRef) AND sha256 = \(sha256)"
                ).first.map({ try $0.decode(String.self) })
            else { return nil }
            guard storage == "zlib-chunks" else {
                throw EvidenceError(
                    .caseFile, "the stored manifest \(sha256.prefix(16))… has an unknown storage \(storage)")
            }
            return try rows(
                """
                SELECT chunk, size FROM iproceeds.manifest_chunks
                WHERE case_ref = \(caseRef) AND sha256 = \(sha256) ORDER BY chunk
                """
            ).map { try $0.decode((Int, Int).self) }
        }
        guard let chunks else { return false }
        // One chunk at a time, so that a manifest of any size is never held whole. A missing, extra or damaged
        // chunk surfaces as a wrong size or hash in verification.
        for (expected, (chunk, size)) in chunks.enumerated() {
            let data = try retrying {
                try rows(
                    """
                    SELECT data FROM iproceeds.manifest_chunks
                    WHERE case_ref = \(caseRef) AND sha256 = \(sha256) AND chunk = \(chunk)
                    """
                ).first.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
            }
            guard chunk == expected, let data, let plain = SQLiteCaseStore.inflate(data, size: size) else {
                throw EvidenceError(
                    .caseFile, "the stored manifest \(sha256.prefix(16))… is damaged at chunk \(expected)")
            }
            try body(plain)
        }
        return true
    }

    package func reserveItem(_ itemID: String, examinerID: String, time: String) throws {
        var host = [UInt8](repeating: 0, count: 256)
        _ = host.withUnsafeMutableBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, 255) }
        }
        let hostname = String(decoding: host.prefix { $0 != 0 }, as: UTF8.self)
        try retrying {
            try transaction {
                _ = try rows("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockClass), hashtext(\(caseRef)))")
                if let row = try rows(
                    """
                    SELECT i.acquired_seq, l.examiner_id, l.time FROM iproceeds.items i
                    LEFT JOIN iproceeds.ledger l ON l.case_ref = i.case_ref AND l.seq = i.acquired_seq
                    WHERE i.case_ref = \(caseRef) AND i.item_id = \(itemID)
                    """
                ).first {
                    let (seq, by, at) = try row.decode((Int64, String?, String?).self)
                    throw EvidenceError(
                        .invalidArgument,
                        "item \(itemID) is already in the case (added by \(by ?? "?") at \(at ?? "?"), entry \(seq)); choose another --item"
                    )
                }
                if let row = try rows(
                    """
                    SELECT examiner_id, host, pid, started FROM iproceeds.item_reservations
                    WHERE case_ref = \(caseRef) AND item_id = \(itemID)
                    """
                ).first {
                    let (by, host, pid, since) = try row.decode((String, String, Int64, String).self)
                    // A reservation whose process is gone on this host is stale (killed, crashed): take it over.
                    let p = pid_t(truncatingIfNeeded: pid)
                    let alive = host != hostname || (p > 0 && (kill(p, 0) == 0 || errno == EPERM))
                    if alive {
                        throw EvidenceError(
                            .invalidArgument,
                            "item \(itemID) is being added to the case right now (by \(by) on \(host), process \(pid), since \(since)); "
                                + "wait for it to finish, or choose another --item")
                    }
                    _ = try rows(
                        "DELETE FROM iproceeds.item_reservations WHERE case_ref = \(caseRef) AND item_id = \(itemID)")
                }
                _ = try rows(
                    """
                    INSERT INTO iproceeds.item_reservations (case_ref, item_id, examiner_id, host, pid, started)
                    VALUES (\(caseRef), \(itemID), \(examinerID), \(hostname), \(Int64(getpid())), \(time))
                    """)
            }
        }
    }

    package func releaseItem(_ itemID: String) {
        _ = try? rows(
            """
            DELETE FROM iproceeds.item_reservations
            WHERE case_ref = \(caseRef) AND item_id = \(itemID) AND pid = \(Int64(getpid()))
            """)
    }

    /// Appends one entry, exactly once. When the connection is lost while the entry is in flight (the server
    /// restarted, the network dropped), the store reconnects and asks the server whether the entry's hash is in
    /// the ledger: if it is, the entry was committed before the connection went, and it is returned as recorded
    /// (with a notice); if not, the same signed entry is sent again, or, when another examiner has appended
    /// meanwhile, `make` signs a new one on the new head. The unique entry hash makes a duplicate impossible.
    package func append(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws -> CustodyEntry {
        guard !readOnly else {
            throw EvidenceError(.caseFile, "\(url) was opened for reading; nothing was written")
        }
        let inFlight = InFlight()
        do {
            return try appendOnce(changes: changes, inFlight: inFlight, make)
        } catch let e as EvidenceError where e.code == .storeUnavailable && inFlight.entry != nil {
            // The entry may have reached the server before the connection went for good: say so, so that nobody
            // records it a second time by hand without looking.
            throw EvidenceError(
                .storeUnavailable,
                "lost the connection to \(url) while entry \(inFlight.entry!.seq) was being committed, and could not reconnect "
                    + "within \(Int(reconnectBudget)) s; it may or may not be recorded: check with `iproceeds custody log --case "
                    + "\(url)` before recording it again")
        }
    }

    private func appendOnce(
        changes: StoreChanges, inFlight: InFlight, _ make: (CustodyEntry?) throws -> CustodyEntry
    ) throws -> CustodyEntry {
        try retrying(onReconnect: {
            guard let entry = inFlight.entry else { return nil }
            let found = try self.rows("SELECT seq FROM iproceeds.ledger WHERE entry_hash = \(entry.entryHash)").first
            guard found != nil else { return nil }
            self.notice(
                "the connection to \(self.url) was lost while entry \(entry.seq) was being committed; the server had "
                    + "recorded it, so it was not recorded again (already recorded)")
            return entry
        }) {
            try transaction {
                _ = try rows("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockClass), hashtext(\(caseRef)))")
                let last = try rows(Self.ledgerSelect(caseRef, newestFirst: true)).first.map(Self.entry)
                let e: CustodyEntry
                if let previous = inFlight.entry, previous.seq == (last?.seq ?? 0) + 1,
                    previous.prevHash == (last?.entryHash ?? CustodyEntry.genesisPrevHash)
                {
                    e = previous
                } else {
                    e = try make(last)
                }
                // Under the case's lock: a revocation another examiner committed a moment ago counts.
                try KeyRevocation.refuse(e, revoked: try revokedKeys())
                inFlight.entry = e
                try write(e, changes: changes.stamped(with: e.seq))
                return e
            }
        }
    }

    /// The signed entry an append has sent (or is about to send), kept across reconnections.
    private final class InFlight { var entry: CustodyEntry? }

    /// The rows of one append, in its transaction.
    private func write(_ e: CustodyEntry, changes: StoreChanges) throws {
        if let info = changes.caseInfo {
            _ = try rows(
                "INSERT INTO iproceeds.cases (case_ref, title, created) VALUES (\(caseRef), \(info.title), \(info.created))"
            )
        }
        if let m = changes.manifest { try storeManifest(m) }
        if let item = changes.item {
            if !(try rows("SELECT 1 FROM iproceeds.items WHERE case_ref = \(caseRef) AND item_id = \(item.itemID)")
                .isEmpty)
            {
                throw EvidenceError(
                    .invalidArgument, "item \(item.itemID) is already in the case; choose another --item")
            }
            _ = try rows(
                """
                INSERT INTO iproceeds.items (case_ref, item_id, description, acquired_seq, manifest_sha256)
                VALUES (\(caseRef), \(item.itemID), \(item.description), \(item.acquiredSeq), \(item.manifestSHA256))
                """)
            _ = try rows(
                "DELETE FROM iproceeds.item_reservations WHERE case_ref = \(caseRef) AND item_id = \(item.itemID)")
        }
        if let x = changes.examiner {
            _ = try rows(
                """
                INSERT INTO iproceeds.examiners (case_ref, public_key, examiner_id, name, registered_seq)
                VALUES (\(caseRef), \(x.publicKey), \(x.examinerID), \(x.name), \(x.registeredSeq))
                """)
        }
        try insertLedgerRow(e)
    }

    package func revocations() throws -> [String: Int64] { try retrying { try revokedKeys() } }

    /// ``revocations()`` in the current transaction (no reconnection: an append retries as a whole).
    private func revokedKeys() throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        let found = try rows(
            """
            SELECT seq, parameters FROM iproceeds.ledger WHERE case_ref = \(caseRef) AND action = 'revoked'
            ORDER BY seq
            """)
        for row in found {
            let (seq, parameters) = try row.decode((Int64, String).self)
            if let key = KeyRevocation.revokedKey(parametersColumn: parameters), out[key] == nil { out[key] = seq }
        }
        return out
    }

    /// One ledger row, exactly as signed.
    func insertLedgerRow(_ e: CustodyEntry) throws {
        _ = try rows(
            """
            INSERT INTO iproceeds.ledger (case_ref, seq, time, case_id, examiner_id, public_key, action, items, inputs,
                outputs, tool, tool_version, parameters, note, prev_hash, entry_hash, signature)
            VALUES (\(caseRef), \(e.seq), \(e.time), \(e.caseID), \(e.examinerID), \(e.publicKey), \(e.action),
                \(e.itemsColumn), \(e.inputsColumn), \(e.outputsColumn), \(e.tool), \(e.toolVersion),
                \(e.parametersColumn), \(e.note), \(e.prevHash), \(e.entryHash), \(e.signature))
            """)
    }

    /// Stores a manifest as zlib chunks (as the SQLite case file does), streamed to the server with COPY: one
    /// chunk is compressed and sent while the next is read, so a manifest of any size is never held whole.
    private func storeManifest(_ m: ManifestBlob) throws {
        guard try rows("SELECT 1 FROM iproceeds.manifests WHERE case_ref = \(caseRef) AND sha256 = \(m.sha256)").isEmpty
        else { return }
        _ = try rows(
            """
            INSERT INTO iproceeds.manifests (case_ref, sha256, format, size, storage)
            VALUES (\(caseRef), \(m.sha256), \(m.format), \(Int64(m.size)), 'zlib-chunks')
            """)
        // postgres-nio quotes the table name whole ("a.b" would be one name): name the schema through the
        // transaction's search path instead.
        _ = try rows("SET LOCAL search_path = iproceeds")
        let conn = try connected()
        let prefix = Self.copyText(caseRef) + "\t" + m.sha256 + "\t"
        var chunk = 0
        try PostgresBridgeExecutor.copy(
            into: "manifest_chunks", columns: ["case_ref", "sha256", "chunk", "size", "data"], on: conn,
            logger: logger
        ) { send in
            try m.read(pieceSize: manifestChunkSize) { piece in
                let compressed = try SQLiteCaseStore.deflate(piece)
                var row = ByteBuffer()
                row.reserveCapacity(prefix.utf8.count + 24 + 2 * compressed.count)
                row.writeString(prefix + "\(chunk)\t\(piece.count)\t\\\\x")
                row.writeString(Hex.encode(compressed))
                row.writeString("\n")
                try send(row)
                chunk += 1
            }
        }
    }

    /// A text value escaped for COPY's text format.
    static func copyText(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    // MARK: Ledger rows

    static func ledgerSelect(_ caseRef: String, newestFirst: Bool) -> PostgresQuery {
        var q: PostgresQuery = """
            SELECT seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version,
                   parameters, note, prev_hash, entry_hash, signature FROM iproceeds.ledger WHERE case_ref = \(caseRef)
            """
        q.sql += newestFirst ? " ORDER BY seq DESC LIMIT 1" : " ORDER BY seq"
        return q
    }

    static func entry(_ row: PostgresRow) throws -> CustodyEntry {
        let (
            seq, time, caseID, examinerID, publicKey, action, items, inputs, outputs, tool, toolVersion, parameters,
            note, prev, hash, sig
        ) =
            try row.decode(
                (
                    Int64, String, String, String, String, String, String, String, String, String, String, String,
                    String, String, String, String
                )
                .self)
        return CustodyEntry(
            storedSeq: seq, time: time, caseID: caseID, examinerID: examinerID, publicKey: publicKey, action: action,
            itemsColumn: items, inputsColumn: inputs, outputsColumn: outputs, tool: tool, toolVersion: toolVersion,
            parametersColumn: parameters, note: note, prevHash: prev, entryHash: hash, signature: sig)
    }

    // MARK: Connection, queries, transactions

    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        do {
            let c = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: nextConnectionID,
                logger: logger
            ).wait()
            nextConnectionID += 1
            connection = c
            everConnected = true
            return c
        } catch {
            throw Self.describe(error, url: url)
        }
    }

    /// Runs one statement and collects its rows.
    @discardableResult
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        let conn = try connected()
        do {
            return try conn.query(query, logger: logger).wait().rows
        } catch let error as PSQLError where error.code == .server {
            // A server error leaves the connection usable; the caller decides what it means.
            if Self.isConnectionLoss(error) { dropConnection() }
            throw error
        } catch {
            dropConnection()
            throw error
        }
    }

    private func dropConnection() {
        if let c = connection { _ = try? c.close().wait() }
        connection = nil
    }

    /// `body` between BEGIN and COMMIT; ROLLBACK when it throws (on a connection still open).
    private func transaction<R>(_ body: () throws -> R) throws -> R {
        try rows("BEGIN")
        let result: R
        do {
            result = try body()
            try commitHook?(false)
        } catch {
            if let c = connection, !c.isClosed { _ = try? rows("ROLLBACK") }
            throw error
        }
        try rows("COMMIT")
        try commitHook?(true)
        return result
    }

    /// For tests: called just before COMMIT is sent (`false`) and just after its reply (`true`), to simulate a
    /// connection lost at either point.
    var commitHook: ((_ committed: Bool) throws -> Void)?

    /// For tests: closes the connection as a network failure would.
    func simulateConnectionLoss() throws -> Never {
        dropConnection()
        throw ChannelError.ioOnClosedChannel
    }

    /// Runs `body`; when the connection is lost (and this process had connected before), reconnects with
    /// growing pauses for up to ``reconnectBudget`` and runs it again. `onReconnect`, run first after each
    /// reconnection, may settle the operation (an append found already recorded). Errors become
    /// ``EvidenceError``s that say what to do.
    private func retrying<R>(onReconnect: () throws -> R? = { nil }, _ body: () throws -> R) throws -> R {
        let deadline = Date().addingTimeInterval(reconnectBudget)
        var pause = 0.1
        var reconnecting = false
        while true {
            do {
                if reconnecting {
                    _ = try connected()
                    if let settled = try onReconnect() { return settled }
                }
                return try body()
            } catch {
                let lost =
                    Self.isConnectionLoss(error)
                    || (reconnecting && (error as? EvidenceError)?.code == .storeUnavailable)
                guard lost, everConnected, Date() < deadline else {
                    if let e = error as? EvidenceError { throw e }
                    if let e = error as? PSQLError, e.code == .server { throw refused(e) }
                    throw Self.describe(error, url: url)
                }
                dropConnection()
                if !reconnecting {
                    notice("lost the connection to \(url); reconnecting (up to \(Int(reconnectBudget)) s)")
                }
                reconnecting = true
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 2)
            }
        }
    }

    /// A server error on a statement, in the examiner's words.
    private func refused(_ error: PSQLError) -> EvidenceError {
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "error \(state)"
        if state == "42501" && !message.contains("append-only") {
            return EvidenceError(
                .storeAccessDenied,
                "the server refused: \(message); ask the unit's database administrator to grant your role iproceeds_examiner "
                    + "(docs/unit-server.md)")
        }
        if state.hasPrefix("23") || message.contains("append-only") {
            return EvidenceError(
                .caseFile,
                "the server refused the entry (\(message)); nothing was written. Run `iproceeds custody verify --case \(url)`: "
                    + "the case may have been changed behind the tool's back")
        }
        return Self.describe(error, url: url)
    }

    static func isConnectionLoss(_ error: Error) -> Bool {
        if let e = error as? PSQLError {
            switch e.code {
            case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection: return true
            case .server:
                let state = e.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || state.hasPrefix("57P")
            default: return false
            }
        }
        return error is ChannelError || error is IOError
    }

    /// Any failure to reach or use the server, as an ``EvidenceError`` naming the server (never a password).
    static func describe(_ error: Error, url: PostgresCaseURL) -> EvidenceError {
        if let e = error as? EvidenceError { return e }
        let whereTo = "\(url.user)@\(url.host):\(url.port)/\(url.database)"
        if let tls = tlsFailure(error, url: url, whereTo: whereTo)
            ?? (error as? PSQLError)?.underlying.flatMap({ tlsFailure($0, url: url, whereTo: whereTo) })
        {
            return tls
        }
        if let e = error as? PSQLError {
            let state = e.serverInfo?[.sqlState] ?? ""
            let message = e.serverInfo?[.message] ?? ""
            switch e.code {
            case .server where state.hasPrefix("28"):
                return EvidenceError(
                    .storeAccessDenied,
                    "the server \(whereTo) refused the login (\(message)); check the password for \(url.user) in ~/.pgpass "
                        + "(or PGPASSFILE, PGPASSWORD)")
            case .server where state == "3D000":
                return EvidenceError(
                    .caseFileMissing,
                    "database \(url.database) does not exist on \(url.host):\(url.port); ask the unit's database "
                        + "administrator to create it (docs/unit-server.md)")
            case .server where state.hasPrefix("08") || state.hasPrefix("57P"):
                return EvidenceError(
                    .storeUnavailable,
                    "the case server \(whereTo) is not available (\(message)); nothing was written. Try again later")
            case .server:
                return EvidenceError(.caseFile, "the case server \(whereTo) refused: \(message)")
            case .authMechanismRequiresPassword:
                return EvidenceError(
                    .storeAccessDenied,
                    "the server \(whereTo) asks for a password for \(url.user); put it in ~/.pgpass (mode 0600) or PGPASSWORD"
                )
            case .sslUnsupported:
                return EvidenceError(
                    .storeUnavailable,
                    "the server \(whereTo) does not offer TLS, which sslmode=\(url.sslMode.rawValue) requires")
            default:
                let cause = (e.underlying.map { "\($0)" } ?? "\(e.code)").split(whereSeparator: \.isNewline).joined(
                    separator: " ")
                return EvidenceError(
                    .storeUnavailable,
                    "cannot reach the case server \(whereTo) (\(cause)); nothing was written. Check that the server runs and "
                        + "the host and port are right")
            }
        }
        return EvidenceError(
            .storeUnavailable,
            "cannot reach the case server \(whereTo) (\(error)); nothing was written. Check that the server runs")
    }

    /// A failed TLS handshake in the examiner's words: the certificate names another host, or no trusted root
    /// signed it (`sslmode=verify-full`); nil for any other failure.
    static func tlsFailure(_ error: Error, url: PostgresCaseURL, whereTo: String) -> EvidenceError? {
        if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
            return EvidenceError(
                .storeUnavailable,
                "the TLS certificate of the case server \(whereTo) does not name the host \(url.host), which "
                    + "sslmode=verify-full checks; connect with the host name the certificate carries (or ask the unit's "
                    + "database administrator for one that names \(url.host)); nothing was sent or written")
        }
        guard let e = error as? NIOSSLError, case .handshakeFailed(let reason) = e else { return nil }
        let why = "\(reason)"
        if why.uppercased().contains("CERTIFICATE_VERIFY_FAILED") {
            return EvidenceError(
                .storeUnavailable,
                "the TLS certificate of the case server \(whereTo) is not signed by a trusted root (sslmode=verify-full; "
                    + "roots: \(url.rootCertificate ?? "the system's")); give the unit's CA certificate as "
                    + "sslrootcert=PATH in the URL (or PGSSLROOTCERT); nothing was sent or written")
        }
        return EvidenceError(
            .storeUnavailable,
            "the TLS handshake with the case server \(whereTo) failed (\(why)); nothing was sent or written")
    }

    /// postgres-nio's settings for `url`: the password from the environment or pgpass file, TLS per `sslmode`.
    static func configuration(for url: PostgresCaseURL, warn: (String) -> Void) throws
        -> PostgresConnection.Configuration
    {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.sslMode {
            case .disable:
                tls = .disable
            case .prefer, .require:
                // As libpq: encrypted, the certificate not checked (verify-full checks it).
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none
                let context = try NIOSSLContext(configuration: c)
                tls = url.sslMode == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .fullVerification
                if let root = url.rootCertificate { c.trustRoots = .file(root) }
                tls = .require(try NIOSSLContext(configuration: c))
            }
        } catch {
            throw EvidenceError(.invalidArgument, "cannot set up TLS for \(url) (\(error)); check sslrootcert")
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password(warn: warn),
            database: url.database,
            tls: tls)
        configuration.options.connectTimeout = .seconds(15)
        return configuration
    }
}

@available(*, unavailable)
extension PostgresCaseStore: Sendable {}
