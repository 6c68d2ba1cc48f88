extension PatternIndex {
    private struct Lot {
        /// Position of the transfer in that brought the money, or -1 for the opening balance.
        var source: Int32
        var remaining: MinorUnits
    }

    /// Rapid pass-through: transfers in that are paid out again, to at least `percent`, within `window` of
    /// their arrival.
    ///
    /// Money is matched first in, first out — the rule of `trace run --policy fifo`: each account's balance is
    /// a queue of the transfers that brought it (after an opening balance just large enough that the account
    /// never goes below zero), and each payment out takes the oldest money first. The part of a transfer in
    /// that a payment out takes within `window` of its arrival is *forwarded*, unless that payment goes back to
    /// the account the money came from (a return, not a pass-through). A transfer in is *passed through* when
    /// `forwarded × 100 ≥ amount × percent`. Passed-through transfers into one account are grouped into
    /// episodes: an episode opens with the earliest one not yet grouped and takes every later one that arrives
    /// within `window` of it. One finding per episode.
    func passThroughFindings(window: Int64, percent: Int) -> [PatternFinding] {
        let m = count
        let n = accountCount
        var running = [MinorUnits](repeating: 0, count: n)
        var lowest = [MinorUnits](repeating: 0, count: n)
        for p in 0..<m {
            let s = Int(from[p])
            running[s] -= amount[p]
            if running[s] < lowest[s] { lowest[s] = running[s] }
            running[Int(to[p])] += amount[p]
        }
        running = []
        var lots: [[Lot]] = lowest.map { $0 < 0 ? [Lot(source: -1, remaining: -$0)] : [] }
        lowest = []
        var heads = [Int](repeating: 0, count: n)
        var forwarded = [MinorUnits](repeating: 0, count: m)
        // Forwarded pieces: which transfer in, carried on by which payment out, how much.
        var pieceIn: [Int32] = []
        var pieceOut: [Int32] = []
        var pieceAmount: [MinorUnits] = []
        for p in 0..<m {
            let s = Int(from[p])
            var need = amount[p]
            while need > 0 {
                let h = heads[s]
                precondition(h < lots[s].count, "the opening balance covers every payment out")
                let lot = lots[s][h]
                let take = min(need, lot.remaining)
                if lot.source >= 0 {
                    let source = Int(lot.source)
                    if time[p] - time[source] <= window && to[p] != from[source] {
                        forwarded[source] += take
                        pieceIn.append(lot.source)
                        pieceOut.append(Int32(p))
                        pieceAmount.append(take)
                    }
                }
                lots[s][h].remaining -= take
                need -= take
                if lots[s][h].remaining == 0 { heads[s] += 1 }
            }
            if heads[s] > 64 && heads[s] * 2 > lots[s].count {
                lots[s].removeFirst(heads[s])
                heads[s] = 0
            }
            lots[Int(to[p])].append(Lot(source: Int32(p), remaining: amount[p]))
        }
        lots = []

        // Pieces grouped by the transfer in they came from (a counting sort, keeping payment order).
        var pieceStart = [Int](repeating: 0, count: m + 1)
        for i in pieceIn { pieceStart[Int(i) + 1] += 1 }
        for p in 0..<m { pieceStart[p + 1] += pieceStart[p] }
        var fill = pieceStart
        var byIn = [Int](repeating: 0, count: pieceIn.count)
        for (k, i) in pieceIn.enumerated() {
            byIn[fill[Int(i)]] = k
            fill[Int(i)] += 1
        }
        fill = []

        func passed(_ p: Int) -> Bool { forwarded[p] > 0 && Share.atLeast(forwarded[p], percent, of: amount[p]) }

        var findings: [PatternFinding] = []
        for a in 0..<n {
            let list = ins(of: a)
            var k = list.startIndex
            while k < list.endIndex {
                guard passed(Int(list[k])) else {
                    k += 1
                    continue
                }
                let open = time[Int(list[k])]
                var episode: [Int32] = []
                var others: [Int32] = []
                while k < list.endIndex && time[Int(list[k])] - open <= window {
                    if passed(Int(list[k])) { episode.append(list[k]) } else { others.append(list[k]) }
                    k += 1
                }
                // Transfers in that did not pass through, but arrived between the episode's first and last.
                let lastIn = episode.last!
                others = others.filter { $0 < lastIn }
                findings.append(
                    passThroughFinding(account: a, episode, others: others, window: window, percent: percent) { p in
                        (pieceStart[p]..<pieceStart[p + 1]).map { byIn[$0] }.map { (pieceOut[$0], pieceAmount[$0]) }
                    })
            }
        }
        return findings
    }

    private func passThroughFinding(
        account a: Int, _ receipts: [Int32], others: [Int32], window: Int64, percent: Int,
        pieces: (Int) -> [(out: Int32, amount: MinorUnits)]
    ) -> PatternFinding {
        var received: MinorUnits = 0
        var carried: MinorUnits = 0
        var delays: [(delay: Int64, amount: MinorUnits)] = []
        var evidence: [(role: String, position: Int32)] = []
        var payments = Set<Int32>()
        for r in receipts {
            received += amount[Int(r)]
            evidence.append(("in", r))
            for piece in pieces(Int(r)) {
                carried += piece.amount
                delays.append((time[Int(piece.out)] - time[Int(r)], piece.amount))
                payments.insert(piece.out)
                evidence.append(("out", piece.out))
            }
        }
        // The amount-weighted median: the delay by which half of the forwarded money had left.
        delays.sort { $0.delay < $1.delay }
        var cumulative: MinorUnits = 0
        var median: Int64 = 0
        for d in delays {
            cumulative += d.amount
            if cumulative * 2 >= carried {
                median = d.delay
                break
            }
        }
        let longest = delays.last?.delay ?? 0
        let residual = received - carried
        let otherAmount = others.reduce(MinorUnits(0)) { $0 + amount[Int($1)] }
        var reason =
            "received \(money(received)) in \(receipts.count) transfer\(receipts.count == 1 ? "" : "s") and paid "
            + "\(money(carried)) (\(Share.percentText(carried, of: received))) of it out again within \(PatternWindow.format(window)) "
            + "of arrival, in \(payments.count) payment\(payments.count == 1 ? "" : "s"); \(money(residual)) stayed; half had left "
            + "within \(PatternWindow.format(median)) (flagged when at least \(percent)% of each transfer in leaves within "
            + "\(PatternWindow.format(window)))"
        if !others.isEmpty {
            reason +=
                "; in the same period \(others.count) other transfer\(others.count == 1 ? "" : "s") in (\(money(otherAmount))) stayed longer"
        }
        return finding(
            .passThrough, accounts: [Int32(a)], total: received, reason: reason,
            figures: [
                PatternFigure("transfers_in", .count(receipts.count)), PatternFigure("received", .amount(received)),
                PatternFigure("forwarded", .amount(carried)),
                PatternFigure("forwarded_percent", .basisPoints(Share.basisPoints(carried, of: received))),
                PatternFigure("residual", .amount(residual)), PatternFigure("payments_out", .count(payments.count)),
                PatternFigure("median_delay_seconds", .seconds(median / 1000)),
                PatternFigure("max_delay_seconds", .seconds(longest / 1000)),
                PatternFigure("other_transfers_in", .count(others.count)),
                PatternFigure("other_received", .amount(otherAmount)),
            ],
            evidence: evidence)
    }
}
