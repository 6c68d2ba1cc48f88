import Foundation
import Testing

/// `iproceeds trace run` against an independent Python implementation of the four policies, on a random ledger.
@Suite struct TraceCLITests {
    static let reference = #"""
        import csv, json, random, sys
        from collections import defaultdict

        def cents(s):
            whole, _, frac = s.partition(".")
            return int(whole) * 100 + int((frac + "00")[:2])

        rows = list(csv.DictReader(open("ledger.csv")))
        rows.sort(key=lambda r: (r["timestamp"], r["id"]))
        seeds = set(sys.argv[2].split(","))
        policy = sys.argv[1]
        low, run = defaultdict(int), defaultdict(int)
        for r in rows:
            run[r["from"]] -= cents(r["amount"]); low[r["from"]] = min(low[r["from"]], run[r["from"]]); run[r["to"]] += cents(r["amount"])
        opening = {a: -v for a, v in low.items()}
        bal = defaultdict(int, opening)
        taint, recv, sent, poisoned = defaultdict(int), defaultdict(int), defaultdict(int), set()
        lots = defaultdict(list)
        for a, v in opening.items():
            if v > 0: lots[a].append([v, False])
        for r in rows:
            s, d, amt, seed = r["from"], r["to"], cents(r["amount"]), r["id"] in seeds
            pieces = []
            if policy == "poison":
                x = amt if s in poisoned else 0
            elif policy == "haircut":
                q, rem = divmod(amt * taint[s], bal[s]) if taint[s] else (0, 0)
                x = q + (1 if 2 * rem > bal[s] or (2 * rem == bal[s] and q % 2 == 1) else 0)
                taint[s] -= x
            else:
                need, x = amt, 0
                while need:
                    lot = lots[s][0] if policy == "fifo" else lots[s][-1]
                    take = min(need, lot[0]); pieces.append([take, lot[1]]); x += take if lot[1] else 0
                    lot[0] -= take; need -= take
                    if lot[0] == 0: lots[s].pop(0 if policy == "fifo" else -1)
                taint[s] -= x
            bal[s] -= amt; sent[s] += x
            arriving = amt if seed else x
            recv[d] += arriving; bal[d] += amt
            if policy == "poison":
                if arriving: poisoned.add(d)
            else:
                taint[d] += arriving
                if policy in ("fifo", "lifo"):
                    lots[d].extend([[amt, True]] if seed else pieces)
        fmt = lambda v: f"{v // 100}.{v % 100:02d}"
        out = {}
        for a in set(recv) | set(sent) | set(taint) | poisoned:
            h = (bal[a] if a in poisoned else 0) if policy == "poison" else taint[a]
            if recv[a] or sent[a] or h:
                out[a] = [fmt(recv[a]), fmt(sent[a]), fmt(h)]
        print(json.dumps(out, sort_keys=True))
        """#

    @Test func fourPoliciesAgreeWithAnIndependentImplementation() throws {
        let w = try Workspace()
        var rng = UInt64(7)
        func next() -> UInt64 {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return rng >> 33
        }
        var csv = "id,timestamp,from,to,amount,currency\n"
        for k in 0..<400 {
            let a = next() % 15
            var b = next() % 15
            if a == b { b = (b + 1) % 15 }
            let minute = next() % 300
            csv += String(
                format: "T%04d,2026-01-05T%02d:%02d:00Z,ACC-%02d,ACC-%02d,%d.%02d,EUR\n", k, 8 + minute / 60,
                minute % 60, a, b, next() % 5000 + 1, next() % 100)
        }
        try w.write("ledger.csv", csv)
        try w.write("reference.py", Self.reference)
        let seeds = "T0000,T0001,T0002,T0010"
        for policy in ["poison", "haircut", "fifo", "lifo"] {
            let r = try CLI.run(
                ["trace", "run", "--transfers", "ledger.csv", "--seed-tx", seeds, "--policy", policy], in: w.path)
            #expect(r.status == 0, "\(r.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            var ours: [String: [String]] = [:]
            for a in report["accounts"] as! [[String: Any]] {
                ours[a["account"] as! String] = [
                    a["tainted_received"] as! String, a["tainted_sent"] as! String, a["tainted_held"] as! String,
                ]
            }
            let theirs =
                try JSONSerialization.jsonObject(with: Data(try w.sh("python3 reference.py \(policy) \(seeds)").utf8))
                as! [String: [String]]
            #expect(ours == theirs, "\(policy)")
            let conservation = report["conservation"] as! [String: Any]
            #expect(conservation["balanced"] as? Bool == true)
            #expect(conservation["value_conserved"] as? Bool == true)
            // Deterministic: the same run gives the same bytes.
            let again = try CLI.run(
                ["trace", "run", "--transfers", "ledger.csv", "--seed-tx", seeds, "--policy", policy], in: w.path)
            #expect(again.stdoutBytes == r.stdoutBytes)
        }
    }

    @Test func malformedRowsAreReportedAndCounted() throws {
        let w = try Workspace()
        try w.write(
            "l.csv",
            "id,timestamp,from,to,amount,currency\nT1,2026-01-05T09:00:00Z,V,M,100.00,EUR\nT2,bad,M,X,1.00,EUR\nT3,2026-01-05T10:00:00Z,M,X,40.00,EUR\n"
        )
        let r = try CLI.run(
            ["trace", "run", "--transfers", "l.csv", "--seed-tx", "T1", "--policy", "fifo", "--format", "csv"],
            in: w.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("skipped l.csv line 3: timestamp 'bad' is not ISO 8601"))
        #expect(r.stdout.contains("X,40.00,0.00,40.00,40.00,0.00,EUR,fifo"))
        let strict = try CLI.run(
            ["trace", "run", "--transfers", "l.csv", "--seed-tx", "T1", "--policy", "fifo", "--strict"], in: w.path)
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("l.csv line 3"))
        let noSeed = try CLI.run(
            ["trace", "run", "--transfers", "l.csv", "--seed-tx", "T9", "--policy", "fifo"], in: w.path)
        #expect(noSeed.status == 64)
        #expect(try CLI.run(["trace", "run", "--transfers", "l.csv", "--policy", "fifo"], in: w.path).status == 64)
        #expect(
            try CLI.run(["trace", "run", "--transfers", "l.csv", "--seed-tx", "T1", "--policy", "magic"], in: w.path)
                .status == 64)
    }

    @Test func freezingCandidatesByInstitutionUnderAllFourPolicies() throws {
        let w = try Workspace()
        try w.write(
            "t.csv",
            """
            id,timestamp,from,to,amount,currency
            T1,2026-01-05T09:00:00Z,VICTIM,MULE-RS-1,48000.00,EUR
            T2,2026-01-05T10:00:00Z,MULE-RS-1,MULE-ME-2,20000.00,EUR
            T3,2026-01-05T10:30:00Z,SALARY,MULE-RS-1,2000.00,EUR
            T4,2026-01-05T11:00:00Z,MULE-RS-1,EXCHANGE-1,25000.00,EUR
            T5,2026-01-06T09:00:00Z,MULE-ME-2,CASH-OUT,19000.00,EUR
            T6,2026-01-06T10:00:00Z,MULE-ME-2,VICTIM,500.00,EUR

