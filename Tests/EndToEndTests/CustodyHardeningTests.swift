import Foundation
import Testing

/// Attacks on the case file, the outputs and the examiner key, and the clumsy-user cases around them: each was
/// a hole (issue 11) and each test fails on the code before the fix.
@Suite struct CustodyHardeningTests {
    /// Verification relies on the signed ledger alone: whatever is done to the unsigned tables (the item index,
    /// the stored manifests), an altered piece of evidence is never reported intact.
    @Test func verificationReliesOnlyOnTheSignedLedger() throws {
        let attacks: [(name: String, python: String, expect: String)] = [
            (
                "delete the item row and its manifest",
                """
                db.execute("PRAGMA foreign_keys=OFF")
                db.execute("DELETE FROM items")
                try: db.execute("DELETE FROM manifest_chunks")
                except sqlite3.OperationalError: pass  # schema 1 had no chunk table; the attack is the same
                db.execute("DELETE FROM manifests")
                """, "the stored manifest of EV-001 is missing"
            ),
            (
                "point the item row at a manifest made for the altered evidence",
                """
                import hashlib, zlib
                db.execute("PRAGMA foreign_keys=OFF")
                fake = open("fake.jsonl", "rb").read()
                h = hashlib.sha256(fake).hexdigest()
                db.execute("DELETE FROM manifest_chunks"); db.execute("DELETE FROM manifests")
                db.execute("INSERT INTO manifests (sha256, format, content, storage, size) VALUES (?, 'jsonl', x'', 'zlib-chunks', ?)", (h, len(fake)))
                db.execute("INSERT INTO manifest_chunks (sha256, chunk, size, data) VALUES (?, 0, ?, ?)", (h, len(fake), zlib.compress(fake)))
                db.execute("UPDATE items SET manifest_sha256 = ?", (h,))
                """, "the stored manifest of EV-001 is missing"
            ),
            (
                "rewrite the stored manifest in place",
                """
                import zlib
                fake = open("fake.jsonl", "rb").read()
                db.execute("UPDATE manifest_chunks SET data = ?, size = ?", (zlib.compress(fake), len(fake)))
                """, "the stored manifest of EV-001 is altered"
            ),
            ("delete only the item row", "db.execute(\"DELETE FROM items\")", "item table altered"),
        ]
        for attack in attacks {
            let (w, env) = try CustodyTests.makeCase()
            // A manifest of the evidence as it will be after the change, for the attacks that plant one.
            try w.write("seized/usb/a.txt", "ALPHA\n")
            #expect(try CLI.run(["evidence", "hash", "-o", "fake.jsonl", "seized/usb"], in: w.path).status == 0)
            try CustodyTests.tamper(w, attack.python)
            let r = try CustodyTests.verify(w, env, ["--rehash"])
            #expect(r.status == 1, "\(attack.name): \(r.stdout)")
            #expect(!r.stdout.contains("Intact"), "\(attack.name)")
            #expect(r.stdout.contains("NOT INTACT: first bad entry 2"), "\(attack.name): \(r.stdout)")
            #expect(r.stdout.contains(attack.expect), "\(attack.name): \(r.stdout)")
        }
        // A row added to the item table for an item no signed entry acquired is named too.
        let (w, env) = try CustodyTests.makeCase()
        try CustodyTests.tamper(
            w, "db.execute(\"INSERT INTO items SELECT 'EV-666', 'planted', acquired_seq, manifest_sha256 FROM items\")")
        let r = try CustodyTests.verify(w, env)
        #expect(r.status == 1)
        #expect(r.stdout.contains("item EV-666 is in the item table but no signed entry acquired it"), "\(r.stdout)")
    }

