import Foundation
import TestSupport
import Testing

@testable import ProceedsGraph

/// Hand-computed cases for each policy, the opening-lot rule, ties, conservation and invariance.
@Suite struct TraceTests {
    static let src = SourceReference(file: "test", fileSHA256: "", line: 0)

    /// A transfer in EUR at minute `minute`, amount in whole euros with cents.
    static func t(_ id: String, _ minute: Int64, _ from: String, _ to: String, _ euros: String) -> Transfer {
        Transfer(
            id: id, time: minute * 60_000, from: from, to: to, amount: ExactDecimal.parse(euros, scale: 2)!,
            asset: "EUR", scale: 2, source: src)
    }

    static func held(_ r: TraceResult, _ account: String) -> String {
        ExactDecimal.format(r.accounts.first { $0.account == account }?.taintedHeld ?? 0, scale: 2)
    }

    static func sent(_ r: TraceResult, _ account: String) -> String {
        ExactDecimal.format(r.accounts.first { $0.account == account }?.taintedSent ?? 0, scale: 2)
    }

    /// M receives 3 tainted, then 7 clean, then sends 5 to X.
    static let threeSeven = Ledger(transfers: [
        t("1", 1, "VICTIM", "M", "3.00"), t("2", 2, "CLEAN", "M", "7.00"), t("3", 3, "M", "X", "5.00"),
    ])

    @Test func threeTaintedSevenClean() throws {
        let seeds = TraceSeeds(transferIDs: ["1"])
        let haircut = try TaintTracer.run(Self.threeSeven, seeds: seeds, policy: .haircut)
        #expect(Self.sent(haircut, "M") == "1.50")  // 30% of 5
        #expect(Self.held(haircut, "M") == "1.50")
        #expect(Self.held(haircut, "X") == "1.50")
        let fifo = try TaintTracer.run(Self.threeSeven, seeds: seeds, policy: .fifo)
        #expect(Self.sent(fifo, "M") == "3.00")  // the first 3 are the tainted ones
        #expect(Self.held(fifo, "M") == "0.00")
        let lifo = try TaintTracer.run(Self.threeSeven, seeds: seeds, policy: .lifo)
        #expect(Self.sent(lifo, "M") == "0.00")  // the newest 5 are clean
        #expect(Self.held(lifo, "M") == "3.00")
        let poison = try TaintTracer.run(Self.threeSeven, seeds: seeds, policy: .poison)
        #expect(Self.sent(poison, "M") == "5.00")
        #expect(Self.held(poison, "M") == "5.00")  // the whole remaining balance
        #expect(Self.held(poison, "X") == "5.00")
        for r in [haircut, fifo, lifo] {
            #expect(r.conservation.injected == 300)
            #expect(r.conservation.held == 300)
            #expect(r.conservation.balanced && r.conservation.valueConserved)
        }
        #expect(poison.conservation.held == 1000 && poison.conservation.balanced)
    }

    /// A: +5 tainted, +4 clean, −6, −5. It sends 11 having received 9, so it held 2 clean before its first
    /// transfer (an opening lot at the front of its history).
    @Test func openingLotRule() throws {
        let ledger = Ledger(transfers: [
            Self.t("1", 1, "V", "A", "5.00"), Self.t("2", 2, "C", "A", "4.00"), Self.t("3", 3, "A", "B", "6.00"),
            Self.t("4", 4, "A", "D", "5.00"),
        ])
        let seeds = TraceSeeds(transferIDs: ["1"])
        // FIFO: [2c][5t][4c] → 6 = 2c + 4t → B gets 4 tainted; left [1t][4c] → 5 = 1t + 4c → D gets 1.
        let fifo = try TaintTracer.run(ledger, seeds: seeds, policy: .fifo)
        #expect(Self.held(fifo, "B") == "4.00")
        #expect(Self.held(fifo, "D") == "1.00")
        #expect(fifo.accounts.first { $0.account == "A" }?.opening == 200)
        // LIFO: 6 = 4c + 2t → B 2; left [2c][3t] → 5 = 3t + 2c → D 3.
        let lifo = try TaintTracer.run(ledger, seeds: seeds, policy: .lifo)
        #expect(Self.held(lifo, "B") == "2.00")
        #expect(Self.held(lifo, "D") == "3.00")
        // Haircut: 6 × 5/11 = 2.7272… → 2.73; A keeps 2.27 of 5.00; D gets 5 × 2.27/5 = 2.27.
        let haircut = try TaintTracer.run(ledger, seeds: seeds, policy: .haircut)
        #expect(Self.held(haircut, "B") == "2.73")
        #expect(Self.held(haircut, "D") == "2.27")
        #expect(Self.held(haircut, "A") == "0.00")
    }

