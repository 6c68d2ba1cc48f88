import Foundation
import TestSupport
import Testing

@testable import ProceedsGraph

/// Conversions with a UTXO side: a bank payment funding a BTC withdrawal (C1), a BTC deposit funding a bank
/// payout (C2), traced by hand under each policy. Times are minutes after 2026-01-05T08:00:00Z.
///
/// EUR (account ledger):
///   T1  min 1  VICTIM → M          1000.00  (the seed)
///   T0  min 2  PAYROLL → M         1000.00  (clean)
///   T2  min 3  M → EXCH-EUR        1500.00  (funds C1)
///   P2  min 8  EXCH2-EUR → CASHOUT  600.00  (funded by C2)
/// BTC (bitcoin-etl; satoshi):
///   e  min 1  OTHER → OTHER2 (9,990,000)                                   (unrelated, early)
///   w  min 4  HOT (1 BTC, not in the data: clean) → w:0 A1 50,000,000 (funded by C1), w:1 HOT 49,990,000;
///             fee 10,000
///   x  min 5  w:0 (A1) + c0:0 (C, 30,000,000, clean) → x:0 X 60,000,000, x:1 A1 19,995,000; fee 5,000
///   d  min 6  x:0 (X) → d:0 EXDEP 59,990,000 (funds C2); fee 10,000
///   s  min 7  d:0 (EXDEP) → s:0 HOT2 59,980,000; fee 10,000  (the exchange sweeps the deposit)
@Suite struct UTXOConversionTests {
    static let base: Int64 = 1_767_600_000  // 2026-01-05T08:00:00Z, in seconds
    static let src = SourceReference(file: "bank.csv", fileSHA256: "", line: 2)

    static func t(_ id: String, _ minute: Int64, _ from: String, _ to: String, _ euros: String) -> Transfer {
        Transfer(
            id: id, time: (base + minute * 60) * 1000, from: from, to: to,
            amount: ExactDecimal.parse(euros, scale: 2)!, asset: "EUR", scale: 2, source: src)
    }

    static let bank = Ledger(transfers: [
        t("T1", 1, "VICTIM", "M", "1000.00"), t("T0", 2, "PAYROLL", "M", "1000.00"),
        t("T2", 3, "M", "EXCH-EUR", "1500.00"), t("P2", 8, "EXCH2-EUR", "CASHOUT", "600.00"),
    ])

    /// One bitcoin-etl line: inputs as (spent hash, index, address, value), outputs as (address, value).
    static func line(
        _ hash: String, minute: Int64, block: Int, _ inputs: [(String, Int, String, Int)], _ outputs: [(String, Int)]
    ) -> String {
        let ins = inputs.map {
            #"{"spent_transaction_hash":"\#($0.0)","spent_output_index":\#($0.1),"addresses":["\#($0.2)"],"value":\#($0.3)}"#
        }
        let outs = outputs.enumerated().map {
            #"{"index":\#($0.offset),"addresses":["\#($0.element.0)"],"value":\#($0.element.1)}"#
        }
        return #"{"hash":"\#(hash)","block_number":\#(block),"block_timestamp":\#(base + minute * 60),"index":1,"#
            + #""is_coinbase":false,"inputs":[\#(ins.joined(separator: ","))],"outputs":[\#(outs.joined(separator: ","))]}"#
    }

    static let chainLines =
        [
            line("e", minute: 1, block: 9, [("p0", 0, "OTHER", 10_000_000)], [("OTHER2", 9_990_000)]),
            line(
                "w", minute: 4, block: 10, [("p1", 0, "HOT", 100_000_000)], [("A1", 50_000_000), ("HOT", 49_990_000)]),
            line(
                "x", minute: 5, block: 11, [("w", 0, "A1", 50_000_000), ("c0", 0, "C", 30_000_000)],
                [("X", 60_000_000), ("A1", 19_995_000)]),
            line("d", minute: 6, block: 12, [("x", 0, "X", 60_000_000)], [("EXDEP", 59_990_000)]),
            line("s", minute: 7, block: 13, [("d", 0, "EXDEP", 59_990_000)], [("HOT2", 59_980_000)]),
        ].joined(separator: "\n") + "\n"

