import Foundation
import TestSupport
import Testing

/// Where a test's case lives: a case file, or a case on the throwaway PostgreSQL server that `make test` starts.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql
    var testDescription: String { rawValue }
}

/// One case under test, on either store, made by the real binary.
struct CaseUnderTest {
    let w: Workspace
    let env: [String: String]
    let kind: StoreKind
    /// What `--case` gets: `c.case`, or `postgresql://…/DB?case=CASE-2026-014`.
    let arg: String
    /// The database's URL (PostgreSQL only), for psql.
    let db: String?

    /// A case with an examiner, one acquired item and four custody entries (six in all).
    init(_ kind: StoreKind) throws {
        w = try Workspace()
        env = ["IPROCEEDS_HOME": w.path + "/home"]
        self.kind = kind
        switch kind {
        case .sqlite:
            db = nil
            arg = "c.case"
        case .postgresql:
            let url = try TestServer.freshDatabase()
            db = url
            arg = url + "?case=CASE-2026-014"
        }
        try w.write("seized/usb/a.txt", "alpha\n")
        try w.write("seized/usb/b.txt", "beta\n")
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana Petrović", "--id", "EX-017"], in: w.path, environment: env)
                .status == 0)
        let created = try run(["case", "init", "--case", arg, "--id", "CASE-2026-014", "--title", "BEC fraud"])
        #expect(created.status == 0, "\(created.stderr)")
        let add = try run([
            "evidence", "add", "--case", arg, "--item", "EV-001", "--description", "USB stick", "seized/usb",
        ])
        #expect(add.status == 0, "\(add.stderr)")
        for action in ["sealed", "transferred", "checked-out", "checked-in"] {
            let r = try run([
                "custody", "record", "--case", arg, "--item", "EV-001", "--action", action, "--to", "Lab 2",
            ])
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    func run(_ args: [String], environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(args, in: w.path, environment: env.merging(environment) { $1 })
    }

    func verify(_ extra: [String] = []) throws -> CLI.Result { try run(["custody", "verify", "--case", arg] + extra) }

    /// Changes the stored case behind the tool's back, as someone with the file, or the database's superuser,
    /// would: the SQLite triggers dropped (Python's sqlite3), or PostgreSQL's triggers bypassed with
    /// `session_replication_role = replica` (psql).
    func tamper(python: String, sql: String) throws {
        switch kind {
        case .sqlite:
            try w.sh(
                """
                python3 - <<'PY'
                import sqlite3
                db = sqlite3.connect("c.case")
                db.execute("DROP TRIGGER IF EXISTS ledger_append_only_update")
                db.execute("DROP TRIGGER IF EXISTS ledger_append_only_delete")
                \(python)
                db.commit()
                PY
                """)
        case .postgresql:
            try TestServer.psql(db!, "SET session_replication_role = replica; SET search_path = iproceeds; " + sql)
        }
    }

    static func head(_ r: CLI.Result) throws -> String {
        String(try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("Head: ") }).dropFirst(6))
    }
}

