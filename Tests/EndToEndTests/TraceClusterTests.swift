import Foundation
import Testing

/// `iproceeds trace cluster` on generated chains whose true owners are known, against an independent Python
/// union-find (Benchmarks/cluster_unionfind.py) and the generator's truth file.
@Suite struct TraceClusterTests {
    static let benchmarks = CLI.packageRoot.appendingPathComponent("Benchmarks").path

    /// Pairwise precision and recall of `entities` (address → entity) against `truth` (address → owner).
    static func precisionRecall(entities: [String: String], truth: [String: String]) -> (
        precision: Double, recall: Double
    ) {
        func pairs<K: Hashable>(_ groups: [K: Int]) -> Int { groups.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 } }
        var predicted: [String: Int] = [:], actual: [String: Int] = [:], both: [String: Int] = [:]
        for (a, e) in entities {
            predicted[e, default: 0] += 1
            actual[truth[a]!, default: 0] += 1
            both[e + "\u{0}" + truth[a]!, default: 0] += 1
        }
        let tp = Double(pairs(both))
        return (tp / Double(pairs(predicted)), tp / Double(pairs(actual)))
    }

    /// Rows of a CSV whose first two columns are `key,value` (no quoting needed: addresses and ids are plain).
    static func twoColumns(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            out[String(f[0])] = String(f[1])
        }
        return out
    }

    /// Same entities as the Python union-find, byte for byte, on 4,000 generated transactions with CoinJoins;
    /// without change heuristics no two owners are ever merged (precision 1), and the CoinJoins were seen.
    @Test func matchesPythonUnionFindAndNeverMergesOwners() throws {
        let w = try Workspace()
        try w.sh(
            "python3 \(Self.benchmarks)/gen_cluster_corpus.py --transactions 4000 --seed 5 --out c.jsonl --truth truth.csv 2>/dev/null"
        )
        let r = try CLI.run(
            [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "c.jsonl", "--format", "csv", "-o",
                "swift.csv",
            ], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("whirlpool-like") && r.stderr.contains("joinmarket-like"))
        let python = try w.sh("python3 \(Self.benchmarks)/cluster_unionfind.py c.jsonl")
        let swift = try w.read("swift.csv").split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).prefix(2).joined(separator: ",")
        }
        #expect(swift.joined(separator: "\n") + "\n" == python)
        let truth = Self.twoColumns(try w.read("truth.csv"))
        let entities = Self.twoColumns(try w.read("swift.csv"))
        #expect(entities.count == truth.count)
        let plain = Self.precisionRecall(entities: entities, truth: truth)
        #expect(plain.precision == 1.0)
        // Change heuristics find more of each owner and make some wrong merges: both show in the figures.
        let all = try CLI.run(
            [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "c.jsonl", "--format", "csv",
                "--change", "one-time,script-type,round-amount",
            ], in: w.path)
        let guessed = Self.precisionRecall(entities: Self.twoColumns(all.stdout), truth: truth)
        #expect(guessed.recall > plain.recall * 2)
        #expect(guessed.precision < 1.0 && guessed.precision > 0.85)
        #expect(all.stderr.contains("disagreed"))
    }

    /// The same file twice gives the same bytes; its lines in another order give the same entities.
    @Test func deterministicWhateverTheOrder() throws {
        let w = try Workspace()
        try w.sh(
            "python3 \(Self.benchmarks)/gen_cluster_corpus.py --transactions 1500 --seed 9 --out c.jsonl 2>/dev/null && tac c.jsonl > r.jsonl"
        )
        let args = [
            "trace", "cluster", "--import-format", "bitcoin-etl", "--format", "csv", "--change",
            "script-type,round-amount", "--transfers",
        ]
        let a = try CLI.run(args + ["c.jsonl"], in: w.path)
        let b = try CLI.run(args + ["c.jsonl"], in: w.path)
        let c = try CLI.run(args + ["r.jsonl"], in: w.path)
        #expect(a.status == 0 && a.stdoutBytes == b.stdoutBytes)
        #expect(Self.twoColumns(a.stdout) == Self.twoColumns(c.stdout))
    }

    static let good =
        #"{"hash":"t1","block_number":1,"block_timestamp":1700000000,"index":0,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"p","spent_output_index":0,"addresses":["1A"],"value":5},{"spent_transaction_hash":"p","spent_output_index":1,"addresses":["1B"],"value":5}],"outputs":[{"index":0,"addresses":["1C"],"value":9}]}"#

    /// A malformed line is named with its file and line; the rest is clustered (exit 1), or with --strict nothing is (65).
    @Test func malformedLineNamesFileAndLine() throws {
        let w = try Workspace()
        try w.write(
            "bad.jsonl",
            Self.good + "\n"
                + #"{"hash":"t2","block_number":2,"block_timestamp":1700000600,"inputs":[{"spent_transaction_hash":"q","addresses":["1D"],"value":5}],"outputs":[]}"#
                + "\n{not json\n")
        let r = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "bad.jsonl", "--format", "csv"],
            in: w.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.jsonl line 2: input 0 lacks spent_transaction_hash or spent_output_index"))
        #expect(r.stderr.contains("bad.jsonl line 3: not a bitcoin-etl transaction object"))
        #expect(r.stdout.contains("1B,E-1A,2,"))
        let strict = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "bad.jsonl", "--strict"], in: w.path)
        #expect(strict.status == 65 && strict.stderr.contains("bad.jsonl line 2") && strict.stdout.isEmpty)
    }

    /// Litecoin addresses in an export said to be (or taken for) Bitcoin: refused with what to do.
    @Test func addressOfAnotherChainIsRefused() throws {
        let w = try Workspace()
        try w.write(
            "ltc.jsonl",
            Self.good.replacingOccurrences(of: "\"1A\"", with: "\"ltc1qg82tkhm3ch7whst6zv3cx6cy6fxkhcx0dwl5cz\"") + "\n"
        )
        let r = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "ltc.jsonl"], in: w.path)
        #expect(r.status == 65 && r.stderr.contains("litecoin") && r.stderr.contains("--chain"))
        let ok = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--chain", "litecoin", "--transfers", "ltc.jsonl"],
            in: w.path)
        #expect(ok.status == 0 && ok.stdout.contains("\"asset\": \"LTC\""))
    }

    @Test func usageErrors() throws {
        let w = try Workspace()
        try w.write("c.jsonl", Self.good + "\n")
        let h = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "c.jsonl", "--change", "peeling"],
            in: w.path)
        #expect(h.status == 64 && h.stderr.contains("one-time, script-type, round-amount"))
        let f = try CLI.run(["trace", "cluster", "--import-format", "canonical", "--transfers", "c.jsonl"], in: w.path)
        #expect(f.status == 64 && f.stderr.contains("bitcoin-etl"))
        let m = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "missing.jsonl"], in: w.path)
        #expect(m.status == 66 || m.status == 65)
        #expect(m.stderr.contains("missing.jsonl"))
    }

    /// A TagPack and a CSV name the entity of 1A and 1B; they disagree, so it is reported and left unnamed
    /// (exit 1); a TagPack that does not validate stops the run (65), naming the file and the tag.
    @Test func tagsNameEntitiesAndConflictsAreReported() throws {
        let w = try Workspace()
        try w.write("c.jsonl", Self.good + "\n")
        try w.write(
            "x.yaml",
            "title: T\ncreator: C\ncurrency: BTC\nconfidence: service_data\nsource: letter\ncategory: exchange\ntags:\n  - address: 1B\n    label: ExampleX\n"
        )
        let one = try CLI.run(
            [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "c.jsonl", "--tags", "x.yaml",
                "--format", "csv",
            ], in: w.path)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("1A,E-1A,2,ExampleX,exchange,multi-input:t1(c.jsonl:1)"))
        try w.write("y.csv", "address,label,category,source\n1A,Other VASP,exchange,report\n")
        let two = try CLI.run(
            [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "c.jsonl", "--tags", "x.yaml",
                "y.csv",
            ], in: w.path)
        #expect(two.status == 1)
        #expect(
            two.stderr.contains(
                "entity E-1A has conflicting tags: ExampleX on 1B (x.yaml tag 1 (line 8)), Other VASP on 1A (y.csv line 2)"
            ))
        #expect(two.stdout.contains(#""label":null,"category":null,"conflict":true"#))
        try w.write("bad.yaml", "title: T\ncreator: C\ntags:\n  - address: 1B\n    label: ExampleX\n")
        let bad = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "c.jsonl", "--tags", "bad.yaml"],
            in: w.path)
        #expect(
            bad.status == 65 && bad.stderr.contains("bad.yaml: tag 1 (line 4) has no 'source'") && bad.stdout.isEmpty)
        let missing = try CLI.run(
            ["trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", "c.jsonl", "--tags", "none.csv"],
            in: w.path)
        #expect(missing.status == 66 && missing.stderr.contains("none.csv"))
    }

    /// The ledger of EntityTraceTests (figures worked out by hand there): ExampleX holds 3.1998 BTC under
    /// haircut, 4 under FIFO, 2 under LIFO, 7.9995 under poison, at HOT, having received through D1 and D2.
    static let entityLedger =
        [
            #"{"hash":"s","block_number":100,"block_timestamp":1767600000,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"v0","spent_output_index":0,"addresses":["VICTIM"],"value":500000000}],"outputs":[{"index":0,"addresses":["M"],"value":400000000},{"index":1,"addresses":["VICTIM"],"value":99990000}]}"#,
            #"{"hash":"t","block_number":101,"block_timestamp":1767600600,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"s","spent_output_index":0,"addresses":["M"],"value":400000000},{"spent_transaction_hash":"c0","spent_output_index":2,"addresses":["C"],"value":600000000}],"outputs":[{"index":0,"addresses":["D1"],"value":300000000},{"index":1,"addresses":["D2"],"value":500000000},{"index":2,"addresses":["M"],"value":199900000}]}"#,
            #"{"hash":"u","block_number":102,"block_timestamp":1767601200,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"t","spent_output_index":0,"addresses":["D1"],"value":300000000},{"spent_transaction_hash":"t","spent_output_index":1,"addresses":["D2"],"value":500000000}],"outputs":[{"index":0,"addresses":["HOT"],"value":799950000}]}"#,
        ].joined(separator: "\n") + "\n"

    @Test func traceRunAndFreezeByEntity() throws {
        let w = try Workspace()
        try w.write("l.jsonl", Self.entityLedger)
        try w.write(
            "x.yaml",
            "title: T\ncreator: C\ncurrency: BTC\nconfidence: service_data\nsource: letter\ncategory: exchange\ntags:\n  - address: D1\n    label: ExampleX\n  - address: HOT\n    label: ExampleX\n"
        )
        let base = [
            "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "l.jsonl", "--seed-tx", "s:0",
        ]
        let run = try CLI.run(
            ["trace", "run"] + base + ["--policy", "haircut", "--cluster", "--tags", "x.yaml"], in: w.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "ExampleX (exchange) received 3.20000000 BTC of the traced funds under haircut, through 2 addresses; it holds 3.19980000 BTC of them now"
            ))
        #expect(
            run.stdout.contains(
                #"{"group":"ExampleX","label":"ExampleX","category":"exchange","entities":["E-D1","E-HOT"],"tainted_received":"3.20000000","tainted_held":"3.19980000","receiving_addresses":["D1","D2"],"holding_addresses":["HOT"]}"#
            ))
        let freeze = try CLI.run(
            ["trace", "freeze"] + base + ["--cluster", "--tags", "x.yaml", "--format", "csv"], in: w.path)
        #expect(freeze.status == 0, "\(freeze.stderr)")
        #expect(freeze.stdout.contains("ExampleX,exchange,E-D1 E-HOT,haircut,3.19980000,3.20000000,HOT,D1 D2\n"))
        #expect(freeze.stdout.contains("ExampleX,exchange,E-D1 E-HOT,fifo,4.00000000,4.00000000,HOT,D1 D2\n"))
        #expect(freeze.stdout.contains("ExampleX,exchange,E-D1 E-HOT,lifo,2.00000000,2.00000000,HOT,D1 D2\n"))
        #expect(freeze.stdout.contains("ExampleX,exchange,E-D1 E-HOT,poison,7.99950000,8.00000000,HOT,D1 D2\n"))
        // From an entities file written by trace cluster: the same groups.
        _ = try CLI.run(
            [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "l.jsonl",
                "--tags", "x.yaml",
                "--format", "csv", "-o", "entities.csv",
            ], in: w.path)
        let fromFile = try CLI.run(
            ["trace", "freeze"] + base + ["--entities", "entities.csv", "--format", "csv", "--policy", "haircut"],
            in: w.path)
        #expect(fromFile.stdout.contains("ExampleX,exchange,E-D1 E-HOT,haircut,3.19980000,3.20000000,HOT,D1 D2\n"))
        let none = try CLI.run(["trace", "freeze"] + base, in: w.path)
        #expect(none.status == 64 && none.stderr.contains("--cluster"))
        let mixed = try CLI.run(
            ["trace", "run", "--transfers", "l.jsonl", "--seed-tx", "s", "--policy", "fifo", "--cluster"], in: w.path)
        #expect(mixed.status == 64 && mixed.stderr.contains("bitcoin-etl"))
    }

    /// `trace cluster --case` records an `analysed` entry naming the export's and the TagPack's SHA-256 (as
    /// sha256sum computes them) and the entities file's, written as a stream; the case still verifies.
    @Test func clusterRecordsCustody() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        try w.write("l.jsonl", Self.entityLedger)
        try w.write(
            "x.yaml",
            "title: T\ncreator: C\ncurrency: BTC\nconfidence: service_data\nsource: letter\ncategory: exchange\ntags:\n  - address: D1\n    label: ExampleX\n"
        )
        #expect(
            try CLI.run(["examiner", "init", "--name", "A", "--id", "E1"], in: w.path, environment: env).status == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "C1", "--title", "t"], in: w.path, environment: env
            ).status == 0)
        let r = try CLI.run(
            [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "l.jsonl",
                "--tags", "x.yaml", "--format", "csv", "-o", "entities.csv", "--case", "c.case",
            ], in: w.path, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Recorded custody entry 2 (analysed)"))
        let log = try CLI.run(["custody", "log", "--case", "c.case", "--format", "json"], in: w.path, environment: env)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let analysed = try #require(entries.last)
        #expect(analysed["action"] as? String == "analysed")
        let sums = try w.sh("sha256sum l.jsonl x.yaml entities.csv")
        let inputs = try #require(analysed["inputs"] as? [[String: String]])
        let outputs = try #require(analysed["outputs"] as? [[String: String]])
        #expect(inputs.count == 2 && outputs.count == 1)
        #expect(sums.contains("\(inputs[0]["sha256"]!)  l.jsonl") && inputs[0]["name"] == "l.jsonl")
        #expect(sums.contains("\(inputs[1]["sha256"]!)  x.yaml") && inputs[1]["name"] == "x.yaml")
        #expect(sums.contains("\(outputs[0]["sha256"]!)  entities.csv") && outputs[0]["name"] == "entities.csv")
        #expect(try CLI.run(["custody", "verify", "--case", "c.case"], in: w.path, environment: env).status == 0)
        // Without --case nothing is recorded, and the output is the same bytes.
        let again = try CLI.run(
            [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "l.jsonl",
                "--tags", "x.yaml", "--format", "csv",
            ], in: w.path, environment: env)
        let written = try Data(contentsOf: w.url.appendingPathComponent("entities.csv"))
        #expect(again.status == 0 && again.stdoutBytes == written)
    }

    /// `trace run --cluster --format csv`: the address rows carry their entity and tag, and one `entity` row per
    /// group carries the figures the JSON gives (the hand-worked haircut figures of EntityTraceTests).
    @Test func traceRunCSVAndHTMLCarryEntityFigures() throws {
        let w = try Workspace()
        try w.write("l.jsonl", Self.entityLedger)
        try w.write(
            "x.yaml",
            "title: T\ncreator: C\ncurrency: BTC\nconfidence: service_data\nsource: letter\ncategory: exchange\ntags:\n  - address: D1\n    label: ExampleX\n  - address: HOT\n    label: ExampleX\n"
        )
        let base = [
            "trace", "run", "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "l.jsonl",
            "--seed-tx", "s:0", "--policy", "haircut", "--cluster", "--tags", "x.yaml",
        ]
        let csv = try CLI.run(base + ["--format", "csv"], in: w.path)
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.components(separatedBy: "\r\n")
        #expect(
            rows[0]
                == "row,account,tainted_received,tainted_sent,tainted_held,balance,opening,asset,policy,entity,entity_label,entity_category,receiving_addresses,holding_addresses"
        )
        #expect(
            rows.contains("entity,ExampleX,3.20000000,,3.19980000,,,BTC,haircut,E-D1 E-HOT,ExampleX,exchange,D1 D2,HOT")
        )
        #expect(
            rows.contains { $0.hasPrefix("address,HOT,") && $0.hasSuffix(",BTC,haircut,E-HOT,ExampleX,exchange,,") })
        #expect(rows.contains { $0.hasPrefix("address,D2,") && $0.hasSuffix(",E-D1,ExampleX,exchange,,") })
        let html = try CLI.run(base + ["--format", "html", "-o", "t.html"], in: w.path)
        #expect(html.status == 0, "\(html.stderr)")
        let page = try w.read("t.html")
        #expect(page.contains("<h2>Entities — BTC</h2>"))
        #expect(page.contains("<td class=\"mono\">E-D1, E-HOT</td><td>ExampleX (exchange)</td>"))
        #expect(page.contains("<td class=\"n\">3.20000000</td><td class=\"n\"><b>3.19980000</b></td>"))
    }
}
