extension PatternIndex {
    /// A finding whose evidence is given as (role, position); evidence is listed in application order, each
    /// transfer once (the first role given for it wins).
    func finding(
        _ kind: PatternKind, accounts: [Int32], total: MinorUnits, reason: String, figures: [PatternFigure],
        evidence: [(role: String, position: Int32)]
    ) -> PatternFinding {
        var seen = Set<Int32>()
        let sorted = evidence.filter { seen.insert($0.position).inserted }.sorted { $0.position < $1.position }
        return PatternFinding(
            id: "", kind: kind, asset: asset, scale: scale, accounts: accounts.map { names[Int($0)] },
            first: time[Int(sorted.first!.position)], last: time[Int(sorted.last!.position)], total: total,
            reason: reason, figures: figures,
            evidence: sorted.map { PatternEvidence(role: $0.role, transfer: transfer($0.position)) })
    }

    /// Fan-in (`incoming`) or fan-out: episodes in which at least `minimum` distinct counterparties pay (are paid
    /// by) one account within `window`.
    ///
    /// For each transfer j of the account, the window is every transfer of the account at most `window` before
    /// it. A window with `minimum` distinct counterparties qualifies; qualifying windows that share a transfer
    /// are merged into one episode, so each transfer is evidence of at most one finding per account.
    func fanFindings(incoming: Bool, window: Int64, minimum: Int) -> [PatternFinding] {
        var multiplicity = [Int32](repeating: 0, count: accountCount)
        var findings: [PatternFinding] = []
        let kind: PatternKind = incoming ? .fanIn : .fanOut
        for a in 0..<accountCount {
            let list = incoming ? ins(of: a) : outs(of: a)
            guard list.count >= minimum else { continue }
            let base = list.startIndex
            func party(_ k: Int) -> Int { Int(incoming ? from[Int(list[base + k])] : to[Int(list[base + k])]) }
            func t(_ k: Int) -> Int64 { time[Int(list[base + k])] }
            var left = 0
            var distinct = 0
            var episode: (start: Int, end: Int, peak: Int)?
            func emit(_ e: (start: Int, end: Int, peak: Int)) {
                findings.append(
                    fanFinding(
                        kind, account: a, list.dropFirst(e.start).prefix(e.end - e.start + 1), peak: e.peak,
                        window: window, minimum: minimum))
            }
            for j in 0..<list.count {
                let c = party(j)
                if multiplicity[c] == 0 { distinct += 1 }
                multiplicity[c] += 1
                while t(j) - t(left) > window {
                    let l = party(left)
                    multiplicity[l] -= 1
                    if multiplicity[l] == 0 { distinct -= 1 }
                    left += 1
                }
                guard distinct >= minimum else { continue }
                if let e = episode, left <= e.end {
                    episode = (e.start, j, max(e.peak, distinct))
                } else {
                    if let e = episode { emit(e) }
                    episode = (left, j, distinct)
                }
            }
            if let e = episode { emit(e) }
            for k in left..<list.count { multiplicity[party(k)] = 0 }
        }
        return findings
    }

    private func fanFinding(
        _ kind: PatternKind, account a: Int, _ positions: ArraySlice<Int32>, peak: Int, window: Int64, minimum: Int
    ) -> PatternFinding {
        let incoming = kind == .fanIn
        let parties = Set(positions.map { incoming ? from[Int($0)] : to[Int($0)] })
        let total = positions.reduce(MinorUnits(0)) { $0 + amount[Int($1)] }
        let span = time[Int(positions.last!)] - time[Int(positions.first!)]
        let who = incoming ? "senders" : "receivers"
        let reason =
            (incoming ? "received" : "sent") + " \(positions.count) transfers totalling \(money(total)) "
            + (incoming ? "from" : "to") + " \(parties.count) different \(who) within \(PatternWindow.format(span))"
            + " (up to \(peak) within any \(PatternWindow.format(window)); flagged at \(minimum) \(who) within \(PatternWindow.format(window)))"
        return finding(
            kind, accounts: [Int32(a)], total: total, reason: reason,
            figures: [
                PatternFigure("transfers", .count(positions.count)),
                PatternFigure(incoming ? "senders" : "receivers", .count(parties.count)),
                PatternFigure("peak_in_window", .count(peak)),
                PatternFigure(incoming ? "received" : "sent", .amount(total)),
                PatternFigure("span_seconds", .seconds(span / 1000)),
            ],
            evidence: positions.map { (incoming ? "in" : "out", $0) })
    }
}
