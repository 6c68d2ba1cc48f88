import Foundation
import Testing

/// The custody ledger, driven through the real binary, checked by an independent implementation (Python's
/// json, hashlib and the `cryptography` package's Ed25519) and attacked by editing the SQLite file directly.
@Suite struct CustodyTests {
    /// A case with an examiner, one acquired item and a few entries; returns the workspace and environment.
    static func makeCase(items: Int = 1) throws -> (Workspace, [String: String]) {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        try w.write("seized/usb/a.txt", "alpha\n")
        try w.write("seized/usb/b.txt", "beta\n")
        try w.write("seized/phone/c.txt", "gamma\n")
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana Petrović", "--id", "EX-017"], in: w.path, environment: env)
                .status == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "CASE-2026-014", "--title", "BEC fraud"], in: w.path,
                environment: env
            ).status == 0)
        let add = try CLI.run(
            [
                "evidence", "add", "--case", "c.case", "--item", "EV-001", "--description", "USB stick", "--seized-by",
                "Insp. Kovač", "seized/usb",
            ],
            in: w.path, environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        for action in ["sealed", "transferred", "checked-out", "checked-in"] {
            let r = try CLI.run(
                ["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", action, "--to", "Lab 2"],
                in: w.path, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        return (w, env)
    }

    static func verify(_ w: Workspace, _ env: [String: String], _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["custody", "verify", "--case", "c.case"] + extra, in: w.path, environment: env)
    }

    /// Runs Python against the case file (sqlite3 module), dropping the append-only triggers first, as an
    /// attacker with the file would.
    static func tamper(_ w: Workspace, _ python: String) throws {
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
    }

    @Test func anIndependentImplementationRecomputesEveryHashAndSignature() throws {
        let (w, env) = try Self.makeCase()
        let ok = try Self.verify(w, env, ["--rehash"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("Intact"))
        #expect(ok.stdout.contains("Evidence EV-001: 2 items matched, 0 differ"))
        let head = try #require(ok.stdout.split(separator: "\n").first { $0.hasPrefix("Head: ") }).dropFirst(6)
        #expect(head.hasPrefix("6:"))
        #expect(
            try CLI.run(
                ["custody", "export", "--case", "c.case", "--format", "json", "-o", "ledger.json"], in: w.path,
                environment: env
            ).status == 0)
        let check = try w.sh(
            """
            python3 - <<'PY'
            import json, hashlib
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            entries = json.load(open("ledger.json"))
            prev = "0" * 64
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

    @Test func everyKindOfTamperingIsCaughtAtTheRightEntry() throws {
        let cases: [(name: String, python: String, seq: Int, kind: String)] = [
            (
                "edit a field",
                "db.execute(\"UPDATE ledger SET parameters = '{\\\"to\\\":\\\"Home\\\"}' WHERE seq = 4\")", 4,
                "content changed"
            ),
            ("delete a row", "db.execute(\"DELETE FROM ledger WHERE seq = 3\")", 3, "entry missing"),
            (
                "swap two rows",
                """
                cols = "time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version, parameters, note, prev_hash, entry_hash, signature"
                a = db.execute(f"SELECT {cols} FROM ledger WHERE seq = 3").fetchone()
                b = db.execute(f"SELECT {cols} FROM ledger WHERE seq = 4").fetchone()
                db.execute("DELETE FROM ledger WHERE seq IN (3, 4)")
                db.execute(f"INSERT INTO ledger (seq, {cols}) VALUES (3, {','.join('?' * 15)})", b)
                db.execute(f"INSERT INTO ledger (seq, {cols}) VALUES (4, {','.join('?' * 15)})", a)
                """, 3, "entries reordered"
            ),
            (
                "re-sign with an unregistered key",
                """
                import json, hashlib
                from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
                from cryptography.hazmat.primitives import serialization
                key = Ed25519PrivateKey.generate()
                pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
                cols = ["seq", "time", "case_id", "examiner_id", "public_key", "action", "items", "inputs", "outputs", "tool", "tool_version", "parameters", "note", "prev_hash"]
                rows = db.execute(f"SELECT {','.join(cols)} FROM ledger WHERE seq >= 5 ORDER BY seq").fetchall()
                prev = db.execute("SELECT entry_hash FROM ledger WHERE seq = 4").fetchone()[0]
                for row in rows:
                    e = dict(zip(cols, row))
                    e["public_key"] = pub; e["prev_hash"] = prev
                    if e["seq"] == 5: e["parameters"] = json.dumps({"to": "Someone else"})
                    content = {k: (json.loads(v) if k in ("items", "inputs", "outputs", "parameters") else v) for k, v in e.items()}
                    h = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
                    db.execute("UPDATE ledger SET public_key=?, prev_hash=?, parameters=?, entry_hash=?, signature=? WHERE seq=?",
                               (pub, prev, json.dumps(content["parameters"], sort_keys=True, separators=(",", ":"), ensure_ascii=False), h, key.sign(bytes.fromhex(h)).hex(), e["seq"]))
                    prev = h
                """, 5, "unknown signer"
            ),
            (
                "copy an entry from another case",
                """
                other = sqlite3.connect("other.case")
                row = other.execute("SELECT time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version, parameters, note, prev_hash, entry_hash, signature FROM ledger WHERE seq = 2").fetchone()
                db.execute("INSERT INTO ledger (seq, time, case_id, examiner_id, public_key, action, items, inputs, outputs, tool, tool_version, parameters, note, prev_hash, entry_hash, signature) VALUES (7, ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
                """, 7, "entry from another case"
            ),
        ]
        for c in cases {
            let (w, env) = try Self.makeCase()
            if c.name.hasPrefix("copy") {
                let other = try CLI.run(
                    ["case", "init", "--case", "other.case", "--id", "CASE-OTHER", "--title", "x"], in: w.path,
                    environment: env)
                #expect(other.status == 0)
                #expect(
                    try CLI.run(
                        ["custody", "record", "--case", "other.case", "--action", "note", "--note", "n"], in: w.path,
                        environment: env
                    ).status == 0)
            }
            #expect(try Self.verify(w, env).status == 0, "\(c.name): intact before")
            try Self.tamper(w, c.python)
            let r = try Self.verify(w, env)
            #expect(r.status == 1, "\(c.name)")
            #expect(r.stdout.contains("NOT INTACT: first bad entry \(c.seq): \(c.kind)"), "\(c.name): \(r.stdout)")
        }
    }

    @Test func aTruncatedTailIsCaughtAgainstTheHeadWrittenDown() throws {
        let (w, env) = try Self.makeCase()
        let before = try Self.verify(w, env)
        let head = String(
            try #require(before.stdout.split(separator: "\n").first { $0.hasPrefix("Head: ") }).dropFirst(6))
        #expect(try Self.verify(w, env, ["--expect-head", head]).status == 0)
        try Self.tamper(w, "db.execute(\"DELETE FROM ledger WHERE seq >= 5\")")
        #expect(try Self.verify(w, env).status == 0)  // without the head, a clean truncation cannot be seen
        let r = try Self.verify(w, env, ["--expect-head", head])
        #expect(r.status == 1)
        #expect(r.stdout.contains("head mismatch"))
        #expect(r.stdout.contains("truncated"))
    }

    @Test func changedEvidenceAndAlteredManifestsAreCaught() throws {
        let (w, env) = try Self.makeCase()
        try w.write("seized/usb/a.txt", "ALPHA\n")
        let r = try Self.verify(w, env, ["--rehash"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("evidence changed"))
        #expect(r.stdout.contains("1 changed"))
        try w.write("seized/usb/a.txt", "alpha\n")
        #expect(try Self.verify(w, env, ["--rehash"]).status == 0)
        // Manifests are stored as zlib chunks (schema 2).
        try Self.tamper(
            w, "import zlib; db.execute(\"UPDATE manifest_chunks SET data = ?, size = 2\", (zlib.compress(b'{}'),))")
        let m = try Self.verify(w, env)
        #expect(m.status == 1)
        #expect(m.stdout.contains("stored manifest of EV-001 is altered"))
    }

    @Test func twoProcessesAppendingAtOnceMakeOneValidChain() throws {
        let (w, env) = try Self.makeCase()
        let bin = CLI.binary
        try w.sh(
            """
            export IPROCEEDS_HOME='\(env["IPROCEEDS_HOME"]!)'
            burst() { for i in $(seq 1 15); do '\(bin)' custody record --case c.case --item EV-001 --action note --note "$1 $i" > /dev/null || echo FAIL; done; }
            burst A > a.out & burst B > b.out & wait
            ! grep -q FAIL a.out b.out
            """)
        let r = try Self.verify(w, env)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("36 entries"))
    }

    @Test func killingTheProcessLosesNothingReportedWritten() throws {
        let (w, env) = try Self.makeCase()
        for i in 0..<400 { try w.write("big/d\(i % 20)/f\(i)", Data(repeating: UInt8(i % 251), count: 40_000 + i)) }
        let bin = CLI.binary
        // kill -9 during a large evidence add, and during a burst of records; each reported entry must survive.
        try w.sh(
            """
            export IPROCEEDS_HOME='\(env["IPROCEEDS_HOME"]!)'
            '\(bin)' evidence add --case c.case --item EV-002 --description big -j 1 big > add.out 2>&1 & pid=$!
            sleep 0.05; kill -9 $pid; wait $pid 2>/dev/null || true
            # The burst runs in its own process group, so that kill -9 reaches the record in flight too.
            setsid sh -c 'for i in $(seq 1 200); do "$0" custody record --case c.case --item EV-001 --action note --note "n$i" || exit; done' '\(bin)' > burst.out 2>&1 & pid=$!
            sleep 1; kill -9 -- -$pid 2>/dev/null || kill -9 $pid; wait $pid 2>/dev/null || true
            """)
        let r = try Self.verify(w, env)
        #expect(r.status == 0, "\(r.stdout)")
        let reported = try w.read("burst.out").split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("Recorded entry ") else { return nil }
            return Int(line.dropFirst(15).prefix { $0.isNumber })
        }
        let log = try CLI.run(["custody", "log", "--case", "c.case", "--format", "json"], in: w.path, environment: env)
        let seqs = Set(
            ((try JSONSerialization.jsonObject(with: Data(log.stdout.utf8))) as! [[String: Any]]).map {
                $0["seq"] as! Int
            })
        #expect(!reported.isEmpty)
        #expect(reported.allSatisfy { seqs.contains($0) })
    }

    @Test func badInputIsAOneLineErrorAndTheCaseFileIsUnchanged() throws {
        let (w, env) = try Self.makeCase()
        let hash = { try w.sh("sha256sum c.case") }
        let before = try hash()
        let missing = try CLI.run(["custody", "verify", "--case", "nope.case"], in: w.path, environment: env)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("does not exist"))
        try w.write("foreign.case", "just text\n")
        let foreign = try CLI.run(["custody", "log", "--case", "foreign.case"], in: w.path, environment: env)
        #expect(foreign.status == 65)
        #expect(foreign.stderr.contains("not an iproceeds case file"))
        let unknownItem = try CLI.run(
            ["custody", "record", "--case", "c.case", "--item", "EV-404", "--action", "sealed"], in: w.path,
            environment: env)
        #expect(unknownItem.status == 64)
        #expect(unknownItem.stderr.contains("unknown item EV-404"))
        let otherHome = ["IPROCEEDS_HOME": w.path + "/other-home"]
        #expect(
            try CLI.run(["examiner", "init", "--name", "Mallory", "--id", "X"], in: w.path, environment: otherHome)
                .status == 0)
        let wrongKey = try CLI.run(
            ["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "sealed"], in: w.path,
            environment: otherHome)
        #expect(wrongKey.status == 77)
        #expect(wrongKey.stderr.contains("is not registered in case CASE-2026-014"))
        let noKey = try CLI.run(
            ["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "sealed"], in: w.path,
            environment: ["IPROCEEDS_HOME": w.path + "/empty"])
        #expect(noKey.status == 77)
        #expect(noKey.stderr.contains("iproceeds examiner init"))
        #expect(
            try CLI.run(
                ["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "teleported"], in: w.path,
                environment: env
            ).status == 64)
        #expect(try hash() == before)
        try w.sh(
            "cp c.case newer.case && python3 -c \"import sqlite3; d = sqlite3.connect('newer.case'); d.execute('PRAGMA user_version = 99'); d.commit()\""
        )
        let newer = try CLI.run(
            ["custody", "record", "--case", "newer.case", "--item", "EV-001", "--action", "sealed"], in: w.path,
            environment: env)
        #expect(newer.status == 65)
        #expect(newer.stderr.contains("newer iproceeds"))
        for r in [missing, foreign, unknownItem, wrongKey, newer] {
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
    }

    @Test func aSecondExaminerCanSignOnceRegistered() throws {
        let (w, env) = try Self.makeCase()
        let other = ["IPROCEEDS_HOME": w.path + "/murat"]
        #expect(
            try CLI.run(
                ["examiner", "init", "--name", "Murat Yılmaz", "--id", "EX-022"], in: w.path, environment: other
            ).status == 0)
        let show = try CLI.run(["examiner", "show", "--format", "json"], in: w.path, environment: other)
        let key = try #require(
            (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: String])?["public_key"])
        #expect(
            try CLI.run(
                ["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "examined"], in: w.path,
                environment: other
            ).status == 77)
        #expect(
            try CLI.run(
                [
                    "case", "add-examiner", "--case", "c.case", "--id", "EX-022", "--name", "Murat Yılmaz",
                    "--public-key", key,
                ], in: w.path, environment: env
            ).status == 0)
        #expect(
            try CLI.run(
                ["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "examined"], in: w.path,
                environment: other
            ).status == 0)
        #expect(try Self.verify(w, env).status == 0)
        let keyFile = w.path + "/murat/examiner.key"
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!show.stdout.contains("PRIVATE"))
    }

    @Test func htmlFormsAreSelfContained() throws {
        let (w, env) = try Self.makeCase()
        #expect(
            try CLI.run(
                ["custody", "export", "--case", "c.case", "--format", "html", "-o", "custody.html"], in: w.path,
                environment: env
            ).status == 0)
        let html = try w.read("custody.html")
        #expect(html.contains("Item EV-001: USB stick"))
        #expect(html.contains("Verified: all 6 entries"))
        #expect(html.contains("Insp. Kovač"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        let log = try CLI.run(["custody", "log", "--case", "c.case", "--item", "EV-001"], in: w.path, environment: env)
        #expect(log.stdout.split(separator: "\n").count == 6)  // header + acquired + four actions
    }

    @Test func caseUCOExportPassesCaseValidateAndIsDeterministic() throws {
        let (w, env) = try Self.makeCase()
        for name in ["one.jsonld", "two.jsonld"] {
            #expect(
                try CLI.run(
                    ["custody", "export", "--case", "c.case", "--format", "case-uco", "-o", name], in: w.path,
                    environment: env
                ).status == 0)
        }
        #expect(try w.read("one.jsonld") == w.read("two.jsonld"))
        let validation = try CLI.exec(
            "python3",
            [
                "-c",
                "import sys; sys.argv = ['case_validate', 'one.jsonld']; from case_utils.case_validate import main; sys.exit(main())",
            ],
            in: w.path)
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        #expect(validation.stdout.contains("Conforms: True"))
        let doc = try JSONSerialization.jsonObject(with: Data(try w.read("one.jsonld").utf8)) as! [String: Any]
        let graph = doc["@graph"] as! [[String: Any]]
        #expect(graph.filter { $0["@type"] as? String == "case-investigation:InvestigativeAction" }.count == 6)
        #expect(graph.contains { $0["case-investigation:exhibitNumber"] as? String == "EV-001" })
    }
}
