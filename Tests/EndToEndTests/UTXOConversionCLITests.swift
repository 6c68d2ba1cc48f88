import Foundation
import TestSupport
import Testing

/// A bank ledger (canonical CSV) and a bitcoin-etl export in one run, linked by conversions: EUR buys BTC at an
/// exchange (C1: T2 funds output w:0), and a BTC deposit is sold for a bank payout (C2: output d:0 funds P2).
/// The figures are the hand-computed ones of ProceedsGraphTests/UTXOConversionTests.swift.
@Suite struct UTXOConversionCLITests {
    static let bank = """
        id,timestamp,from,to,amount,currency
        T1,2026-01-05T08:01:00Z,VICTIM,M,1000.00,EUR
        T0,2026-01-05T08:02:00Z,PAYROLL,M,1000.00,EUR
        T2,2026-01-05T08:03:00Z,M,EXCH-EUR,1500.00,EUR
        P2,2026-01-05T08:08:00Z,EXCH2-EUR,CASHOUT,600.00,EUR

        """

    static func line(_ hash: String, minute: Int, _ inputs: [(String, Int, String, Int)], _ outputs: [(String, Int)])
        -> String
    {
        let ins = inputs.map {
            #"{"spent_transaction_hash":"\#($0.0)","spent_output_index":\#($0.1),"addresses":["\#($0.2)"],"value":\#($0.3)}"#
        }
        let outs = outputs.enumerated().map {
            #"{"index":\#($0.offset),"addresses":["\#($0.element.0)"],"value":\#($0.element.1)}"#
        }
        return #"{"hash":"\#(hash)","block_number":\#(100 + minute),"block_timestamp":\#(1_767_600_000 + minute * 60),"#
            + #""index":1,"is_coinbase":false,"inputs":[\#(ins.joined(separator: ","))],"#
            + #""outputs":[\#(outs.joined(separator: ","))]}"#
    }

    static let chain =
        [
            line("w", minute: 4, [("p1", 0, "HOT", 100_000_000)], [("A1", 50_000_000), ("HOT", 49_990_000)]),
            line(
                "x", minute: 5, [("w", 0, "A1", 50_000_000), ("c0", 0, "C", 30_000_000)],
                [("X", 60_000_000), ("A1", 19_995_000)]),
            line("d", minute: 6, [("x", 0, "X", 60_000_000)], [("EXDEP", 59_990_000)]),
            line("s", minute: 7, [("d", 0, "EXDEP", 59_990_000)], [("HOT2", 59_980_000)]),
        ].joined(separator: "\n") + "\n"

    static let conversions = """
        conversion,funding,funded,note
        C1,T2,w:0,ExampleX order 1: EUR 1500.00 bought 0.5 BTC
        C2,d:0,P2,OTC desk: 0.5999 BTC sold for EUR 600.00

        """

    static func workspace() throws -> Workspace {
        let w = try Workspace()
        try w.write("bank.csv", bank)
        try w.write("tx.json", chain)
        try w.write("conversions.csv", conversions)
        return w
    }

    static let both = [
        "--transfers", "bank.csv", "bitcoin-etl:tx.json", "--chain", "bitcoin", "--conversions", "conversions.csv",
    ]