/// The custody suite over both stores: the same commands, the same verification, the same findings.
@Suite struct CustodyStoreTests {
    @Test(arguments: StoreKind.allCases) func anIndependentImplementationRecomputesEveryHashAndSignature(
        _ kind: StoreKind
    ) throws {
        let c = try CaseUnderTest(kind)
        let ok = try c.verify(["--rehash"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("Evidence EV-001: 2 items matched, 0 differ"))
        let head = try CaseUnderTest.head(ok)
        #expect(head.hasPrefix("6:"))
        #expect(try c.run(["custody", "export", "--case", c.arg, "--format", "json", "-o", "ledger.json"]).status == 0)
        let check = try c.w.sh(
            """
            python3 - <<'PY'
            import json, hashlib
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            prev = "0" * 64
            entries = json.load(open("ledger.json"))
            for e in entries:
                content = {k: v for k, v in e.items() if k not in ("entry_hash", "signature")}
                canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
                assert hashlib.sha256(canonical).hexdigest() == e["entry_hash"], e["seq"]
                assert e["prev_hash"] == prev, e["seq"]
                Ed25519PublicKey.from_public_bytes(bytes.fromhex(e["public_key"])).verify(bytes.fromhex(e["signature"]), bytes.fromhex(e["entry_hash"]))
                prev = e["entry_hash"]
            print("verified", len(entries), prev)
            PY
            """)
        #expect(check == "verified 6 \(head.dropFirst(2))\n")
    }

    /// Each kind of tampering, done to the stored rows directly, is named at the right entry.
    @Test(arguments: StoreKind.allCases) func everyKindOfTamperingIsCaughtAtTheRightEntry(_ kind: StoreKind) throws {
        let resignPython = """
            import json, hashlib, sys
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
            from cryptography.hazmat.primitives import serialization
            key = Ed25519PrivateKey.generate()
            pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
            def resign(rows, prev):
                out = []
                for e in rows:
                    e = dict(e)
                    e["public_key"] = pub; e["prev_hash"] = prev
                    if e["seq"] == 5: e["parameters"] = json.dumps({"to": "Someone else"})
                    content = {k: (json.loads(v) if k in ("items", "inputs", "outputs", "parameters") else v) for k, v in e.items()}
                    h = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
                    out.append((e["seq"], json.dumps(content["parameters"], sort_keys=True, separators=(",", ":"), ensure_ascii=False), h, key.sign(bytes.fromhex(h)).hex()))
                    prev = h
                return out

            """
        let cols =
            "seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version, parameters, note, prev_hash"
        let cases: [(name: String, python: String, sql: String, seq: Int, kind: String)] = [
            (
                "edit a field",
                "db.execute(\"UPDATE ledger SET parameters = '{\\\"to\\\":\\\"Home\\\"}' WHERE seq = 4\")",
                "UPDATE ledger SET parameters = '{\"to\":\"Home\"}' WHERE seq = 4", 4, "content changed"
            ),
            (
                "delete a row", "db.execute(\"DELETE FROM ledger WHERE seq = 3\")", "DELETE FROM ledger WHERE seq = 3",
                3, "entry missing"
            ),
            (
                "swap two rows",
                """
                db.execute("UPDATE ledger SET seq = -3 WHERE seq = 3")
                db.execute("UPDATE ledger SET seq = 3 WHERE seq = 4")
                db.execute("UPDATE ledger SET seq = 4 WHERE seq = -3")
                """,
                "UPDATE ledger SET seq = -3 WHERE seq = 3; UPDATE ledger SET seq = 3 WHERE seq = 4; UPDATE ledger SET seq = 4 WHERE seq = -3",
                3, "entries reordered"
            ),
            (
                "re-sign with an unregistered key",
                resignPython + """
                    cols = "\(cols)".split(", ")
                    rows = [dict(zip(cols, r)) for r in db.execute("SELECT \(cols) FROM ledger WHERE seq >= 5 ORDER BY seq").fetchall()]
                    prev = db.execute("SELECT entry_hash FROM ledger WHERE seq = 4").fetchone()[0]
                    for seq, params, h, sig in resign(rows, prev):
                        db.execute("UPDATE ledger SET public_key=?, prev_hash=?, parameters=?, entry_hash=?, signature=? WHERE seq=?", (pub, prev, params, h, sig, seq))
                        prev = h
                    """,
                "", 5, "unknown signer"
            ),
            ("copy an entry from another case", "", "", 7, "entry from another case"),
        ]
        for t in cases {
            let c = try CaseUnderTest(kind)
            #expect(try c.verify().status == 0, "\(t.name): intact before")
            switch (t.name, kind) {
            case ("re-sign with an unregistered key", .postgresql):
                // The rows out through psql as JSON, re-signed by Python, back in through psql.
                let rows = try TestServer.psql(
                    c.db!,
                    "SELECT json_agg(row_to_json(l) ORDER BY seq) FROM (SELECT \(cols) FROM iproceeds.ledger WHERE seq >= 5) l"
                )
                let prev = try TestServer.psql(c.db!, "SELECT entry_hash FROM iproceeds.ledger WHERE seq = 4")
                try c.w.write("rows.json", rows)
                try c.w.write(
                    "resign.py",
                    resignPython + """
                        rows = json.load(open("rows.json"))
                        prev = "\(prev.trimmingCharacters(in: .whitespacesAndNewlines))"
                        for seq, params, h, sig in resign(rows, prev):
                            print(f"UPDATE ledger SET public_key='{pub}', prev_hash='{prev}', parameters=$j${params}$j$, entry_hash='{h}', signature='{sig}' WHERE seq={seq};")
                            prev = h
                        """)
                try c.tamper(python: "", sql: try c.w.sh("python3 resign.py"))
            case ("copy an entry from another case", _):
                let other = kind == .sqlite ? "other.case" : c.db! + "?case=CASE-OTHER"
                #expect(try c.run(["case", "init", "--case", other, "--id", "CASE-OTHER", "--title", "x"]).status == 0)
                #expect(
                    try c.run(["custody", "record", "--case", other, "--action", "note", "--note", "n"]).status == 0)
                let fields =
                    "time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version, parameters, note, prev_hash, entry_hash, signature"
                try c.tamper(
                    python: """
                        other = sqlite3.connect("other.case")
                        row = other.execute("SELECT \(fields) FROM ledger WHERE seq = 2").fetchone()
                        db.execute("INSERT INTO ledger (seq, \(fields)) VALUES (7, \(Array(repeating: "?", count: 15).joined(separator: ",")))", row)
                        """,
                    // entry_hash is unique across the database: the copy is the other case's row moved, not duplicated.
                    sql: """
                        CREATE TEMP TABLE moved AS SELECT * FROM ledger WHERE case_ref = 'CASE-OTHER' AND seq = 2;
                        DELETE FROM ledger WHERE case_ref = 'CASE-OTHER' AND seq = 2;
                        INSERT INTO ledger (case_ref, seq, \(fields)) SELECT 'CASE-2026-014', 7, \(fields) FROM moved
                        """)
            default:
                try c.tamper(python: t.python, sql: t.sql)
            }
            let r = try c.verify()
            #expect(r.status == 1, "\(t.name): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("NOT INTACT: first bad entry \(t.seq): \(t.kind)"), "\(t.name): \(r.stdout)")
        }
    }

