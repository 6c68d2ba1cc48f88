import Foundation
import Testing

/// Every HTML report, opened in headless Chromium as a person would open it, and checked from what was drawn:
/// no label of the flow diagram overlaps another label or a box, no text runs out of its box, nothing is cut
/// short (every account's full id and tainted holding, as the JSON report gives them, are in its box), no
/// console message. Screenshots go to `.build/report-screenshots/`.
@Suite(.serialized) struct RenderedReportTests {
    static let cases = CLI.packageRoot.appendingPathComponent("Samples/cases")

    struct Page {
        var name: String
        var file: URL
        /// Account → "tainted-held ASSET" that its box must show in full (from the answer key, or the JSON report).
        var held: [String: String] = [:]
    }

    /// A command that writes a page, run in `directory`.
    struct Job {
        var directory: String
        var arguments: [String]
        var environment: [String: String]
    }

    /// Runs the jobs two at a time (the machine may be busy; the trace runs are the slow part).
    static func run(_ jobs: [Job]) -> [CLI.Result?] {
        let results = ResultBox<CLI.Result>(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            results.set(i, try? CLI.run(jobs[i].arguments, in: jobs[i].directory, environment: jobs[i].environment))
        }
        return results.all
    }

    /// Renders pages two at a time (Chromium mostly waits) and returns each page's problems.
    static func render(_ pages: [Page]) -> [(Page, Chromium.Geometry?, String?)] {
        let results = ResultBox<(Page, Chromium.Geometry?, String?)>(count: pages.count)
        DispatchQueue.concurrentPerform(iterations: pages.count) { i in
            do {
                results.set(i, (pages[i], try Chromium.render(pages[i].file, name: pages[i].name), nil))
            } catch {
                results.set(i, (pages[i], nil, "\(error)"))
            }
        }
        return results.all.map { $0 ?? (pages[0], nil, "not rendered") }
    }

    /// The problems a reader would see, plus any account box that does not show the account's full id and
    /// tainted holding.
    static func problems(_ page: Page, _ g: Chromium.Geometry) -> [String] {
        var p = g.problems
        let held = page.held
        var seen = 0
        for s in g.shapes where !s.title.isEmpty {
            if !s.text.contains(s.title) { p.append("box of '\(s.title)' does not show the full id: '\(s.text)'") }
            if let h = held[s.title] {
                seen += 1
                if !s.text.contains("held " + h) {
                    p.append("box of '\(s.title)' does not show 'held \(h)': '\(s.text)'")
                }
            }
        }
        if seen == 0 { p.append("no account box found in the diagram") }
        return p
    }

