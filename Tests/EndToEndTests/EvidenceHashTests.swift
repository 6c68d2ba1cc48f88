import Foundation
import Testing

@Suite struct EvidenceHashTests {
    /// A plain tree with unicode names, an empty file and a larger file.
    static func plainTree(_ w: Workspace) throws {
        try w.write("case/ë.txt", "e with diaeresis\n")
        try w.write("case/Türkçe/ş-ğ-İ.txt", "Turkish letters\n")
        try w.write("case/Црна Гора/извештај.txt", "Cyrillic\n")
        try w.write("case/empty", "")
        try w.write("case/dup-a.txt", "same\n")
        try w.write("case/dup-b.txt", "same\n")
        try w.write("case/bin/data.bin", Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }))
    }

    @Test func digestsAgreeWithCoreutilsAndPythonHashlib() throws {
        let w = try Workspace()
        try Self.plainTree(w)
        let r = try CLI.run(
            ["evidence", "hash", "-c", "md5,sha1,sha256,sha512,sha3-256,blake2b-512", "case"], in: w.path)
        #expect(r.status == 0)
        #expect(r.stderr == "")
        let records = try jsonLines(r.stdout)
        #expect(records.count == 7)
        let sha = try w.sh("sha256sum " + records.map { "'\($0["path"] as! String)'" }.joined(separator: " "))
        let md5 = try w.sh("md5sum " + records.map { "'\($0["path"] as! String)'" }.joined(separator: " "))
        let py = try w.sh(
            """
            python3 -c '
            import hashlib, json, sys
            for line in sys.stdin:
                r = json.loads(line)
                data = open(r["path"], "rb").read()
                for alg, name in [("sha1", "sha1"), ("sha512", "sha512"), ("sha3-256", "sha3_256"), ("blake2b-512", "blake2b")]:
                    if hashlib.new(name, data).hexdigest() != r[alg]: print("MISMATCH", alg, r["path"])
                print("checked", r["path"])
            ' <<'JSONL'
            \(r.stdout)JSONL
            """)
        for rec in records {
            let path = rec["path"] as! String
            #expect(sha.contains("\(rec["sha256"] as! String)  \(path)"))
            #expect(md5.contains("\(rec["md5"] as! String)  \(path)"))
        }
        #expect(!py.contains("MISMATCH"))
        #expect(py.components(separatedBy: "checked").count == 8)
    }

    @Test func hashdeepAcceptsOurManifestAndCatchesTampering() throws {
        let w = try Workspace()
        try Self.plainTree(w)
        let made = try CLI.run(
            ["evidence", "hash", "-c", "md5,sha256", "--format", "hashdeep", "-o", "m.hashdeep", "case"], in: w.path)
        #expect(made.status == 0)
        let audit = try CLI.exec("hashdeep", ["-a", "-k", "m.hashdeep", "-r", "case"], in: w.path)
        #expect(audit.status == 0, "\(audit.stdout) \(audit.stderr)")
        #expect(audit.stdout.contains("Audit passed"))
        try w.write("case/ë.txt", "altered\n")
        let after = try CLI.exec("hashdeep", ["-a", "-k", "m.hashdeep", "-r", "case"], in: w.path)
        #expect(after.status != 0)
        #expect(after.stdout.contains("Audit failed"))
    }

    @Test func dfxmlIsWellFormedWithDFXMLElementNames() throws {
        let w = try Workspace()
        try Self.plainTree(w)
        try w.sh("cd case && tar -cf ../case.tar bin && mv ../case.tar bin/")
        let r = try CLI.run(["evidence", "hash", "--format", "dfxml", "-o", "m.xml", "case"], in: w.path)
        #expect(r.status == 0)
        let check = try w.sh(
            """
            python3 -c '
            import xml.etree.ElementTree as ET, hashlib
            ns = {"d": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML", "i": "urn:iproceeds:dfxml:1"}
            root = ET.parse("m.xml").getroot()
            objs = root.findall("d:fileobject", ns)
            print("fileobjects", len(objs))
            for o in objs:
                name = o.find("d:filename", ns).text
                size = int(o.find("d:filesize", ns).text)
                digest = o.find("d:hashdigest[@type=\\"sha256\\"]", ns).text
                if o.find("i:archive_chain", ns) is None:
                    data = open(name, "rb").read()
                    assert len(data) == size and hashlib.sha256(data).hexdigest() == digest, name
                else:
                    print("member", name, "in", o.find("i:archive_chain/i:filename", ns).text)
            print("ok")
            '
            """)
        #expect(check.contains("fileobjects 9"))
        #expect(check.contains("member bin/data.bin in case/bin/case.tar"))
        #expect(check.hasSuffix("ok\n"))
    }

    @Test func csvParsesWithOneRowPerItem() throws {
        let w = try Workspace()
        try Self.plainTree(w)
        try w.write("case/comma, \"quoted\"\nnewline.txt", "odd name\n")
        let r = try CLI.run(["evidence", "hash", "--format", "csv", "case"], in: w.path)
        #expect(r.status == 0)
        let out = try w.sh(
            """
            python3 -c '
            import csv, sys, hashlib
            rows = list(csv.DictReader(sys.stdin))
            print(len(rows), sorted(rows[0].keys()) == sorted(["path","path_bytes","member","member_bytes","kind","size","sha256","mtime","note","error"]))
            for row in rows:
                assert hashlib.sha256(open(row["path"], "rb").read()).hexdigest() == row["sha256"], row["path"]
            print("ok")
            ' <<'CSV'
            \(r.stdout)CSV
            """)
        #expect(out == "8 True\nok\n")
    }

    @Test func outputIsIdenticalWhateverTheThreadCount() throws {
        let w = try Workspace()
        try Self.plainTree(w)
        for i in 0..<200 { try w.write("case/many/\(i % 13)/f\(i)", String(repeating: "x", count: i * 37)) }
        try w.sh("tar -czf case/many.tgz case/many && cd case && zip -qr many.zip many")
        for format in ["jsonl", "hashdeep", "dfxml", "csv"] {
            let one = try CLI.run(
                ["evidence", "hash", "-j", "1", "--format", format, "-c", "md5,sha256", "case"], in: w.path)
            let four = try CLI.run(
                ["evidence", "hash", "-j", "4", "--format", format, "-c", "md5,sha256", "case"], in: w.path)
            let again = try CLI.run(
                ["evidence", "hash", "-j", "4", "--format", format, "-c", "md5,sha256", "case"], in: w.path)
            #expect(one.status == 0)
            // hashdeep and DFXML headers record the command line, which differs in -j; the rest must not.
            func body(_ r: CLI.Result) -> [Substring] {
                r.stdout.split(separator: "\n").filter { !$0.hasPrefix("## $ ") && !$0.contains("<command_line>") }
            }
            #expect(body(one) == body(four), "\(format)")
            #expect(four.stdoutBytes == again.stdoutBytes, "\(format)")
        }
    }

    @Test func exitStatusesSayWhatHappened() throws {
        let w = try Workspace()
        try Self.plainTree(w)
        #expect(try CLI.run(["evidence", "hash", "case"], in: w.path).status == 0)

        try w.write("bad.zip", Data("PK\u{03}\u{04}this is not really a zip at all, it is cut short".utf8))
        try w.sh("head -c 20000 /dev/urandom > x.bin && zip -q good.zip x.bin && head -c 5000 good.zip > cut.zip")
        let damaged = try CLI.run(["evidence", "hash", "cut.zip", "case"], in: w.path)
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("could not be read whole"))
        #expect(try jsonLines(damaged.stdout).count > 7)

        let missing = try CLI.run(["evidence", "hash", "no-such-dir"], in: w.path)
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("\"error\":\"no such file or directory\""))

        let usage = try CLI.run(["evidence", "hash", "-c", "crc32", "case"], in: w.path)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("unknown algorithm 'crc32'"))
        #expect(try CLI.run(["evidence", "hash"], in: w.path).status == 64)
        #expect(try CLI.run(["evidence", "hash", "--threads", "0", "case"], in: w.path).status == 64)
        let hd = try CLI.run(["evidence", "hash", "--format", "hashdeep", "-c", "sha512", "case"], in: w.path)
        #expect(hd.status == 64)
        #expect(hd.stderr.contains("hashdeep cannot read sha512"))

        let unwritable = try CLI.run(["evidence", "hash", "-o", "/nonexistent-dir/m.jsonl", "case"], in: w.path)
        #expect(unwritable.status == 74)
        #expect(unwritable.stderr.contains("cannot write /nonexistent-dir/m.jsonl"))
    }

    @Test func outputFileAppearsOnlyWhenComplete() throws {
        let w = try Workspace()
        try Self.plainTree(w)
        let r = try CLI.run(["evidence", "hash", "-o", "out/m.jsonl", "case"], in: w.path + "/")
        #expect(r.status == 74)  // the folder does not exist: nothing half-written anywhere
        try FileManager.default.createDirectory(atPath: w.path + "/out", withIntermediateDirectories: true)
        #expect(try CLI.run(["evidence", "hash", "-o", "out/m.jsonl", "case"], in: w.path).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.path + "/out") == ["m.jsonl"])
        #expect(try jsonLines(w.read("out/m.jsonl")).count == 7)

        // A device or FIFO is written in place, never replaced by a rename (as root, that would replace /dev/null).
        if mknod(w.path + "/null-copy", S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 {  // needs root, as CI is
            #expect(try CLI.run(["evidence", "hash", "-o", "null-copy", "case"], in: w.path).status == 0)
            var st = stat()
            #expect(stat(w.path + "/null-copy", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
        }
        #expect(try CLI.run(["evidence", "hash", "-o", "out", "case"], in: w.path).status == 74)
    }

    @Test func helpTeachesTheCommand() throws {
        let w = try Workspace()
        let top = try CLI.run(["--help"], in: w.path)
        #expect(top.status == 0)
        #expect(top.stdout.contains("evidence"))
        let help = try CLI.run(["evidence", "hash", "--help"], in: w.path)
        #expect(help.status == 0)
        for needle in [
            "USAGE: iproceeds evidence hash", "--algorithms", "--piecewise", "--threads", "--no-archives",
            "--max-depth",
            "--max-expand", "--exclude", "--follow-symlinks", "--format", "--output", "--quiet", "Examples:",
            "Exit status:",
        ] {
            #expect(help.stdout.contains(needle), "\(needle)")
        }
        let version = try CLI.run(["--version"], in: w.path)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func bundledSampleGivesItsKnownCounts() throws {
        let root = CLI.packageRoot.path
        let r = try CLI.run(["evidence", "hash", "-q", "Samples/evidence-basic/seized"], in: root)
        #expect(r.status == 1)  // the sample holds a damaged zip on purpose
        let records = try jsonLines(r.stdout)
        #expect(records.count == 27)
        #expect(records.filter { $0["kind"] as? String == "member" }.count == 17)
        #expect(
            records.filter { $0["error"] != nil }.map { $0["path"] as! String } == [
                "Samples/evidence-basic/seized/damaged.zip", "Samples/evidence-basic/seized/damaged.zip",
            ])
        // Members inside the nested zip carry the exact stored UTF-8 names.
        #expect(records.contains { ($0["member"] as? [String]) == ["backup/documents.zip", "Приштина_белешке.txt"] })
    }

    @Test func unreadableFilesAndFoldersAreRecordedWithTheReason() throws {
        // Root reads everything, so the run drops to the unprivileged user "nobody" (util-linux setpriv).
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let w = try Workspace()
        try w.write("case/ok.txt", "fine\n")
        try w.write("case/secret.txt", "no access\n")
        try w.write("case/locked/inside.txt", "hidden\n")
        try w.sh("chmod 000 case/secret.txt case/locked && chmod 755 . case")
        let r = try CLI.exec(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary, "evidence", "hash", "case"], in: w.path)
        #expect(r.status == 1, "\(r.stderr)")
        let records = try jsonLines(r.stdout)
        let byPath = Dictionary(uniqueKeysWithValues: records.map { ($0["path"] as! String, $0) })
        #expect(byPath["case/ok.txt"]?["sha256"] != nil)
        #expect(byPath["case/secret.txt"]?["error"] as? String == "permission denied")
        #expect(byPath["case/secret.txt"]?["sha256"] == nil)
        #expect(byPath["case/locked"]?["kind"] as? String == "directory")
        #expect((byPath["case/locked"]?["error"] as? String)?.contains("permission denied") == true)
        try w.sh("chmod 755 case/locked")
    }

    @Test func progressLineShowsOnATerminalOnly() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let w = try Workspace()
        for i in 0..<40 { try w.write("case/f\(i).bin", Data(repeating: UInt8(i), count: 8 << 20)) }
        // `script` gives the command a terminal; the progress line is redrawn with a carriage return.
        let tty = try CLI.exec(
            "/usr/bin/script",
            ["-qec", "'\(CLI.binary)' evidence hash -j 1 -c sha512,sha3-256 -o m.jsonl case", "/dev/null"], in: w.path)
        #expect(tty.status == 0)
        #expect(tty.stdout.contains("files"))
        #expect(tty.stdout.contains("/s"))
        #expect(tty.stdout.contains("40 items (0 archive members)"))
        let piped = try CLI.run(["evidence", "hash", "-o", "m2.jsonl", "case"], in: w.path)
        #expect(piped.stderr == "")
    }
}

@Suite struct EvidenceWalkthroughTests {
    /// `make demo-evidence` runs Samples/demo.sh on the release build; here it runs on the test build, so the
    /// examiner's walkthrough cannot rot unnoticed (`make demo` itself is `DemoTests`).
    @Test func theEvidenceWalkthroughRunsEndToEnd() throws {
        let w = try Workspace()
        let root = CLI.packageRoot.path
        let r = try CLI.exec(
            "bash", ["-c", "cd '\(root)' && OUT_DIR='\(w.path)' bash Samples/demo.sh '\(CLI.binary)'"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        for needle in [
            "27 items (17 archive members)", "hashdeep: Audit passed", "Audit passed: every item matches",
            "Audit FAILED against copy.jsonl",
            "Intact: every link, signature and signer checks out, and the evidence matches its manifests.",
            "Recorded custody entry 5 (analysed)", "EXCHANGE-DEPOSIT-77",
        ] {
            #expect(r.stdout.contains(needle) || r.stderr.contains(needle), "\(needle)")
        }
    }
}
