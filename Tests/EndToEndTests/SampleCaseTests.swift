import Foundation
import Testing

/// The training cases: every exercise of every shipped case and of fresh variants, run through the built
/// binary and held to the answer key the generator wrote (which it derived from its own plan, not from
/// iproceeds).
@Suite struct SampleCaseTests {
    static let scenarios = ["bec-mules", "ransomware-peel", "phishing-csirt"]

    /// Reads `answers.json` of a case folder.
    static func answers(_ dir: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent("answers.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Every file under `dir`, relative, with its bytes.
    static func tree(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = URL(fileURLWithPath: dir)
        guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return out
        }
        for case let url as URL in e where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true
        {
            out[String(url.path.dropFirst(base.path.count + 1))] = try Data(contentsOf: url)
        }
        return out
    }

    /// Runs every exercise of the case in `dir` and compares with its answer key; returns what failed.
    static func checkExercises(_ dir: String) throws {
        let key = try answers(dir)
        // 1. Evidence: the records, with their digests, exactly.
        let evidence = try #require(key["evidence"] as? [String: Any])
        let hash = try CLI.run(try #require(evidence["command"] as? [String]), in: dir)
        let expected = try #require(evidence["records_list"] as? [[String: Any]])
        let errors = try #require(evidence["errors"] as? Int)
        #expect(hash.status == (errors > 0 ? 1 : 0), "evidence hash: \(hash.stderr)")
        func record(_ r: [String: Any], digestKey: String = "sha256") -> String {
            "\(r["path"] as? String ?? "")|\((r["member"] as? [String] ?? []).joined(separator: "»"))|\(r[digestKey] as? String ?? "-")|\(r["error"] != nil)"
        }
        let got = try jsonLines(hash.stdout).map { r in
            "\(r["path"] as? String ?? "")|\((r["member"] as? [String] ?? []).joined(separator: "»"))|\(r["sha256"] as? String ?? "-")|\(r["error"] != nil)"
        }.sorted()
        let want = expected.map { r in
            "\(r["path"] as? String ?? "")|\((r["member"] as? [String] ?? []).joined(separator: "»"))|\(r["sha256"] as? String ?? "-")|\((r["error"] as? Bool) == true)"
        }.sorted()
        #expect(got == want, "evidence records differ: \(Set(got).symmetricDifference(want).sorted().prefix(6))")
        #expect(got.count == evidence["records"] as? Int)
        // The answer key's file digests agree with coreutils too (an implementation that is not ours).
        let files = expected.filter { ($0["member"] as? [String]) == nil && $0["sha256"] is String }.prefix(40)
        let sums = try CLI.exec("sha256sum", files.map { $0["path"] as! String }, in: dir)
        let coreutils = Set(sums.stdout.split(separator: "\n").map { String($0.prefix(64)) })
        #expect(Set(files.map { $0["sha256"] as! String }) == coreutils)

        // 2. Custody: the scripted steps, in a scratch examiner home.
        let custody = try #require(key["custody"] as? [String: Any])
        let home = URL(fileURLWithPath: dir).appendingPathComponent(".examiner").path
        for s in try #require(custody["steps"] as? [[String: Any]]) {
            let step = try #require(s["run"] as? [String])
            let r = try CLI.run(step, in: dir, environment: ["IPROCEEDS_HOME": home])
            #expect(r.status == Int32(s["exit"] as? Int ?? 0), "\(step.joined(separator: " ")): \(r.stderr)")
            if step.starts(with: ["custody", "verify"]) { #expect(r.stdout.contains("Intact"), "\(r.stdout)") }
        }
        let log = try CLI.run(
            ["custody", "log", "--case", "workshop.case", "--format", "json"], in: dir,
            environment: ["IPROCEEDS_HOME": home])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == custody["entries"] as? Int)
        #expect(entries.map { $0["action"] as? String ?? "" } == custody["actions"] as? [String])
        let acquired = Set(
            entries.filter { $0["action"] as? String == "acquired" }.flatMap { $0["items"] as? [String] ?? [] })
        #expect(acquired == Set(custody["items"] as? [String] ?? []))

        // 3. Traces: every policy, every account.
        for trace in try #require(key["traces"] as? [[String: Any]]) {
            let id = trace["id"] as? String ?? "?"
            let command = try #require(trace["command"] as? [String])
            let held = try #require(trace["held"] as? [String: [String: String]])
            for policy in ["poison", "haircut", "fifo", "lifo"] {
                let r = try CLI.run(command + ["--policy", policy, "--format", "json"], in: dir)
                #expect(r.status == 0, "\(id) \(policy): \(r.stderr)")
                guard r.status == 0 else { continue }
                let report = try json(r.stdout)
                #expect(report["injected"] as? String == trace["injected"] as? String, "\(id) \(policy) injected")
                var tool: [String: String] = [:]
                for a in report["accounts"] as? [[String: Any]] ?? [] {
                    tool[a["account"] as! String] = a["tainted_held"] as? String
                }
                for (account, perPolicy) in held {
                    let want = perPolicy[policy]!
                    let isZero = want.allSatisfy { $0 == "0" || $0 == "." }
                    #expect(
                        tool[account] == want || (isZero && tool[account] == nil),
                        "\(id) \(policy) \(account): tool \(tool[account] ?? "none"), key \(want)")
                }
                for (account, value) in tool where held[account] == nil {
                    #expect(
                        value.allSatisfy { $0 == "0" || $0 == "." },
                        "\(id) \(policy): \(account) holds \(value), not in the key")
                }
                if let fees = trace["fees_tainted"] as? [String: String],
                    let c = report["conservation"] as? [String: Any]
                {
                    #expect(c["left"] as? String == fees[policy], "\(id) \(policy) fees")
                }
            }
        }

        // 4. Freezing candidates.
        if let freeze = key["freeze"] as? [String: Any] {
            let r = try CLI.run(try #require(freeze["command"] as? [String]), in: dir)
            #expect(r.status == 0, "freeze: \(r.stderr)")
            let report = try json(r.stdout)
            var got: [String] = []
            for i in report["institutions"] as? [[String: Any]] ?? [] {
                for a in i["accounts"] as? [[String: Any]] ?? [] {
                    let held = a["tainted_held"] as? [String: String] ?? [:]
                    got.append(
                        "\(a["account"]!)|\(i["institution"]!)|\(["poison", "haircut", "fifo", "lifo"].map { held[$0] ?? "" })"
                    )
                }
            }
            let want = (freeze["candidates"] as? [[String: Any]] ?? []).map { c in
                let held = c["tainted_held"] as? [String: String] ?? [:]
                return
                    "\(c["account"]!)|\(c["institution"]!)|\(["poison", "haircut", "fifo", "lifo"].map { held[$0] ?? "" })"
            }
            #expect(got.sorted() == want.sorted())
        }

        // 5. Patterns: the planted mules are flagged (the background may add ordinary businesses).
        if let patterns = key["patterns"] as? [String: Any] {
            let r = try CLI.run(try #require(patterns["command"] as? [String]), in: dir)
            #expect(r.status == 0, "patterns: \(r.stderr)")
            var flagged: [String: Set<String>] = [:]
            for f in (try json(r.stdout))["findings"] as? [[String: Any]] ?? [] {
                for a in f["accounts"] as? [[String: Any]] ?? [] {
                    flagged[f["kind"] as! String, default: []].insert(a["account"] as! String)
                }
            }
            for (kind, accounts) in patterns["must_flag"] as? [String: [String]] ?? [:] {
                #expect(
                    Set(accounts).isSubset(of: flagged[kind] ?? []),
                    "\(kind): \(accounts) not all in \(flagged[kind] ?? [])")
            }
        }

        // 6. Entities on the chain: clustering with the case's TagPack, taint per entity, the freezing request.
        if let entities = key["entities"] as? [String: Any] { try checkEntities(entities, in: dir) }

        // 7. Personal data in the CSIRT files: what the detectors find is what the generator planted.
        if let redaction = key["redaction"] as? [String: Any] {
            var args = ["share", "scan", "-q"]
            if let names = redaction["names_file"] as? String { args += ["--names-file", names] }
            let r = try CLI.run(args + (redaction["files"] as? [String] ?? []), in: dir)
            #expect(r.status == 0, "share scan: \(r.stderr)")
            var counts: [String: Int] = [:]
            for hit in try jsonLines(r.stdout) { counts[hit["type"] as! String, default: 0] += 1 }
            #expect(counts == (redaction["planted"] as? [String: Int] ?? [:]), "share scan found \(counts)")
            // 8. The sharing package: built, verified, and its redaction log counts what was planted.
            if let sharing = redaction["sharing"] as? [String: Any] {
                for s in sharing["steps"] as? [[String: Any]] ?? [] {
                    let step = try #require(s["run"] as? [String])
                    let r = try CLI.run(step, in: dir, environment: ["IPROCEEDS_HOME": home])
                    #expect(
                        r.status == Int32(s["exit"] as? Int ?? 0),
                        "\(step.prefix(2).joined(separator: " ")): \(r.stdout) \(r.stderr)")
                }
                let log = try CLI.exec(
                    "unzip", ["-p", sharing["package"] as? String ?? "", "redaction-log.json"], in: dir)
                let byType = ((try json(log.stdout))["totals"] as? [String: Any])?["by_type"] as? [String: Int] ?? [:]
                #expect(
                    byType.filter { $0.key != "time" } == (redaction["planted"] as? [String: Int] ?? [:]),
                    "redaction log: \(byType)")
            }
        }
    }

    /// Runs `trace cluster`, `trace run --cluster --tags` under each policy and `trace freeze --cluster` and holds
    /// them to the answer key's entity figures, which the generator worked out from the owners it planted.
    static func checkEntities(_ e: [String: Any], in dir: String) throws {
        let policies = ["poison", "haircut", "fifo", "lifo"]
        func text(_ v: Any?) -> String { (v as? String) ?? "null" }
        func list(_ v: Any?) -> String { (v as? [String] ?? []).joined(separator: " ") }
        func amounts(_ v: Any?, _ p: String) -> String { (v as? [String: String])?[p] ?? "-" }

        // The clustering: the entities the generator planted, the CoinJoin left unmerged, the tags applied.
        let cluster = try #require(e["cluster"] as? [String: Any])
        let c = try CLI.run(try #require(cluster["command"] as? [String]), in: dir)
        #expect(c.status == 0, "trace cluster: \(c.stderr)")
        let clustered = try json(c.stdout)
        var entityOf: [String: (entity: String, label: String)] = [:]
        for a in clustered["addresses"] as? [[String: Any]] ?? [] {
            entityOf[text(a["address"])] = (text(a["entity"]), text(a["entity_label"]))
        }
        let planted = try #require(cluster["entities"] as? [[String: Any]])
        for want in planted {
            let id = text(want["entity"])
            let addresses = Set(want["addresses"] as? [String] ?? [])
            #expect(Set(entityOf.filter { $0.value.entity == id }.keys) == addresses, "entity \(id)")
            for a in addresses { #expect(entityOf[a]?.label == text(want["label"]), "label of \(a)") }
        }
        let summary = clustered["summary"] as? [String: Any] ?? [:]
        #expect(
            summary["entities_of_two_or_more_addresses"] as? Int
                == planted.filter { ($0["addresses"] as? [String] ?? []).count > 1 }.count,
            "only the planted entities join addresses")
        let joins = (clustered["coinjoins"] as? [[String: Any]] ?? []).map {
            "\(text($0["transaction"]))|\(text($0["pattern"]))|\($0["inputs"] ?? "")|\($0["outputs"] ?? "")|\($0["equal_outputs"] ?? "")|\(text($0["equal_value"]))"
        }
        let wantJoins = (cluster["coinjoins"] as? [[String: Any]] ?? []).map {
            "\(text($0["transaction"]))|\(text($0["pattern"]))|\($0["inputs"] ?? "")|\($0["outputs"] ?? "")|\($0["equal_outputs"] ?? "")|\(text($0["equal_value"]))"
        }
        #expect(joins.sorted() == wantJoins.sorted())

        // Taint per entity, under each policy.
        let trace = try #require(e["trace"] as? [String: Any])
        let groups = try #require(trace["groups"] as? [[String: Any]])
        for policy in policies {
            let r = try CLI.run(
                try #require(trace["command"] as? [String]) + ["--policy", policy, "--format", "json"], in: dir)
            #expect(r.status == 0, "entities \(policy): \(r.stderr)")
            let got = (try json(r.stdout)["entities"] as? [[String: Any]] ?? []).map { g in
                [
                    text(g["group"]), text(g["label"]), text(g["category"]), list(g["entities"]),
                    text(g["tainted_received"]), text(g["tainted_held"]), list(g["receiving_addresses"]),
                    list(g["holding_addresses"]),
                ].joined(separator: "|")
            }
            let want = groups.compactMap { g -> String? in
                let received = amounts(g["tainted_received"], policy), held = amounts(g["tainted_held"], policy)
                let zero = { (s: String) in s.allSatisfy { $0 == "0" || $0 == "." } }
                guard !zero(received) || !zero(held) else { return nil }
                return [
                    text(g["group"]), text(g["label"]), text(g["category"]),
                    list((g["entities"] as? [String: [String]])?[policy]), received, held,
                    list((g["receiving_addresses"] as? [String: [String]])?[policy]),
                    list((g["holding_addresses"] as? [String: [String]])?[policy]),
                ].joined(separator: "|")
            }
            #expect(got.sorted() == want.sorted(), "entities under \(policy)")
        }

        // The freezing request: per institution, every policy; untagged holders apart.
        let freeze = try #require(e["freeze"] as? [String: Any])
        let f = try CLI.run(try #require(freeze["command"] as? [String]), in: dir)
        #expect(f.status == 0, "trace freeze --cluster: \(f.stderr)")
        let frozen = try json(f.stdout)
        func holders(_ v: Any?) -> [String] {
            (v as? [[String: Any]] ?? []).map { h in
                ([text(h["institution"]), text(h["category"]), list(h["entities"])]
                    + policies.map { amounts(h["tainted_held"], $0) + "/" + amounts(h["tainted_received"], $0) }
                    + [list(h["holding_addresses"]), list(h["receiving_addresses"])]).joined(separator: "|")
            }.sorted()
        }
        #expect(holders(frozen["institutions"]) == holders(freeze["institutions"]))
        #expect(holders(frozen["untagged_holders"]) == holders(freeze["untagged_holders"]))
        #expect(!(freeze["institutions"] as? [Any] ?? []).isEmpty, "the case has an institution to write to")
    }

    @Test(arguments: scenarios) func theShippedCaseIsWhatTheGeneratorWrites(_ name: String) throws {
        let w = try Workspace()
        let list = try CLI.run(["samples", "list"], in: w.path)
        try #require(list.stdout.contains(name), "\(name) is not in samples list yet")
        let r = try CLI.run(["samples", "extract", name, "case"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let shipped = try Self.tree(CLI.packageRoot.appendingPathComponent("Samples/cases/\(name)").path)
        let extracted = try Self.tree(w.url.appendingPathComponent("case").path)
        #expect(shipped.keys.sorted() == extracted.keys.sorted())
        for (path, data) in shipped {
            #expect(extracted[path] == data, "\(path) differs from what `samples extract` writes")
        }
    }

    @Test(arguments: scenarios) func theShippedCaseMatchesItsAnswerKey(_ name: String) throws {
        let w = try Workspace()
        try #require(try CLI.run(["samples", "list"], in: w.path).stdout.contains(name))
        try w.sh("cp -a '\(CLI.packageRoot.path)/Samples/cases/\(name)' case")
        try Self.checkExercises(w.url.appendingPathComponent("case").path)
    }

    @Test(arguments: scenarios, [7, 90001]) func freshVariantsMatchTheirAnswerKeys(_ name: String, _ seed: Int) throws {
        let w = try Workspace()
        try #require(try CLI.run(["samples", "list"], in: w.path).stdout.contains(name))
        let r = try CLI.run(["samples", "generate", "--scenario", name, "--seed", "\(seed)", "--out", "v"], in: w.path)
        try #require(r.status == 0, "\(r.stderr)")
        try Self.checkExercises(w.url.appendingPathComponent("v").path)
    }

    @Test(arguments: scenarios) func aScaledVariantKeepsItsPlantedAnswers(_ name: String) throws {
        let w = try Workspace()
        try #require(try CLI.run(["samples", "list"], in: w.path).stdout.contains(name))
        let r = try CLI.run(
            ["samples", "generate", "--scenario", name, "--seed", "5", "--scale", "3", "--out", "s"], in: w.path)
        try #require(r.status == 0, "\(r.stderr)")
        try Self.checkExercises(w.url.appendingPathComponent("s").path)
        let small = try CLI.run(["samples", "generate", "--scenario", name, "--seed", "5", "--out", "one"], in: w.path)
        #expect(small.status == 0)
        let k3 = try Self.answers(w.url.appendingPathComponent("s").path)
        let k1 = try Self.answers(w.url.appendingPathComponent("one").path)
        #expect(
            ((k3["evidence"] as? [String: Any])?["records"] as? Int ?? 0)
                > ((k1["evidence"] as? [String: Any])?["records"] as? Int ?? 0))
    }

    @Test func theSameSeedGivesTheSameBytesAndAnotherSeedAnotherCase() throws {
        let w = try Workspace()
        for (dir, seed) in [("a", 11), ("b", 11), ("c", 12)] {
            let r = try CLI.run(
                ["samples", "generate", "--scenario", "bec-mules", "--seed", "\(seed)", "--out", dir], in: w.path)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = try Self.tree(w.url.appendingPathComponent("a").path)
        #expect(a == (try Self.tree(w.url.appendingPathComponent("b").path)))
        let c = try Self.tree(w.url.appendingPathComponent("c").path)
        #expect(a["answers.json"] != c["answers.json"])
    }

    @Test func usageErrorsSayWhatToDo() throws {
        let w = try Workspace()
        let unknown = try CLI.run(["samples", "extract", "no-such-case", "x"], in: w.path)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("samples list"))
        try w.write("full/file", "x")
        let full = try CLI.run(["samples", "extract", "bec-mules", "full"], in: w.path)
        #expect(full.status != 0)
        #expect(full.stderr.contains("is not empty"))
        let show = try CLI.run(["samples", "show", "bec-mules"], in: w.path)
        #expect(show.status == 0)
        #expect(show.stdout.contains("Fully synthetic") && show.stdout.contains("evidence/"))
    }
}