    @Test(arguments: StoreKind.allCases) func aTruncatedTailIsCaughtAgainstTheHeadWrittenDown(_ kind: StoreKind) throws
    {
        let c = try CaseUnderTest(kind)
        let head = try CaseUnderTest.head(try c.verify())
        #expect(try c.verify(["--expect-head", head]).status == 0)
        try c.tamper(
            python: "db.execute(\"DELETE FROM ledger WHERE seq >= 5\")", sql: "DELETE FROM ledger WHERE seq >= 5")
        #expect(try c.verify().status == 0)  // without the head, a clean truncation cannot be seen
        let r = try c.verify(["--expect-head", head])
        #expect(r.status == 1)
        #expect(r.stdout.contains("head mismatch") && r.stdout.contains("truncated"))
    }

    @Test(arguments: StoreKind.allCases) func changedEvidenceAndAlteredManifestsAreCaught(_ kind: StoreKind) throws {
        let c = try CaseUnderTest(kind)
        try c.w.write("seized/usb/a.txt", "ALPHA\n")
        let r = try c.verify(["--rehash"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("evidence changed") && r.stdout.contains("1 changed"), "\(r.stdout)")
        try c.w.write("seized/usb/a.txt", "alpha\n")
        #expect(try c.verify(["--rehash"]).status == 0)
        try c.tamper(
            python:
                "import zlib; db.execute(\"UPDATE manifest_chunks SET data = ?, size = 2\", (zlib.compress(b'{}'),))",
            sql: "UPDATE manifest_chunks SET data = decode('789cabae0500017500f9', 'hex'), size = 2")
        let m = try c.verify()
        #expect(m.status == 1)
        #expect(m.stdout.contains("stored manifest of EV-001 is altered"), "\(m.stdout)")
    }

    @Test(arguments: StoreKind.allCases) func threeProcessesAppendingAtOnceMakeOneValidChain(_ kind: StoreKind) throws {
        let c = try CaseUnderTest(kind)
        try c.w.sh(
            """
            export IPROCEEDS_HOME='\(c.env["IPROCEEDS_HOME"]!)'
            burst() { for i in $(seq 1 12); do '\(CLI.binary)' custody record --case '\(c.arg)' --item EV-001 --action note --note "$1 $i" > /dev/null || echo FAIL; done; }
            burst A > a.out & burst B > b.out & burst C > c.out & wait
            ! grep -q FAIL a.out b.out c.out
            """)
        let r = try c.verify()
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("42 entries"))
    }

    @Test(arguments: StoreKind.allCases) func aSecondExaminerCanSignOnceRegistered(_ kind: StoreKind) throws {
        let c = try CaseUnderTest(kind)
        let murat = ["IPROCEEDS_HOME": c.w.path + "/murat"]
        #expect(
            try c.run(["examiner", "init", "--name", "Murat Yılmaz", "--id", "EX-022"], environment: murat).status == 0)
        let show = try c.run(["examiner", "show", "--format", "json"], environment: murat)
        let key = try #require(
            (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: String])?["public_key"])
        let refused = try c.run(
            ["custody", "record", "--case", c.arg, "--item", "EV-001", "--action", "examined"], environment: murat)
        #expect(refused.status == 77)
        #expect(
            try c.run([
                "case", "add-examiner", "--case", c.arg, "--id", "EX-022", "--name", "Murat Yılmaz", "--public-key",
                key,
            ]).status == 0)
        #expect(
            try c.run(
                ["custody", "record", "--case", c.arg, "--item", "EV-001", "--action", "examined"], environment: murat
            ).status == 0)
        #expect(try c.verify().status == 0)
        let keyFile = c.w.path + "/murat/examiner.key"
        #expect(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int == 0o600)
        #expect(!show.stdout.contains("PRIVATE"))
    }
}