    static let records = [
        ConversionRecord(id: "C1", funding: ["T2"], funded: ["w:0"], source: src),
        ConversionRecord(id: "C2", funding: ["d:0"], funded: ["P2"], source: src),
    ]

    /// The chain, read by the bitcoin-etl importer from the lines above.
    static func chain() throws -> UTXOLedger {
        let scratch = try Scratch()
        let path = try scratch.write("tx.jsonl", chainLines)
        let loaded = try BitcoinETLImporter.load([path], chain: "bitcoin")
        #expect(loaded.issues.isEmpty && loaded.transactions.count == 5)
        return UTXOLedger(transactions: loaded.transactions, asset: "BTC", scale: 8)
    }

    static func run(_ policy: TaintPolicy, seeds: Set<String> = ["T1"], records: [ConversionRecord] = records)
        throws -> MixedTraceResult
    {
        try MixedTracer.run(
            bank, utxo: try chain(), conversions: records, seeds: TraceSeeds(transferIDs: seeds), policy: policy)
    }

    static func held(_ r: MixedTraceResult, _ asset: String, _ account: String) -> MinorUnits {
        r.traces.first { $0.asset == asset }?.accounts.first { $0.account == account }?.taintedHeld ?? 0
    }

    static func conservation(_ r: MixedTraceResult, _ asset: String) -> Conservation {
        r.traces.first { $0.asset == asset }!.conservation
    }

    /// Haircut. M holds 1000 tainted of 2000 when it pays 1500 (T2): 750.00 tainted, fraction 1/2, so w:0 carries
    /// 0.25 BTC. In x, 25,000,000 tainted over 80,000,000 of inputs is spread pro rata: X 60M × 25/80 =
    /// 18,750,000; A1 19,995,000 × 25/80 = 6,248,437.5; fee 5,000 × 25/80 = 1,562.5; the spare satoshi goes to
    /// the earlier of the two equal remainders: A1 6,248,438, fee 1,562. In d, X's 18,750,000 of 60M go to d:0
    /// (59,990,000 × 0.3125 = 18,746,875) and the fee (3,125); d:0 funds C2, so its taint is converted, not held
    /// by EXDEP, and the sweep s moves clean coins. C2's fraction 18,746,875 / 59,990,000 = 0.3125 of P2's 600.00
    /// is 187.50 EUR for CASHOUT.
    @Test func haircutBankToBitcoinAndBack() throws {
        let r = try Self.run(.haircut)
        #expect(r.traces.map(\.asset) == ["EUR", "BTC"])
        #expect(r.conversions.map(\.fundingTainted) == [75_000, 18_746_875])
        #expect(r.conversions.map(\.fundedTainted) == [25_000_000, 18_750])
        #expect(Self.held(r, "BTC", "A1") == 6_248_438)
        #expect(Self.held(r, "BTC", "X") == 0)
        #expect(Self.held(r, "BTC", "EXDEP") == 0 && Self.held(r, "BTC", "HOT2") == 0)
        #expect(Self.held(r, "BTC", "HOT") == 0)  // the exchange's change from its own coins stays clean
        #expect(Self.held(r, "EUR", "M") == 25_000 && Self.held(r, "EUR", "CASHOUT") == 18_750)
        let btc = Self.conservation(r, "BTC")
        #expect(btc.injected == 25_000_000 && btc.left == 1_562 + 3_125 && btc.converted == 18_746_875)
        #expect(btc.held == 6_248_438 && btc.balanced)
        let eur = Self.conservation(r, "EUR")
        // 1000 seeded + 187.50 back through C2; held M 250 + CASHOUT 187.50; 750 converted.
        #expect(eur.injected == 118_750 && eur.held == 43_750 && eur.converted == 75_000 && eur.balanced)
        // The funded output names the conversion as its sender; the deposit's taint went into the conversion.
        let btcTrace = r.traces[1]
        #expect(btcTrace.accounts.first { $0.account == "A1" }?.taintedArrivals.first?.from == "conversion:C1")
        #expect(btcTrace.conversions.map(\.account) == ["conversion:C2"])
        #expect(btcTrace.seeds == ["w:0"])
    }