            """)
        try w.write(
            "labels.csv",
            """
            account,label,category,institution
            VICTIM,Victim d.o.o.,victim,BANK A (RS)
            MULE-RS-1,Mule 1,mule,BANK B (RS)
            MULE-ME-2,Mule 2,mule,BANK C (ME)
            EXCHANGE-1,Exchange deposit,exchange,ExampleX VASP

            """)
        let r = try CLI.run(
            [
                "trace", "freeze", "--transfers", "t.csv", "--seed-tx", "T1", "--labels", "labels.csv", "--min-amount",
                "600.00", "--format", "csv",
            ],
            in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        // By hand. MULE-RS-1 holds 28,000 tainted + 2,000 clean when it sends 25,000: haircut 25,000 × 28/30 =
        // 23,333.33 leaves 4,666.67; FIFO sends the oldest (tainted) first and keeps 3,000; LIFO sends the 2,000
        // clean first and keeps 5,000. MULE-ME-2 keeps 500 (below 600): not listed. The victim is never listed.
        #expect(
            r.stdout == """
                institution,account,label,category,held_poison,held_haircut,held_fifo,held_lifo,balance,asset,evidence_transfers\r
                BANK B (RS),MULE-RS-1,Mule 1,mule,5000.00,4666.67,3000.00,5000.00,5000.00,EUR,T1\r
                ExampleX VASP,EXCHANGE-1,Exchange deposit,exchange,25000.00,23333.33,25000.00,23000.00,25000.00,EUR,T4\r
                unknown institution,CASH-OUT,,,19000.00,19000.00,19000.00,19000.00,19000.00,EUR,T5\r

