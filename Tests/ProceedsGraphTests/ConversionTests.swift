import Foundation
import Testing

@testable import ProceedsGraph

/// Taint carried across conversions between assets, computed by hand.
@Suite struct ConversionTests {
    static let src = SourceReference(file: "conversions.csv", fileSHA256: "", line: 2)

    static func t(
        _ id: String, _ minute: Int64, _ from: String, _ to: String, _ amount: String, _ asset: String = "EUR"
    ) -> Transfer {
        let scale = asset == "BTC" ? 8 : 2
        return Transfer(
            id: id, time: minute * 60_000, from: from, to: to, amount: ExactDecimal.parse(amount, scale: scale)!,
            asset: asset, scale: scale, source: src)
    }

    /// M holds 1000 clean (T0), then 1000 tainted (T1); pays 1000 to the exchange (T2), which buys 0.5 BTC and
    /// withdraws it to A1 (W1); A1 pays A2 (W2). A2 deposits at a second exchange (W3), which pays 800 EUR out to
    /// CASHOUT (P2): a round trip EUR → BTC → EUR.
    static let ledger = Ledger(transfers: [
        t("T0", 1, "PAYROLL", "M", "1000.00"),
        t("T1", 2, "VICTIM", "M", "1000.00"),
        t("T2", 3, "M", "EXCH-EUR", "1000.00"),
        t("W1", 4, "EXCH-HOT", "A1", "0.50000000", "BTC"),
        t("W2", 5, "A1", "A2", "0.50000000", "BTC"),
        t("W3", 6, "A2", "EXCH2-DEP", "0.50000000", "BTC"),
        t("P2", 7, "EXCH2-EUR", "CASHOUT", "800.00"),
    ])
    static let records = [
        ConversionRecord(id: "C1", funding: ["T2"], funded: ["W1"], source: src),
        ConversionRecord(id: "C2", funding: ["W3"], funded: ["P2"], source: src),
    ]

    static func held(_ r: MixedTraceResult, _ asset: String, _ account: String) -> String? {
        guard let trace = r.traces.first(where: { $0.asset == asset }) else { return nil }
        return ExactDecimal.format(trace.accounts.first { $0.account == account }?.taintedHeld ?? 0, scale: trace.scale)
    }

    @Test func haircutCarriesTheFundingFractionAcrossAndBack() throws {
        let r = try MixedTracer.run(
            Self.ledger, conversions: Self.records, seeds: TraceSeeds(transferIDs: ["T1"]), policy: .haircut)
        #expect(r.traces.map(\.asset) == ["EUR", "BTC"])
        // M is half tainted when it pays the exchange: 500 of T2's 1000, so half of W1's 0.5 BTC.
        #expect(Self.held(r, "EUR", "M") == "500.00")
        #expect(r.conversions[0].fundingTainted == 50_000)
        #expect(r.conversions[0].fundedTainted == 25_000_000)
        #expect(Self.held(r, "BTC", "A2") == "0.00000000")
        // A2 passes its half-tainted 0.5 BTC to the second exchange, which funds 800 EUR: 400 tainted.
        #expect(r.conversions[1].fundedTainted == 40_000)
        #expect(Self.held(r, "EUR", "CASHOUT") == "400.00")
        // Neither exchange keeps converted taint in its own pool.
        #expect(Self.held(r, "EUR", "EXCH-EUR") == "0.00")
        let eur = r.traces[0].conservation
        #expect(eur.injected == 140_000 && eur.held == 90_000 && eur.converted == 50_000 && eur.balanced)
        let btc = r.traces[1].conservation
        #expect(btc.injected == 25_000_000 && btc.held == 0 && btc.converted == 25_000_000 && btc.balanced)
    }

    @Test func fifoAndLifoDecideWhetherTaintReachesTheExchange() throws {
        let seeds = TraceSeeds(transferIDs: ["T1"])
        // FIFO: T2 takes M's older, clean 1000: nothing tainted is converted, no BTC is tainted.
        let fifo = try MixedTracer.run(Self.ledger, conversions: Self.records, seeds: seeds, policy: .fifo)
        #expect(fifo.traces.map(\.asset) == ["EUR"])
        #expect(fifo.conversions.allSatisfy { $0.fundedTainted == 0 })
        #expect(Self.held(fifo, "EUR", "M") == "1000.00")
        // LIFO: T2 takes the newest, tainted 1000: W1 is wholly tainted, and so is the 800 paid out.
        let lifo = try MixedTracer.run(Self.ledger, conversions: Self.records, seeds: seeds, policy: .lifo)
        #expect(lifo.conversions[0].fundedTainted == 50_000_000)
        #expect(Self.held(lifo, "EUR", "CASHOUT") == "800.00")
        #expect(lifo.traces.allSatisfy { $0.conservation.balanced && $0.conservation.valueConserved })
    }

    @Test func poisonTaintsFundedTransfersWholly() throws {
        let r = try MixedTracer.run(
            Self.ledger, conversions: Self.records, seeds: TraceSeeds(transferIDs: ["T1"]), policy: .poison)
        #expect(r.conversions.map(\.fundedTainted) == [50_000_000, 80_000])
    }

    @Test func untilStopsBeforeTheRoundTrip() throws {
        let r = try MixedTracer.run(
            Self.ledger, conversions: Self.records, seeds: TraceSeeds(transferIDs: ["T1"]), policy: .haircut,
            until: 5 * 60_000)
        #expect(Self.held(r, "BTC", "A2") == "0.25000000")
        #expect(r.conversions[1].fundedTainted == 0)
        #expect(Self.held(r, "EUR", "CASHOUT") == "0.00")
    }

    @Test func malformedRecordsAreRefusedWithTheirLine() throws {
        func refuses(_ r: ConversionRecord, _ text: String) {
            #expect {
                try MixedTracer.run(
                    Self.ledger, conversions: [r], seeds: TraceSeeds(transferIDs: ["T1"]), policy: .fifo)
            } throws: { error in
                "\(error)".contains(text) && "\(error)".contains("conversions.csv")
            }
        }
        refuses(
            ConversionRecord(id: "X", funding: ["T2"], funded: ["NOPE"], source: Self.src), "NOPE is not in the ledger")
        refuses(ConversionRecord(id: "X", funding: ["W1"], funded: ["T2"], source: Self.src), "before its funding")
        refuses(
            ConversionRecord(id: "X", funding: ["T2"], funded: [], source: Self.src),
            "at least one funding and one funded")
        #expect(throws: ProceedsError.self) {
            try MixedTracer.run(
                Self.ledger,
                conversions: [
                    ConversionRecord(id: "X", funding: ["T2"], funded: ["W1"], source: Self.src),
                    ConversionRecord(id: "Y", funding: ["T2"], funded: ["W2"], source: Self.src),
                ],
                seeds: TraceSeeds(transferIDs: ["T1"]), policy: .fifo)
        }
    }

    @Test func conversionFileGroupsRowsById() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("conversions.csv").path
        try "conversion,funding,funded,note\nC1,T2,W1,order 991\nC1,T5,,\nC2,,P2,\nC2,W3,,\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let r = try ConversionFile.load(path)
        #expect(r.map(\.id) == ["C1", "C2"])
        #expect(r[0].funding == ["T2", "T5"] && r[0].funded == ["W1"] && r[0].note == "order 991")
        #expect(r[1].funding == ["W3"] && r[1].funded == ["P2"] && r[1].source.line == 4)
        try "conversion,funding,funded\nC1,,\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ProceedsError.self) { try ConversionFile.load(path) }
    }
}
