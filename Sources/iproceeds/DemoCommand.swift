import ArgumentParser
import EvidenceKit
import IProceedsBase
import Foundation
import SampleCases

/// `iproceeds demo`: the whole flow on a bundled case, narrated, by running this same binary step by step as a
/// user would, in a folder of its own and with a scratch examiner key (never the user's).
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run a whole case start to finish on a bundled sample, narrating each step and where its outputs are.",
        discussion: """
            Extracts the sample case bec-mules into DIR/case and runs, one after another: an examiner key (a \
            scratch one under DIR/examiner-home, never yours), a case file, the seized items into custody, \
            fingerprints, a trace under all four policies, freezing candidates, the crypto leg on chain, and \
            custody verification. Every figure is checked against the case's answer key as it goes. Open the \
            HTML reports it lists at the end. Each command it runs is printed, so you can repeat any step by hand.

            --sample ransomware-peel follows a ransom on chain instead: through a peel chain and a CoinJoin to an \
            exchange's deposit addresses, grouped into entities, named by a TagPack, and ends with the freezing \
            request to that exchange (which institution, how much under each policy, at which addresses).

            Exit status: 0 every step worked and matched the answer key; 1 a step failed or a figure differed; \
            64 usage (DIR holds something other than an earlier demo). Run again on the same DIR, it removes only the \
            files the earlier demo wrote (listed in DIR/.iproceeds-demo) and keeps anything you added.
            """)

    @Option(
        help: ArgumentHelp(
            "Where to work; what an earlier demo wrote there is replaced, nothing else.", valueName: "dir"))
    var dir = "iproceeds-demo"

    @Option(help: "The sample case to run (see `samples list`).")
    var sample = "bec-mules"

    func run() throws {
        let root = URL(fileURLWithPath: dir).standardizedFileURL
        let marker = DemoMarker(root: root)
        let fm = FileManager.default
        var kept: [String] = []
        if let existing = try? fm.contentsOfDirectory(atPath: root.path), !existing.isEmpty {
            guard fm.fileExists(atPath: marker.url.path) else {
                throw ValidationError("\(dir) is not empty and not an earlier demo; choose another --dir")
            }
            let plan = try marker.plan()
            // The sample is extracted into DIR/case, which must then be empty: stop before removing anything.
            if let inCase = plan.kept.first(where: { $0.hasPrefix("case/") }) {
                throw ValidationError(
                    "\(dir)/\(inCase) was not written by the demo; move your files out of \(dir)/case and run again "
                        + "(nothing was removed)")
            }
            marker.remove(plan.demos)
            kept = plan.kept
            if !kept.isEmpty {
                print(
                    "Keeping \(kept.count) file\(kept.count == 1 ? "" : "s") in \(dir) that the demo did not write: "
                        + kept.prefix(5).joined(separator: ", ") + (kept.count > 5 ? ", …" : ""))
            }
        }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try marker.write(running: true, files: kept)
        var narrator = DemoNarrator(root: root, sample: sample)
        let ok = try narrator.run()
        let keptSet = Set(kept)
        try marker.write(
            running: false,
            files: DemoMarker.files(under: root).filter { !keptSet.contains($0) && $0 != DemoMarker.name })
        if !ok { throw ExitCode(1) }
    }
}

/// `.iproceeds-demo`: marks a folder as the demo's and lists, one JSON string a line, the files the demo wrote
/// there — so a new run removes those and nothing else (a trainee's notes stay). While a run is under way it
/// lists instead the files that were there before it, which are not the demo's.
struct DemoMarker {
    static let name = ".iproceeds-demo"
    static let header = "made by iproceeds demo; a new run removes only the files listed below"
    let root: URL
    var url: URL { root.appendingPathComponent(Self.name) }

    init(root: URL) { self.root = root }

