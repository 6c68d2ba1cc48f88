import EvidenceKit
import Foundation
import TestSupport
import Testing

@testable import CaseStorePostgres

/// Case URLs and passwords: no server needed.
@Suite struct PostgresCaseURLTests {
    @Test func aCaseURLIsReadWithItsCaseAndTLSMode() throws {
        let u = try PostgresCaseURL(
            "postgresql://ana@db.unit.example:6543/custody?case=CASE-2026-014&sslmode=verify-full", environment: [:])
        #expect(u.user == "ana" && u.host == "db.unit.example" && u.port == 6543 && u.database == "custody")
        #expect(u.caseID == "CASE-2026-014")
        #expect(u.sslMode == .verifyFull)
        #expect(u.description == "postgresql://ana@db.unit.example:6543/custody?case=CASE-2026-014&sslmode=verify-full")
        let d = try PostgresCaseURL("postgres://ana@localhost/custody", environment: [:])
        #expect(d.port == 5432 && d.caseID == nil && d.sslMode == .prefer)
        #expect(try PostgresCaseURL("postgresql://ana@h/db", environment: ["PGSSLMODE": "require"]).sslMode == .require)
    }

    @Test func aPasswordInTheURLIsRefusedAndNeverRepeated() throws {
        let secret = "s3cr3t-Pa55"
        do {
            _ = try PostgresCaseURL("postgresql://ana:\(secret)@db/custody?case=C-1", environment: [:])
            Issue.record("a URL with a password was accepted")
        } catch let e as EvidenceError {
            #expect(e.code == .invalidArgument)
            #expect(!e.message.contains(secret))
            #expect(e.message.contains("postgresql://ana:***@db/custody"))
            #expect(e.message.contains("~/.pgpass"))
        }
        #expect(PostgresCaseURL.redact("postgresql://u:p@ss:w@h:5/d?case=x") == "postgresql://u:***@h:5/d?case=x")
        #expect(CaseStores.display("postgresql://u:pw@h/d?case=x") == "postgresql://u:***@h/d?case=x")
        for bad in [
            "postgresql://h/db?case=x", "postgresql://u@h/?case=x", "postgresql://u@h/db?case=x&sslmode=maybe",
            "postgresql://u@h/db?cas=x",
        ] {
            #expect(throws: EvidenceError.self, "\(bad)") { try PostgresCaseURL(bad, environment: [:]) }
        }
    }

    /// libpq's rules, checked against the pgpass documentation: first matching line wins, `*` matches anything,
    /// `\:` and `\\` escape, PGPASSWORD comes first, and a file others can read is ignored with a warning.
    @Test func passwordsComeFromPGPASSWORDOrAPrivatePgpassFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/pgpass"
        try """
        # comment
        other:5432:custody:ana:wrong-host
        db:5432:custody:bob:wrong-user
        db:*:custody:ana:p\\:w\\\\1
        *:*:*:*:catch-all

        """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let u = try PostgresCaseURL("postgresql://ana@db/custody?case=C", environment: [:])
        #expect(u.password(environment: ["PGPASSFILE": file]) == "p:w\\1")
        #expect(u.password(environment: ["PGPASSFILE": file, "PGPASSWORD": "env"]) == "env")
        let other = try PostgresCaseURL("postgresql://eve@x:1/y", environment: [:])
        #expect(other.password(environment: ["PGPASSFILE": file]) == "catch-all")
        chmod(file, 0o644)
        var warnings: [String] = []
        #expect(u.password(environment: ["PGPASSFILE": file]) { warnings.append($0) } == nil)
        #expect(warnings.count == 1 && warnings[0].contains("chmod 600"))
        #expect(!warnings[0].contains("p:w"))
    }
}

/// The store against the throwaway server: the same custody rules as the SQLite case file, enforced by the server.
@Suite struct PostgresCaseStoreTests {
    let ana = Examiner(id: "EX-017", name: "Ana Petrović", key: Ed25519PrivateKey())

