extension PatternIndex {
    private struct Hop {
        /// The payment that carries the money on.
        var main: Int32
        /// The account's payments out for this hop (main and peels): `outs[range]`.
        var range: Range<Int>
    }

    /// Peel chains: at least `minimum` consecutive peel hops.
    ///
    /// A *peel hop* starts with a transfer in of X to account B. B's *payments for it* are its transfers out
    /// after it, before B's next transfer in, and at most `window` after it. The hop holds when there are at
    /// least two such payments, together no more than X; the largest (the earliest of equal ones) carries at least
    /// `percent` % of X on, and not back to the sender; the others are the peels. The hop's largest payment is
    /// the transfer in of the next hop. Chains are followed from transfers in that are not themselves the
    /// largest payment of a hop, so a finding is a whole chain, never a part of one.
    func peelChainFindings(percent: Int, minimum: Int, window: Int64) -> [PatternFinding] {
        var hops: [Int32: Hop] = [:]
        for b in 0..<accountCount {
            let received = ins(of: b)
            let paid = outs(of: b)
            guard !received.isEmpty, paid.count >= 2 else { continue }
            var o = paid.startIndex
            for k in received.indices {
                let x = received[k]
                let nextIn = k + 1 < received.endIndex ? received[k + 1] : Int32.max
                while o < paid.endIndex && paid[o] < x { o += 1 }
                let deadline = time[Int(x)] + window
                var end = o
                while end < paid.endIndex && paid[end] < nextIn && time[Int(paid[end])] <= deadline { end += 1 }
                guard end - o >= 2 else { continue }
                var main = paid[o]
                var spent: MinorUnits = 0
                for e in paid[o..<end] {
                    spent += amount[Int(e)]
                    if amount[Int(e)] > amount[Int(main)] { main = e }
                }
                guard spent <= amount[Int(x)], to[Int(main)] != from[Int(x)],
                    Share.atLeast(amount[Int(main)], percent, of: amount[Int(x)])
                else { continue }
                hops[x] = Hop(main: main, range: o..<end)
            }
        }
        let mains = Set(hops.values.map(\.main))
        var findings: [PatternFinding] = []
        for head in hops.keys.sorted() where !mains.contains(head) {
            var chain: [(x: Int32, hop: Hop)] = []
            var x = head
            while let hop = hops[x] {
                chain.append((x, hop))
                x = hop.main
            }
            if chain.count >= minimum {
                findings.append(peelChainFinding(chain, percent: percent, minimum: minimum, window: window))
            }
        }
        return findings
    }

    private func peelChainFinding(_ chain: [(x: Int32, hop: Hop)], percent: Int, minimum: Int, window: Int64)
        -> PatternFinding
    {
        var evidence: [(role: String, position: Int32)] = [("in", chain[0].x)]
        var peeled: MinorUnits = 0
        var peels = 0
        for (i, link) in chain.enumerated() {
            evidence.append(("hop \(i + 1)", link.hop.main))
            for e in outs[link.hop.range] where e != link.hop.main {
                peeled += amount[Int(e)]
                peels += 1
                evidence.append(("peel \(i + 1)", e))
            }
        }
        let accounts = [to[Int(chain[0].x)]] + chain.map { to[Int($0.hop.main)] }
        let entered = amount[Int(chain[0].x)]
        let reached = amount[Int(chain.last!.hop.main)]
        let reason =
            "\(money(entered)) entered at \(names[Int(accounts[0])]) and went through \(chain.count) hops "
            + "(\(accounts.map { names[Int($0)] }.joined(separator: " → "))); at each hop at least \(percent)% went on to the next "
            + "account and the rest was peeled off elsewhere (\(money(peeled)) in \(peels) peel\(peels == 1 ? "" : "s")); "
            + "\(money(reached)) reached \(names[Int(accounts.last!)]) (flagged at \(minimum) hops, each within "
            + "\(PatternWindow.format(window)))"
        return finding(
            .peelChain, accounts: accounts, total: entered, reason: reason,
            figures: [
                PatternFigure("hops", .count(chain.count)), PatternFigure("entered", .amount(entered)),
                PatternFigure("peeled", .amount(peeled)), PatternFigure("peels", .count(peels)),
                PatternFigure("reached", .amount(reached)),
            ],
            evidence: evidence)
    }
}