    func write(running: Bool, files: [String]) throws {
        var text = Self.header + "\n" + (running ? "# running; not the demo's:" : "# wrote:") + "\n"
        for f in files.sorted() { text += JSONValue.quoted(f) + "\n" }
        do { try OutputFile.write(Array(text.utf8), to: url.path) } catch let e as OutputFileError {
            throw CLIError.cannotWrite(
                path: url.path, reason: e.systemCode.map { OutputFileError.describe($0) } ?? e.message)
        }
    }

    /// Every regular file or link under `root` (links are not followed), relative to it.
    static func files(under root: URL) -> [String] {
        var out: [String] = []
        func walk(_ relative: String) {
            let path = relative.isEmpty ? root.path : root.path + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
            for n in names.sorted() {
                let rel = relative.isEmpty ? n : relative + "/" + n
                var st = stat()
                guard lstat(root.path + "/" + rel, &st) == 0 else { continue }
                if st.st_mode & S_IFMT == S_IFDIR { walk(rel) } else { out.append(rel) }
            }
        }
        walk("")
        return out
    }

    /// The files an earlier run wrote, and the others.
    /// - Throws: `ValidationError` for a marker that does not list what it wrote (an older iproceeds).
    func plan() throws -> (demos: [String], kept: [String]) {
        let lines = ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        guard lines.first == Self.header, lines.count >= 2 else {
            throw ValidationError(
                "\(root.path) holds a demo from an older iproceeds, which did not list the files it wrote; "
                    + "remove it yourself (keeping anything of yours) or choose another --dir")
        }
        let listed = Set(
            lines.dropFirst(2).compactMap { line -> String? in
                (try? JSONValue.parse(Array(line.utf8)))?.string
            })
        let present = Self.files(under: root).filter { $0 != Self.name }
        // A finished run lists what it wrote; an interrupted one lists what was there before it started.
        let wrote = lines[1] == "# wrote:"
        return (present.filter { listed.contains($0) == wrote }, present.filter { listed.contains($0) != wrote })
    }

    /// Removes `demos` (files, links: never followed), then the folders left empty.
    func remove(_ demos: [String]) {
        for f in demos { unlink(root.path + "/" + f) }
        var folders: [String] = []
        func collect(_ relative: String) {
            let path = relative.isEmpty ? root.path : root.path + "/" + relative
            for n in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                let rel = relative.isEmpty ? n : relative + "/" + n
                var st = stat()
                if lstat(root.path + "/" + rel, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
                    collect(rel)
                    folders.append(rel)
                }
            }
        }
        collect("")
        for f in folders { rmdir(root.path + "/" + f) }  // children first; a folder with a kept file stays
    }

}

struct DemoNarrator {
    let root: URL
    let sample: String
    let binary: String
    var failures: [String] = []
    var step = 0

    init(root: URL, sample: String) {
        self.root = root
        self.sample = sample
        // This same program: /proc/self/exe on Linux, else how it was started.
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        binary = URL(fileURLWithPath: exe).standardizedFileURL.path
    }

    var caseDir: URL { root.appendingPathComponent("case") }
    mutating func heading(_ text: String) {
        step += 1
        print("\n\(step). \(text)")
    }