    func makeCase(_ id: String = "CASE-1", notice: @escaping (String) -> Void = { _ in }, chunk: Int = 1000) throws
        -> (PostgresCaseStore, String)
    {
        let db = try TestServer.freshDatabase()
        let store = try PostgresCaseStore.create(
            try PostgresCaseURL(db), caseID: id, manifestChunkSize: chunk, notice: notice
        ) {
            _ = try CaseFile.create(store: $0, caseID: id, title: "t", examiner: ana)
        }
        return (store, db)
    }

    @Test func aManifestStreamsInByCopyAndReadsBackByteForByte() throws {
        let (store, db) = try makeCase()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pgev-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for i in 0..<150 {
            let f = scratch.appendingPathComponent("d\(i % 5)/f\(i).txt")
            try FileManager.default.createDirectory(
                at: f.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("evidence \(i)\n".utf8).write(to: f)
        }
        let file = CaseFile(store: store)
        let (entry, summary) = try file.addEvidence(
            itemID: "EV-1", description: "d", paths: [scratch.path], details: [:], options: FingerprintOptions(),
            by: ana)
        #expect(summary.items == 150)
        let sha = entry.outputs[0].sha256
        let manifest = try #require(try store.manifest(sha256: sha))
        #expect(manifest.count > 10_000)
        #expect(digestHex(.sha256, of: manifest) == sha)
        #expect(try file.verify(rehash: true).intact)
        // psql and Python's zlib, not ours: the chunks in order inflate to the bytes the signed entry names.
        let hexes = try TestServer.psql(
            db,
            "SELECT size || ':' || encode(data, 'hex') FROM iproceeds.manifest_chunks WHERE sha256 = '\(sha)' ORDER BY chunk"
        )
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = [
            "python3", "-c",
            """
            import sys, zlib, hashlib
            rows = [l.split(":") for l in sys.stdin.read().split()]
            data = b"".join(zlib.decompress(bytes.fromhex(h)) for _, h in rows)
            assert all(len(zlib.decompress(bytes.fromhex(h))) == int(s) <= 1000 for s, h in rows)
            print(len(rows), len(data), hashlib.sha256(data).hexdigest())
            """,
        ]
        let input = Pipe()
        let output = Pipe()
        python.standardInput = input
        python.standardOutput = output
        try python.run()
        input.fileHandleForWriting.write(Data(hexes.utf8))
        try input.fileHandleForWriting.close()
        let result = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        #expect(result == "\((manifest.count + 999) / 1000) \(manifest.count) \(sha)\n")
    }

    @Test func aCommitWhoseReplyIsLostIsFoundAlreadyRecordedNotWrittenTwice() throws {
        let notices = Locked<[String]>([])
        let (store, db) = try makeCase(notice: { n in notices.withLock { $0.append(n) } })
        let file = CaseFile(store: store)
        var fired = 0
        store.commitHook = { committed in
            guard committed, fired == 0 else { return }
            fired += 1
            try store.simulateConnectionLoss()
        }
        let entry = try file.record(.note, note: "after-commit loss", by: ana)
        #expect(entry.seq == 2)
        #expect(notices.withLock { $0.contains { $0.contains("already recorded") } })
        #expect(
            try TestServer.psql(db, "SELECT count(*) FROM iproceeds.ledger WHERE note = 'after-commit loss'") == "1\n")

        // Lost before COMMIT: the transaction rolled back; the same signed entry is sent again, once.
        fired = 0
        store.commitHook = { committed in
            guard !committed, fired == 0 else { return }
            fired += 1
            try store.simulateConnectionLoss()
        }
        let again = try file.record(.note, note: "before-commit loss", by: ana)
        #expect(again.seq == 3)
        #expect(
            try TestServer.psql(db, "SELECT count(*) FROM iproceeds.ledger WHERE note = 'before-commit loss'") == "1\n")
        store.commitHook = nil
        #expect(try file.verify().intact)
        #expect(try file.verify().entries == 3)
    }

    @Test func concurrentAppendsFromSeveralConnectionsMakeOneChain() throws {
        let (store, db) = try makeCase()
        let url = try PostgresCaseURL(db + "?case=CASE-1")
        let failures = Locked<[String]>([])
        let done = DispatchGroup()
        for t in 0..<4 {
            done.enter()
            Thread { [ana] in
                defer { done.leave() }
                do {
                    let file = CaseFile(store: try PostgresCaseStore.open(url))
                    for i in 0..<15 { try file.record(.note, note: "t\(t) n\(i)", by: ana) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        done.wait()
        #expect(failures.withLock { $0 } == [])
        let result = try CaseFile(store: store).verify()
        #expect(result.intact)
        #expect(result.entries == 61)
        #expect(
            try TestServer.psql(db, "SELECT count(DISTINCT note) FROM iproceeds.ledger WHERE action = 'note'") == "60\n"
        )
    }

    /// Even the superuser, through an ordinary session (psql), cannot change or remove custody rows, nor insert an
    /// entry that forks the chain; the examiner role can only read and append.
    @Test func theServerRefusesEditsDeletesTruncationAndForks() throws {
        let (store, db) = try makeCase()
        try CaseFile(store: store).record(.note, note: "n", by: ana)
        for sql in [
            "UPDATE iproceeds.ledger SET note = 'x' WHERE seq = 2",
            "DELETE FROM iproceeds.ledger WHERE seq = 2",
            "TRUNCATE iproceeds.ledger CASCADE",
            "DELETE FROM iproceeds.examiners",
            "UPDATE iproceeds.cases SET title = 'x'",
        ] {
            #expect(throws: TestServer.PSQLFailure.self, "\(sql)") { try TestServer.psql(db, sql) }
            do { try TestServer.psql(db, sql) } catch {
                #expect("\(error)".contains("append-only"), "\(sql): \(error)")
            }
        }
        // A second entry 2 (a fork), and an entry 3 that does not name entry 2's hash.
        let copy = """
            INSERT INTO iproceeds.ledger SELECT case_ref, %SEQ%, time, case_id, examiner_id, public_key, action, items,
                inputs, outputs, tool, tool_version, parameters, note || 'x', %PREV%, entry_hash || 'x', signature
            FROM iproceeds.ledger WHERE seq = 2
            """
        for (seq, prev) in [("2", "prev_hash"), ("3", "prev_hash")] {
            let sql = copy.replacingOccurrences(of: "%SEQ%", with: seq).replacingOccurrences(of: "%PREV%", with: prev)
            #expect(throws: TestServer.PSQLFailure.self, "seq \(seq)") { try TestServer.psql(db, sql) }
        }
        // The examiner role: SELECT and INSERT only.
        #expect(try TestServer.psql(db, "SET ROLE iproceeds_examiner; SELECT count(*) FROM iproceeds.ledger") == "2\n")
        do {
            try TestServer.psql(
                db,
                "ALTER TABLE iproceeds.ledger DISABLE TRIGGER USER; SET ROLE iproceeds_examiner; UPDATE iproceeds.ledger SET note = 'x'"
            )
            Issue.record("the examiner role could update the ledger")
        } catch { #expect("\(error)".contains("permission denied"), "\(error)") }
        let privileges = try TestServer.psql(
            db,
            """
            SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM information_schema.role_table_grants
            WHERE grantee = 'iproceeds_examiner' AND table_name = 'ledger'
            """)
        #expect(privileges == "INSERT,SELECT\n")
        #expect(try CaseFile(store: store).verify().intact)
    }

    @Test func aSchemaFromANewerVersionIsRefusedBeforeAnythingIsWritten() throws {
        let (_, db) = try makeCase()
        try TestServer.psql(db, "UPDATE iproceeds.schema_info SET version = 99")
        do {
            _ = try PostgresCaseStore.open(try PostgresCaseURL(db + "?case=CASE-1"))
            Issue.record("a newer schema was opened")
        } catch let e as EvidenceError {
            #expect(e.code == .caseFile)
            #expect(e.message.contains("newer iproceeds") && e.message.contains("schema 99"))
        }
        #expect(try TestServer.psql(db, "SELECT count(*) FROM iproceeds.ledger") == "1\n")
    }
}