extension CustodyStoreTests {
    /// A key's fingerprint as an independent implementation (Python's hashlib) computes it from the hex key.
    static func pythonFingerprint(_ publicKey: String, in w: Workspace) throws -> String {
        try w.sh(
            """
            python3 -c 'import hashlib,sys; d = hashlib.sha256(bytes.fromhex(sys.argv[1])).digest()[:16]; print("SHA256:" + ":".join("%02x" % b for b in d))' \(publicKey)
            """
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A lost key revoked by another examiner: the store refuses what it signs from then on, its earlier entries
    /// stay valid, and an entry forged with it afterwards, written straight into the database (as whoever holds
    /// the stolen key and the database's password would), is reported by verification at that entry. Every output
    /// shows the key by the fingerprint Python computes.
    @Test(arguments: StoreKind.allCases) func aRevokedKeySignsNothingMoreAndAForgedEntryIsReported(
        _ kind: StoreKind
    ) throws {
        let c = try CaseUnderTest(kind)
        let murat = ["IPROCEEDS_HOME": c.w.path + "/murat"]
        let created = try c.run(["examiner", "init", "--name", "Murat Yılmaz", "--id", "EX-022"], environment: murat)
        #expect(created.status == 0)
        let show = try c.run(["examiner", "show", "--format", "json"], environment: murat)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: String])
        let key = try #require(shown["public_key"])
        let fingerprint = try Self.pythonFingerprint(key, in: c.w)
        #expect(fingerprint.count == 54)
        #expect(shown["public_key_fingerprint"] == fingerprint && shown["fingerprint"] == nil)
        #expect(created.stdout.contains("Fingerprint: \(fingerprint)\n"))
        #expect(try c.run(["examiner", "show"], environment: murat).stdout.contains("Fingerprint: \(fingerprint)\n"))
        let added = try c.run([
            "case", "add-examiner", "--case", c.arg, "--id", "EX-022", "--name", "Murat Yılmaz", "--public-key", key,
        ])
        #expect(added.status == 0 && added.stdout.contains("key \(fingerprint), as entry 7"), "\(added.stdout)")
        let examined = try c.run(
            ["custody", "record", "--case", c.arg, "--item", "EV-001", "--action", "examined"], environment: murat)
        #expect(examined.status == 0, "\(examined.stderr)")

        // His laptop is stolen: Ana revokes his key, named by its fingerprint.
        let revoke = try c.run([
            "examiner", "revoke", "--case", c.arg, "--key", fingerprint, "--reason", "laptop stolen",
        ])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(revoke.stdout.contains("fingerprint \(fingerprint), as entry 9, signed by EX-017"), "\(revoke.stdout)")

        // Refused at append, before anything is written; and again refused as an id already revoked.
        let refused = try c.run(
            ["custody", "record", "--case", c.arg, "--item", "EV-001", "--action", "examined"], environment: murat)
        #expect(refused.status == 77)
        #expect(
            refused.stderr.contains("key \(fingerprint) of examiner EX-022 was revoked in entry 9"), "\(refused.stderr)"
        )
        #expect(refused.stderr.split(separator: "\n").count == 1)
        let again = try c.run(["examiner", "revoke", "--case", c.arg, "--key", "EX-022", "--reason", "x"])
        #expect(again.status == 64 && again.stderr.contains("already revoked in entry 9"), "\(again.stderr)")
        // Ana's key is now the last that can sign: revoking it would close the case for good.
        let last = try c.run(["examiner", "revoke", "--case", c.arg, "--key", "EX-017", "--reason", "x"])
        #expect(last.status == 64 && last.stderr.contains("last one that can sign"), "\(last.stderr)")

        // Intact: his entry 8, signed before the revocation, stays valid; the revocation is reported.
        let ok = try c.verify()
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("9 entries"))
        #expect(ok.stdout.contains("Revoked key: \(fingerprint) of EX-022 (Murat Yılmaz) in entry 9: laptop stolen"))

        // The thief appends entry 10 with the stolen key, straight into the database, correctly chained and signed.
        let log = try c.run(["custody", "log", "--case", c.arg, "--format", "json"])
        try c.w.write("log.json", log.stdout)
        try c.w.write(
            "forge.py",
            """
            import json, hashlib, sys
            from cryptography.hazmat.primitives.serialization import load_pem_private_key
            key = load_pem_private_key(open("murat/examiner.key", "rb").read(), None)
            head = json.load(open("log.json"))[-1]
            e = {"seq": 10, "time": "2026-03-03T01:02:03.000Z", "case_id": head["case_id"], "examiner_id": "EX-022",
                 "public_key": "\(key)", "action": "returned", "items": ["EV-001"], "inputs": [], "outputs": [],
                 "tool": head["tool"], "tool_version": head["tool_version"], "parameters": {"to": "a fence"},
                 "note": "", "prev_hash": head["entry_hash"]}
            c = lambda v: json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            h = hashlib.sha256(c(e).encode()).hexdigest()
            sig = key.sign(bytes.fromhex(h)).hex()
            cols = list(e) + ["entry_hash", "signature"]
            vals = [c(v) if k in ("items", "inputs", "outputs", "parameters") else v for k, v in e.items()] + [h, sig]
            if sys.argv[1] == "sqlite":
                import sqlite3
                db = sqlite3.connect("c.case")
                db.execute(f"INSERT INTO ledger ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", vals)
                db.commit()
            else:
                q = lambda v: str(v) if isinstance(v, int) else "$q$" + v + "$q$"
                print(f"INSERT INTO iproceeds.ledger (case_ref, {','.join(cols)}) VALUES ('CASE-2026-014', {','.join(map(q, vals))})")
            """)
        switch kind {
        case .sqlite: try c.w.sh("python3 forge.py sqlite")
        case .postgresql: try TestServer.psql(c.db!, try c.w.sh("python3 forge.py postgresql"))
        }
        let forged = try c.verify()
        #expect(forged.status == 1)
        #expect(
            forged.stdout.contains(
                "NOT INTACT: first bad entry 10: revoked signer — signed by key \(fingerprint) of EX-022, revoked in entry 9"
            ),
            "\(forged.stdout)")
        #expect(!forged.stdout.contains("also entry"), "only the forged entry is bad: \(forged.stdout)")

        // JSON and the printable form name the key by the same fingerprint.
        let json = try c.verify(["--format", "json"])
        let keys = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["keys"]
                as? [[String: Any]])
        #expect(keys.count == 2)
        #expect(keys.last?["public_key_fingerprint"] as? String == fingerprint)
        #expect(keys.last?["revoked_seq"] as? Int == 9)
        #expect(keys.first?["revoked_seq"] is NSNull)
        #expect(try c.run(["custody", "export", "--case", c.arg, "--format", "html", "-o", "c.html"]).status == 0)
        let html = try c.w.read("c.html")
        #expect(
            html.contains(
                "<td class=\"mono\">\(fingerprint)</td><td>entry 7</td><td><span class=\"bad\">entry 9: laptop stolen</span>"
            ))
        let ana = try #require(keys.first?["public_key"] as? String)
        #expect(
            html.contains(
                "Ana Petrović (EX-017)</td><td class=\"mono\">\(try Self.pythonFingerprint(ana, in: c.w))</td>"))
    }
}

