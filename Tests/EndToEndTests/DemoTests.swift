import Foundation
import Testing

/// `make demo` is `iproceeds demo --dir demo-out`, the README's first command: run it as the user would, so it
/// cannot rot.
@Suite struct DemoTests {
    @Test func theDemoRunsAWholeCaseAndChecksItAgainstTheAnswerKey() throws {
        let w = try Workspace()
        let r = try CLI.run(
            ["demo", "--dir", "demo-out"], in: w.path, environment: ["IPROCEEDS_HOME": "/nonexistent/must-not-be-used"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        for needle in [
            "1. The case arrives: extract the sample", "$ iproceeds examiner init", "$ iproceeds evidence add",
            "Tainted money still held at the end (EUR):", "accounts to freeze ✓",
            "Intact: every link, signature and signer checks out",
            "Every step worked and every figure matches the case's answer key.", "demo-out/case/custody.html",
            "demo-out/case/trace-haircut.html", "demo-out/case/package-cover/summary.html",
            "$ iproceeds share verify csirt-to-police.zip",
        ] {
            #expect(r.stdout.contains(needle), "missing: \(needle)")
        }
        #expect(!r.stdout.contains("✗"))
        for file in [
            "case/custody.html", "case/trace-fifo.html", "case/freeze.csv", "case/demo.case",
            "examiner-home/examiner.key",
        ] {
            #expect(
                FileManager.default.fileExists(atPath: w.url.appendingPathComponent("demo-out/\(file)").path), "\(file)"
            )
        }
        // Run again: what the earlier demo wrote is replaced; a trainee's files are left alone (the old code
        // removed the whole folder).
        try w.write("demo-out/notes.txt", "my notes")
        try w.write("demo-out/examiner-home/mine.txt", "mine")
        let again = try CLI.run(["demo", "--dir", "demo-out"], in: w.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Keeping 2 files in demo-out that the demo did not write"))
        #expect(try w.read("demo-out/notes.txt") == "my notes")
        #expect(try w.read("demo-out/examiner-home/mine.txt") == "mine")
        #expect(FileManager.default.fileExists(atPath: w.url.appendingPathComponent("demo-out/case/custody.html").path))
        // A file of the trainee's inside case/, where the sample is extracted: refused before anything is removed.
        try w.write("demo-out/case/evidence/extra.txt", "mine too")
        let blocked = try CLI.run(["demo", "--dir", "demo-out"], in: w.path)
        #expect(blocked.status == 64)
        #expect(
            blocked.stderr.contains("demo-out/case/evidence/extra.txt was not written by the demo"), "\(blocked.stderr)"
        )
        #expect(FileManager.default.fileExists(atPath: w.url.appendingPathComponent("demo-out/case/custody.html").path))
        try w.write("mine/notes.txt", "keep me")
        let refused = try CLI.run(["demo", "--dir", "mine"], in: w.path)
        #expect(refused.status == 64)
        #expect(try w.read("mine/notes.txt") == "keep me")
    }

    /// The ransomware case ends with the freezing request to the exchange, read from the typed answer key and
    /// checked against what `trace freeze --cluster` lists.
    @Test func theRansomwareDemoEndsWithTheFreezingRequestToTheExchange() throws {
        let w = try Workspace()
        let r = try CLI.run(["demo", "--dir", "d", "--sample", "ransomware-peel"], in: w.path)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let key = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: w.url.appendingPathComponent("d/case/answers.json"))) as? [String: Any])
        let freeze = try #require((key["entities"] as? [String: Any])?["freeze"] as? [String: Any])
        let exchange = try #require((freeze["institutions"] as? [[String: Any]])?.first)
        let held = try #require(exchange["tainted_held"] as? [String: String])
        let holding = try #require(exchange["holding_addresses"] as? [String])
        let receiving = try #require(exchange["receiving_addresses"] as? [String])
        for needle in [
            "The ransom on chain: addresses grouped into entities, the exchange named, the freezing request",
            "is left unmerged, joinmarket-like ✓",
            "Freezing request to ExampleY Kripto A.Ş. (VASP, Istanbul) (exchange):",
            "it holds BTC poison \(held["poison"]!), haircut \(held["haircut"]!), fifo \(held["fifo"]!), lifo \(held["lifo"]!) of the ransom ✓",
            "at \(holding.count) address\(holding.count == 1 ? "" : "es"): \(holding.joined(separator: ", ")) ✓",
            "having received it through \(receiving.count) deposit addresses ✓",
            "Every step worked and every figure matches the case's answer key.", "d/case/freeze-btc.csv",
        ] {
            #expect(r.stdout.contains(needle), "missing: \(needle)")
        }
        #expect(!r.stdout.contains("✗"))
        #expect(receiving.count >= 5, "the exchange received through many deposit addresses")
    }
}