    @Test func runTracesBothLedgersThroughTheConversions() throws {
        let w = try Self.workspace()
        let args = ["trace", "run"] + Self.both + ["--seed-tx", "T1", "--policy", "haircut"]
        let r = try CLI.run(args, in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let traces = try #require(json["traces"] as? [[String: Any]])
        #expect(traces.map { $0["asset"] as? String } == ["EUR", "BTC"])
        let conversions = try #require(json["conversions"] as? [[String: Any]])
        // 1500 × 1000/2000 = 750.00 converted; 0.5 BTC × 750/1500 = 0.25 BTC carried; X's 0.1875 BTC × 0.5999/0.6
        // reaches the deposit: 0.18746875 converted, 600.00 × 0.3125 = 187.50 paid out.
        #expect(conversions.map { $0["funding_tainted"] as? String } == ["750.00", "0.18746875"])
        #expect(conversions.map { $0["funded_tainted"] as? String } == ["0.25000000", "187.50"])
        #expect(conversions.map { $0["deposit_account"] as? String } == ["EXCH-EUR", "EXDEP"])
        for t in traces {
            let c = try #require(t["conservation"] as? [String: Any])
            #expect(c["balanced"] as? Bool == true && c["value_conserved"] as? Bool == true)
        }
        let btc = try #require(traces[1]["conservation"] as? [String: Any])
        #expect(btc["injected"] as? String == "0.25000000" && btc["converted"] as? String == "0.18746875")
        #expect(btc["held"] as? String == "0.06248438" && btc["left"] as? String == "0.00004687")
        // Both files are named with their SHA-256, computed independently.
        let inputs = try #require(json["inputs"] as? [[String: Any]])
        let sha = try w.sh("sha256sum tx.json | cut -c1-64").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(inputs.contains { $0["path"] as? String == "tx.json" && $0["sha256"] as? String == sha })
        #expect(inputs.contains { $0["path"] as? String == "bank.csv" })
        // The same run, byte for byte; and the formats named the other way round give the same report.
        #expect(try CLI.run(args, in: w.path).stdoutBytes == r.stdoutBytes)
        let swapped = try CLI.run(
            [
                "trace", "run", "--import-format", "bitcoin-etl", "--transfers", "tx.json", "canonical:bank.csv",
                "--chain", "bitcoin", "--conversions", "conversions.csv", "--seed-tx", "T1", "--policy", "haircut",
            ], in: w.path)
        #expect(swapped.status == 0, "\(swapped.stderr)")
        #expect(swapped.stdoutBytes == r.stdoutBytes)
        // The page's conservation check counts the chain's fees.
        let html = try CLI.run(
            ["trace", "run"] + Self.both + [
                "--seed-tx", "T1", "--policy", "haircut", "--format", "html", "-o", "t.html",
            ],
            in: w.path, environment: ["IPROCEEDS_DOT": "none"])
        #expect(html.status == 0, "\(html.stderr)")
        let page = try w.read("t.html")
        #expect(page.contains("held + left in fees (0.00004687) + converted = injected, exactly"))
        #expect(page.contains("held + converted = injected, exactly"))  // EUR: no fees
    }

    @Test func freezeListsHoldingsInBothAssetsUnderEveryPolicy() throws {
        let w = try Self.workspace()
        let r = try CLI.run(
            ["trace", "freeze"] + Self.both + ["--seed-tx", "T1", "--policy", "all", "--format", "csv"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\r\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        // poison, haircut, fifo, lifo (hand-computed in UTXOConversionTests)
        let cashout = try #require(rows.first { $0[1] == "CASHOUT" })
        #expect(Array(cashout[4...7]) == ["600.00", "187.50", "333.39", "166.69"])
        let a1 = try #require(rows.first { $0[1] == "A1" })
        #expect(Array(a1[4...7]) == ["0.19995000", "0.06248438", "0.00000000", "0.00000000"] && a1[9] == "BTC")
        // Neither exchange holds the converted taint.
        #expect(!rows.contains { ["EXCH-EUR", "EXDEP", "HOT2"].contains($0[1]) })
    }

    @Test func pathsCrossBothConversions() throws {
        let w = try Self.workspace()
        let args = ["trace", "paths"] + Self.both + ["--from", "VICTIM", "--to", "CASHOUT"]
        let r = try CLI.run(args + ["--format", "json"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let paths = try #require((json["results"] as? [[String: Any]])?.first?["paths"] as? [[String: Any]])
        #expect(paths.count == 1)
        let steps = try #require(paths.first?["transfers"] as? [[String: Any]])
        #expect(steps.map { $0["id"] as? String } == ["T1", "T2", "w:0", "x:0", "d:0", "P2"])
        #expect(steps.map { $0["asset"] as? String } == ["EUR", "EUR", "BTC", "BTC", "BTC", "EUR"])
        #expect(steps[1]["to"] as? String == "conversion:C1" && steps[2]["from"] as? String == "conversion:C1")
        #expect(steps[4]["to"] as? String == "conversion:C2" && steps[5]["from"] as? String == "conversion:C2")
        #expect(paths[0]["bottleneck"] as? String == "1000.00" && paths[0]["bottleneck_asset"] as? String == "EUR")
        let text = try CLI.run(args, in: w.path)
        #expect(text.status == 0)
        #expect(text.stdout.contains("1 path from VICTIM to CASHOUT within 6 hops"))
        #expect(text.stdout.contains("w:0  conversion:C1 → A1  0.50000000 BTC"))
        #expect(try CLI.run(args, in: w.path).stdoutBytes == text.stdoutBytes)
        // Without the conversions, the bank and the chain are two assets that nothing links.
        let apart = try CLI.run(
            [
                "trace", "paths", "--transfers", "bank.csv", "bitcoin-etl:tx.json", "--chain", "bitcoin", "--from",
                "VICTIM", "--to", "CASHOUT",
            ], in: w.path)
        #expect(apart.status == 64 && apart.stderr.contains("--asset"))
    }

    @Test func aConversionNamingNoOutputIsRefusedWithFileAndLine() throws {
        let w = try Self.workspace()
        try w.write("bad.csv", "conversion,funding,funded\nC1,T2,w:9\n")
        let r = try CLI.run(
            [
                "trace", "run", "--transfers", "bank.csv", "bitcoin-etl:tx.json", "--chain", "bitcoin",
                "--conversions", "bad.csv", "--seed-tx", "T1", "--policy", "fifo",
            ], in: w.path)
        #expect(r.status == 65)
        #expect(r.stderr.contains("bad.csv line 2") && r.stderr.contains("has no output 9"), "\(r.stderr)")
        // The export given without its format is refused as a bank file, with what to do.
        let unnamed = try CLI.run(
            ["trace", "run", "--transfers", "bank.csv", "tx.json", "--seed-tx", "T1", "--policy", "fifo"], in: w.path)
        #expect(unnamed.status == 65)
        #expect(unnamed.stderr.contains("tx.json looks like a bitcoin-etl export: give it as bitcoin-etl:tx.json"))
        // A bitcoin-etl file among an account command's files is a usage error, not misread.
        let imported = try CLI.run(["trace", "import", "--transfers", "bank.csv", "bitcoin-etl:tx.json"], in: w.path)
        #expect(imported.status == 64)
    }
}
