extension PatternIndex {
    /// Structuring: at least `minimum` transfers into (or out of) one account within `window`, each *just under*
    /// the threshold — `threshold × (100 − margin) / 100 ≤ amount < threshold` — with no transfer of that
    /// account in the same direction at or above the threshold between the first and the last of them.
    ///
    /// For each just-under transfer j, the window is the just-under transfers at most `window` before it and
    /// after the latest transfer at or above the threshold; windows with `minimum` transfers qualify, and
    /// qualifying windows that share a transfer are merged into one episode (one finding).
    func structuringFindings(threshold: MinorUnits, margin: Int, minimum: Int, window: Int64) -> [PatternFinding] {
        var findings: [PatternFinding] = []
        guard threshold > 0 else { return findings }
        func near(_ v: MinorUnits) -> Bool { v < threshold && Share.atLeast(v, 100 - margin, of: threshold) }
        for incoming in [true, false] {
            for a in 0..<accountCount {
                let list = incoming ? ins(of: a) : outs(of: a)
                guard list.count >= minimum else { continue }
                var nearList: [Int32] = []
                var left = 0
                var episode: (start: Int, end: Int)?
                func emit(_ e: (start: Int, end: Int)) {
                    findings.append(
                        structuringFinding(
                            account: a, incoming: incoming, Array(nearList[e.start...e.end]), threshold: threshold,
                            margin: margin, minimum: minimum, window: window))
                }
                for p in list {
                    let v = amount[Int(p)]
                    if v >= threshold {
                        // Nothing before an at-or-above transfer can share a window with anything after it.
                        if let e = episode { emit(e) }
                        episode = nil
                        left = nearList.count
                        continue
                    }
                    guard near(v) else { continue }
                    nearList.append(p)
                    let j = nearList.count - 1
                    while time[Int(p)] - time[Int(nearList[left])] > window { left += 1 }
                    guard j - left + 1 >= minimum else { continue }
                    if let e = episode, left <= e.end {
                        episode = (e.start, j)
                    } else {
                        if let e = episode { emit(e) }
                        episode = (left, j)
                    }
                }
                if let e = episode { emit(e) }
            }
        }
        return findings
    }

    private func structuringFinding(
        account a: Int, incoming: Bool, _ positions: [Int32], threshold: MinorUnits, margin: Int, minimum: Int,
        window: Int64
    ) -> PatternFinding {
        let amounts = positions.map { amount[Int($0)] }
        let total = amounts.reduce(0, +)
        let parties = Set(positions.map { incoming ? from[Int($0)] : to[Int($0)] })
        let span = time[Int(positions.last!)] - time[Int(positions.first!)]
        // The smallest amount that counts as just under (rounded up: amount × 100 ≥ threshold × (100 − margin)).
        let floor = (threshold * MinorUnits(100 - margin) + 99) / 100
        let reason =
            (incoming ? "received" : "sent") + " \(positions.count) transfers of "
            + "\(ExactDecimal.format(amounts.min()!, scale: scale)) to \(money(amounts.max()!)) "
            + (incoming ? "from" : "to")
            + " \(parties.count) \(incoming ? "sender" : "receiver")\(parties.count == 1 ? "" : "s")"
            + " within \(PatternWindow.format(span)), totalling \(money(total)): each within \(margin)% below the "
            + "\(money(threshold)) threshold, and none at or above it (flagged at \(minimum) such transfers within "
            + "\(PatternWindow.format(window)))"
        return finding(
            .structuring, accounts: [Int32(a)], total: total, reason: reason,
            figures: [
                PatternFigure("direction", .text(incoming ? "in" : "out")),
                PatternFigure("transfers", .count(positions.count)),
                PatternFigure(incoming ? "senders" : "receivers", .count(parties.count)),
                PatternFigure("total", .amount(total)),
                PatternFigure("smallest", .amount(amounts.min()!)), PatternFigure("largest", .amount(amounts.max()!)),
                PatternFigure("threshold", .amount(threshold)), PatternFigure("band_from", .amount(floor)),
                PatternFigure("span_seconds", .seconds(span / 1000)),
            ],
            evidence: positions.map { (incoming ? "in" : "out", $0) })
    }
}