    @Test func roundingIsHalfToEvenAndExactForHugeAmounts() {
        #expect(MinorUnits(5).scaled(by: 1, over: 2) == 2)  // 2.5 → 2
        #expect(MinorUnits(7).scaled(by: 1, over: 2) == 4)  // 3.5 → 4
        #expect(MinorUnits(10).scaled(by: 1, over: 3) == 3)
        // 10^26 wei × 10^26 / (2 × 10^26): the product overflows 128 bits, the result does not.
        let big = ExactDecimal.pow10(26)
        #expect(big.scaled(by: big, over: 2 * big) == big / 2)
        #expect(ExactDecimal.parse("120000000.000000000000000001", scale: 18) == ExactDecimal.pow10(26) * 12 / 10 + 1)
        #expect(ExactDecimal.format(ExactDecimal.pow10(26) * 12 / 10 + 1, scale: 18) == "120000000.000000000000000001")
        #expect(ExactDecimal.parse("1.234", scale: 2) == nil)  // never round money silently on import
        // Grouping marks only when the source declares them (bank profiles), and only in thousands positions.
        #expect(ExactDecimal.parse("48.000,00", scale: 2, decimalSeparator: ",", grouping: ".") == 4_800_000)
        #expect(ExactDecimal.parse("48.000,00", scale: 2, decimalSeparator: ",") == nil)
    }

    @Test func tiesInTimeAreOrderedById() throws {
        // Same minute: id "a" (clean in) applies before "b" (out), so FIFO sends the clean euro first.
        let ledger = Ledger(transfers: [
            Self.t("s", 1, "V", "M", "1.00"), Self.t("b", 2, "M", "X", "1.00"), Self.t("a", 2, "C", "M", "1.00"),
        ])
        let lifo = try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["s"]), policy: .lifo)
        #expect(Self.held(lifo, "X") == "0.00")  // "a" arrived before "b" left, and LIFO takes it
        #expect(Self.held(lifo, "M") == "1.00")
    }

    @Test func fromAccountSinceSeedsEveryLaterTransferOut() throws {
        let ledger = Ledger(transfers: [
            Self.t("1", 1, "V", "A", "10.00"), Self.t("2", 5, "V", "B", "20.00"), Self.t("3", 6, "V", "C", "1.00"),
        ])
        let r = try TaintTracer.run(ledger, seeds: TraceSeeds(fromAccount: "V", since: 5 * 60_000), policy: .haircut)
        #expect(r.seeds == ["2", "3"])
        #expect(r.conservation.injected == 2100)
    }

    @Test func untilEvaluatesBalancesAtThatTime() throws {
        let r = try TaintTracer.run(
            Self.threeSeven, seeds: TraceSeeds(transferIDs: ["1"]), policy: .fifo, until: 2 * 60_000)
        #expect(Self.held(r, "M") == "3.00")
        #expect(r.transfersApplied == 2)
    }

    /// Random ledgers: taint is conserved exactly under haircut, FIFO and LIFO; value under all four; and
    /// renaming every account changes nothing but the names.
    @Test func conservationAndRenamingInvarianceOnRandomLedgers() throws {
        var rng = SplitMix(seed: 42)
        for round in 0..<20 {
            let accounts = (0..<12).map { "acc\($0)" }
            var transfers: [Transfer] = []
            for k in 0..<300 {
                let a = accounts[Int(rng.next() % 12)]
                var b = accounts[Int(rng.next() % 12)]
                if a == b { b = accounts[(accounts.firstIndex(of: a)! + 1) % 12] }
                let cents = MinorUnits(rng.next() % 100_000 + 1)
                transfers.append(
                    Transfer(
                        id: String(format: "t%04d", k), time: Int64(rng.next() % 200) * 1000, from: a, to: b,
                        amount: cents, asset: "EUR", scale: 2, source: Self.src))
            }
            let ledger = Ledger(transfers: transfers)
            let seeds = TraceSeeds(transferIDs: Set(transfers.prefix(5).map(\.id)))
            let rename = Dictionary(uniqueKeysWithValues: accounts.map { ($0, "renamed-" + String($0.reversed())) })
            let renamed = Ledger(
                transfers: transfers.map {
                    var t = $0; t.from = rename[t.from]!; t.to = rename[t.to]!; return t
                })
            for policy in TaintPolicy.allCases {
                let r = try TaintTracer.run(ledger, seeds: seeds, policy: policy)
                #expect(r.conservation.valueConserved, "round \(round) \(policy)")
                #expect(r.conservation.balanced, "round \(round) \(policy)")
                if policy != .poison { #expect(r.conservation.held == r.conservation.injected) }
                let r2 = try TaintTracer.run(renamed, seeds: seeds, policy: policy)
                let mapped = r.accounts.map { a -> AccountTaint in
                    var a = a
                    a.account = rename[a.account]!
                    a.taintedArrivals = a.taintedArrivals.map {
                        var e = $0; e.from = rename[e.from]!; return e
                    }
                    return a
                }
                let same = mapped.sorted { $0.account < $1.account } == r2.accounts
                #expect(same, "round \(round) \(policy)")
            }
        }
    }
}