/// What only a server can do wrong: go away, refuse the login, run a newer schema, restart mid-burst.
@Suite struct CustodyServerFaultTests {
    /// On a cluster of its own (a restart of the shared one would disturb the tests running beside this one).
    @Test func theServerRestartedInTheMiddleOfABurstLosesNothingAndRecordsNothingTwice() throws {
        _ = try TestServer.adminURL()
        let script = CLI.packageRoot.appendingPathComponent("scripts/pg-test-cluster.sh").path
        let started = try CLI.exec("bash", [script, "start"], in: "/")
        #expect(started.status == 0, "\(started.stderr)")
        var own: [String: String] = [:]
        for line in started.stdout.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst(7).split(separator: "=", maxSplits: 1)
            own[String(pair[0])] = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        let dir = try #require(own["IPROCEEDS_TEST_PG_DIR"])
        defer { _ = try? CLI.exec("bash", [script, "stop", dir], in: "/") }
        let admin = try #require(own["IPROCEEDS_TEST_PG_URL"])
        let w = try Workspace()
        let env = own.merging(["IPROCEEDS_HOME": w.path + "/home"]) { $1 }
        let psql = { (sql: String) in
            try CLI.exec(
                try TestServer.bin("psql"), ["-X", "-q", "-A", "-t", "-d", admin, "-c", sql], in: "/", environment: own)
        }
        #expect(try psql("CREATE DATABASE burst").status == 0)
        let arg = admin.replacingOccurrences(of: "/postgres", with: "/burst") + "?case=CASE-2026-014"
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana", "--id", "EX-017"], in: w.path, environment: env).status
                == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", arg, "--id", "CASE-2026-014", "--title", "t"], in: w.path, environment: env
            ).status == 0)
        let c = (w: w, arg: arg)
        try c.w.sh(
            """
            export IPROCEEDS_HOME='\(env["IPROCEEDS_HOME"]!)' PGPASSFILE='\(own["PGPASSFILE"]!)'
            # A client that finds the server down (exit 69, nothing written) tries again, as a script would.
            record() { '\(CLI.binary)' custody record --case '\(c.arg)' --action note --note "$1 $2" >> $1.out 2>> $1.err; }
            burst() {
              for i in $(seq 1 25); do
                tries=0
                until record $1 $i; do
                  s=$?; tries=$((tries + 1))
                  if [ $s != 69 ] || [ $tries -gt 100 ]; then echo "FAIL $1 $i ($s)" >> fail.out; break; fi
                  echo "retry $1 $i" >> retries.out; sleep 0.2
                done
              done
            }
            burst A & burst B & burst C &
            sleep 2
            bash '\(script)' restart '\(dir)'
            wait
            """)
        let failures = (try? c.w.read("fail.out")) ?? ""
        #expect(failures.isEmpty, "\(failures)\n\((try? c.w.read("A.err")) ?? "")")
        let recorded = try ["A", "B", "C"].map {
            try c.w.read("\($0).out").split(separator: "\n").filter { $0.hasPrefix("Recorded entry") }.count
        }
        #expect(recorded == [25, 25, 25])
        let notes = try CLI.exec(
            try TestServer.bin("psql"),
            [
                "-X", "-q", "-A", "-t", "-d", admin.replacingOccurrences(of: "/postgres", with: "/burst"), "-c",
                "SELECT count(*), count(DISTINCT note) FROM iproceeds.ledger WHERE action = 'note'",
            ],
            in: "/", environment: own)
        #expect(notes.stdout == "75|75\n")
        let r = try CLI.run(["custody", "verify", "--case", arg], in: w.path, environment: env)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("76 entries"))
        // The restart was seen by the clients (otherwise this test proved nothing): reconnections inside a record,
        // or records refused while the server was down and tried again.
        let errs = try ["A", "B", "C"].map { try c.w.read("\($0).err") }.joined()
        #expect(errs.contains("reconnecting") || ((try? c.w.read("retries.out")) ?? "").contains("retry"), "\(errs)")
    }

    @Test func aRefusedConnectionIsOneClearLineWithItsOwnExitStatus() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        #expect(
            try CLI.run(["examiner", "init", "--name", "A", "--id", "X"], in: w.path, environment: env).status == 0)
        // A port nothing listens on: bound and closed again.
        let port = try w.sh(
            "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'"
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
        let url = "postgresql://ana@127.0.0.1:\(port)/custody?case=C-1"
        for args in [["custody", "verify", "--case", url], ["custody", "record", "--case", url, "--action", "note"]] {
            let r = try CLI.run(args, in: w.path, environment: env.merging(["PGPASSWORD": "hunter2-secret"]) { $1 })
            #expect(r.status == 69, "\(r.stderr)")
            #expect(r.stderr.contains("cannot reach the case server ana@127.0.0.1:\(port)/custody"), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(!r.stderr.contains("hunter2"))
        }
        let withPassword = try CLI.run(
            ["custody", "verify", "--case", "postgresql://ana:hunter2-secret@127.0.0.1/custody?case=C-1"], in: w.path,
            environment: env)
        #expect(withPassword.status == 64)
        #expect(!withPassword.stderr.contains("hunter2") && withPassword.stderr.contains("~/.pgpass"))
    }

    @Test func aWrongPasswordAndAMissingCaseAndANewerSchemaAreRefused() throws {
        let c = try CaseUnderTest(.postgresql)
        let wrong = try c.run(
            ["custody", "verify", "--case", c.arg],
            environment: ["PGPASSWORD": "not-the-password", "PGPASSFILE": "/nonexistent"])
        #expect(wrong.status == 77, "\(wrong.stderr)")
        #expect(
            wrong.stderr.contains("refused the login") && !wrong.stderr.contains("not-the-password"), "\(wrong.stderr)")
        let none = try c.run(["custody", "verify", "--case", c.arg], environment: ["PGPASSFILE": "/nonexistent"])
        #expect(none.status == 77, "\(none.stderr)")
        #expect(none.stderr.contains("asks for a password"), "\(none.stderr)")
        let missing = try c.run(["custody", "verify", "--case", c.db! + "?case=CASE-404"])
        #expect(missing.status == 66, "\(missing.stderr)")
        #expect(missing.stderr.contains("case CASE-404 does not exist") && missing.stderr.contains("case init"))
        try TestServer.psql(c.db!, "UPDATE iproceeds.schema_info SET version = 99")
        let newer = try c.run(["custody", "record", "--case", c.arg, "--item", "EV-001", "--action", "sealed"])
        #expect(newer.status == 65)
        #expect(newer.stderr.contains("newer iproceeds"))
        #expect(try TestServer.psql(c.db!, "SELECT count(*) FROM iproceeds.ledger") == "6\n")
    }

    /// An examiner's own login role, granted iproceeds_examiner, records custody and cannot change it.
    @Test func anExaminerLoginRoleAppendsButCannotChangeAnything() throws {
        let c = try CaseUnderTest(.postgresql)
        let role = "ana_" + UUID().uuidString.prefix(8).lowercased()
        try TestServer.psql(c.db!, "CREATE ROLE \(role) LOGIN PASSWORD 'ana-pw' IN ROLE iproceeds_examiner")
        let asAna = c.arg.replacingOccurrences(of: "iproceeds_admin@", with: "\(role)@")
        let env = ["PGPASSWORD": "ana-pw"]
        let r = try c.run(
            ["custody", "record", "--case", asAna, "--item", "EV-001", "--action", "examined"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try c.run(["custody", "verify", "--case", asAna], environment: env).status == 0)
        let database = String(c.db!.split(separator: "/").last!)
        let port = String(c.db!.split(separator: ":").last!.split(separator: "/").first!)
        let update = try CLI.exec(
            try TestServer.bin("psql"),
            [
                "-X", "-h", "127.0.0.1", "-p", port, "-U", role, "-d", database, "-c",
                "UPDATE iproceeds.ledger SET note = 'x'",
            ],
            in: "/", environment: env)
        #expect(update.status != 0)
        #expect(update.stderr.contains("permission denied"), "\(update.stderr)")
    }

    /// docs/unit-server.md's backup: pg_dump, restore into a new database, and the restored case still verifies
    /// against the head written down before.
    @Test func aCaseRestoredFromPgDumpStillVerifies() throws {
        let c = try CaseUnderTest(.postgresql)
        let head = try CaseUnderTest.head(try c.verify())
        let dump = c.w.path + "/unit.dump"
        let d = try CLI.exec(try TestServer.bin("pg_dump"), ["-Fc", "-f", dump, "-d", c.db!], in: c.w.path)
        #expect(d.status == 0, "\(d.stderr)")
        let restored = try TestServer.freshDatabase()
        let r = try CLI.exec(
            try TestServer.bin("pg_restore"), ["--no-owner", "--exit-on-error", "-d", restored, dump], in: c.w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let v = try c.run([
            "custody", "verify", "--case", restored + "?case=CASE-2026-014", "--rehash", "--expect-head", head,
        ])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(v.stdout.contains("Evidence EV-001: 2 items matched"))
        // The restored database enforces the same rules.
        #expect(throws: TestServer.PSQLFailure.self) {
            try TestServer.psql(restored, "DELETE FROM iproceeds.ledger WHERE seq = 6")
        }
    }
}