    static func shellWord(_ a: String) -> String {
        !a.isEmpty && a.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,@+".contains($0) })
            ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs `iproceeds ARGS` in the case folder, printing the command; returns its output. A failure is
    /// recorded and printed with the tool's message.
    @discardableResult
    mutating func iproceeds(_ args: [String], expect: Int32 = 0, show: Int = 0, quiet: Bool = false) -> String {
        if !quiet { print("   $ iproceeds " + args.map(Self.shellWord).joined(separator: " ")) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = caseDir
        var env = ProcessInfo.processInfo.environment
        env["IPROCEEDS_HOME"] = root.appendingPathComponent("examiner-home").path
        env.removeValue(forKey: "IPROCEEDS_CASE")
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            failures.append("could not start \(binary): \(error)")
            return ""
        }
        let errData = LockedBytes()
        let t = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        t.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        let stdout = String(decoding: data, as: UTF8.self)
        if p.terminationStatus != expect {
            failures.append("iproceeds \(args.joined(separator: " ")) exited \(p.terminationStatus)")
            print(
                "     ✗ exit status \(p.terminationStatus), expected \(expect): \(String(decoding: errData.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        for line in stdout.split(separator: "\n").prefix(show) { print("     \(line)") }
        return stdout
    }

    mutating func check(_ what: String, _ got: String?, _ want: String?) -> String {
        if got == want { return "✓" }
        failures.append("\(what): the tool says \(got ?? "nothing"), the answer key \(want ?? "nothing")")
        return "✗ (answer key: \(want ?? "none"))"
    }

    func json(_ relative: String) -> [String: Any] {
        guard let d = FileManager.default.contents(atPath: caseDir.appendingPathComponent(relative).path),
            let o = try? JSONSerialization.jsonObject(with: d) as? [String: Any]
        else { return [:] }
        return o
    }

    func label(_ labels: [String: String], _ account: String) -> String {
        labels[account].map { "\($0) (\(account))" } ?? account
    }

    mutating func run() throws -> Bool {
        guard let scenario = SampleCatalog.scenario(named: sample) else {
            throw ValidationError("no sample case '\(sample)' (iproceeds samples list)")
        }
        print("iproceeds demo: one case from seizure to freezing request, on the synthetic sample \"\(sample)\".")
        print("Working in \(root.path); the examiner key is a scratch one in \(root.path)/examiner-home.")

        heading("The case arrives: extract the sample")
        print("   $ iproceeds samples extract \(sample) \(root.path)/case")
        let made = try SampleCatalog.generate(scenario, seed: scenario.shippedSeed, into: caseDir)
        print(
            "     \(made.files.count) files: the seized evidence, bank statements and exports, the exchange's records,")
        print("     a blockchain export and the CSIRT's reports. The story is in case/README.md.")
        let key: SampleAnswerKey
        do {
            key = try SampleAnswerKey.read(from: caseDir.appendingPathComponent("answers.json"))
        } catch {
            failures.append("the case's answer key cannot be read: \(error)")
            return false
        }
        let facts = key.facts
        if let victim = facts["victim"]?.text, let loss = facts["loss"]?.text {
            print("     \(victim) paid EUR \(loss) to an account named in a forged e-mail. Where did it go?")
        } else if let victim = facts["victim"]?.text, let paid = facts["paid"]?.text,
            let btc = facts["ransom_btc"]?.text
        {
            print("     \(victim) bought BTC \(btc) for EUR \(paid) and paid a ransom with it. Who holds it now?")
        }

        heading("An examiner key and a case file")
        let script = key.custody.steps
        let steps = script.map(\.run)
        iproceeds(["examiner", "init", "--name", "Demo Examiner", "--id", "EX-DEMO"], show: 2)
        iproceeds(["case", "init", "--case", "demo.case", "--id", key.caseID, "--title", key.title], show: 2)

        heading("The seizure into custody: every file and every archive member fingerprinted, each item signed in")
        for s in script where s.run.starts(with: ["evidence", "add"]) {
            var args = s.run
            if let i = args.firstIndex(of: "--case") { args[i + 1] = "demo.case" }
            iproceeds(args, expect: s.exit, show: 1)
        }
        let sealedItem =
            steps.first { $0.contains("sealed") }.flatMap { s in s.firstIndex(of: "--item").map { s[$0 + 1] } }
            ?? "EV-001"
        iproceeds(
            [
                "custody", "record", "--case", "demo.case", "--item", sealedItem, "--action", "sealed", "--note",
                "evidence bag 1",
            ], show: 1)
        iproceeds(
            [
                "custody", "record", "--case", "demo.case", "--item", sealedItem, "--action", "transferred", "--from",
                "Cybercrime unit", "--to", "Forensic lab",
            ], show: 1)
        let manifest = iproceeds(
            ["evidence", "hash", "-q", "-c", "md5,sha256", "-o", "seized.jsonl", "evidence"],
            expect: key.evidence.errors > 0 ? 1 : 0)
        _ = manifest
        let lines =
            (try? String(contentsOf: caseDir.appendingPathComponent("seized.jsonl"), encoding: .utf8))?.split(
                separator: "\n") ?? []
        let members = lines.filter { $0.contains("\"kind\":\"member\"") }.count
        let mark = check("evidence records", "\(lines.count)", String(key.evidence.records))
        print(
            "     seized.jsonl: \(lines.count) records, \(members) of them inside archives (md5 and sha256 each) \(mark)"
        )

        var labels: [String: String] = [:]
        let labelText =
            (try? String(contentsOf: caseDir.appendingPathComponent("ledgers/labels.csv"), encoding: .utf8)) ?? ""
        for line in labelText.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count >= 2, labels[String(fields[0])] == nil {
                labels[String(fields[0])] = String(fields[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        var reports: [String] = []
        if let fiu = key.trace(reading: "ledgers/fiu-extract.csv") {
            heading("Follow the money: the FIU extract traced under the four policies")
            let command = fiu.command
            let held = fiu.held
            var tool: [String: [String: String]] = [:]
            for policy in ["poison", "haircut", "fifo", "lifo"] {
                iproceeds(
                    command + ["--policy", policy, "--format", "json", "-o", "trace-\(policy).json"], quiet: true)
                iproceeds(
                    command + [
                        "--policy", policy, "--format", "html", "--labels", "ledgers/labels.csv", "-o",
                        "trace-\(policy).html",
                    ] + (policy == "fifo" ? ["--case", "demo.case"] : []))
                reports.append("case/trace-\(policy).html")
                for a in json("trace-\(policy).json")["accounts"] as? [[String: Any]] ?? [] {
                    tool[a["account"] as? String ?? "", default: [:]][policy] = a["tainted_held"] as? String
                }
            }
            print("     Tainted money still held at the end (EUR):")
            print(
                "     " + "account".padding(toLength: 34, withPad: " ", startingAt: 0)
                    + ["poison", "haircut", "fifo", "lifo"].map { $0.leftPad(11) }.joined())
            for account in held.keys.sorted() {
                var row =
                    "     "
                    + String((labels[account] ?? account).prefix(33)).padding(toLength: 34, withPad: " ", startingAt: 0)
                for policy in ["poison", "haircut", "fifo", "lifo"] {
                    row += (tool[account]?[policy] ?? "0.00").leftPad(11)
                }
                let same = ["poison", "haircut", "fifo", "lifo"].allSatisfy {
                    (tool[account]?[$0] ?? "0.00") == held[account]?[$0]
                }
                if !same { failures.append("trace: \(account) differs from the answer key") }
                print(row + (same ? "  ✓" : "  ✗"))
            }
            print(
                "     Poison counts everything an account holds once taint touched it; haircut shares taint in proportion;"
            )
            print(
                "     FIFO and LIFO say which money left first. docs/tracing-policies.md defines each; ✓ = as the answer key."
            )
        }

        heading("Freezing candidates, grouped by bank, under all four policies")
        if let freeze = key.freeze {
            let command = freeze.command
            let csvCommand = command.map { $0 == "json" ? "csv" : $0 } + ["-o", "freeze.csv"]
            iproceeds(csvCommand)
            iproceeds(command + ["-o", "freeze.json"], quiet: true)
            var listed: [String] = []
            for i in json("freeze.json")["institutions"] as? [[String: Any]] ?? [] {
                for a in i["accounts"] as? [[String: Any]] ?? [] {
                    let h = a["tainted_held"] as? [String: String] ?? [:]
                    listed.append(a["account"] as? String ?? "")
                    print("     \(i["institution"] as? String ?? ""): \(label(labels, a["account"] as? String ?? ""))")
                    print(
                        "        fifo \(h["fifo"] ?? "-"), haircut \(h["haircut"] ?? "-"), lifo \(h["lifo"] ?? "-"), poison \(h["poison"] ?? "-")"
                    )
                }
            }
            let want = freeze.candidates.map(\.account)
            print(
                "     \(listed.count) accounts to freeze \(check("freezing candidates", listed.sorted().joined(separator: ","), want.sorted().joined(separator: ",")))  → case/freeze.csv for the requests"
            )
        }

        if let chain = key.trace(reading: "bitcoin-etl"), let deposit = facts["btc_exchange_deposit_address"]?.text {
            heading("The crypto leg: the exchange's BTC withdrawal followed on chain")
            let command = chain.command
            iproceeds(command + ["--policy", "haircut", "--format", "html", "-o", "chain-haircut.html"])
            reports.append("case/chain-haircut.html")
            iproceeds(command + ["--policy", "haircut", "--format", "json", "-o", "chain-haircut.json"], quiet: true)
            let tool =
                (json("chain-haircut.json")["accounts"] as? [[String: Any]] ?? []).first {
                    $0["account"] as? String == deposit
                }?["tainted_held"] as? String
            let want = chain.held[deposit]?["haircut"]
            print("     After a peel and a merge with clean coins, the second exchange's deposit address \(deposit)")
            print("     holds \(tool ?? "0") BTC of the withdrawal under haircut \(check("chain", tool, want))")
        }

        if let entities = key.entities {
            heading("The ransom on chain: addresses grouped into entities, the exchange named, the freezing request")
            entityStep(entities)
            reports.append("case/freeze-btc.csv")
        }

        heading("Sharing: the CSIRT's reports, redacted, signed and sent to the police")
        if let redaction = key.redaction {
            var args = ["share", "scan", "-q"]
            if let names = redaction.namesFile { args += ["--names-file", names] }
            args += redaction.files
            iproceeds(args + ["-o", "personal-data.jsonl"])
            var counts: [String: Int] = [:]
            for line
                in ((try? String(contentsOf: caseDir.appendingPathComponent("personal-data.jsonl"), encoding: .utf8))
                ?? "").split(separator: "\n")
            {
                if let t = (try? JSONValue.parse(Array(line.utf8)))?["type"]?.string {
                    counts[t, default: 0] += 1
                }
            }
            let want = redaction.planted
            let text = counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")
            print(
                "     Personal data found: \(text) \(check("personal data", text, want.keys.sorted().map { "\($0) \(want[$0]!)" }.joined(separator: ", ")))"
            )
            for step in redaction.sharing?.steps ?? [] {
                var run = step.run
                // The demo also logs the transmission in the case's custody ledger.
                if run.starts(with: ["share", "build"]) { run += ["--case", "demo.case"] }
                iproceeds(run, expect: step.exit, show: run.starts(with: ["share", "keygen"]) ? 0 : 10)
            }
            if let package = redaction.sharing?.package,
                FileManager.default.fileExists(atPath: caseDir.appendingPathComponent(package).path)
            {
                let cover = caseDir.appendingPathComponent("package-cover")
                try? FileManager.default.createDirectory(at: cover, withIntermediateDirectories: true)
                let unzip = Process()
                unzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                unzip.arguments = [
                    "unzip", "-q", "-o", caseDir.appendingPathComponent(package).path, "summary.html", "-d", cover.path,
                ]
                unzip.standardOutput = FileHandle.nullDevice
                unzip.standardError = FileHandle.nullDevice
                if (try? unzip.run()) != nil { unzip.waitUntilExit() }
                if FileManager.default.fileExists(atPath: cover.appendingPathComponent("summary.html").path) {
                    reports.append("case/package-cover/summary.html")
                }
                print(
                    "     The package case/\(package) holds the redacted records, STIX 2.1 and MISP versions, the redaction log"
                )
                print(
                    "     (counts, never values) and a cover sheet; the police check it with `share verify` before use."
                )
            }
        }

        heading("Check the chain of custody, and print it")
        iproceeds(["custody", "verify", "--case", "demo.case", "--rehash"], show: 12)
        iproceeds(["custody", "export", "--case", "demo.case", "--format", "html", "-o", "custody.html"])
        reports.insert("case/custody.html", at: 0)

        print("\nOpen these in a browser:")
        for r in reports { print("   \(root.path)/\(r)") }
        print(
            "Also: \(root.path)/case/freeze.csv (freezing requests), seized.jsonl (the manifest), demo.case (the case file)."
        )
        if failures.isEmpty {
            print(
                "\nEvery step worked and every figure matches the case's answer key. Next: case/exercises.md, docs/trainer-guide.md."
            )
            return true
        }
        print("\n\(failures.count) problem(s):")
        for f in failures { print("   - \(f)") }
        return false
    }
}

extension DemoNarrator {
    /// Clusters the chain with the case's TagPack, then lists what each tagged institution holds of the traced
    /// funds under every policy: the freezing request, checked against the answer key.
    mutating func entityStep(_ e: SampleAnswerKey.Entities) {
        let policies = ["poison", "haircut", "fifo", "lifo"]
        iproceeds(e.cluster.command + ["-o", "entities.json"])
        let clustered = json("entities.json")
        var entityOf: [String: String] = [:]
        for a in clustered["addresses"] as? [[String: Any]] ?? [] {
            if let address = a["address"] as? String { entityOf[address] = a["entity"] as? String }
        }
        for c in e.cluster.coinjoins {
            let found = (clustered["coinjoins"] as? [[String: Any]] ?? []).first {
                $0["transaction"] as? String == c.transaction
            }
            print(
                "     The CoinJoin \(c.transaction.prefix(16))… (\(c.inputs) inputs, \(c.equalOutputs) equal outputs of \(c.equalValue) BTC) is left unmerged, \(found?["pattern"] as? String ?? "not found") \(check("coinjoin", found?["pattern"] as? String, c.pattern))"
            )
        }
        for want in e.cluster.entities where want.addresses.count > 1 {
            let got = Set(entityOf.filter { $0.value == want.entity }.keys)
            print(
                "     \(want.label ?? want.entity): one entity of \(got.count) addresses, tied together by its sweep \(check("entity \(want.entity)", got.sorted().joined(separator: ","), want.addresses.sorted().joined(separator: ",")))"
            )
        }
        iproceeds(e.freeze.command.map { $0 == "json" ? "csv" : $0 } + ["-o", "freeze-btc.csv"])
        iproceeds(e.freeze.command + ["-o", "freeze-btc.json"], quiet: true)
        let tool = json("freeze-btc.json")
        let institutions = tool["institutions"] as? [[String: Any]] ?? []
        for want in e.freeze.institutions {
            let got = institutions.first { $0["institution"] as? String == want.institution }
            let held = got?["tainted_held"] as? [String: String] ?? [:]
            let holding = got?["holding_addresses"] as? [String] ?? []
            let receiving = got?["receiving_addresses"] as? [String] ?? []
            print("     Freezing request to \(want.institution ?? "?") (\(want.category ?? "")):")
            let amounts = policies.map { "\($0) \(held[$0] ?? "-")" }.joined(separator: ", ")
            print(
                "        it holds BTC \(amounts) of the ransom \(check("freeze \(want.institution ?? "")", amounts, policies.map { "\($0) \(want.taintedHeld[$0] ?? "-")" }.joined(separator: ", ")))"
            )
            print(
                "        at \(holding.count) address\(holding.count == 1 ? "" : "es"): \(holding.joined(separator: ", ")) \(check("holding addresses", holding.joined(separator: ","), want.holdingAddresses.joined(separator: ",")))"
            )
            print(
                "        having received it through \(receiving.count) deposit address\(receiving.count == 1 ? "" : "es") \(check("receiving addresses", receiving.joined(separator: ","), want.receivingAddresses.joined(separator: ",")))"
            )
        }
        let leads = (tool["untagged_holders"] as? [[String: Any]] ?? []).count
        print(
            "     \(leads) untagged entities hold taint too (the CoinJoin's other participants among them): leads, not requests \(check("untagged holders", String(leads), String(e.freeze.untaggedHolders.count)))"
        )
        print("     case/freeze-btc.json has each request as a sentence; docs/clustering.md explains every figure.")
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}

/// `@unchecked Sendable`: guarded by its lock.
final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}
