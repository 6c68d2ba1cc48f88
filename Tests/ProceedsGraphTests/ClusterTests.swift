import Foundation
import Testing

@testable import ProceedsGraph

/// Address clustering on small hand-built ledgers: every expected entity is worked out by hand from the rules
/// of docs/clustering.md.
@Suite struct ClusterTests {
    /// A transaction spending from `inputs` (address, value) to `outputs` (address, value).
    static func tx(
        _ hash: String, block: Int64 = 1, _ inputs: [(String, MinorUnits)], _ outputs: [(String, MinorUnits)],
        coinbase: Bool = false
    ) -> UTXOTransaction {
        UTXOTransaction(
            hash: hash, time: block * 600_000, block: block, indexInBlock: 0,
            inputs: inputs.enumerated().map {
                .init(
                    spentTransaction: "prev-\(hash)", spentOutput: $0.offset, address: $0.element.0, value: $0.element.1
                )
            },
            outputs: outputs.enumerated().map { .init(index: $0.offset, address: $0.element.0, value: $0.element.1) },
            isCoinbase: coinbase,
            source: SourceReference(file: "t.jsonl", fileSHA256: "", line: Int(block), reference: hash))
    }

    static func entities(_ r: ClusterResult) -> [String: String] {
        Dictionary(uniqueKeysWithValues: r.addresses.enumerated().map { ($1, r.entities[Int(r.entityOf[$0])].id) })
    }