/// `case push` and `case pull`: a case moves between a field laptop's file and the server, entries exactly as
/// signed, and a copy that has moved on is never overwritten.
@Suite struct CaseTransferTests {
    @Test func aCaseMovesToTheServerAndBackWithItsHeadAndSignatures() throws {
        let c = try CaseUnderTest(.sqlite)
        let murat = ["IPROCEEDS_HOME": c.w.path + "/murat"]
        #expect(
            try c.run(["examiner", "init", "--name", "Murat Yılmaz", "--id", "EX-022"], environment: murat).status == 0)
        let key = try c.run(["examiner", "show", "--format", "json"], environment: murat).stdout
        let pub = try #require(
            (try JSONSerialization.jsonObject(with: Data(key.utf8)) as? [String: String])?["public_key"])
        #expect(
            try c.run([
                "case", "add-examiner", "--case", c.arg, "--id", "EX-022", "--name", "Murat Yılmaz", "--public-key",
                pub,
            ]).status == 0)
        let head = try CaseUnderTest.head(try c.verify())
        let db = try TestServer.freshDatabase()
        let url = db + "?case=CASE-2026-014"

        let push = try c.run(["case", "push", "c.case", db])
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.contains("Copied 7 entries") && push.stdout.contains(head), "\(push.stdout)")
        let onServer = try c.run(["custody", "verify", "--case", url, "--rehash", "--expect-head", head])
        #expect(onServer.status == 0, "\(onServer.stdout)\(onServer.stderr)")
        #expect(onServer.stdout.contains("Evidence EV-001: 2 items matched"))
        // The same ledger, byte for byte, as each store gives it back.
        for (name, arg) in [("file.json", "c.case"), ("server.json", url)] {
            #expect(try c.run(["custody", "export", "--case", arg, "--format", "json", "-o", name]).status == 0)
        }
        #expect(try c.w.read("file.json") == c.w.read("server.json"))
        // Examiners and the manifest, read by independent clients (sqlite3, psql).
        let fileExaminers = try c.w.sh(
            "python3 -c \"import sqlite3; [print('|'.join(map(str, r))) for r in sqlite3.connect('c.case').execute('SELECT examiner_id, name, public_key, registered_seq FROM examiners ORDER BY registered_seq')]\""
        )
        let serverExaminers = try TestServer.psql(
            db, "SELECT examiner_id, name, public_key, registered_seq FROM iproceeds.examiners ORDER BY registered_seq")
        #expect(fileExaminers == serverExaminers)
        #expect(fileExaminers.split(separator: "\n").count == 2)
        #expect(try c.run(["case", "push", "c.case", url]).stdout.contains("Nothing to push"))

        // The file moves on: the next push copies just that entry.
        #expect(
            try c.run(["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "sealed"]).status == 0)
        let more = try c.run(["case", "push", "c.case", url])
        #expect(more.status == 0 && more.stdout.contains("Copied 1 entries"), "\(more.stdout)\(more.stderr)")

        // Both move on: refused, naming both heads; nothing written.
        #expect(
            try c.run(["custody", "record", "--case", url, "--item", "EV-001", "--action", "examined"]).status == 0)
        #expect(
            try c.run(["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "returned"]).status == 0
        )
        let serverHead = try CaseUnderTest.head(try c.run(["custody", "verify", "--case", url]))
        let fileHead = try CaseUnderTest.head(try c.verify())
        let refused = try c.run(["case", "push", "c.case", url])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains(serverHead) && refused.stderr.contains(fileHead), "\(refused.stderr)")
        #expect(try TestServer.psql(db, "SELECT count(*) FROM iproceeds.ledger") == "9\n")

        // Pull the server's case into a new file: same head, same bytes.
        let pull = try c.run(["case", "pull", url, "field.case"])
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(
            try c.run(["custody", "verify", "--case", "field.case", "--rehash", "--expect-head", serverHead]).status
                == 0)
        for (name, arg) in [("pulled.json", "field.case"), ("server2.json", url)] {
            #expect(try c.run(["custody", "export", "--case", arg, "--format", "json", "-o", name]).status == 0)
        }
        #expect(try c.w.read("pulled.json") == c.w.read("server2.json"))
    }
}