    /// Case files made by schema 1 (manifests inline) are read as they are, read-only, and migrated on the first
    /// write, after which new manifests go into chunks and the old one still verifies.
    @Test func aSchemaOneCaseFileIsReadAndMigrated() throws {
        let (w, env) = try CustodyTests.makeCase()
        // Turn the file into exactly what schema 1 wrote: the manifest inline, no chunk or reservation table.
        try CustodyTests.tamper(
            w,
            """
            import zlib
            for sha, in db.execute("SELECT sha256 FROM manifests").fetchall():
                data = b"".join(zlib.decompress(r[0]) for r in db.execute("SELECT data FROM manifest_chunks WHERE sha256 = ? ORDER BY chunk", (sha,)))
                db.execute("UPDATE manifests SET content = ? WHERE sha256 = ?", (data, sha))
            db.execute("DROP TABLE manifest_chunks"); db.execute("DROP TABLE item_reservations")
            db.execute("ALTER TABLE manifests DROP COLUMN storage"); db.execute("ALTER TABLE manifests DROP COLUMN size")
            db.execute("PRAGMA user_version = 1")
            """)
        try w.sh(
            """
            python3 -c "import sqlite3; d = sqlite3.connect('c.case'); d.executescript('''
            CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'x'); END;
            CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'x'); END;''')"
            """)
        let before = try CustodyTests.verify(w, env, ["--rehash"])
        #expect(before.status == 0, "\(before.stdout)\(before.stderr)")
        #expect(
            try w.sh(
                "python3 -c \"import sqlite3; print(sqlite3.connect('c.case').execute('PRAGMA user_version').fetchone()[0])\""
            ) == "1\n")
        try w.write("seized/phone/d.txt", "delta\n")
        let add = try CLI.run(
            ["evidence", "add", "--case", "c.case", "--item", "EV-002", "--description", "phone", "seized/phone"],
            in: w.path, environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(
            try w.sh(
                "python3 -c \"import sqlite3; print(sqlite3.connect('c.case').execute('PRAGMA user_version').fetchone()[0])\""
            ) == "2\n")
        let after = try CustodyTests.verify(w, env, ["--rehash"])
        #expect(after.status == 0, "\(after.stdout)")
        #expect(after.stdout.contains("Evidence EV-001: 2 items matched, 0 differ"))
        #expect(after.stdout.contains("Evidence EV-002: 2 items matched, 0 differ"))
    }