    /// A+B spent together, then B+C: A, B and C are one entity named after A (the smallest); D, paid, is alone.
    @Test func multiInputIsTransitiveAndNamedBySmallestAddress() {
        let txs = [
            Self.tx("t1", block: 1, [("1B", 5), ("1A", 5)], [("1D", 9)]),
            Self.tx("t2", block: 2, [("1B", 5), ("1C", 5)], [("1D", 9)]),
        ]
        let r = AddressClusterer.cluster(txs)
        let e = Self.entities(r)
        #expect(e["1A"] == "E-1A" && e["1B"] == "E-1A" && e["1C"] == "E-1A" && e["1D"] == "E-1D")
        let b = r.addresses.firstIndex(of: "1B")!
        #expect(
            r.reasons(b) == [
                ClusterReason(
                    heuristic: "multi-input", citation: ClusterCitation(transaction: "t1", file: "t.jsonl", line: 1),
                    transactions: 2)
            ])
        #expect(r.reasons(r.addresses.firstIndex(of: "1D")!).isEmpty)
        // Same entities whatever the order the transactions come in.
        #expect(Self.entities(AddressClusterer.cluster(txs.reversed())) == e)
    }

    /// Each CoinJoin shape is named and its five participants stay five entities.
    @Test func coinJoinsAreNotMerged() {
        let people = (1...5).map { "1P\($0)" }
        let whirlpool = Self.tx("w", people.map { ($0, 1_000_150) }, people.map { ("bc1qout\($0)", 1_000_000) })
        let joinMarketOut: [(String, MinorUnits)] = people.enumerated().flatMap { k, p in
            [("3eq\(p)", MinorUnits(3_141_592)), ("3ch\(p)", 5_000_000 + MinorUnits(k))]
        }
        let joinMarket = Self.tx("j", people.map { ($0, 9_000_000) }, joinMarketOut)
        let wasabiIn = (1...12).map { ("bc1qw\($0)", MinorUnits(20_000_000)) }
        let wasabiOut: [(String, MinorUnits)] =
            (1...12).map { ("bc1qmix\($0)", MinorUnits(10_000_000)) } + [
                ("bc1qcoordinator", 300_000), ("bc1qchange", 9_000_000),
            ]
        let wasabi = Self.tx("s", wasabiIn, wasabiOut)
        let generic = Self.tx("g", [("1X", 600), ("1Y", 700)], [("1Z1", 500), ("1Z2", 500)])
        let r = AddressClusterer.cluster([whirlpool, joinMarket, wasabi, generic])
        let byHash: [String: CoinJoinPattern] = Dictionary(
            uniqueKeysWithValues: r.coinJoins.map { ($0.citation.transaction, $0.pattern) })
        #expect(byHash == ["w": .whirlpool, "j": .joinMarket, "s": .wasabi, "g": .equalOutput])
        #expect(r.entities.allSatisfy { $0.size == 1 })
        #expect(r.statistics.multiInputTransactions == 0)
        #expect(r.coinJoins.first { $0.pattern == .whirlpool }?.equalValue == 1_000_000)
    }

    /// The shapes just outside each rule: a Whirlpool-sized mix at a value that is no pool's is generic; a
    /// payment to two people of different amounts is ordinary and merges.
    @Test func coinJoinBoundaries() {
        let people = (1...5).map { "1P\($0)" }
        #expect(
            CoinJoinDetector.pattern(
                inputCount: 5, distinctInputAddresses: 5, outputs: (0..<5).map { (Int32($0), 2_000_000) })
                == .equalOutput)
        #expect(
            CoinJoinDetector.pattern(inputCount: 2, distinctInputAddresses: 2, outputs: [(0, 500), (1, 501)]) == nil)
        // Equal values to one address are not several participants.
        #expect(
            CoinJoinDetector.pattern(inputCount: 2, distinctInputAddresses: 2, outputs: [(0, 500), (0, 500)]) == nil)
        // One owner's inputs (a single address) cannot be a CoinJoin.
        #expect(
            CoinJoinDetector.pattern(inputCount: 3, distinctInputAddresses: 1, outputs: [(0, 500), (1, 500)]) == nil)
        let ordinary = Self.tx("o", people.map { ($0, 100) }, [("1Q", 300), ("1R", 190)])
        #expect(AddressClusterer.cluster([ordinary]).entities.count == 3)
    }

    /// Placeholders never join: two transactions each spending `unknown-address` with another address leave
    /// those two apart.
    @Test func placeholdersNeverMerge() {
        let r = AddressClusterer.cluster([
            Self.tx("a", block: 1, [("unknown-address", 5), ("1X", 5)], [("1O", 9)]),
            Self.tx("b", block: 2, [("unknown-address", 5), ("1Y", 5)], [("1O", 9)]),
            Self.tx("c", block: 3, [("nonstandardabc", 5), ("1X", 5)], [("1O", 9)]),
            Self.tx("d", block: 4, [("1K+1L", 5), ("1Y", 5)], [("1O", 9)]),
        ])
        #expect(r.entities.allSatisfy { $0.size == 1 })
    }

    /// Sender 1S (P2PKH) pays 0.5 BTC to a P2WPKH address and 0.12345678 back to a new P2PKH address: every
    /// change heuristic picks 1CHANGE, none does without being asked, and each records its own reason.
    @Test func changeHeuristicsEachRecordTheirReason() throws {
        let known = Self.tx(
            "k", block: 1, [("1OTHER", 60_000_000)], [("bc1qpayee0000000000000000000000000000000000", 59_000_000)])
        let pay = Self.tx(
            "p", block: 2, [("1S", 62_355_678)],
            [("bc1qpayee0000000000000000000000000000000000", 50_000_000), ("1CHANGE", 12_345_678)])
        #expect(AddressClusterer.cluster([known, pay]).entities.count == 4)
        for h in ChangeHeuristic.allCases {
            let r = AddressClusterer.cluster([known, pay], heuristics: [h])
            let e = Self.entities(r)
            #expect(e["1CHANGE"] == "E-1CHANGE" && e["1S"] == "E-1CHANGE", "\(h)")
            #expect(r.reasons(r.addresses.firstIndex(of: "1CHANGE")!).map(\.heuristic) == [h.reason])
        }
        let all = AddressClusterer.cluster([known, pay], heuristics: ChangeHeuristic.allCases)
        #expect(
            all.reasons(all.addresses.firstIndex(of: "1CHANGE")!).map(\.heuristic) == [
                "change/one-time", "change/script-type", "change/round-amount",
            ])
    }

    /// Script type says the P2PKH output is change; round amount says the other one is: no merge, and counted.
    @Test func disagreeingHeuristicsMergeNothing() throws {
        let pay = Self.tx(
            "p", [("1S", 70_000_000)],
            [("1ROUND", 50_000_000), ("bc1qodd00000000000000000000000000000000000", 19_990_001)])
        let r = AddressClusterer.cluster([pay], heuristics: [.scriptType, .roundAmount])
        #expect(r.entities.count == 3 && r.statistics.changeDisagreements == 1)
        #expect(Self.entities(AddressClusterer.cluster([pay], heuristics: [.scriptType]))["1ROUND"] == "E-1ROUND")
        #expect(Self.entities(AddressClusterer.cluster([pay], heuristics: [.roundAmount]))["1S"] == "E-1S")
        #expect(
            Self.entities(AddressClusterer.cluster([pay], heuristics: [.roundAmount]))[
                "bc1qodd00000000000000000000000000000000000"] == "E-1S")
    }

    /// A transaction that pays back to an input address shows its change: the guesses make no merge there.
    @Test func selfChangeStopsTheGuesses() {
        let pay = Self.tx("p", [("1S", 70_000_000)], [("1S", 19_990_001), ("1NEW", 50_000_000)])
        #expect(AddressClusterer.cluster([pay], heuristics: ChangeHeuristic.allCases).entities.count == 2)
    }

    @Test func scriptTypesFromAddressForms() {
        #expect(ScriptType(address: "1BoatSLRHtKNngkdXEeobR76b53LETtpyT") == .p2pkh)
        #expect(ScriptType(address: "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy") == .p2sh)
        #expect(ScriptType(address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") == .p2wpkh)
        #expect(ScriptType(address: "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3") == .p2wsh)
        #expect(ScriptType(address: "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297") == .p2tr)
        #expect(ScriptType(address: "ltc1qg82tkhm3ch7whst6zv3cx6cy6fxkhcx0dwl5cz") == nil)
        #expect(ScriptType(address: "1K+1L") == nil)
    }

    @Test func unknownHeuristicIsRefusedByName() {
        #expect(throws: ProceedsError.self) { try ChangeHeuristic.list("one-time,peeling") }
        #expect((try? ChangeHeuristic.list("round-amount, one-time,one-time")) == [.oneTime, .roundAmount])
    }
}