    /// FIFO. M's queue is [1000 tainted][1000 clean]: T2 takes 1000 tainted + 500 clean, fraction 2/3, so w:0
    /// carries 50,000,000 × 2/3 = 33,333,333.3 → 33,333,333, laid [33,333,333 tainted][16,666,667 clean]. x lays
    /// w:0's lots, then C's 30M clean: X's 60M takes all the taint, A1's change none. d:0 takes X's lots in order,
    /// so all 33,333,333 is converted: P2 600.00 × 33,333,333 / 59,990,000 = 333.388… → 333.39 EUR.
    @Test func fifoBankToBitcoinAndBack() throws {
        let r = try Self.run(.fifo)
        #expect(r.conversions.map(\.fundingTainted) == [100_000, 33_333_333])
        #expect(r.conversions.map(\.fundedTainted) == [33_333_333, 33_339])
        #expect(Self.held(r, "BTC", "A1") == 0 && Self.held(r, "EUR", "M") == 0)
        #expect(Self.held(r, "EUR", "CASHOUT") == 33_339)
        let btc = Self.conservation(r, "BTC")
        #expect(btc.injected == 33_333_333 && btc.held == 0 && btc.left == 0 && btc.converted == 33_333_333)
        let eur = Self.conservation(r, "EUR")
        #expect(eur.injected == 133_339 && eur.held == 33_339 && eur.converted == 100_000 && eur.balanced)
    }

    /// LIFO. T2 takes M's newest lots: 1000 clean, then 500 tainted: fraction 1/3, w:0 carries 16,666,666.7 →
    /// 16,666,667, tainted piece first. x lays its inputs newest first: [C 30M clean][16,666,667 tainted]
    /// [33,333,333 clean]; X's 60M takes 30M clean + 16,666,667 tainted + 13,333,333 clean; A1's change is clean.
    /// d:0 takes X's lots in the same way: 16,666,667 tainted converted; P2 600.00 × 16,666,667 / 59,990,000 =
    /// 166.694… → 166.69 EUR.
    @Test func lifoBankToBitcoinAndBack() throws {
        let r = try Self.run(.lifo)
        #expect(r.conversions.map(\.fundingTainted) == [50_000, 16_666_667])
        #expect(r.conversions.map(\.fundedTainted) == [16_666_667, 16_669])
        #expect(Self.held(r, "EUR", "M") == 50_000 && Self.held(r, "EUR", "CASHOUT") == 16_669)
        let btc = Self.conservation(r, "BTC")
        #expect(btc.injected == 16_666_667 && btc.held == 0 && btc.left == 0 && btc.converted == 16_666_667)
        #expect(Self.conservation(r, "EUR").balanced)
    }

    /// Poison. M is tainted, so T2's 1500 is wholly tainted and w:0 is wholly tainted (0.5 BTC); x then taints
    /// everything it pays (X 0.6, A1 0.19995, fee 0.00005); d:0 (59,990,000) is wholly tainted and converted, so
    /// P2 is wholly tainted; the sweep s spends the converted deposit and stays clean.
    @Test func poisonBankToBitcoinAndBack() throws {
        let r = try Self.run(.poison)
        #expect(r.conversions.map(\.fundingTainted) == [150_000, 59_990_000])
        #expect(r.conversions.map(\.fundedTainted) == [50_000_000, 60_000])
        #expect(Self.held(r, "BTC", "A1") == 19_995_000 && Self.held(r, "BTC", "HOT2") == 0)
        #expect(Self.held(r, "EUR", "CASHOUT") == 60_000)
        let btc = Self.conservation(r, "BTC")
        #expect(btc.injected == 50_000_000 && btc.converted == 59_990_000 && btc.left == 15_000)
        #expect(btc.balanced)  // poison: held + left + converted ≥ injected
    }