    static func tracePages(_ w: Workspace) throws -> [Page] {
        var pages: [Page] = []
        var jobs: [Job] = []
        for sample in ["bec-mules", "phishing-csirt", "ransomware-peel"] {
            let dir = cases.appendingPathComponent(sample)
            let key = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("answers.json")))
                    as? [String: Any])
            for (k, t) in (key["traces"] as? [[String: Any]] ?? []).enumerated() {
                let command = try #require(t["command"] as? [String])
                let asset = try #require(t["asset"] as? String)
                var held: [String: String] = [:]
                for (account, byPolicy) in t["held"] as? [String: [String: String]] ?? [:] {
                    held[account] = try #require(byPolicy["haircut"]) + " " + asset
                }
                var layouts = [("dot", [String: String]())]
                // The measured layout (no Graphviz) on the first trace of each case.
                if k == 0 { layouts.append(("measured", ["IPROCEEDS_DOT": "none"])) }
                for (layout, env) in layouts {
                    let name = "\(sample)-\(k)-\(layout)"
                    let html = w.url.appendingPathComponent(name + ".html")
                    let labels = command.contains("bitcoin-etl") ? [] : ["--labels", "ledgers/labels.csv"]
                    jobs.append(
                        Job(
                            directory: dir.path,
                            arguments: command + ["--policy", "haircut"] + labels + [
                                "--format", "html", "-o", html.path,
                            ],
                            environment: env))
                    pages.append(Page(name: name, file: html, held: held))
                }
            }
        }
        // The bank → exchange → bitcoin → OTC desk → bank round trip, with conversion boxes; its holdings from the
        // JSON report (there is no answer key).
        let mixed = CLI.packageRoot.appendingPathComponent("Samples/proceeds-basic").path
        let args = [
            "trace", "run", "--transfers", "transfers.csv", "vasp-records.csv", "--conversions", "conversions.csv",
            "--seed-tx", "T-0001", "--policy", "fifo",
        ]
        let json = try CLI.run(args, in: mixed)
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])
        var held: [String: String] = [:]
        for t in report["traces"] as? [[String: Any]] ?? [] {
            for a in t["accounts"] as? [[String: Any]] ?? [] {
                if let id = a["account"] as? String, let h = a["tainted_held"] as? String {
                    held[id] = h + " " + (t["asset"] as? String ?? "")
                }
            }
        }
        #expect(held.count > 5)
        for (layout, env) in [("dot", [String: String]()), ("measured", ["IPROCEEDS_DOT": "none"])] {
            let name = "proceeds-basic-\(layout)"
            let html = w.url.appendingPathComponent(name + ".html")
            jobs.append(
                Job(
                    directory: mixed,
                    arguments: args + ["--labels", "labels.csv", "--format", "html", "-o", html.path],
                    environment: env))
            pages.append(Page(name: name, file: html, held: held))
        }
        for (job, r) in zip(jobs, run(jobs)) {
            #expect(r?.status == 0, "\(job.arguments): \(r?.stderr ?? "did not run")")
        }
        return pages
    }

    @Test func sampleTraceDiagramsReadWell() throws {
        let w = try Workspace()
        let pages = try Self.tracePages(w)
        #expect(pages.count == 15)
        for (page, geometry, error) in Self.render(pages) {
            guard let geometry else {
                Issue.record("\(page.name): \(error ?? "not rendered")")
                continue
            }
            #expect(geometry.texts.count > 2, "\(page.name): no diagram text drawn")
            let p = Self.problems(page, geometry)
            #expect(
                p.isEmpty,
                "\(page.name) (\(geometry.screenshot)): \(p.count) problems:\n\(p.prefix(12).joined(separator: "\n"))")
        }
    }

    /// `trace run --cluster --tags` on the ransomware case: the page gains an "Entities" table (one row per
    /// entity or tagged service). It must render as cleanly as the other pages (long entity ids and address
    /// lists inside the table cells included), and every group of the answer key must be in that table with its
    /// name and the taint it holds under haircut.
    @Test func clusteredTraceEntitiesTableReadsWell() throws {
        let w = try Workspace()
        let dir = Self.cases.appendingPathComponent("ransomware-peel")
        let key = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("answers.json")))
                as? [String: Any])
        let expected = try #require((key["entities"] as? [String: Any])?["trace"] as? [String: Any])
        let command = try #require(expected["command"] as? [String])
        #expect(command.contains("--cluster"))
        let groups = try #require(expected["groups"] as? [[String: Any]])
        #expect(groups.count > 2)
        // The boxes of the diagram must show each address's tainted holding, as the JSON report gives it.
        let json = try CLI.run(command + ["--policy", "haircut"], in: dir.path)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])
        // One policy: the report is the trace itself (accounts and asset at the top level).
        var held: [String: String] = [:]
        let asset = try #require(report["asset"] as? String)
        for a in report["accounts"] as? [[String: Any]] ?? [] {
            if let id = a["account"] as? String, let h = a["tainted_held"] as? String { held[id] = h + " " + asset }
        }
        #expect(!held.isEmpty)
        #expect((report["entities"] as? [[String: Any]])?.count == groups.count)
        let html = w.url.appendingPathComponent("ransomware-peel-entities.html")
        let r = try CLI.run(command + ["--policy", "haircut", "--format", "html", "-o", html.path], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let page = try String(contentsOf: html, encoding: .utf8)
        let start = try #require(page.range(of: "<h2>Entities"), "no Entities table on the page")
        let end = try #require(page.range(of: "</table>", range: start.upperBound..<page.endIndex))
        let table = String(page[start.lowerBound..<end.upperBound])
        for g in groups {
            let group = try #require(g["group"] as? String)
            let name = (g["label"] as? String) ?? group
            let heldHaircut = try #require((g["tainted_held"] as? [String: String])?["haircut"])
            let row = try #require(
                table.components(separatedBy: "</tr>").first { $0.contains(name) }, "\(name) is not in the table")
            #expect(row.contains("<b>\(heldHaircut)</b>"), "\(name): held \(heldHaircut) not in its row: \(row)")
        }
        let pages = [Page(name: "ransomware-peel-entities", file: html, held: held)]
        for (page, geometry, error) in Self.render(pages) {
            guard let geometry else {
                Issue.record("\(page.name): \(error ?? "not rendered")")
                continue
            }
            let p = Self.problems(page, geometry)
            #expect(p.isEmpty, "\(page.name) (\(geometry.screenshot)):\n\(p.prefix(12).joined(separator: "\n"))")
        }
    }

    @Test func packageSummaryAndCustodyFormRenderCleanly() throws {
        let (w, env) = try ShareBuildTests.setUp()
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "CASE-2026-031", "--title", "Phishing 2026-03"],
                in: w.path, environment: env
            ).status == 0)
        try w.write("seized/usb/a.txt", "alpha\n")
        let add = try CLI.run(
            ["evidence", "add", "--case", "c.case", "--item", "EV-001", "--description", "USB stick", "seized/usb"],
            in: w.path, environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        let built = try ShareBuildTests.build(w, env, ["--case", "c.case"])
        #expect(built.status == 0, "\(built.stderr)")
        try w.sh("unzip -q -o pkg.zip summary.html")
        let sample = CLI.packageRoot.appendingPathComponent("Samples/proceeds-basic").path
        let traced = try CLI.run(
            [
                "trace", "run", "--transfers", sample + "/transfers.csv", "--seed-tx", "T-0001", "--policy", "fifo",
                "--case", "c.case", "-o", "trace.json",
            ], in: w.path, environment: env)
        #expect(traced.status == 0, "\(traced.stderr)")
        let export = try CLI.run(
            ["custody", "export", "--case", "c.case", "--format", "html", "-o", "custody.html"], in: w.path,
            environment: env)
        #expect(export.status == 0, "\(export.stderr)")
        // The printed chain is the whole chain: every entry of the ledger (as the JSON export lists them) is on
        // the page, the case-level ones (opened, analysed, shared) in the case section.
        let json = try CLI.run(
            ["custody", "export", "--case", "c.case", "--format", "json", "-o", "ledger.json"], in: w.path,
            environment: env)
        #expect(json.status == 0, "\(json.stderr)")
        let ledger = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: w.url.appendingPathComponent("ledger.json")))
                as? [[String: Any]])
        let form = try w.read("custody.html")
        #expect(Set(ledger.compactMap { $0["action"] as? String }).isSuperset(of: ["opened", "analysed", "shared"]))
        for e in ledger {
            let hash = try #require(e["entry_hash"] as? String)
            #expect(form.contains(hash), "entry \(e["seq"] ?? "?") (\(e["action"] ?? "?")) is not on the form")
        }
        let caseSection = try #require(form.range(of: "entries about the case as a whole"))
        let firstItem = try #require(form.range(of: "<h2>Item EV-001"))
        for e in ledger where (e["items"] as? [String])?.isEmpty == true {
            let hash = try #require(e["entry_hash"] as? String)
            // (The head's hash is also printed above the sections.)
            let at = form.range(of: hash, range: caseSection.upperBound..<form.endIndex)
            #expect(
                at.map { $0.lowerBound < firstItem.lowerBound } == true, "\(e["action"] ?? "?") not in the case section"
            )
        }
        let pages = [
            Page(name: "package-summary", file: w.url.appendingPathComponent("summary.html")),
            Page(name: "custody-form", file: w.url.appendingPathComponent("custody.html")),
        ]
        for (page, geometry, error) in Self.render(pages) {
            guard let geometry else {
                Issue.record("\(page.name): \(error ?? "not rendered")")
                continue
            }
            let p = geometry.problems
            #expect(p.isEmpty, "\(page.name) (\(geometry.screenshot)):\n\(p.prefix(12).joined(separator: "\n"))")
        }
    }
}

/// Results filled in from several threads. `@unchecked Sendable`: every access is under its lock.
private final class ResultBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ v: Value?) {
        lock.lock()
        values[i] = v
        lock.unlock()
    }

    var all: [Value?] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
