import Foundation
import Testing

/// What only the case file shows: a process killed mid-write, bad input leaving the file unchanged, the printable
/// forms and the CASE/UCO export. The ledger's hashes, signatures and tampering are checked on both stores by
/// ``CustodyStoreTests``; `makeCase` and `tamper` also serve ``CustodyHardeningTests``.
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