/// TLS to the case server, against the throwaway cluster with `ssl=on` and a CA and server certificate made here by
/// `openssl`; a role that pg_hba.conf refuses without TLS shows which modes really encrypt.
@Suite struct CaseServerTLSTests {
    @Test func sslModesEncryptAndVerifyFullChecksTheRootAndTheHostName() throws {
        let admin = try TestServer.adminURL()
        guard let cluster = TestServer.environment["IPROCEEDS_TEST_PG_DIR"], !cluster.isEmpty else {
            throw TestServer.Missing()
        }
        let port = try #require(admin.split(separator: ":").last?.split(separator: "/").first)
        let w = try Workspace()
        // The server reads its key from a folder of the cluster (as root, the server runs as `postgres`).
        let tls = cluster + "/tls-" + UUID().uuidString.prefix(8)
        try w.sh(
            """
            set -e
            mkdir -p '\(tls)' && cd '\(tls)'
            ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
            openssl req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj "/CN=iproceeds test unit CA" 2>/dev/null
            openssl req -x509 $ec -keyout other-ca.key -out other-ca.crt -days 2 -subj "/CN=another CA" 2>/dev/null
            openssl req $ec -keyout server.key -out server.csr -subj "/CN=db.unit.example" 2>/dev/null
            printf 'subjectAltName=DNS:localhost\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 \
                -extfile san.ext 2>/dev/null
            chmod 600 server.key
            if [ "$(id -u)" = 0 ]; then chown postgres: server.key; fi
            openssl verify -CAfile ca.crt server.crt
            """)
        for setting in ["ssl_cert_file = '\(tls)/server.crt'", "ssl_key_file = '\(tls)/server.key'", "ssl = on"] {
            try TestServer.psql(admin, "ALTER SYSTEM SET \(setting)")
        }
        // A role refused without TLS: a connection it makes that succeeds was encrypted.
        let role = "tls_" + UUID().uuidString.lowercased().prefix(8)
        let password = UUID().uuidString
        try TestServer.psql(admin, "CREATE ROLE \(role) LOGIN SUPERUSER PASSWORD '\(password)'")
        let hba = try TestServer.psql(admin, "SHOW hba_file").trimmingCharacters(in: .whitespacesAndNewlines)
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        try ("hostnossl all \(role) 127.0.0.1/32 reject\n" + rules).write(
            toFile: hba, atomically: false, encoding: .utf8)
        try TestServer.psql(admin, "SELECT pg_reload_conf()")
        for _ in 0..<50 where try TestServer.psql(admin, "SHOW ssl").hasPrefix("off") {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try TestServer.psql(admin, "SHOW ssl").hasPrefix("on"))

        let db = try TestServer.freshDatabase().split(separator: "/").last!
        try w.write("pgpass", "*:\(port):*:\(role):\(password)\n")
        try w.sh("chmod 600 pgpass")
        let env = ["IPROCEEDS_HOME": w.path + "/home", "PGPASSFILE": w.path + "/pgpass"]
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana", "--id", "EX-017"], in: w.path, environment: env).status
                == 0)
        func url(_ host: String, _ query: String) -> String {
            "postgresql://\(role)@\(host):\(port)/\(db)?case=CASE-TLS&\(query)"
        }
        func run(_ args: [String]) throws -> CLI.Result { try CLI.run(args, in: w.path, environment: env) }