    /// Every value in the printed custody form is escaped: a tampered case file cannot put markup in it.
    @Test func theCustodyFormEscapesHostileValuesFromTheCaseFile() throws {
        let (w, env) = try CustodyTests.makeCase()
        let hostile = "</style><script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
        try CustodyTests.tamper(
            w,
            """
            h = \(try String(decoding: JSONSerialization.data(withJSONObject: [hostile], options: .withoutEscapingSlashes), as: UTF8.self))[0]
            db.execute("UPDATE ledger SET entry_hash = ? WHERE seq = 6", (h,))
            db.execute("UPDATE ledger SET outputs = ? WHERE seq = 2", ('[{"name":"manifest EV-001.jsonl","sha256":' + __import__("json").dumps(h) + '}]',))
            db.execute("UPDATE ledger SET parameters = ? WHERE seq = 3", (__import__("json").dumps({"to": h}),))
            db.execute("UPDATE ledger SET note = ?, time = ? WHERE seq = 4", (h, h))
            db.execute("UPDATE items SET manifest_sha256 = ?, description = ?", (h, h))
            db.execute("UPDATE examiners SET name = ?", (h,))
            db.execute("UPDATE case_info SET title = ?, created = ?", (h, h))
            """)
        let r = try CLI.run(
            ["custody", "export", "--case", "c.case", "--format", "html", "-o", "custody.html"], in: w.path,
            environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        // Python's HTML parser, not ours: the only elements are the form's own, and no attribute carries an event.
        let tags = try w.sh(
            """
            python3 - <<'PY'
            from html.parser import HTMLParser
            class P(HTMLParser):
                def __init__(self):
                    super().__init__(); self.tags = set(); self.attrs = set(); self.styles = 0
                def handle_starttag(self, tag, attrs):
                    self.tags.add(tag); self.attrs.update(a for a, _ in attrs)
                    if tag == "style": self.styles += 1
            p = P(); p.feed(open("custody.html").read())
            print(" ".join(sorted(p.tags))); print(" ".join(sorted(p.attrs))); print(p.styles)
            PY
            """)
        let lines = tags.split(separator: "\n")
        #expect(lines[0] == "body div h1 h2 h3 head html meta p section span style table td th title tr", "\(tags)")
        #expect(lines[1] == "charset class lang", "\(tags)")
        #expect(lines[2] == "1")
        let html = try w.read("custody.html")
        #expect(html.contains("&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"))
        #expect(html.contains("NOT INTACT"))
    }

    /// The examiner key is refused, as ssh refuses a private key, when others could read or change it.
    @Test func anExaminerKeyOthersCanReadOrChangeIsRefused() throws {
        let (w, env) = try CustodyTests.makeCase()
        let key = w.path + "/home/examiner.key"
        let record = ["custody", "record", "--case", "c.case", "--item", "EV-001", "--action", "sealed"]
        for mode in ["644", "640", "604", "660", "606"] {
            try w.sh("chmod \(mode) home/examiner.key")
            let r = try CLI.run(record, in: w.path, environment: env)
            #expect(r.status == 77, "mode \(mode)")
            #expect(r.stderr.contains("chmod 600 \(key)"), "mode \(mode): \(r.stderr)")
        }
        try w.sh("chmod 600 home/examiner.key && chown 65534 home/examiner.key")
        let foreign = try CLI.run(record, in: w.path, environment: env)
        #expect(foreign.status == 77)
        #expect(foreign.stderr.contains("not to you"), "\(foreign.stderr)")
        try w.sh("chown $(id -u) home/examiner.key && chmod 777 home")
        let folder = try CLI.run(record, in: w.path, environment: env)
        #expect(folder.status == 77)
        #expect(folder.stderr.contains("chmod 700 \(w.path)/home"), "\(folder.stderr)")
        try w.sh("chmod 700 home")
        #expect(try CLI.run(record, in: w.path, environment: env).status == 0)
        // examiner init makes the key 0600 whatever the umask.
        let lax = try CLI.exec(
            "sh", ["-c", "umask 000 && '\(CLI.binary)' examiner init --name B --id EX-2"], in: w.path,
            environment: ["IPROCEEDS_HOME": w.path + "/lax"])
        #expect(lax.status == 0)
        #expect(try w.sh("stat -c %a lax/examiner.key") == "600\n")
        let unregistered = try CLI.run(record, in: w.path, environment: ["IPROCEEDS_HOME": w.path + "/lax"])
        #expect(unregistered.status == 77)
        // the key itself was accepted
        #expect(unregistered.stderr.contains("is not registered"), "\(unregistered.stderr)")
    }

    /// Outputs go through a fresh random name: a link planted at the name the old code used is not followed, and
    /// two runs writing the same output leave one whole output.
    @Test func outputsAreNotRedirectedAndConcurrentWritersDoNotMix() throws {
        let w = try Workspace()
        try w.write("victim.txt", "precious\n")
        try w.write("tree/a.txt", "a\n")
        try w.sh("ln -s victim.txt .out.jsonl.partial")
        #expect(try CLI.run(["evidence", "hash", "-o", "out.jsonl", "tree"], in: w.path).status == 0)
        #expect(try w.read("victim.txt") == "precious\n")
        #expect(try w.read("out.jsonl").contains("\"path\":\"tree/a.txt\""))
        // examiner init used examiner.key.new.
        try w.sh("mkdir -p home && chmod 700 home && ln -s ../victim.txt home/examiner.key.new")
        #expect(
            try CLI.run(
                ["examiner", "init", "--name", "A", "--id", "EX-1"], in: w.path,
                environment: ["IPROCEEDS_HOME": w.path + "/home"]
            ).status == 0)
        #expect(try w.read("victim.txt") == "precious\n")
        // Two writers, many times: the output is always exactly one of the two, whole.
        for i in 0..<300 { try w.write("one/f\(i)", String(repeating: "1", count: i)) }
        for i in 0..<300 { try w.write("two/g\(i)", String(repeating: "2", count: i)) }
        let oneRef = try CLI.run(["evidence", "hash", "one"], in: w.path).stdout
        let twoRef = try CLI.run(["evidence", "hash", "two"], in: w.path).stdout
        for _ in 0..<5 {
            let bin = CLI.binary
            try w.sh("'\(bin)' evidence hash -o same.jsonl one & '\(bin)' evidence hash -o same.jsonl two & wait")
            let got = try w.read("same.jsonl")
            #expect(got == oneRef || got == twoRef)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: w.path).filter {
            $0.hasSuffix(".partial") && $0 != ".out.jsonl.partial"
        }
        #expect(left.isEmpty, "\(left)")
    }

