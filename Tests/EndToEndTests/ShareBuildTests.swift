import Foundation
import Testing

/// `share redact` and `share build` through the real binary, on Samples/sharing-basic: keygen, build, verify,
/// the STIX validator and pymisp on the package's contents, re-identification from the vault, custody, byte-identical
/// rebuilds, and every kind of bad input ending with a clear exit status and no package left behind.
@Suite struct ShareBuildTests {
    static let sample = CLI.packageRoot.appendingPathComponent("Samples/sharing-basic").path
    static let inputs = ["intelmq-events.jsonl", "misp-event.json", "victim-reports.csv", "mail.log"].map {
        sample + "/" + $0
    }

    /// A workspace with an examiner, a pseudonym key and a case.
    static func setUp() throws -> (Workspace, [String: String]) {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home", "IPROCEEDS_ORGANISATION": ""]
        #expect(
            try CLI.run(
                ["examiner", "init", "--name", "Ana Analyst", "--id", "CSIRT-07"], in: w.path, environment: env
            )
            .status == 0)
        let keygen = try CLI.run(["share", "keygen", "--output", "csirt.key"], in: w.path, environment: env)
        #expect(keygen.status == 0, "\(keygen.stderr)")
        #expect(keygen.stdout.count == 17)  // the key id and a newline
        return (w, env)
    }

    static func build(
        _ w: Workspace, _ env: [String: String], _ extra: [String], inputs: [String] = inputs,
        policy: String = sample + "/case-policy.yaml", output: String = "pkg.zip"
    ) throws -> CLI.Result {
        try CLI.run(
            ["share", "build", "--input"] + inputs + [
                "--policy", policy, "--key-file", "csirt.key", "--organisation", "National CSIRT",
                "--recipient", "Cybercrime Unit, Police", "--tlp", "amber",
                "--purpose", "Criminal investigation of phishing campaign 2026-03",
                "--legal-basis", "Law on Information Security, Art. 12", "--created", "2026-03-05T10:00:00Z",
                "--output", output,
            ] + extra, in: w.path, environment: env)
    }

    @Test func keygenBuildVerifyValidateReidentify() throws {
        let (w, env) = try Self.setUp()
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "CASE-2026-031", "--title", "Phishing 2026-03"],
                in: w.path,
                environment: env
            ).status == 0)
        let built = try Self.build(
            w, env,
            [
                "--vault", "share.vault", "--case", "c.case", "--data-subjects", "victims,suspects", "--reliability",
                "B2",
            ])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.stdout.hasPrefix("Wrote pkg.zip: 8 files, "))
        #expect(built.stdout.contains("TLP:AMBER to Cybercrime Unit, Police; review by 2026-06-03; 32 records"))
        #expect(built.stdout.contains("Custody: entry 2 (shared) in c.case"))
        #expect(built.stdout.contains("Vault share.vault: ") && built.stdout.contains(" new."))
        #expect(
            built.stderr.hasPrefix(
                "iproceeds: note: one value, one treatment: 1 ipv4 value kept by fields.ip-src, fields.source.ip "
                    + "(in ip-src, source.ip) was given pseudonymise by types.ipv4 (in text) elsewhere in the package; "
                    + "the stricter rule won everywhere, so that no pseudonym sits beside its value\n"
                    + "Shared: 32 records read, 0 dropped by the policy, 0 dropped as unreadable; values: "),
            "\(built.stderr)")
        #expect(!FileManager.default.fileExists(atPath: w.path + "/pkg.zip.partial"))

        // The recipient's check, with the sender's key from examiner.json.
        let verify = try CLI.run(
            ["share", "verify", "pkg.zip", "--public-key", "home/examiner.json"], in: w.path, environment: env)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("Signature: valid") && verify.stdout.contains("Intact:"))

        // The public validators on the contents.
        try w.sh("mkdir x && cd x && unzip -q ../pkg.zip")
        let stix = try CLI.exec("stix2_validator", ["x/stix/bundle.json"], in: w.path)
        #expect(
            stix.status == 0 && stix.stdout.contains("STIX JSON: Valid") && !stix.stdout.contains("[X]"),
            "\(stix.stdout)")
        let misp = try w.sh(
            """
            python3 - <<'PY'
            from pymisp import MISPEvent
            e = MISPEvent()
            e.load_file("x/misp/event.json")
            ids = sorted(a.value for a in e.attributes if a.to_ids)
            print(len(e.attributes), e.distribution, ",".join(ids))
            PY
            """)
        #expect(
            misp.hasSuffix(
                // 203.0.113.45, the phishing host, is no longer among them: mail.log's text pseudonymises it, and
                // one value gets one treatment (the strictest) in a package.
                " 0 2001:db8:85a3::8a2e:370:7334,7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200126d9069,"
                    + "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,https://secure-login.example.net/bank/verify.php,"
                    + "secure-login.example.net\n"), "\(misp)")
        let log =
            try JSONSerialization.jsonObject(with: Data(try w.read("x/redaction-log.json").utf8)) as? [String: Any]
        let records = try #require(log?["records"] as? [String: Int])
        #expect(records == ["read": 32, "dropped": 0, "malformed": 0, "shared": 32])

        // Re-identify the victim's pseudonym from the CSV record.
        let lines = try jsonLines(try w.read("x/records/records.jsonl"))
        let csv = try #require(lines.first { $0["id"] as? String == "victim-reports.csv:2" })
        let name = try #require((csv["fields"] as? [String: String])?["victim_name"])
        #expect(name.hasPrefix("Person-"))
        let who = try CLI.run(
            ["share", "reidentify", "--key-file", "csirt.key", "--vault", "share.vault", name, "240.0.0.1"], in: w.path,
            environment: env)
        #expect(who.status == 1)  // the second is not in the vault
        #expect(who.stdout == "\(name)\tperson\tAna Petrović\n240.0.0.1\tnot in vault\n")

        // The transmission is in the case's ledger, and the ledger still verifies.
        let custody = try CLI.run(["custody", "verify", "--case", "c.case"], in: w.path, environment: env)
        #expect(custody.status == 0, "\(custody.stdout)\(custody.stderr)")
        let ledger = try CLI.run(
            ["custody", "export", "--case", "c.case", "--format", "json", "-o", "ledger.json"], in: w.path,
            environment: env)
        #expect(ledger.status == 0)
        let entries = try w.read("ledger.json")
        #expect(entries.contains("\"shared\"") && entries.contains("Cybercrime Unit, Police"))
        #expect(entries.contains("Law on Information Security, Art. 12") && entries.contains("TLP:AMBER"))
    }

    @Test func theSameInputsGiveTheSameBytes() throws {
        let (w, env) = try Self.setUp()
        #expect(try Self.build(w, env, [], output: "a.zip").status == 0)
        #expect(try Self.build(w, env, [], output: "b.zip").status == 0)
        #expect(
            try Data(contentsOf: w.url.appendingPathComponent("a.zip"))
                == Data(contentsOf: w.url.appendingPathComponent("b.zip")))
        // An existing package is not replaced unless asked.
        let again = try Self.build(w, env, [], output: "a.zip")
        #expect(again.status == 74 && again.stderr.contains("a.zip exists; choose another --output or give --replace"))
        #expect(try Self.build(w, env, ["--replace"], output: "a.zip").status == 0)
    }

    @Test func redactWritesTextForTextAndRecordsForStructuredInput() throws {
        let (w, env) = try Self.setUp()
        let text = try CLI.run(
            [
                "share", "redact", "--policy", Self.sample + "/case-policy.yaml", "--key-file", "csirt.key",
                Self.sample + "/mail.log",
            ], in: w.path, environment: env)
        #expect(text.status == 0, "\(text.stderr)")
        let original = try String(contentsOfFile: Self.sample + "/mail.log", encoding: .utf8)
        #expect(
            text.stdout.split(separator: "\n", omittingEmptySubsequences: false).count
                == original.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(!text.stdout.contains("ana.petrovic") && text.stdout.contains("From: Person-"))
        #expect(text.stderr.hasPrefix("Redacted: 12 records read"))
        let records = try CLI.run(
            [
                "share", "redact", "--policy", "default", "--key-file", "csirt.key", "-o", "out.jsonl",
                Self.sample + "/victim-reports.csv",
            ], in: w.path, environment: env)
        #expect(records.status == 0, "\(records.stderr)")
        let lines = try jsonLines(try w.read("out.jsonl"))
        #expect(
            lines.map { $0["id"] as? String } == [
                "victim-reports.csv:2", "victim-reports.csv:3", "victim-reports.csv:5",
            ])
        // The default pseudonymises, so a key is needed.
        let nokey = try CLI.run(
            ["share", "redact", "--policy", "default", Self.sample + "/mail.log"], in: w.path, environment: env)
        #expect(nokey.status == 64 && nokey.stderr.contains("give --key-file FILE"))
    }

    @Test func badInputEndsClearlyAndLeavesNoPackage() throws {
        let (w, env) = try Self.setUp()
        try w.write("good.jsonl", #"{"classification.type":"phishing","source.ip":"203.0.113.7"}"# + "\n")
        try w.write(
            "bad.jsonl",
            #"{"classification.type":"phishing","source.ip":"203.0.113.7"}"# + "\n{\"comment\": \"ana@example.org\n")
        try w.write(
            "latin1.log",
            Data([0x61, 0x6E, 0x61, 0xE9, 0x40, 0x65, 0x78, 0x2E, 0x6F, 0x72, 0x67, 0x0A]) + Data("ok line\n".utf8))
        try w.write("empty.csv", "")
        try w.write("bad-policy.yaml", "version: 1\nname: x\ntypes: {emial: drop}\n")
        func noPackage(_ name: String = "pkg.zip") -> Bool {
            !FileManager.default.fileExists(atPath: w.path + "/" + name)
                && !FileManager.default.fileExists(atPath: w.path + "/" + name + ".partial")
        }

        // A malformed line: the package is built without it, the finding is reported and logged, exit 1.
        let malformed = try Self.build(w, env, [], inputs: ["bad.jsonl"], policy: "default", output: "m.zip")
        #expect(malformed.status == 1, "\(malformed.stderr)")
        #expect(malformed.stderr.contains("iproceeds: warning: bad.jsonl:2: not valid JSON"))
        try w.sh("unzip -q -o m.zip redaction-log.json -d m")
        #expect(try w.read("m/redaction-log.json").contains("\"malformed\": 1"))
        #expect(!(try w.sh("unzip -p m.zip")).contains("ana@example.org"))
        // With --strict it stops and writes nothing.
        let strict = try Self.build(w, env, ["--strict"], inputs: ["bad.jsonl"], policy: "default")
        #expect(strict.status == 65 && strict.stderr.contains("--strict stops") && noPackage())
        // Invalid UTF-8: the line is dropped, never passed on.
        let latin1 = try Self.build(w, env, [], inputs: ["latin1.log"], policy: "default", output: "l.zip")
        #expect(latin1.status == 1 && latin1.stderr.contains("latin1.log:1: not valid UTF-8"))
        #expect(!(try w.sh("unzip -p l.zip records/records.jsonl")).contains("ex.org"))
        // Empty input, unknown policy key, missing key file, missing input, no examiner, pseudonymisation without a key.
        let empty = try Self.build(w, env, [], inputs: ["good.jsonl", "empty.csv"], policy: "default")
        #expect(empty.status == 65 && empty.stderr.contains("empty.csv is empty") && noPackage())
        let policy = try Self.build(w, env, [], inputs: ["good.jsonl"], policy: "bad-policy.yaml")
        #expect(policy.status == 65 && policy.stderr.contains("types.emial: unknown type") && noPackage())
        let nopolicy = try Self.build(w, env, [], inputs: ["good.jsonl"], policy: "missing.yaml")
        #expect(nopolicy.status == 66 && noPackage())
        var args = [
            "share", "build", "--input", "good.jsonl", "--policy", "default", "--key-file", "missing.key",
            "--organisation", "CSIRT", "--recipient", "Police", "--tlp", "red", "--purpose", "p", "--legal-basis", "l",
            "--output", "pkg.zip",
        ]
        let nokey = try CLI.run(args, in: w.path, environment: env)
        #expect(nokey.status == 66 && nokey.stderr.contains("missing.key") && noPackage())
        args[3] = "missing.jsonl"
        args[7] = "csirt.key"
        let noinput = try CLI.run(args, in: w.path, environment: env)
        #expect(noinput.status == 66 && noinput.stderr.contains("input missing.jsonl does not exist") && noPackage())
        args[3] = "good.jsonl"
        let noexaminer = try CLI.run(args, in: w.path, environment: ["IPROCEEDS_HOME": w.path + "/nobody"])
        #expect(noexaminer.status == 77 && noPackage())
        let badtlp = try CLI.run(args.map { $0 == "red" ? "purple" : $0 }, in: w.path, environment: env)
        #expect(badtlp.status == 64 && badtlp.stderr.contains("--tlp 'purple'") && noPackage())
        // Nothing to share at all.
        try w.write("junk.jsonl", "not json\n")
        let nothing = try Self.build(w, env, [], inputs: ["junk.jsonl"], policy: "default")
        #expect(nothing.status == 65 && nothing.stderr.contains("no record could be shared") && noPackage())
    }

    @Test func helpTeaches() throws {
        let w = try Workspace()
        let share = try CLI.run(["share", "--help"], in: w.path)
        for sub in ["scan", "policy", "keygen", "redact", "build", "verify", "reidentify"] {
            #expect(share.stdout.contains("  \(sub) "), "\(sub)")
        }
        let build = try CLI.run(["share", "build", "--help"], in: w.path)
        #expect(build.status == 0)
        for text in [
            "--tlp <label>", "--legal-basis <text>", "--review-by <date>", "--created <time>", "--data-subjects <list>",
            "--reliability <grade>", "--case <file>", "--vault <file>", "--replace",
            "Exit status: 0 written; 1 written",
            "77 no examiner key", "iproceeds share verify phishing-2026-03.zip",
        ] {
            #expect(build.stdout.contains(text), "\(text)")
        }
        let redact = try CLI.run(["share", "redact", "--help"], in: w.path)
        #expect(
            redact.stdout.contains("--input-format <format>") && redact.stdout.contains("Exit status: 0 done; 1 done"))
    }
}
