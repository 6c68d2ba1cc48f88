import Testing

@testable import ProceedsGraph

/// Each pattern on a hand-built ledger where it is present, and on near misses where it is not; invariance
/// under renaming accounts and reordering rows.
@Suite struct PatternTests {
    static let src = SourceReference(file: "test.csv", fileSHA256: "", line: 0)

    /// A EUR transfer at `hours` after the epoch (fractions allowed as minutes: 1.5 is 1h30m).
    static func t(_ id: String, _ hours: Double, _ from: String, _ to: String, _ euros: String, asset: String = "EUR")
        -> Transfer
    {
        Transfer(
            id: id, time: Int64(hours * 60) * 60_000, from: from, to: to, amount: ExactDecimal.parse(euros, scale: 2)!,
            asset: asset, scale: 2,
            source: src)
    }

    static func scan(
        _ transfers: [Transfer], _ kinds: Set<PatternKind>, _ adjust: (inout PatternOptions) -> Void = { _ in }
    ) throws -> [PatternFinding] {
        var o = PatternOptions()
        o.kinds = kinds
        adjust(&o)
        return try PatternFinder.scan(Ledger(transfers: transfers), options: o).findings
    }

    static func figure(_ f: PatternFinding, _ name: String) -> PatternFigure.Value? {
        f.figures.first { $0.name == name }?.value
    }
    static func ids(_ f: PatternFinding) -> [String] { f.evidence.map(\.transfer.id) }

    // MARK: fan-in and fan-out

    @Test func fanInFlagsFiveSendersWithinTheWindow() throws {
        let ledger =
            (1...5).map { Self.t("F\($0)", Double($0), "S\($0)", "R", "100.00") } + [Self.t("X", 1, "R", "Y", "1.00")]
        let f = try Self.scan(ledger, [.fanIn])
        try #require(f.count == 1)
        #expect(f[0].kind == .fanIn && f[0].accounts == ["R"])
        #expect(Self.ids(f[0]) == ["F1", "F2", "F3", "F4", "F5"])
        #expect(f[0].total == 50_000)
        #expect(Self.figure(f[0], "senders") == .count(5))
        #expect(f[0].reason.contains("5 different senders"))
        #expect(f[0].id == "P-0001")
    }

