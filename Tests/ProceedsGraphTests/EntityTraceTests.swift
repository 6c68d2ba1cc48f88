import Foundation
import Testing

@testable import ProceedsGraph

/// Taint per entity on a three-transaction ledger, every figure worked out by hand below.
///
/// s: VICTIM pays 4 BTC to M (seed s:0) and keeps 0.9999 change.
/// t: M (the 4 BTC) and C (6 BTC, clean) pay 3 to D1, 5 to D2, 1.999 back to M; fee 0.001. So {C, M} is one entity.
/// u: D1 and D2 are swept together to HOT, 7.9995; fee 0.0005. So {D1, D2} is one entity.
/// Tags: D1 and HOT are ExampleX (exchange): the group ExampleX is the entities E-D1 and E-HOT.
@Suite struct EntityTraceTests {
    static let lines = """
        {"hash":"s","block_number":100,"block_timestamp":1767600000,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"v0","spent_output_index":0,"addresses":["VICTIM"],"value":500000000}],"outputs":[{"index":0,"addresses":["M"],"value":400000000},{"index":1,"addresses":["VICTIM"],"value":99990000}]}
        {"hash":"t","block_number":101,"block_timestamp":1767600600,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"s","spent_output_index":0,"addresses":["M"],"value":400000000},{"spent_transaction_hash":"c0","spent_output_index":2,"addresses":["C"],"value":600000000}],"outputs":[{"index":0,"addresses":["D1"],"value":300000000},{"index":1,"addresses":["D2"],"value":500000000},{"index":2,"addresses":["M"],"value":199900000}]}
        {"hash":"u","block_number":102,"block_timestamp":1767601200,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"t","spent_output_index":0,"addresses":["D1"],"value":300000000},{"spent_transaction_hash":"t","spent_output_index":1,"addresses":["D2"],"value":500000000}],"outputs":[{"index":0,"addresses":["HOT"],"value":799950000}]}

        """

    static func setup() throws -> ([UTXOTransaction], EntityDirectory) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ent-\(UUID().uuidString).jsonl").path
        try Data(Self.lines.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let txs = try BitcoinETLImporter.load([path]).transactions
        let result = AddressClusterer.cluster(txs)
        let tags = try TagPack.parse(
            """
            title: T
            creator: C
            currency: BTC
            confidence: service_data
            source: letter from ExampleX
            category: exchange
            tags:
              - address: D1
                label: ExampleX
              - address: HOT
                label: ExampleX
            """, name: "x.yaml")
        return (txs, EntityDirectory(result, attribution: Attribution.apply(tags, to: result, asset: "BTC")))
    }

    static func figures(_ policy: TaintPolicy) throws -> [String: (String, String, Int)] {
        let (txs, directory) = try setup()
        let trace = try UTXOTracer.run(txs, seeds: ["s:0"], policy: policy)
        var out: [String: (String, String, Int)] = [:]
        for g in EntityTracer.aggregate(trace, directory: directory) {
            out[g.group] = (
                ExactDecimal.format(g.taintedReceived, scale: 8), ExactDecimal.format(g.taintedHeld, scale: 8),
                g.receivingAddresses.count
            )
        }
        return out
    }

    /// Haircut: t carries 40 % taint into every part (D1 1.2, D2 2.0, M 0.7996, fee 0.0004); u carries 3.2 of 8
    /// into HOT (3.1998) and the fee (0.0002). ExampleX received 3.2 from outside (HOT's arrival from D1 is
    /// inside the group), through D1 and D2, and holds HOT's 3.1998. {C, M} received the 4 from VICTIM; M's own
    /// change is not an arrival from outside; M holds 0.7996.
    @Test func haircut() throws {
        let f = try Self.figures(.haircut)
        #expect(f["ExampleX"]! == ("3.20000000", "3.19980000", 2))
        #expect(f["E-C"]! == ("4.00000000", "0.79960000", 1))
        #expect(f.count == 2)
    }

    /// FIFO: t lays [4 tainted][6 clean]: D1 3 tainted, D2 1 tainted, M and fee clean; u: HOT gets all 4.
    @Test func fifo() throws {
        let f = try Self.figures(.fifo)
        #expect(f["ExampleX"]! == ("4.00000000", "4.00000000", 2))
        #expect(f["E-C"]! == ("4.00000000", "0.00000000", 1))
    }

    /// LIFO: t lays [6 clean][4 tainted]: D1 clean, D2 2 tainted, M's change 1.999 and the fee 0.001 tainted;
    /// u lays D2's lots [3 clean][2 tainted] then D1's: HOT gets 2 tainted.
    @Test func lifo() throws {
        let f = try Self.figures(.lifo)
        #expect(f["ExampleX"]! == ("2.00000000", "2.00000000", 1))
        #expect(f["E-C"]! == ("4.00000000", "1.99900000", 1))
    }

    /// Poison: every output of t and u is tainted whole.
    @Test func poison() throws {
        let f = try Self.figures(.poison)
        #expect(f["ExampleX"]! == ("8.00000000", "7.99950000", 2))
        #expect(f["E-C"]! == ("4.00000000", "1.99900000", 1))
    }

    /// The entities CSV `trace cluster` writes reads back to the same groups; the sentence reads as a finding.
    @Test func entitiesFileRoundTrip() throws {
        let (txs, directory) = try Self.setup()
        let result = AddressClusterer.cluster(txs)
        var csv = ""
        let tags = [
            AttributionTag(
                address: "D2", label: "ExampleX", category: "exchange", currency: "BTC", source: "s",
                confidence: "ownership", isPublic: nil, origin: "o")
        ]
        ClusterReport.csv(result, attribution: Attribution.apply(tags, to: result, asset: "BTC"), write: { csv += $0 })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ent-\(UUID().uuidString).csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try EntityDirectory.load(path)
        #expect(loaded.entityOf == directory.entityOf)
        #expect(
            loaded.group(of: "D1") == "ExampleX" && loaded.group(of: "HOT") == "E-HOT"
                && loaded.group(of: "nowhere") == "E-nowhere")
        let trace = try UTXOTracer.run(txs, seeds: ["s:0"], policy: .haircut)
        let g = EntityTracer.aggregate(trace, directory: loaded)
        #expect(
            g.first { $0.group == "E-C" }?.sentence(policy: .haircut, asset: "BTC", scale: 8)
                == "Entity E-C received 4.00000000 BTC of the traced funds under haircut, through 1 address; it holds 0.79960000 BTC of them now"
        )
        #expect(
            g.first { $0.group == "ExampleX" }?.sentence(policy: .haircut, asset: "BTC", scale: 8)
                == "ExampleX (exchange) received 3.20000000 BTC of the traced funds under haircut, through 2 addresses; it holds 0.00000000 BTC of them now"
        )
        #expect(g.first { $0.group == "E-HOT" }?.taintedReceived == 319_980_000)
    }
}
