import Foundation
import Testing

/// `trace run` and `trace freeze` across the bank → exchange → BTC → OTC desk → bank round trip of
/// Samples/proceeds-basic, checked against figures computed by hand in docs/tracing-policies.md.
@Suite struct MixedTraceCLITests {
    static var sample: String { CLI.packageRoot.appendingPathComponent("Samples/proceeds-basic").path }
    static var ledgerArgs: [String] {
        [
            "--transfers", "\(sample)/transfers.csv", "\(sample)/vasp-records.csv", "--conversions",
            "\(sample)/conversions.csv", "--seed-tx", "T-0001",
        ]
    }

    @Test func haircutAcrossTheExchangeAndBack() throws {
        let w = try Workspace()
        let r = try CLI.run(["trace", "run"] + Self.ledgerArgs + ["--policy", "haircut"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let conversions = try #require(json["conversions"] as? [[String: Any]])
        // 28,000 of the mule's 30,000 are tainted when it pays 25,000 to the exchange: 23,333.33 (half even).
        #expect(conversions[0]["funding_tainted"] as? String == "23333.33")
        // 0.3125 BTC × 2,333,333 / 2,500,000 = 0.291666625 → 0.29166662 (half to even).
        #expect(conversions[0]["funded_tainted"] as? String == "0.29166662")
        let traces = try #require(json["traces"] as? [[String: Any]])
        #expect(traces.map { $0["asset"] as? String } == ["EUR", "BTC"])
        for t in traces {
            let c = try #require(t["conservation"] as? [String: Any])
            #expect(c["balanced"] as? Bool == true && c["value_conserved"] as? Bool == true)
        }
        let again = try CLI.run(["trace", "run"] + Self.ledgerArgs + ["--policy", "haircut"], in: w.path)
        #expect(again.stdoutBytes == r.stdoutBytes)
    }

    @Test func freezeListsTheCashOutReachedThroughBitcoin() throws {
        let w = try Workspace()
        let r = try CLI.run(
            ["trace", "freeze"] + Self.ledgerArgs + [
                "--labels", "\(Self.sample)/labels.csv", "--min-amount", "500.00", "--format", "csv",
            ],
            in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\r\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let pristina = try #require(rows.first { $0[1] == "XK051212012345678906" })
        // poison, haircut, fifo, lifo: FIFO converts 25,000 wholly tainted EUR, so all 23,500 paid out is tainted.
        #expect(Array(pristina[4...7]) == ["23500.00", "21933.33", "23500.00", "21541.67"])
        #expect(pristina[10] == "P-0001")
        // The exchange deposit no longer "holds" the converted euros.
        #expect(!rows.contains { $0[1] == "EXCHANGE-DEPOSIT-77" })
        #expect(rows.contains { $0[1] == "BTC-WALLET-C" && $0[9] == "BTC" })
    }

    @Test func aBadConversionsFileIsAnImportError() throws {
        let w = try Workspace()
        try w.write("conv.csv", "conversion,funding,funded\nC1,T-0004,NO-SUCH-TX\n")
        let args = [
            "trace", "run", "--transfers", "\(Self.sample)/transfers.csv", "--conversions", "conv.csv", "--seed-tx",
            "T-0001", "--policy", "fifo",
        ]
        let r = try CLI.run(args, in: w.path)
        #expect(r.status == 65)
        #expect(r.stderr.contains("conv.csv") && r.stderr.contains("NO-SUCH-TX"))
    }

    @Test func htmlReportIsSelfContainedAndDeterministic() throws {
        let w = try Workspace()
        let args =
            ["trace", "run"] + Self.ledgerArgs + [
                "--policy", "fifo", "--labels", "\(Self.sample)/labels.csv", "--format", "html", "-o", "r.html",
            ]
        let r = try CLI.run(args, in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try w.read("r.html")
        let sha = try w.sh("sha256sum '\(Self.sample)/vasp-records.csv' | cut -c1-64").trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(html.contains(sha))  // inputs with their SHA-256, computed independently
        #expect(html.contains("Cash-out account (Pristina)") && html.contains("<svg") && html.contains("C-OTC-1"))
        #expect(html.contains("held + converted = injected, exactly"))
        // Nothing fetched from elsewhere: no scripts, no external stylesheets or images.
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"))
        let first = try Data(contentsOf: URL(fileURLWithPath: w.path + "/r.html"))
        #expect(try CLI.run(args, in: w.path).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: w.path + "/r.html")) == first)
        // Labels are for reports people read; freeze refuses html.
        #expect(try CLI.run(["trace", "freeze"] + Self.ledgerArgs + ["--format", "html"], in: w.path).status == 64)
    }

    @Test func dotOutputIsRenderedToSVGByGraphviz() throws {
        let w = try Workspace()
        let r = try CLI.run(
            ["trace", "run"] + Self.ledgerArgs + ["--policy", "fifo", "--format", "dot", "-o", "t.dot"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try w.read("t.dot").contains("\"conversion:C-EX-1\" -> \"BTC-WALLET-A\""))
        // make test installs Graphviz; the SVG is Graphviz's own rendering of our .dot.
        let svg = try w.read("t.svg")
        // Graphviz writes - as &#45;
        #expect(svg.contains("<svg") && svg.contains("BTC&#45;WALLET&#45;A") && r.stderr.contains("rendered"))
    }
}