    @Test func everyPolicyConservesEachAssetAndIsDeterministic() throws {
        for policy in TaintPolicy.allCases {
            let r = try Self.run(policy)
            for t in r.traces {
                let c = t.conservation
                #expect(c.balanced && c.valueConserved, "\(policy) \(t.asset)")
                if policy != .poison { #expect(c.held + c.left + c.converted == c.injected, "\(policy) \(t.asset)") }
            }
            let again = try Self.run(policy)
            #expect(TraceReport.json(again, ledger: Self.bank) == TraceReport.json(r, ledger: Self.bank))
            #expect(TraceReport.csv(again) == TraceReport.csv(r))
        }
    }

    /// A seed on the chain: the UTXO ledger's asset is traced first, and the bank payout funded by the deposit is
    /// reached. Seed x:0 (X's 0.6 BTC): d:0 takes 59,990,000 of it under FIFO, so P2 is tainted by 600.00 ×
    /// 59,990,000 / 59,990,000 = 600.00.
    @Test func aSeedOnTheChainReachesTheBank() throws {
        let r = try Self.run(.fifo, seeds: ["x:0"])
        #expect(r.traces.map(\.asset) == ["BTC", "EUR"])
        #expect(r.conversions[1].fundedTainted == 60_000 && Self.held(r, "EUR", "CASHOUT") == 60_000)
        #expect(r.conversions[0].fundingTainted == 0)
    }

    /// Seeds in both ledgers and no conversion: each ledger is traced from its own seeds, and the report lists both.
    @Test func aSeedInEachLedgerTracesBoth() throws {
        let r = try Self.run(.fifo, seeds: ["T1", "x:0"], records: [])
        #expect(r.traces.map(\.asset) == ["EUR", "BTC"])
        #expect(Self.conservation(r, "EUR").injected == 100_000 && Self.conservation(r, "BTC").injected == 60_000_000)
        // Without C2 the deposit stays with the exchange's coins: d:0 carries X's 0.6 BTC less the fee to HOT2.
        #expect(Self.held(r, "BTC", "HOT2") == 59_980_000)
        #expect(TraceReport.json(r, ledger: Self.bank).contains("\"traces\""))
    }

    @Test func untilBeforeTheDepositConvertsNothingBack() throws {
        let r = try MixedTracer.run(
            Self.bank, utxo: try Self.chain(), conversions: Self.records, seeds: TraceSeeds(transferIDs: ["T1"]),
            policy: .haircut, until: (Self.base + 5 * 60) * 1000)
        #expect(Self.held(r, "BTC", "X") == 18_750_000)
        #expect(r.conversions[1].fundingTainted == 0 && Self.held(r, "EUR", "CASHOUT") == 0)
    }

    @Test func recordsThatDoNotFitTheChainAreRefusedWithFileAndLine() throws {
        func refuses(_ record: ConversionRecord, _ text: String) throws {
            let utxo = try Self.chain()
            #expect {
                try MixedTracer.run(
                    Self.bank, utxo: utxo, conversions: [record], seeds: TraceSeeds(transferIDs: ["T1"]),
                    policy: .fifo)
            } throws: { error in
                let e = error as? ProceedsError
                return e?.code == .unusableInput && e?.file == "bank.csv" && e?.line == 2 && e!.reason.contains(text)
            }
        }
        try refuses(
            ConversionRecord(id: "X", funding: ["T2"], funded: ["w:7"], source: Self.src), "has no output 7")
        try refuses(
            ConversionRecord(id: "X", funding: ["T2"], funded: ["nope:0"], source: Self.src),
            "nope:0 is not in the ledger, nor an output")
        try refuses(
            ConversionRecord(id: "X", funding: ["T2"], funded: ["w"], source: Self.src), "name the output, as w:INDEX")
        try refuses(
            ConversionRecord(id: "X", funding: ["T2"], funded: ["e:0"], source: Self.src),
            "funded output e:0 is created at 2026-01-05T08:01:00Z, before its funding has all arrived")
        try refuses(
            ConversionRecord(id: "X", funding: ["T2", "d:0"], funded: ["P2"], source: Self.src),
            "funding transfers are in more than one asset (BTC, EUR)")
        try refuses(
            ConversionRecord(id: "X", funding: ["x:0"], funded: ["P2", "s:0"], source: Self.src),
            "funded transfers are in more than one asset (BTC, EUR)")
    }

