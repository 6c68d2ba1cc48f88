import Foundation
import Testing

/// `iproceeds trace patterns` as a user and a script run it: on the bundled BEC sample, and on small ledgers
/// the tests write.
@Suite struct TracePatternsTests {
    static let sample = CLI.packageRoot.appendingPathComponent("Samples/proceeds-basic").path

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theSampleMulesAreFlaggedAndTheJSONIsStable() throws {
        let args = ["trace", "patterns", "--transfers", "transfers.csv", "--labels", "labels.csv"]
        let r = try CLI.run(args, in: Self.sample)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try Self.object(r.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]])
        let passThrough = findings.filter { $0["kind"] as? String == "pass_through" }
        let mules = passThrough.compactMap { (($0["accounts"] as? [[String: Any]])?.first)?["account"] as? String }
        // Mule 1 (Podgorica) forwards 45000.00 of 48000.00 within hours; Mule 2 (Tirana) 19600.00 of 20000.00.
        #expect(mules == ["ME25505000012345678951", "AL35202111090000000001234567"])
        let first = try #require(passThrough.first)
        let figures = try #require(first["figures"] as? [String: Any])
        #expect(figures["received"] as? String == "48000.00")
        #expect(figures["forwarded"] as? String == "45000.00")
        #expect(figures["forwarded_percent"] as? String == "93.75")
        #expect(figures["median_delay_seconds"] as? Int == 7500)
        let account = try #require((first["accounts"] as? [[String: Any]])?.first)
        #expect(account["category"] as? String == "mule" && account["label"] as? String == "Mule 1 (Podgorica)")
        let evidence = try #require(first["evidence"] as? [[String: Any]])
        #expect(evidence.map { $0["transfer"] as? String } == ["T-0001", "T-0002", "T-0004"])
        #expect(evidence[0]["source"] as? String == "transfers.csv line 2")
        #expect((evidence[0]["source_sha256"] as? String)?.count == 64)
        #expect((report["counts"] as? [String: Int])?["pass_through"] == 2)
        #expect(first["id"] as? String == "P-0001")
        // Same input, same bytes.
        let again = try CLI.run(args, in: Self.sample)
        #expect(again.stdoutBytes == r.stdoutBytes)
    }

    @Test func textAndCSVFormats() throws {
        let text = try CLI.run(
            ["trace", "patterns", "--transfers", "transfers.csv", "--labels", "labels.csv", "--format", "text"],
            in: Self.sample)
        #expect(text.status == 0)
        #expect(text.stdout.contains("Pattern findings: 2 in 6 transfers (EUR)"))
        #expect(
            text.stdout.contains(
                "P-0001  pass_through  2026-01-05T09:00:00Z  2026-01-05T11:05:00Z  48000.00 EUR          3  ME25505000012345678951"
            ))
        #expect(text.stdout.contains("  ME25505000012345678951: Mule 1 (Podgorica), mule, Example Bank ME (BANKMEPG)"))
        #expect(text.stdout.contains("paid 45000.00 EUR (93.75%) of it out again within 48h of arrival"))
        #expect(
            text.stdout.contains(
                "    in   T-0001  2026-01-05T09:00:00Z  RS35105008123123123173 → ME25505000012345678951"))
        let w = try Workspace()
        let csv = try CLI.run(
            [
                "trace", "patterns", "--transfers", Self.sample + "/transfers.csv", "--kinds", "pass_through",
                "--format", "csv", "-o", w.path + "/p.csv",
            ],
            in: w.path)
        #expect(csv.status == 0 && csv.stdout.isEmpty)
        let lines = try w.read("p.csv").split(separator: "\r\n")
        #expect(
            lines.first
                == "finding,kind,asset,account,accounts,labels,first,last,total,reason,note,role,transfer,time,from,to,amount,source,source_sha256"
        )
        #expect(lines.count == 7)  // two findings, three evidence transfers each
        #expect(lines[1].hasPrefix("P-0001,pass_through,EUR,ME25505000012345678951,"))
        #expect(
            lines[1].contains(",in,T-0001,2026-01-05T09:00:00Z,RS35105008123123123173,ME25505000012345678951,48000.00,")
        )
    }

    @Test func everyPatternOnALedgerTheTestWrites() throws {
        let w = try Workspace()
        var csv = "id,timestamp,from,to,amount,currency\n"
        // Fan-in: six victims pay one collector; it forwards everything to a cash-out within hours.
        for k in 1...6 { csv += "FI\(k),2026-02-01T0\(k):00:00Z,VICTIM-\(k),COLLECTOR,1500.00,EUR\n" }
        csv += "FW1,2026-02-01T09:00:00Z,COLLECTOR,CASHOUT,9000.00,EUR\n"
        // A round trip through two companies.
        csv +=
            "RT1,2026-02-02T09:00:00Z,HOLDING,SHELL-1,50000.00,EUR\nRT2,2026-02-02T12:00:00Z,SHELL-1,SHELL-2,49000.00,EUR\n"
        csv += "RT3,2026-02-03T09:00:00Z,SHELL-2,HOLDING,48000.00,EUR\n"
        // Structuring: three deposits just under 10000.00.
        csv +=
            "SD1,2026-02-04T09:00:00Z,CASH-A,DEPOSITOR,9800.00,EUR\nSD2,2026-02-05T09:00:00Z,CASH-B,DEPOSITOR,9750.00,EUR\n"
        csv += "SD3,2026-02-06T09:00:00Z,CASH-C,DEPOSITOR,9900.00,EUR\n"
        try w.write("l.csv", csv)
        let r = try CLI.run(["trace", "patterns", "--transfers", "l.csv"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let findings = try #require(try Self.object(r.stdout)["findings"] as? [[String: Any]])
        func accounts(_ kind: String) -> [[String]] {
            findings.filter { $0["kind"] as? String == kind }.map {
                ($0["accounts"] as! [[String: Any]]).map { $0["account"] as! String }
            }
        }
        #expect(accounts("fan_in") == [["COLLECTOR"]])
        #expect(accounts("pass_through").contains(["COLLECTOR"]))
        #expect(accounts("cycle") == [["HOLDING", "SHELL-1", "SHELL-2"]])
        #expect(accounts("structuring") == [["DEPOSITOR"]])
        // Only the kinds asked, with a narrower window.
        let narrow = try CLI.run(
            [
                "trace", "patterns", "--transfers", "l.csv", "--kinds", "cycle,structuring", "--window",
                "structuring=24h",
            ], in: w.path)
        let counts = try #require(try Self.object(narrow.stdout)["counts"] as? [String: Int])
        #expect(
            counts == ["fan_in": 0, "fan_out": 0, "pass_through": 0, "cycle": 1, "structuring": 0, "peel_chain": 0])
        // Left out by --min-amount, and said so.
        let small = try CLI.run(
            [
                "trace", "patterns", "--transfers", "l.csv", "--kinds", "fan_in", "--min-amount", "10000", "--format",
                "text",
            ], in: w.path)
        #expect(small.stdout.contains("Left out: 1 finding (total below the minimum amount)."))
    }

    @Test func exitStatusesAndUsageErrors() throws {
        let w = try Workspace()
        try w.write(
            "l.csv",
            "id,timestamp,from,to,amount,currency\nT1,2026-01-05T09:00:00Z,V,M,100.00,EUR\nT2,bad,M,X,1.00,EUR\nT3,2026-01-05T10:00:00Z,M,X,90.00,EUR\n"
        )
        let skipped = try CLI.run(["trace", "patterns", "--transfers", "l.csv"], in: w.path)
        #expect(skipped.status == 1)
        #expect(skipped.stderr.contains("skipped l.csv line 3"))
        #expect(try Self.object(skipped.stdout)["import_issues"] as? Int == 1)
        #expect(try CLI.run(["trace", "patterns", "--transfers", "l.csv", "--strict"], in: w.path).status == 65)
        // cannot be read (was 65 before exit statuses came from codes)
        #expect(try CLI.run(["trace", "patterns", "--transfers", "missing.csv"], in: w.path).status == 66)
        for bad in [
            ["--kinds", "smurfing"], ["--window", "soon"], ["--window", "loops=2d"], ["--forward-percent", "0"],
            ["--threshold", "10000.001"], ["--asset", "BTC"], ["--import-format", "bitcoin-etl"],
        ] {
            let r = try CLI.run(["trace", "patterns", "--transfers", "l.csv"] + bad, in: w.path)
            #expect(r.status == 64, "\(bad): \(r.stderr)")
        }
    }

    @Test func helpTeachesThePatterns() throws {
        let r = try CLI.run(["trace", "patterns", "--help"], in: Self.sample)
        #expect(r.status == 0)
        for line in [
            "OVERVIEW: Flag money-mule and laundering patterns",
            "A finding is a lead,",
            "  pass_through  80% or more of a transfer in is paid on within 48h of\n",
            "  iproceeds trace patterns --transfers bank.csv --labels labels.csv \\\n      --format text\n",
            "--window <[kind=]duration>",
            "--exclude-category <categories>",
            "Exit status: 0 scanned",
        ] {
            #expect(r.stdout.contains(line), "missing from help: \(line)")
        }
        #expect(try CLI.run(["trace", "--help"], in: Self.sample).stdout.contains("patterns"))
    }

    @Test func withACaseTheReportIsRecorded() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        #expect(
            try CLI.run(["examiner", "init", "--name", "A", "--id", "E1"], in: w.path, environment: env).status == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "C1", "--title", "t"], in: w.path, environment: env
            ).status == 0)
        let r = try CLI.run(
            ["trace", "patterns", "--transfers", Self.sample + "/transfers.csv", "-o", "p.json", "--case", "c.case"],
            in: w.path, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Recorded custody entry 2 (analysed)"))
        let log = try CLI.run(["custody", "log", "--case", "c.case", "--format", "json"], in: w.path, environment: env)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let analysed = try #require(entries.last)
        #expect((analysed["parameters"] as? [String: String])?["command"] == "trace patterns")
        let output = (analysed["outputs"] as! [[String: String]])[0]["sha256"]!
        #expect(try w.sh("sha256sum p.json").hasPrefix(output))
    }
}