    /// A case file on read-only media (a read-only bind mount, which stops root too) is verified, listed and
    /// exported; a command that records says the file is read-only.
    @Test func aCaseFileOnReadOnlyMediaCanBeVerifiedListedAndExported() throws {
        let (w, env) = try CustodyTests.makeCase()
        // A folder name that must be percent-encoded in the immutable=1 URI.
        try w.sh(
            "mkdir 'r o#1%?' && mv c.case 'r o#1%?/' && rm -f c.case-wal c.case-shm && chmod 444 'r o#1%?/c.case' && chmod 555 'r o#1%?' && mkdir out"
        )
        let bin = CLI.binary
        let script = """
            set -e
            mount --bind 'r o#1%?' 'r o#1%?' && mount -o remount,bind,ro 'r o#1%?'
            touch "r o#1%?/probe" 2>/dev/null && { echo "mount is writable"; exit 9; }
            export IPROCEEDS_HOME='\(env["IPROCEEDS_HOME"]!)'
            '\(bin)' custody verify --case "r o#1%?/c.case" --rehash > out/verify.txt; echo "verify $?"
            '\(bin)' custody log --case "r o#1%?/c.case" > out/log.txt; echo "log $?"
            '\(bin)' custody export --case "r o#1%?/c.case" --format html -o out/c.html; echo "export $?"
            '\(bin)' custody export --case "r o#1%?/c.case" --format case-uco -o out/c.jsonld; echo "uco $?"
            set +e
            '\(bin)' custody record --case "r o#1%?/c.case" --item EV-001 --action sealed 2> out/record.err; echo "record $?"
            ls "r o#1%?"
            """
        let r = try CLI.exec("unshare", ["-rm", "bash", "-c", script], in: w.path)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("verify 0\nlog 0\nexport 0\nuco 0\n"), "\(r.stdout)\(r.stderr)")
        #expect(try w.read("out/verify.txt").contains("Intact"))
        #expect(try w.read("out/log.txt").split(separator: "\n").count == 7)
        #expect(try w.read("out/c.html").contains("Verified: all 6 entries"))
        #expect(r.stdout.contains("record 65"), "\(r.stdout)")
        #expect(!(try w.read("out/record.err")).contains("not an SQLite database"))
        #expect(r.stdout.hasSuffix("record 65\nc.case\n"), "\(r.stdout)")  // no -wal or -shm made
    }

    /// `case init` builds the file elsewhere and renames it into place: killed at any moment, it leaves either no
    /// case file (and can be run again) or a whole one; two at once make one case file.
    @Test func caseInitIsWholeOrNothing() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        #expect(
            try CLI.run(["examiner", "init", "--name", "A", "--id", "EX-1"], in: w.path, environment: env).status == 0)
        let bin = CLI.binary
        for i in 0..<12 {
            let delay = String(format: "0.%03d", i * 4)
            try w.sh(
                """
                export IPROCEEDS_HOME='\(env["IPROCEEDS_HOME"]!)'
                '\(bin)' case init --case k\(i).case --id K --title t > /dev/null 2>&1 & pid=$!
                sleep \(delay); kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null || true
                """)
            if FileManager.default.fileExists(atPath: w.path + "/k\(i).case") {
                let v = try CLI.run(["custody", "verify", "--case", "k\(i).case"], in: w.path, environment: env)
                #expect(v.status == 0, "k\(i).case exists but does not verify: \(v.stdout)\(v.stderr)")
            } else {
                let again = try CLI.run(
                    ["case", "init", "--case", "k\(i).case", "--id", "K", "--title", "t"], in: w.path, environment: env)
                #expect(again.status == 0, "\(again.stderr)")
            }
        }
        try w.sh(
            """
            export IPROCEEDS_HOME='\(env["IPROCEEDS_HOME"]!)'
            for i in 1 2 3 4; do '\(bin)' case init --case race.case --id R --title t > r$i.out 2> r$i.err & done; wait
            """)
        let outs = try (1...4).map { try w.read("r\($0).out") }
        let errs = try (1...4).map { try w.read("r\($0).err") }
        #expect(outs.filter { $0.contains("Created case R") }.count == 1, "\(outs) \(errs)")
        #expect(errs.filter { $0.contains("already exists") }.count == 3, "\(errs)")
        #expect(try CLI.run(["custody", "verify", "--case", "race.case"], in: w.path, environment: env).status == 0)
    }

    /// Two `evidence add` runs with the same item: the second stops before hashing with who holds the item, and
    /// a run killed half-way does not block the item for ever.
    @Test func aDuplicateItemIsRefusedBeforeHashing() throws {
        let (w, env) = try CustodyTests.makeCase()
        for i in 0..<400 { try w.write("big/d\(i % 20)/f\(i)", Data(repeating: UInt8(i % 251), count: 60_000)) }
        let bin = CLI.binary
        try w.sh(
            """
            export IPROCEEDS_HOME='\(env["IPROCEEDS_HOME"]!)'
            '\(bin)' evidence add --case c.case --item EV-002 --description big -j 1 big > first.out 2> first.err & pid=$!
            sleep 0.3
            '\(bin)' evidence add --case c.case --item EV-002 --description big big > second.out 2> second.err; echo $? > second.status
            wait $pid; echo $? > first.status
            """)
        let firstErr = try w.read("first.err")
        #expect(try w.read("first.status") == "0\n", "\(firstErr)")
        #expect(try w.read("second.status") == "64\n")
        let second = try w.read("second.err")
        #expect(
            second.contains("item EV-002 is being added to the case right now")
                || second.contains("item EV-002 is already in the case (added by EX-017 at"), "\(second)")
        #expect(!second.contains("constraint") && !second.contains("UNIQUE"))
        let again = try CLI.run(
            ["evidence", "add", "--case", "c.case", "--item", "EV-001", "--description", "x", "big"], in: w.path,
            environment: env)
        #expect(again.status == 64)
        #expect(again.stderr.contains("item EV-001 is already in the case (added by EX-017 at "), "\(again.stderr)")
        // A reservation held by a live process on this host stops the add; one whose process is gone (killed
        // while hashing) is stale and taken over.
        func reserve(_ pid: String) throws {
            try w.sh(
                """
                python3 -c "import sqlite3, socket; d = sqlite3.connect('c.case'); d.execute('INSERT OR REPLACE INTO item_reservations VALUES (?, ?, ?, ?, ?)', ('EV-003', 'EX-022', socket.gethostname(), \(pid), '2026-01-01T00:00:00.000Z')); d.commit()"
                """)
        }
        try reserve("1")
        let held = try CLI.run(
            ["evidence", "add", "--case", "c.case", "--item", "EV-003", "--description", "big", "big"], in: w.path,
            environment: env)
        #expect(held.status == 64)
        #expect(
            held.stderr.contains("item EV-003 is being added to the case right now (by EX-022 on "), "\(held.stderr)")
        let dead = try w.sh("sh -c 'true & wait $!; echo $!'").trimmingCharacters(in: .whitespacesAndNewlines)
        try reserve(dead)
        let retry = try CLI.run(
            ["evidence", "add", "--case", "c.case", "--item", "EV-003", "--description", "big", "big"], in: w.path,
            environment: env)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(
            try w.sh(
                "python3 -c \"import sqlite3; print(sqlite3.connect('c.case').execute('SELECT count(*) FROM item_reservations').fetchone()[0])\""
            ) == "0\n")
        #expect(try CustodyTests.verify(w, env).status == 0)
    }
}