                """)
    }
}

@Suite struct TraceCustodyTests {
    @Test func aTraceWithCaseSignsAnAnalysedEntryNamingInputsAndReport() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        try w.write(
            "t.csv",
            "id,timestamp,from,to,amount,currency\nT1,2026-01-05T09:00:00Z,VICTIM,M\"1,100.00,EUR\nT2,2026-01-05T10:00:00Z,M\"1,X,60.00,EUR\n"
        )
        #expect(
            try CLI.run(["examiner", "init", "--name", "A", "--id", "E1"], in: w.path, environment: env).status == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "C1", "--title", "t"], in: w.path, environment: env
            ).status == 0)
        let r = try CLI.run(
            [
                "trace", "run", "--transfers", "t.csv", "--seed-tx", "T1", "--policy", "haircut", "--format", "dot",
                "-o", "t.dot", "--case", "c.case",
            ],
            in: w.path, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Recorded custody entry 2 (analysed)"))
        let dot = try w.read("t.dot")
        #expect(dot.contains("\"VICTIM\" -> \"M\\\"1\" [label=\"T1: 100.00\"];"))
        #expect(dot.contains("\"M\\\"1\" -> \"X\" [label=\"T2: 60.00\"];"))
        #expect(dot.contains("held 40.00 of 40.00 EUR"))
        let log = try CLI.run(["custody", "log", "--case", "c.case", "--format", "json"], in: w.path, environment: env)
        let entries = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as! [[String: Any]]
        let analysed = try #require(entries.last)
        #expect(analysed["action"] as? String == "analysed")
        let sums = try w.sh("sha256sum t.csv t.dot")
        let input = (analysed["inputs"] as! [[String: String]])[0]["sha256"]!
        let output = (analysed["outputs"] as! [[String: String]])[0]["sha256"]!
        #expect(sums.contains("\(input)  t.csv"))
        #expect(sums.contains("\(output)  t.dot"))
        #expect(try CLI.run(["custody", "verify", "--case", "c.case"], in: w.path, environment: env).status == 0)
    }
}

@Suite struct BitcoinTraceCLITests {
    @Test func utxoTraceThroughTheCommand() throws {
        let w = try Workspace()
        try w.write(
            "tx.jsonl",
            """
            {"hash":"s","block_number":100,"block_timestamp":1767600000,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"v0","spent_output_index":0,"addresses":["VICTIM"],"value":500000000}],"outputs":[{"index":0,"addresses":["M"],"value":400000000},{"index":1,"addresses":["VICTIM"],"value":99990000}]}
            {"hash":"t","block_number":101,"block_timestamp":1767600600,"index":3,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"s","spent_output_index":0,"addresses":["M"],"value":400000000},{"spent_transaction_hash":"c0","spent_output_index":2,"addresses":["C"],"value":600000000}],"outputs":[{"index":0,"addresses":["X"],"value":500000000},{"index":1,"addresses":["M"],"value":499900000}]}

            """)
        // The addresses are placeholders, not Bitcoin's: without --chain the export is refused, never labelled BTC.
        let unnamed = try CLI.run(
            [
                "trace", "run", "--import-format", "bitcoin-etl", "--transfers", "tx.jsonl", "--seed-tx", "s:0",
                "--policy", "haircut",
            ], in: w.path)
        #expect(unnamed.status == 65 && unnamed.stderr.contains("--chain"))
        let r = try CLI.run(
            [
                "trace", "run", "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "tx.jsonl",
                "--seed-tx", "s:0", "--policy", "haircut",
            ], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(report["asset"] as? String == "BTC")
        let doge = try CLI.run(
            [
                "trace", "run", "--import-format", "bitcoin-etl", "--chain", "DOGE", "--transfers", "tx.jsonl",
                "--seed-tx", "s:0", "--policy", "haircut",
            ], in: w.path)
        #expect(
            (try JSONSerialization.jsonObject(with: Data(doge.stdout.utf8)) as? [String: Any])?["asset"] as? String
                == "DOGE")
        let x = (report["accounts"] as! [[String: Any]]).first { $0["account"] as? String == "X" }
        #expect(x?["tainted_held"] as? String == "2.00000000")
        let c = report["conservation"] as! [String: Any]
        #expect(
            c["injected"] as? String == "4.00000000" && c["left"] as? String == "0.00040000"
                && c["balanced"] as? Bool == true)
        let from = try CLI.run(
            [
                "trace", "run", "--import-format", "bitcoin-etl", "--transfers", "tx.jsonl", "--from", "VICTIM",
                "--policy", "fifo",
            ], in: w.path)
        #expect(from.status == 64)
    }
}