    @Test func fanInNearMisses() throws {
        // Four senders only.
        #expect(try Self.scan((1...4).map { Self.t("F\($0)", Double($0), "S\($0)", "R", "100.00") }, [.fanIn]).isEmpty)
        // Five transfers, but from two senders.
        #expect(
            try Self.scan((1...5).map { Self.t("F\($0)", Double($0), "S\($0 % 2)", "R", "100.00") }, [.fanIn]).isEmpty)
        // Five senders, but the fifth 73 hours after the first (window 72h).
        let spread =
            (1...4).map { Self.t("F\($0)", Double($0), "S\($0)", "R", "100.00") } + [
                Self.t("F5", 74, "S5", "R", "100.00")
            ]
        #expect(try Self.scan(spread, [.fanIn]).isEmpty)
        // … which a wider window catches.
        #expect(try Self.scan(spread, [.fanIn]) { $0.windows[.fanIn] = 80 * PatternOptions.hour }.count == 1)
    }

    @Test func fanInEpisodesAreMergedAndSeparated() throws {
        // Two bursts of six senders, a week apart: two findings; within a burst, one.
        let burst1 = (1...6).map { Self.t("A\($0)", Double($0), "S\($0)", "R", "10.00") }
        let burst2 = (1...6).map { Self.t("B\($0)", 200 + Double($0), "S\($0)", "R", "20.00") }
        let f = try Self.scan(burst1 + burst2, [.fanIn])
        try #require(f.count == 2)
        #expect(Self.ids(f[0]) == (1...6).map { "A\($0)" })
        #expect(Self.ids(f[1]) == (1...6).map { "B\($0)" })
        #expect(f[1].total == 12_000)
    }

    @Test func fanOutIsSymmetric() throws {
        let out = (1...6).map { Self.t("O\($0)", Double($0), "M", "D\($0)", "50.00") }
        let f = try Self.scan(out, [.fanOut, .fanIn])
        try #require(f.count == 1)
        #expect(f[0].kind == .fanOut && f[0].accounts == ["M"] && Self.figure(f[0], "receivers") == .count(6))
        #expect(try Self.scan(Array(out.prefix(4)), [.fanOut]).isEmpty)
    }

    // MARK: pass-through

    @Test func passThroughFlagsAnAccountThatForwardsMostOfWhatItReceives() throws {
        let ledger = [
            Self.t("IN", 0, "VICTIM", "MULE", "1000.00"), Self.t("O1", 2, "MULE", "NEXT", "600.00"),
            Self.t("O2", 5, "MULE", "CASH", "250.00"),
        ]
        let f = try Self.scan(ledger, [.passThrough])
        try #require(f.count == 1)
        #expect(f[0].accounts == ["MULE"])
        #expect(Self.figure(f[0], "received") == .amount(100_000))
        #expect(Self.figure(f[0], "forwarded") == .amount(85_000))
        #expect(Self.figure(f[0], "forwarded_percent") == .basisPoints(8500))
        #expect(Self.figure(f[0], "residual") == .amount(15_000))
        // Amount-weighted median: 600 of 850 left after 2h, so half had left by then.
        #expect(Self.figure(f[0], "median_delay_seconds") == .seconds(7200))
        #expect(f[0].evidence.map(\.role) == ["in", "out", "out"])
    }

    @Test func passThroughBoundaryIsExact() throws {
        func ledger(_ out: String) -> [Transfer] {
            [Self.t("IN", 0, "V", "M", "100.00"), Self.t("OUT", 1, "M", "N", out)]
        }
        #expect(try Self.scan(ledger("80.00"), [.passThrough]).count == 1)  // exactly 80 %
        #expect(try Self.scan(ledger("79.99"), [.passThrough]).isEmpty)
    }

    @Test func passThroughNearMisses() throws {
        // Forwards only half.
        #expect(
            try Self.scan([Self.t("IN", 0, "V", "M", "1000.00"), Self.t("OUT", 1, "M", "N", "500.00")], [.passThrough])
                .isEmpty)
        // Forwards it all, but 49 hours later (window 48h).
        #expect(
            try Self.scan(
                [Self.t("IN", 0, "V", "M", "1000.00"), Self.t("OUT", 49, "M", "N", "1000.00")], [.passThrough]
            ).isEmpty)
        // Sends it back where it came from: a return, not a pass-through.
        #expect(
            try Self.scan(
                [Self.t("IN", 0, "V", "M", "1000.00"), Self.t("OUT", 1, "M", "V", "1000.00")], [.passThrough]
            ).isEmpty)
        // Pays out as much, but from money it held long before: first in, first out takes the old money.
        let business = [
            Self.t("OLD", 0, "CLIENT", "M", "5000.00"), Self.t("IN", 100, "V", "M", "1000.00"),
            Self.t("OUT", 101, "M", "N", "1000.00"),
        ]
        #expect(try Self.scan(business, [.passThrough]).isEmpty)
    }

    @Test func passThroughGroupsTransfersInAndNamesThoseThatStayed() throws {
        // Two victims pay the mule and are forwarded within hours; between them the employer pays 2000.00, which
        // goes back to the employer (a return, not forwarded).
        let ledger = [
            Self.t("V1", 0, "VIC1", "M", "500.00"), Self.t("SAL", 1, "EMPLOYER", "M", "2000.00"),
            Self.t("V2", 2, "VIC2", "M", "700.00"),
            Self.t("O1", 3, "M", "BOSS", "500.00"), Self.t("O2", 4, "M", "EMPLOYER", "2000.00"),
            Self.t("O3", 5, "M", "BOSS", "700.00"),
        ]
        let f = try Self.scan(ledger, [.passThrough])
        try #require(f.count == 1)
        #expect(f[0].evidence.filter { $0.role == "in" }.map(\.transfer.id) == ["V1", "V2"])
        #expect(f[0].evidence.filter { $0.role == "out" }.map(\.transfer.id) == ["O1", "O3"])
        #expect(Self.figure(f[0], "received") == .amount(120_000))
        #expect(Self.figure(f[0], "other_transfers_in") == .count(1))
        #expect(Self.figure(f[0], "other_received") == .amount(200_000))
        #expect(f[0].reason.contains("1 other transfer in (2000.00 EUR) stayed longer"))
    }

    // MARK: cycles

    @Test func timeRespectingCycleIsFound() throws {
        let ledger = [
            Self.t("C1", 0, "A", "B", "1000.00"), Self.t("C2", 1, "B", "C", "990.00"),
            Self.t("C3", 2, "C", "A", "980.00"),
        ]
        let f = try Self.scan(ledger, [.cycle])
        try #require(f.count == 1)
        #expect(f[0].accounts == ["A", "B", "C"])
        #expect(Self.ids(f[0]) == ["C1", "C2", "C3"])
        #expect(f[0].evidence.map(\.role) == ["hop 1", "hop 2", "hop 3"])
        #expect(Self.figure(f[0], "returned") == .amount(98_000))
        #expect(f[0].reason.contains("A → B → C → A"))
    }

    @Test func cycleNearMisses() throws {
        // The last hop happens before the second: not a path money can take.
        let backwards = [
            Self.t("C1", 0, "A", "B", "1000.00"), Self.t("C2", 2, "B", "C", "990.00"),
            Self.t("C3", 1, "C", "A", "980.00"),
        ]
        #expect(try Self.scan(backwards, [.cycle]).isEmpty)
        // Back after 8 days (window 7d).
        let slow = [
            Self.t("C1", 0, "A", "B", "1000.00"), Self.t("C2", 1, "B", "C", "990.00"),
            Self.t("C3", 193, "C", "A", "980.00"),
        ]
        #expect(try Self.scan(slow, [.cycle]).isEmpty)
        // Seven hops with at most six allowed, then with seven.
        let names = ["A", "B", "C", "D", "E", "F", "G"]
        let seven = (0..<7).map { Self.t("H\($0)", Double($0), names[$0], names[($0 + 1) % 7], "100.00") }
        #expect(try Self.scan(seven, [.cycle]).isEmpty)
        #expect(try Self.scan(seven, [.cycle]) { $0.maxHops = 7 }.count == 1)
    }

    @Test func cycleInstancesOfOneLoopAreOneFinding() throws {
        let ledger = [
            Self.t("C1", 0, "A", "B", "100.00"), Self.t("C2", 1, "B", "A", "100.00"),
            Self.t("C3", 2, "A", "B", "100.00"),
            Self.t("C4", 3, "B", "A", "100.00"),
        ]
        let f = try Self.scan(ledger, [.cycle])
        try #require(f.count == 1)
        // A→B→A twice (C1-C2, C3-C4) and B→A→B once (C2-C3): the same two accounts going round.
        #expect(Self.figure(f[0], "instances") == .count(3))
        #expect(Self.ids(f[0]) == ["C1", "C2", "C3", "C4"])
    }

    @Test func cycleSearchLimitIsRecorded() throws {
        // A hub with many receivers that all pay back: the search from each start examines many transfers.
        var ledger = [Self.t("S", 0, "A", "H", "1.00")]
        for k in 0..<20 { ledger.append(Self.t("O\(k)", 1 + Double(k) / 100, "H", "R\(k)", "1.00")) }
        for k in 0..<20 { ledger.append(Self.t("B\(k)", 2 + Double(k) / 100, "R\(k)", "A", "1.00")) }
        var o = PatternOptions()
        o.kinds = [.cycle]
        o.cycleSearchLimit = 5
        let capped = try PatternFinder.scan(Ledger(transfers: ledger), options: o)
        #expect(capped.cycleSearchesCapped >= 1)
        #expect(capped.cappedStarts.contains("S"))
        o.cycleSearchLimit = 10_000
        let full = try PatternFinder.scan(Ledger(transfers: ledger), options: o)
        #expect(full.cycleSearchesCapped == 0)
        #expect(full.findings.count == 20)
    }

    // MARK: structuring

    @Test func structuringJustUnderTheThreshold() throws {
        let ledger = [
            Self.t("S1", 0, "P1", "X", "9500.00"), Self.t("S2", 20, "P2", "X", "9000.00"),
            Self.t("S3", 40, "P3", "X", "9999.99"),
            Self.t("SMALL", 30, "P4", "X", "120.00"),
        ]
        let f = try Self.scan(ledger, [.structuring])
        try #require(f.count == 1)
        #expect(f[0].accounts == ["X"] && Self.ids(f[0]) == ["S1", "S2", "S3"])
        #expect(Self.figure(f[0], "direction") == .text("in"))
        #expect(Self.figure(f[0], "band_from") == .amount(900_000))
        #expect(f[0].total == 2_849_999)
    }

    @Test func structuringNearMisses() throws {
        // One of them at the threshold: that account does not avoid it.
        let above = [
            Self.t("S1", 0, "P1", "X", "9500.00"), Self.t("S2", 20, "P2", "X", "10000.00"),
            Self.t("S3", 40, "P3", "X", "9800.00"),
            Self.t("S4", 41, "P4", "X", "9900.00"),
        ]
        #expect(try Self.scan(above, [.structuring]).isEmpty)
        // One just below the band (10 % under 10000.00 starts at 9000.00).
        let low = [
            Self.t("S1", 0, "P1", "X", "9500.00"), Self.t("S2", 20, "P2", "X", "8999.99"),
            Self.t("S3", 40, "P3", "X", "9800.00"),
        ]
        #expect(try Self.scan(low, [.structuring]).isEmpty)
        // Spread over more than the window.
        let slow = [
            Self.t("S1", 0, "P1", "X", "9500.00"), Self.t("S2", 100, "P2", "X", "9600.00"),
            Self.t("S3", 200, "P3", "X", "9800.00"),
        ]
        #expect(try Self.scan(slow, [.structuring]).isEmpty)
        // A lower threshold makes them structuring again.
        #expect(
            try Self.scan(slow, [.structuring]) {
                $0.threshold = "9900"; $0.windows[.structuring] = 300 * PatternOptions.hour
            }.count == 1)
    }

    @Test func structuringOutOfOneAccount() throws {
        let ledger = (1...4).map { Self.t("W\($0)", Double($0), "SMURF", "B\($0)", "9700.00") }
        let f = try Self.scan(ledger, [.structuring])
        try #require(f.count == 1)
        #expect(Self.figure(f[0], "direction") == .text("out") && f[0].accounts == ["SMURF"])
    }

    // MARK: peel chains

    static let peel = [
        t("IN", 0, "V", "A", "1000.00"),
        t("A1", 1, "A", "B", "950.00"), t("AP", 1.5, "A", "PEEL1", "50.00"),
        t("B1", 2, "B", "C", "900.00"), t("BP", 2.5, "B", "PEEL2", "40.00"),
        t("C1", 3, "C", "D", "850.00"), t("CP", 3.5, "C", "PEEL3", "45.00"),
    ]

    @Test func peelChainOfThreeHops() throws {
        let f = try Self.scan(Self.peel, [.peelChain])
        try #require(f.count == 1)
        #expect(f[0].accounts == ["A", "B", "C", "D"])
        #expect(Self.figure(f[0], "hops") == .count(3))
        #expect(Self.figure(f[0], "peeled") == .amount(13_500))
        #expect(Self.figure(f[0], "reached") == .amount(85_000))
        #expect(f[0].total == 100_000)
        #expect(f[0].evidence.map(\.role) == ["in", "hop 1", "peel 1", "hop 2", "peel 2", "hop 3", "peel 3"])
        // Two hops are not a chain by default.
        #expect(try Self.scan(Array(Self.peel.prefix(5)), [.peelChain]).isEmpty)
    }

    @Test func peelChainNearMisses() throws {
        // B carries on only 850 of 950 (89 %): the chain is broken there.
        var weak = Self.peel
        weak[3] = Self.t("B1", 2, "B", "C", "850.00")
        weak[5] = Self.t("C1", 3, "C", "D", "800.00")
        #expect(try Self.scan(weak, [.peelChain]).isEmpty)
        // No peels: forwarding, not peeling.
        let plain = [
            Self.t("IN", 0, "V", "A", "1000.00"), Self.t("A1", 1, "A", "B", "1000.00"),
            Self.t("B1", 2, "B", "C", "1000.00"), Self.t("C1", 3, "C", "D", "1000.00"),
        ]
        #expect(try Self.scan(plain, [.peelChain]).isEmpty)
        // C pays out more than it received: not a peel of that money.
        var over = Self.peel
        over[6] = Self.t("CP", 3.5, "C", "PEEL3", "60.00")
        #expect(try Self.scan(over, [.peelChain]).isEmpty)
    }

    // MARK: labels, filters, options

    @Test func labelsAnnotateAndExcludedCategoriesAreCounted() throws {
        let ledger = (1...5).map { Self.t("F\($0)", Double($0), "S\($0)", "EXCH", "100.00") }
        var o = PatternOptions()
        o.kinds = [.fanIn]
        o.labels = [
            "EXCH": AccountLabel(
                account: "EXCH", label: "ExampleX deposit", category: "exchange", institution: "ExampleX")
        ]
        let labelled = try PatternFinder.scan(Ledger(transfers: ledger), options: o)
        try #require(labelled.findings.count == 1)
        #expect(labelled.findings[0].labels.map(\.label) == ["ExampleX deposit"])
        #expect(labelled.findings[0].note?.contains("labelled exchange") == true)
        o.excludeCategories = ["exchange"]
        let excluded = try PatternFinder.scan(Ledger(transfers: ledger), options: o)
        #expect(excluded.findings.isEmpty)
        #expect(excluded.suppressed.map(\.reason) == ["account labelled exchange"] && excluded.suppressed[0].count == 1)
        o.excludeCategories = []
        o.minimumTotal = "500.01"
        let small = try PatternFinder.scan(Ledger(transfers: ledger), options: o)
        #expect(small.findings.isEmpty && small.suppressed.first?.count == 1)
    }

    @Test func optionsAreCheckedAndAmountsMustFitTheAsset() throws {
        var o = PatternOptions()
        o.forwardPercent = 0
        #expect(throws: ProceedsError.self) { try PatternFinder.scan(Ledger(transfers: Self.peel), options: o) }
        o = PatternOptions()
        o.threshold = "10000.001"
        #expect(throws: ProceedsError.self) { try PatternFinder.scan(Ledger(transfers: Self.peel), options: o) }
        o = PatternOptions()
        o.asset = "BTC"
        #expect(throws: ProceedsError.self) { try PatternFinder.scan(Ledger(transfers: Self.peel), options: o) }
    }

    @Test func assetsAreScannedSeparatelyAndSelfTransfersIgnored() throws {
        // Five senders, but three in EUR and two in USD: no fan-in in either.
        var ledger = (1...3).map { Self.t("E\($0)", Double($0), "S\($0)", "R", "10.00") }
        ledger += (4...5).map { Self.t("U\($0)", Double($0), "S\($0)", "R", "10.00", asset: "USD") }
        ledger.append(Self.t("SELF", 1, "R", "R", "10.00"))
        var o = PatternOptions()
        o.kinds = [.fanIn]
        let scan = try PatternFinder.scan(Ledger(transfers: ledger), options: o)
        #expect(scan.findings.isEmpty && scan.assets == ["EUR", "USD"] && scan.selfTransfersIgnored == 1)
        o.minCounterparties = 3
        let three = try PatternFinder.scan(Ledger(transfers: ledger), options: o)
        #expect(three.findings.map(\.asset) == ["EUR"])
    }

    @Test func windowsAreParsedAndPrinted() {
        #expect(PatternWindow.parse("72h") == Int64(259_200_000))
        #expect(PatternWindow.parse("1d12h") == Int64(129_600_000))
        #expect(PatternWindow.parse("90m") == 5_400_000)
        #expect(PatternWindow.parse("1w") == 604_800_000)
        #expect(PatternWindow.parse("48") == nil && PatternWindow.parse("h") == nil && PatternWindow.parse("2x") == nil)
        #expect(PatternWindow.format(72 * 3_600_000) == "3d")
        #expect(PatternWindow.format(48 * 3_600_000) == "48h")
        #expect(PatternWindow.format(4_500_000) == "1h15m")
        #expect(PatternWindow.format(7_505_000) == "2h05m05s")
    }

    // MARK: invariance

    /// Every pattern at once, each on its own accounts and times.
    static var everything: [Transfer] {
        var l = (1...5).map { t("FI\($0)", Double($0), "SEND\($0)", "HUB", "100.00") }
        l += (1...5).map { t("FO\($0)", 10 + Double($0), "SPRAY", "GET\($0)", "100.00") }
        l += [t("PT1", 20, "VIC", "MULE", "1000.00"), t("PT2", 21, "MULE", "BOSS", "900.00")]
        l += [
            t("CY1", 30, "CA", "CB", "500.00"), t("CY2", 31, "CB", "CC", "500.00"), t("CY3", 32, "CC", "CA", "500.00"),
        ]
        l += (1...3).map { t("ST\($0)", 40 + Double($0), "SMURF\($0)", "BANKED", "9900.00") }
        l += peel.map {
            var x = $0; x.id = "PC-" + x.id; x.from = "PC-" + x.from; x.to = "PC-" + x.to; x.time += 50 * 3_600_000;
            return x
        }
        return l
    }

    /// A finding as a name-free fingerprint: kind, evidence ids, roles and figures.
    static func fingerprint(_ f: PatternFinding) -> String {
        "\(f.kind.rawValue) \(f.total) \(f.first) \(f.evidence.map { "\($0.transfer.id):\($0.role)" }) \(f.figures.map { "\($0.name)=\($0.value)" })"
    }

    @Test func everyPatternIsFoundAndRenamingAccountsChangesNothing() throws {
        let original = try PatternFinder.scan(Ledger(transfers: Self.everything)).findings
        #expect(Set(original.map(\.kind)) == Set(PatternKind.allCases))
        // Rename every account by a bijection that reverses the names' order, and shuffle the rows.
        let names = Set(Self.everything.flatMap { [$0.from, $0.to] }).sorted()
        let rename = Dictionary(
            uniqueKeysWithValues: names.enumerated().map { ($1, "acct-\(String(names.count - $0))") })
        var renamed = Self.everything.map {
            var x = $0; x.from = rename[x.from]!; x.to = rename[x.to]!; return x
        }
        renamed.reverse()
        let after = try PatternFinder.scan(Ledger(transfers: renamed)).findings
        #expect(Set(after.map(Self.fingerprint)) == Set(original.map(Self.fingerprint)))
        #expect(Set(after.map { $0.accounts }) == Set(original.map { $0.accounts.map { rename[$0]! } }))
    }

    @Test func rowOrderDoesNotChangeTheReport() throws {
        let ledger = Ledger(transfers: Self.everything)
        // A fixed permutation (a linear congruential shuffle), so a failure can be reproduced.
        var shuffled = Self.everything
        var state: UInt64 = 42
        for i in shuffled.indices.reversed() {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            shuffled.swapAt(i, Int((state >> 33) % UInt64(i + 1)))
        }
        let a = PatternReport.json(try PatternFinder.scan(ledger), ledger: ledger)
        let b = PatternReport.json(try PatternFinder.scan(Ledger(transfers: shuffled)), ledger: ledger)
        #expect(a == b)
        #expect(
            PatternReport.csv(try PatternFinder.scan(ledger))
                == PatternReport.csv(try PatternFinder.scan(Ledger(transfers: shuffled))))
    }
}
