import Foundation
import Testing

@testable import ProceedsGraph

@Suite struct PathTests {
    static func t(_ id: String, _ minute: Int64, _ from: String, _ to: String, _ euros: String) -> Transfer {
        TraceTests.t(id, minute, from, to, euros)
    }

    /// A→B→C (60 wide), A→B→D→C (30 wide), A→C (10); C→E happens before anything reaches C.
    static let ledger = Ledger(transfers: [
        t("t1", 1, "A", "B", "100.00"), t("t2", 2, "B", "C", "60.00"), t("t3", 3, "B", "D", "30.00"),
        t("t4", 4, "D", "C", "30.00"), t("t5", 0, "C", "E", "50.00"), t("t6", 5, "A", "C", "10.00"),
        t("t7", 6, "C", "B", "5.00"),
    ])

    static func ids(_ p: FlowPath) -> [String] { p.transfers.map { ledger.transfers[$0].id } }

    @Test func pathsWidestFirstWithinTheHopLimit() throws {
        let g = try TemporalGraph(Self.ledger, asset: nil)
        let three = FlowPaths.paths(g, ledger: Self.ledger, from: g.node("A")!, to: g.node("C")!, maxHops: 3, limit: 10)
        #expect(three.paths.map(Self.ids) == [["t1", "t2"], ["t1", "t3", "t4"], ["t6"]])
        #expect(three.paths.map(\.bottleneck) == [6000, 3000, 1000])
        #expect(!three.truncated)
        let two = FlowPaths.paths(g, ledger: Self.ledger, from: g.node("A")!, to: g.node("C")!, maxHops: 2, limit: 10)
        #expect(two.paths.map(Self.ids) == [["t1", "t2"], ["t6"]])
        let one = FlowPaths.paths(g, ledger: Self.ledger, from: g.node("A")!, to: g.node("C")!, maxHops: 3, limit: 1)
        #expect(one.paths.count == 1 && one.truncated)
        // E is paid by C before any money reaches C: no time-respecting path.
        #expect(
            FlowPaths.paths(g, ledger: Self.ledger, from: g.node("A")!, to: g.node("E")!, maxHops: 6, limit: 10).paths
                .isEmpty)
    }

    @Test func reachKeepsFewestHopsAndEarliestArrival() throws {
        let g = try TemporalGraph(Self.ledger, asset: nil)
        let one = FlowPaths.reach(g, from: g.node("A")!, maxHops: 1)
        #expect(one.map(\.account) == ["B", "C"])
        let two = FlowPaths.reach(g, from: g.node("A")!, maxHops: 2)
        #expect(two.map(\.account) == ["B", "C", "D"])
        let c = two.first { $0.account == "C" }!
        // one hop via t6, but t2 arrives first
        #expect(c.hops == 1 && Self.ledger.transfers[c.firstTransfer].id == "t2")
        #expect(!FlowPaths.reach(g, from: g.node("A")!, maxHops: 6).contains { $0.account == "E" })
    }

    /// Brute force: every time-respecting simple path, by trying every sequence of transfers.
    static func bruteForce(_ l: Ledger, from: String, to: String, maxHops: Int) -> Set<[String]> {
        let sorted = l.transfers.sorted(by: Transfer.applicationOrder)
        var out = Set<[String]>()
        func go(_ at: String, _ after: Int, _ path: [Transfer], _ seen: Set<String>) {
            guard path.count < maxHops else { return }
            for k in (after + 1)..<sorted.count where sorted[k].from == at && !seen.contains(sorted[k].to) {
                let p = path + [sorted[k]]
                if sorted[k].to == to {
                    out.insert(p.map(\.id))
                } else {
                    go(sorted[k].to, k, p, seen.union([sorted[k].to]))
                }
            }
        }
        go(from, -1, [], [from])
        return out
    }

    @Test func pathsAndReachAgreeWithBruteForceOnRandomLedgers() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var transfers: [Transfer] = []
            for k in 0..<60 {
                let a = Int.random(in: 0..<8, using: &rng)
                let b = (a + Int.random(in: 1..<8, using: &rng)) % 8
                transfers.append(
                    Self.t(
                        "x\(k)", Int64.random(in: 0..<30, using: &rng), "N\(a)", "N\(b)",
                        "\(Int.random(in: 1...500, using: &rng)).00"))
            }
            let l = Ledger(transfers: transfers)
            let g = try TemporalGraph(l, asset: nil)
            guard let s = g.node("N0") else { continue }
            for target in g.names where target != "N0" {
                let listed = FlowPaths.paths(g, ledger: l, from: s, to: g.node(target)!, maxHops: 4, limit: .max)
                let expected = Self.bruteForce(l, from: "N0", to: target, maxHops: 4)
                #expect(Set(listed.paths.map { $0.transfers.map { l.transfers[$0].id } }) == expected)
                #expect(listed.paths.count == expected.count)
            }
            // Many sources over several threads give, in order, what one search per source gives.
            let nodes = g.names.compactMap { g.node($0) }
            #expect(
                FlowPaths.reach(g, from: nodes, maxHops: 4, threads: 3)
                    == nodes.map { FlowPaths.reach(g, from: $0, maxHops: 4) })
            let reached = Set(FlowPaths.reach(g, from: s, maxHops: 4).map(\.account))
            let expected = Set(
                g.names.filter { $0 != "N0" && !Self.bruteForce(l, from: "N0", to: $0, maxHops: 4).isEmpty })
            #expect(reached == expected)
        }
    }
}