        // disable: no TLS, so pg_hba.conf turns the role away.
        let plain = try run([
            "case", "init", "--case", url("127.0.0.1", "sslmode=disable"), "--id", "CASE-TLS", "--title", "t",
        ])
        #expect(plain.status == 77, "\(plain.stderr)")
        #expect(plain.stderr.contains("refused the login"), "\(plain.stderr)")
        // require: encrypted, the certificate not checked (a root it was not signed by is no obstacle).
        let required = try run([
            "case", "init", "--case", url("127.0.0.1", "sslmode=require&sslrootcert=\(tls)/other-ca.crt"), "--id",
            "CASE-TLS", "--title", "t",
        ])
        #expect(required.status == 0, "\(required.stderr)")
        // prefer (the default): TLS when the server offers it.
        #expect(try run(["custody", "verify", "--case", url("127.0.0.1", "sslmode=prefer")]).status == 0)
        // verify-full: the right root and the host name the certificate carries.
        let full = try run([
            "custody", "verify", "--case", url("localhost", "sslmode=verify-full&sslrootcert=\(tls)/ca.crt"),
        ])
        #expect(full.status == 0, "\(full.stdout)\(full.stderr)")
        // verify-full: a name the certificate does not carry, then a root that did not sign it, then the system's roots.
        let wrongHost = try run([
            "custody", "verify", "--case", url("127.0.0.1", "sslmode=verify-full&sslrootcert=\(tls)/ca.crt"),
        ])
        #expect(wrongHost.status == 69, "\(wrongHost.stderr)")
        #expect(wrongHost.stderr.contains("does not name the host 127.0.0.1"), "\(wrongHost.stderr)")
        let wrongCA = try run([
            "custody", "verify", "--case", url("localhost", "sslmode=verify-full&sslrootcert=\(tls)/other-ca.crt"),
        ])
        #expect(wrongCA.status == 69, "\(wrongCA.stderr)")
        #expect(
            wrongCA.stderr.contains("is not signed by a trusted root") && wrongCA.stderr.contains("other-ca.crt"),
            "\(wrongCA.stderr)")
        let systemRoots = try run(["custody", "verify", "--case", url("localhost", "sslmode=verify-full")])
        #expect(systemRoots.status == 69 && systemRoots.stderr.contains("the system's"), "\(systemRoots.stderr)")
        for r in [plain, wrongHost, wrongCA, systemRoots] {
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(!r.stderr.contains(password))
        }
    }
}