    /// One asset cannot be both an account ledger's and the chain's.
    @Test func theSameAssetOnBothSidesIsRefused() throws {
        var bank = Self.bank
        bank.transfers.append(
            Transfer(
                id: "B1", time: 0, from: "A", to: "B", amount: 1, asset: "BTC", scale: 8, source: Self.src))
        #expect(throws: ProceedsError.self) {
            try MixedTracer.run(
                bank, utxo: try Self.chain(), conversions: Self.records, seeds: TraceSeeds(transferIDs: ["T1"]),
                policy: .fifo)
        }
    }

    /// Paths cross both conversions: from VICTIM to CASHOUT, the only path is T1, T2 into conversion:C1, w:0 out
    /// of it, x:0, d:0 into conversion:C2, P2 out of it. Its width in EUR: T1 1000.00; T2 1500.00; w:0 0.5 BTC at
    /// C1's 1500.00 per 0.5 BTC = 1500.00; x:0 0.6 BTC = 1800.00; d:0 0.5999 BTC = 1799.70; P2 600.00 at C2's
    /// 0.5999 BTC per 600.00 = 0.5999 BTC = 1799.70: the narrowest is T1, 1000.00. From M, 1500.00.
    @Test func pathsCrossConversions() throws {
        let joined = try MixedTracer.pathLedger(Self.bank, utxo: try Self.chain(), conversions: Self.records)
        let l = joined.ledger
        let g = try TemporalGraph(l, asset: nil, acrossAssets: true)
        var rates: [Int: (funding: MinorUnits, funded: MinorUnits)] = [:]
        for (node, rate) in joined.rates { rates[Int(l.transfers.accountNumber(node)!)] = rate }
        func ids(_ p: FlowPath) -> [String] { p.transfers.map { l.transfers[$0].id } }
        let victim = FlowPaths.paths(
            g, ledger: l, from: g.node("VICTIM")!, to: g.node("CASHOUT")!, maxHops: 6, limit: 10, rates: rates)
        #expect(victim.paths.map(ids) == [["T1", "T2", "w:0", "x:0", "d:0", "P2"]])
        #expect(victim.paths.first?.bottleneck == 100_000)
        let m = FlowPaths.paths(
            g, ledger: l, from: g.node("M")!, to: g.node("CASHOUT")!, maxHops: 6, limit: 10, rates: rates)
        #expect(m.paths.map(\.bottleneck) == [150_000])
        // The exchange's accounts are not on the way: the funding was paid into the conversion.
        #expect(g.node("EXCH-EUR") == nil && g.node("EXDEP") != nil)
        #expect(
            FlowPaths.paths(g, ledger: l, from: g.node("VICTIM")!, to: g.node("HOT2")!, maxHops: 6, limit: 10).paths
                .isEmpty)
        // Five hops are not enough to reach the payout.
        #expect(
            FlowPaths.paths(g, ledger: l, from: g.node("VICTIM")!, to: g.node("CASHOUT")!, maxHops: 5, limit: 10)
                .paths.isEmpty)
        let reached = FlowPaths.reach(g, from: g.node("VICTIM")!, maxHops: 6)
        #expect(reached.first { $0.account == "CASHOUT" }?.hops == 6)
        #expect(reached.first { $0.account == "conversion:C1" }?.hops == 2)
        // Every path listed is one a brute-force enumeration finds, and no other.
        for target in ["CASHOUT", "X", "A1", "conversion:C2"] {
            let listed = FlowPaths.paths(
                g, ledger: l, from: g.node("VICTIM")!, to: g.node(target)!, maxHops: 6, limit: .max, rates: rates)
            #expect(
                Set(listed.paths.map(ids)) == PathTests.bruteForce(l, from: "VICTIM", to: target, maxHops: 6),
                "\(target)")
        }
    }

    /// Random bank ledgers and chains joined by random conversions: the listing across assets is the brute force's.
    @Test func pathsAcrossConversionsAgreeWithBruteForce() throws {
        struct Generator: RandomNumberGenerator {
            var mix = SplitMix(seed: 17)
            mutating func next() -> UInt64 { mix.next() }
        }
        var rng = Generator()
        var checked = 0
        for round in 0..<12 {
            var transfers: [Transfer] = []
            for k in 0..<30 {
                let a = Int.random(in: 0..<6, using: &rng)
                let b = (a + Int.random(in: 1..<6, using: &rng)) % 6
                transfers.append(
                    Self.t(
                        "e\(k)", Int64.random(in: 0..<40, using: &rng), "N\(a)", "N\(b)",
                        "\(Int.random(in: 1...900, using: &rng)).00"))
            }
            var lines: [String] = []
            var outputs: [(hash: String, index: Int, address: String, value: Int)] = []
            for k in 0..<20 {
                let minute = Int64(k * 2)
                let spent =
                    outputs.isEmpty || Bool.random(using: &rng)
                    ? nil : outputs.remove(at: Int.random(in: 0..<outputs.count, using: &rng))
                let from = spent ?? ("p\(k)", 0, "B\(Int.random(in: 0..<5, using: &rng))", 1_000_000)
                let to = (0..<Int.random(in: 1...2, using: &rng)).map { _ in
                    ("B\(Int.random(in: 0..<5, using: &rng))", 400_000)
                }
                lines.append(Self.line("h\(k)", minute: minute, block: k, [(from.0, from.1, from.2, from.3)], to))
                for (i, o) in to.enumerated() { outputs.append(("h\(k)", i, o.0, o.1)) }
            }
            let scratch = try Scratch()
            let chain = try BitcoinETLImporter.load(
                [try scratch.write("c.jsonl", lines.joined(separator: "\n"))], chain: "bitcoin")
            let utxo = UTXOLedger(transactions: chain.transactions, asset: "BTC", scale: 8)
            let bank = Ledger(transfers: transfers)
            // A bank payment funds an output created after it; an output funds a later bank payment.
            let byTime = bank.transfers.sorted { $0.time < $1.time }
            let early = byTime[Int.random(in: 0..<10, using: &rng)]
            let deposit = chain.transactions[Int.random(in: 0..<8, using: &rng)]
            guard
                let later = chain.transactions.filter({ $0.time >= early.time && $0.hash != deposit.hash })
                    .randomElement(using: &rng),
                let payout = byTime.filter({ $0.time >= deposit.time && $0.id != early.id }).randomElement(using: &rng)
            else { continue }
            checked += 1
            let records = [
                ConversionRecord(id: "A", funding: [early.id], funded: ["\(later.hash):0"], source: Self.src),
                ConversionRecord(id: "B", funding: ["\(deposit.hash):0"], funded: [payout.id], source: Self.src),
            ]
            let joined = try MixedTracer.pathLedger(bank, utxo: utxo, conversions: records)
            let l = joined.ledger
            let g = try TemporalGraph(l, asset: nil, acrossAssets: true)
            for source in ["N0", "B0"] {
                guard let s = g.node(source) else { continue }
                for target in g.names where target != source && g.node(target) != nil {
                    let listed = FlowPaths.paths(g, ledger: l, from: s, to: g.node(target)!, maxHops: 4, limit: .max)
                    let expected = PathTests.bruteForce(l, from: source, to: target, maxHops: 4)
                    #expect(
                        Set(listed.paths.map { $0.transfers.map { l.transfers[$0].id } }) == expected, "round \(round)")
                    #expect(listed.paths.count == expected.count)
                }
                let reached = Set(FlowPaths.reach(g, from: s, maxHops: 4).map(\.account))
                let expected = Set(
                    g.names.filter {
                        $0 != source && !PathTests.bruteForce(l, from: source, to: $0, maxHops: 4).isEmpty
                    })
                #expect(reached == expected, "round \(round)")
            }
        }
        #expect(checked >= 8)
    }
}
