import Foundation
import Testing

@testable import ProceedsGraph

/// GraphSense TagPacks and CSV tags, written from the published schema (graphsense-tagpack-tool
/// `conf/tagpack_schema.yaml`), and their attribution to entities.
@Suite struct TagTests {
    /// Header fields (currency, confidence, source, category, is_public) are inherited; a tag overrides them.
    static let pack = """
        title: Example exchanges
        creator: Unit test
        description: Deposit addresses seen in test payments
        is_public: false
        currency: BTC
        confidence: service_data
        source: letter from ExampleX, 2026-01-12
        category: exchange
        lastmod: 2026-01-12
        tags:
          - address: 1Deposit1
            label: ExampleX
          - address: 1Deposit2
            label: ExampleX
            confidence: manual_transaction
          - address: 1Mixer
            label: Sinbad & Co   # an ampersand inside a value is text, not a YAML anchor
            category: mixing_service
            source: https://home.treasury.gov/news/press-releases/jy1933
            confidence: authority_data
          - address: 0x00000000219ab540356cbb839cbe05303d7705fa
            label: Deposit contract
            currency: ETH
        """

    static func parse(_ text: String) throws -> [AttributionTag] { try TagPack.parse(text, name: "t.yaml") }

    @Test func headerFieldsAreInherited() throws {
        let tags = try Self.parse(Self.pack)
        #expect(tags.count == 4)
        #expect(
            tags[0]
                == AttributionTag(
                    address: "1Deposit1", label: "ExampleX", category: "exchange", currency: "BTC",
                    source: "letter from ExampleX, 2026-01-12",
                    confidence: "service_data", isPublic: false, origin: "t.yaml tag 1 (line 11)"))
        #expect(tags[1].confidence == "manual_transaction" && tags[1].category == "exchange")
        #expect(
            tags[2].label == "Sinbad & Co" && tags[2].category == "mixing_service"
                && tags[2].confidence == "authority_data")
        #expect(tags[3].currency == "ETH")
    }

    /// Each way a TagPack fails the schema is refused with the file, the tag's number and the field.
    @Test func invalidTagPacksAreRefusedWithTheTag() throws {
        func refusal(_ text: String) -> String {
            do {
                _ = try Self.parse(text)
                return "accepted"
            } catch let e as ProceedsError {
                #expect(e.code == .unusableInput)
                return e.description
            } catch { return "\(error)" }
        }
        let head = "title: T\ncreator: C\ncurrency: BTC\nconfidence: web_crawl\nsource: s\ntags:\n"
        #expect(
            refusal(head + "  - address: 1A\n    label: A\n  - address: 1B\n").contains(
                "t.yaml: tag 2 (line 9) has no 'label'"))
        #expect(
            refusal(head + "  - adress: 1A\n    label: A\n").contains(
                "tag 1 (line 7): field 'adress' is not a tag field"))
        #expect(
            refusal(head.replacingOccurrences(of: "web_crawl", with: "very_sure") + "  - address: 1A\n    label: A\n")
                .contains("confidence 'very_sure' is not one of GraphSense's levels"))
        #expect(refusal("creator: C\ncurrency: BTC\ntags: []\n").contains("the header lacks 'title'"))
        #expect(refusal("title: T\ncreator: C\ntags: 3\n").contains("'tags' must be a list"))
        #expect(refusal(head + "  - label: A\n    tx_hash: ab12\n").contains("a tx_hash tag names a transaction"))
        #expect(
            refusal(head + "  - address: 1A\n    label: A\n    lastmod: soon\n").contains(
                "lastmod 'soon' is not a date"))
        #expect(
            refusal(head + "  - &a\n    address: 1A\n    label: A\n  - *a\n").contains(
                "line 7: YAML anchors and aliases"))
        #expect(
            refusal("title: T\ncreator: C\nversion: 2\ntags: []\n").contains(
                "header field 'version' is not in the TagPack schema"))
        #expect(refusal("title: [unclosed\n").contains("not valid YAML"))
        #expect(
            refusal(head + "  - address: 1A\n    label: A\n    is_cluster_definer: maybe\n").contains(
                "'is_cluster_definer' must be true or false"))
    }

    static func tx(_ hash: String, block: Int64, _ inputs: [String], _ outputs: [String]) -> UTXOTransaction {
        ClusterTests.tx(
            hash, block: block, inputs.map { ($0, 10) }, outputs.enumerated().map { ($1, MinorUnits(5 + $0)) })
    }

    /// 1Deposit1 and 1Deposit2 are spent together (one entity, named once); a CSV tag calls 1Deposit3, spent
    /// with 1Deposit2, something else: that entity is reported as a conflict and left unnamed.
    @Test func tagsNameEntitiesAndConflictsAreReported() throws {
        let txs = [
            Self.tx("a", block: 1, ["1Deposit1", "1Deposit2"], ["1Hot"]),
            Self.tx("b", block: 2, ["1Mixer"], ["1Out"]),
        ]
        let r = AddressClusterer.cluster(txs)
        let tags = try Self.parse(Self.pack)
        let a = Attribution.apply(
            tags + [
                AttributionTag(
                    address: "1Nowhere", label: "X", category: "", currency: "", source: "", confidence: "",
                    isPublic: nil, origin: "c.csv line 2")
            ],
            to: r, asset: "BTC")
        #expect(a.entities["E-1Deposit1"]?.label == "ExampleX" && a.entities["E-1Deposit1"]?.tags.count == 2)
        #expect(a.entities["E-1Mixer"]?.category == "mixing_service")
        #expect(a.otherCurrency.map(\.address) == ["0x00000000219ab540356cbb839cbe05303d7705fa"])
        #expect(a.unmatched.map(\.address) == ["1Nowhere"])
        #expect(a.conflicts.isEmpty)

        let w = FileManager.default.temporaryDirectory.appendingPathComponent("tags-\(UUID().uuidString).csv")
        try Data("address,label,category,source\n1Deposit2,Other VASP,exchange,police report 7\n".utf8).write(to: w)
        defer { try? FileManager.default.removeItem(at: w) }
        let csv = try TagFile.load(w.path)
        #expect(
            csv == [
                AttributionTag(
                    address: "1Deposit2", label: "Other VASP", category: "exchange", currency: "",
                    source: "police report 7", confidence: "",
                    isPublic: nil, origin: "\(w.path) line 2")
            ])
        let both = Attribution.apply(tags + csv, to: r, asset: "BTC")
        #expect(both.conflicts.map(\.entity) == ["E-1Deposit1"])
        #expect(both.entities["E-1Deposit1"]?.label == nil)
        #expect(
            ClusterReport.labelText(both.entities["E-1Deposit1"])
                == "conflicting tags: ExampleX (exchange); Other VASP (exchange)")
    }

    @Test func malformedCSVTagsAreRefusedWithTheLine() throws {
        let w = FileManager.default.temporaryDirectory.appendingPathComponent("tags-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: w) }
        try Data("address,label\n1A,Exchange\n,Nameless\n".utf8).write(to: w)
        #expect(throws: ProceedsError(.unusableInput, "\(w.path) line 3: a tag needs an address and a label")) {
            try TagFile.load(w.path)
        }
        try Data("addr,name\n1A,B\n".utf8).write(to: w)
        #expect(throws: ProceedsError.self) { try TagFile.load(w.path) }
    }
}
