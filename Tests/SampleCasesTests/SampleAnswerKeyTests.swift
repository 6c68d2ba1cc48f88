import Foundation
import Testing

@testable import SampleCases

/// The typed answer key reads every shipped `answers.json` whole, and agrees with the file as Foundation's own
/// JSON parser reads it (an independent reading: no field silently dropped or misread).
@Suite struct SampleAnswerKeyTests {
    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/cases")

    @Test(arguments: ["bec-mules", "phishing-csirt", "ransomware-peel"])
    func everyShippedKeyReadsAndAgreesWithTheFile(name: String) throws {
        let url = Self.cases.appendingPathComponent(name).appendingPathComponent("answers.json")
        let key = try SampleAnswerKey.read(from: url)
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(key.scenario == name)
        #expect(key.caseID == raw["case_id"] as? String)
        #expect(key.title == raw["title"] as? String)
        #expect(key.seed == (raw["seed"] as? NSNumber)?.int64Value)
        let facts = try #require(raw["facts"] as? [String: Any])
        #expect(Set(key.facts.keys) == Set(facts.keys))
        for (name, value) in facts {
            switch key.facts[name] {
            case .text(let s)?: #expect(s == value as? String, "\(name)")
            case .number(let n)?: #expect(n == (value as? NSNumber)?.int64Value, "\(name)")
            case .list(let l)?: #expect(l == value as? [String], "\(name)")
            case nil: Issue.record("fact \(name) missing")
            }
        }
        let evidence = try #require(raw["evidence"] as? [String: Any])
        #expect(key.evidence.records == evidence["records"] as? Int)
        #expect(key.evidence.errors == evidence["errors"] as? Int)
        let custody = try #require(raw["custody"] as? [String: Any])
        let steps = try #require(custody["steps"] as? [[String: Any]])
        #expect(key.custody.steps.map(\.run) == steps.map { $0["run"] as? [String] ?? [] })
        #expect(key.custody.steps.map { Int($0.exit) } == steps.map { $0["exit"] as? Int ?? -1 })
        let traces = try #require(raw["traces"] as? [[String: Any]])
        #expect(key.traces.count == traces.count)
        for (t, r) in zip(key.traces, traces) {
            #expect(t.command == r["command"] as? [String])
            #expect(t.held == r["held"] as? [String: [String: String]])
            #expect(t.feesTainted == r["fees_tainted"] as? [String: String])
        }
        let freeze = raw["freeze"] as? [String: Any]
        #expect(
            key.freeze?.candidates.map(\.account)
                == (freeze?["candidates"] as? [[String: Any]])?.map { $0["account"] as? String ?? "" })
        #expect(key.freeze?.minAmount == freeze?["min_amount"] as? String)
        let redaction = raw["redaction"] as? [String: Any]
        #expect(key.redaction?.planted == redaction?["planted"] as? [String: Int])
        #expect(key.redaction?.namesFile == redaction?["names_file"] as? String)
        #expect(key.redaction?.sharing?.package == (redaction?["sharing"] as? [String: Any])?["package"] as? String)
        #expect(key.patterns?.mustFlag == (raw["patterns"] as? [String: Any])?["must_flag"] as? [String: [String]])
        let entities = raw["entities"] as? [String: Any]
        #expect((key.entities == nil) == (entities == nil))
        #expect((key.entities != nil) == (name == "ransomware-peel"), "only the ransomware case ships a TagPack")
        if let e = key.entities, let r = entities {
            #expect(e.tagpack == r["tagpack"] as? String)
            let cluster = r["cluster"] as? [String: Any]
            #expect(e.cluster.command == cluster?["command"] as? [String])
            #expect(
                e.cluster.entities.map(\.addresses)
                    == (cluster?["entities"] as? [[String: Any]])?.map { $0["addresses"] as? [String] ?? [] })
            #expect(
                e.cluster.coinjoins.map(\.transaction)
                    == (cluster?["coinjoins"] as? [[String: Any]])?.map { $0["transaction"] as? String ?? "" })
            let groups = (r["trace"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            #expect(e.trace.groups.map(\.group) == groups.map { $0["group"] as? String ?? "" })
            #expect(e.trace.groups.map(\.taintedHeld) == groups.map { $0["tainted_held"] as? [String: String] ?? [:] })
            #expect(
                e.trace.groups.map(\.receivingAddresses)
                    == groups.map { $0["receiving_addresses"] as? [String: [String]] ?? [:] })
            let freeze = r["freeze"] as? [String: Any]
            #expect(e.freeze.minAmount == freeze?["min_amount"] as? String)
            let institutions = freeze?["institutions"] as? [[String: Any]] ?? []
            #expect(e.freeze.institutions.map(\.institution) == institutions.map { $0["institution"] as? String })
            #expect(
                e.freeze.institutions.map(\.taintedHeld)
                    == institutions.map { $0["tainted_held"] as? [String: String] ?? [:] })
            #expect(
                e.freeze.untaggedHolders.count == (freeze?["untagged_holders"] as? [Any])?.count)
        }
    }

    @Test func aFileOfAnotherFormatIsRefused() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("answers-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let text = try String(contentsOf: Self.cases.appendingPathComponent("bec-mules/answers.json"), encoding: .utf8)
        try text.replacingOccurrences(of: "iproceeds-sample-answers/1", with: "iproceeds-sample-answers/9").write(
            to: url, atomically: true, encoding: .utf8)
        #expect(throws: DecodingError.self) { try SampleAnswerKey.read(from: url) }
    }
}
