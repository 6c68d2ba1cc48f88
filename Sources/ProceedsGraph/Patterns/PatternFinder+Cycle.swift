extension PatternIndex {
    /// Strongly connected components of the account graph (an edge per transfer): only accounts of one
    /// component with more than one account can lie on a cycle. Iterative Tarjan, O(accounts + transfers).
    func components() -> (component: [Int32], size: [Int]) {
        let n = accountCount
        var index = [Int32](repeating: -1, count: n)
        var low = [Int32](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int32] = []
        var component = [Int32](repeating: -1, count: n)
        var size: [Int] = []
        var next: Int32 = 0
        var frames: [(v: Int32, edge: Int)] = []
        for root in 0..<n where index[root] < 0 {
            frames.append((Int32(root), outStart[root]))
            index[root] = next
            low[root] = next
            next += 1
            stack.append(Int32(root))
            onStack[root] = true
            while let frame = frames.last {
                let v = Int(frame.v)
                if frame.edge < outStart[v + 1] {
                    frames[frames.count - 1].edge += 1
                    let w = Int(to[Int(outs[frame.edge])])
                    if index[w] < 0 {
                        index[w] = next
                        low[w] = next
                        next += 1
                        stack.append(Int32(w))
                        onStack[w] = true
                        frames.append((Int32(w), outStart[w]))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last { low[Int(parent.v)] = min(low[Int(parent.v)], low[v]) }
                if low[v] == index[v] {
                    let id = Int32(size.count)
                    var members = 0
                    while true {
                        let w = Int(stack.removeLast())
                        onStack[w] = false
                        component[w] = id
                        members += 1
                        if w == v { break }
                    }
                    size.append(members)
                }
            }
        }
        return (component, size)
    }

    /// What the cycle search left out to stay bounded.
    struct CycleTruncation {
        /// Account cycles found but not reported: an account on them already had `perAccount` cycle findings,
        /// or `total` were reported.
        var cyclesDropped = 0
        /// Instances of reported cycles beyond the `instancesKept` listed as evidence (still counted in figures).
        var instancesNotListed = 0
        /// Start transfers not searched because the total cap was reached.
        var startsNotSearched = 0
    }

    /// Time-respecting cycles: transfers t₁ … t_k (2 ≤ k ≤ `maxHops`) where t₁ leaves account A, each tᵢ₊₁
    /// leaves the account tᵢ reached, comes later in application order (so no earlier in time), t_k returns
    /// to A, no account but A is visited twice, and t_k is at most `window` after t₁.
    ///
    /// Every transfer between two accounts of one strongly connected component starts a depth-first search.
    /// At each account only the earliest eligible transfer to each next account is followed: any cycle
    /// through a later one also exists through the earliest, so each account cycle reachable from a start is
    /// found once. A search examines at most `limit` transfers; one that hits the limit is stopped and counted.
    /// Instances of the same account cycle (the same accounts in the same circular order) are one finding.
    ///
    /// Memory and output stay bounded on dense ledgers (where the number of account cycles grows exponentially
    /// with the hops): at most `perAccount` cycle findings name any one account, at most `total` are reported
    /// (the search stops there), and each lists at most `instancesKept` instances as evidence. What was left out
    /// is counted in the ``CycleTruncation``.
    func cycleFindings(
        window: Int64, maxHops: Int, limit: Int, perAccount: Int = Int.max, total: Int = Int.max,
        instancesKept: Int = Int.max
    ) -> (findings: [PatternFinding], capped: [Int32], truncation: CycleTruncation) {
        let (component, size) = components()
        var search = CycleSearch(index: self, component: component, window: window, maxHops: maxHops, limit: limit)
        var capped: [Int32] = []
        var truncation = CycleTruncation()
        struct Group {
            var instances: [[Int32]] = []
            var count = 0
            var starts = Set<Int32>()
            var closes = Set<Int32>()
        }
        // Group instances by account cycle: the rotation that starts at the lowest account number.
        var groups: [[Int32]: Group] = [:]
        var perAccountCount = [Int](repeating: 0, count: accountCount)
        for p in 0..<count {
            let a = Int(from[p])
            guard size[Int(component[a])] > 1, component[a] == component[Int(to[p])] else { continue }
            if groups.count >= total {
                truncation.startsNotSearched += 1
                continue
            }
            if !search.run(from: Int32(p)) { capped.append(Int32(p)) }
            for instance in search.instances {
                let accounts = instance.map { from[Int($0)] }
                let k = accounts.indices.min { accounts[$0] < accounts[$1] }!
                let key = Array(accounts[k...] + accounts[..<k])
                if groups[key] == nil {
                    guard groups.count < total, key.allSatisfy({ perAccountCount[Int($0)] < perAccount }) else {
                        truncation.cyclesDropped += 1
                        continue
                    }
                    for a in key { perAccountCount[Int(a)] += 1 }
                    groups[key] = Group()
                }
                groups[key]!.count += 1
                groups[key]!.starts.insert(instance.first!)
                groups[key]!.closes.insert(instance.last!)
                if groups[key]!.instances.count < instancesKept {
                    groups[key]!.instances.append(instance)
                } else {
                    truncation.instancesNotListed += 1
                }
            }
            search.instances.removeAll(keepingCapacity: true)
        }
        let findings = groups.values.map {
            cycleFinding(
                $0.instances.sorted { $0[0] < $1[0] }, count: $0.count, starts: $0.starts, closes: $0.closes,
                window: window, maxHops: maxHops)
        }
        return (findings, capped, truncation)
    }

    private func cycleFinding(
        _ instances: [[Int32]], count: Int, starts: Set<Int32>, closes: Set<Int32>, window: Int64, maxHops: Int
    ) -> PatternFinding {
        let first = instances[0]
        let accounts = first.map { from[Int($0)] }
        let hopOf = Dictionary(uniqueKeysWithValues: accounts.enumerated().map { ($1, $0 + 1) })
        var evidence: [(role: String, position: Int32)] = []
        for instance in instances {
            for p in instance { evidence.append(("hop \(hopOf[from[Int(p)]]!)", p)) }
        }
        let sent = starts.reduce(MinorUnits(0)) { $0 + amount[Int($1)] }
        let returned = closes.reduce(MinorUnits(0)) { $0 + amount[Int($1)] }
        let loop = (accounts + [accounts[0]]).map { names[Int($0)] }.joined(separator: " → ")
        let firstOut = amount[Int(first.first!)]
        let firstBack = amount[Int(first.last!)]
        let duration = time[Int(first.last!)] - time[Int(first.first!)]
        var reason =
            "funds went round \(loop) (\(accounts.count) hops): \(money(firstOut)) left \(names[Int(accounts[0])]) and "
            + "\(money(firstBack)) came back \(PatternWindow.format(duration)) later"
        if count > 1 {
            reason += "; \(count) times in all, \(money(sent)) sent round and \(money(returned)) back"
        }
        if count > instances.count { reason += " (the first \(instances.count) instances are listed)" }
        reason +=
            " (cycles of up to \(maxHops) hops within \(PatternWindow.format(window)), each hop no earlier than the last)"
        return finding(
            .cycle, accounts: accounts, total: sent, reason: reason,
            figures: [
                PatternFigure("hops", .count(accounts.count)), PatternFigure("instances", .count(count)),
                PatternFigure("sent", .amount(sent)), PatternFigure("returned", .amount(returned)),
                PatternFigure("first_duration_seconds", .seconds(duration / 1000)),
            ],
            evidence: evidence)
    }
}

/// The depth-first search of ``PatternIndex/cycleFindings(window:maxHops:limit:)``, with its scratch arrays
/// kept across starts.
private struct CycleSearch {
    let index: PatternIndex
    let component: [Int32]
    let window: Int64
    let maxHops: Int
    let limit: Int
    var onPath: [Bool]
    /// `stamp[v] == current node's stamp`: this node already followed a transfer to v.
    var stamp: [Int]
    var nextStamp = 0
    var path: [Int32] = []
    var budget = 0
    var instances: [[Int32]] = []

    init(index: PatternIndex, component: [Int32], window: Int64, maxHops: Int, limit: Int) {
        self.index = index
        self.component = component
        self.window = window
        self.maxHops = maxHops
        self.limit = limit
        onPath = [Bool](repeating: false, count: index.accountCount)
        stamp = [Int](repeating: -1, count: index.accountCount)
    }

    /// Searches the cycles that start with transfer `p`; `false` when the search was stopped at the limit.
    mutating func run(from p: Int32) -> Bool {
        let origin = index.from[Int(p)]
        let first = index.to[Int(p)]
        budget = limit
        path = [p]
        onPath[Int(origin)] = true
        onPath[Int(first)] = true
        let complete = extend(at: first, after: p, origin: origin, deadline: index.time[Int(p)] + window)
        onPath[Int(origin)] = false
        onPath[Int(first)] = false
        return complete
    }

    private mutating func extend(at u: Int32, after q: Int32, origin: Int32, deadline: Int64) -> Bool {
        let outs = index.outs(of: Int(u))
        // The first transfer out of u later than q.
        var lo = outs.startIndex
        var hi = outs.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if outs[mid] <= q { lo = mid + 1 } else { hi = mid }
        }
        let myStamp = nextStamp
        nextStamp += 1
        let targetComponent = component[Int(origin)]
        for k in lo..<outs.endIndex {
            let e = outs[k]
            if index.time[Int(e)] > deadline { break }
            budget -= 1
            if budget < 0 { return false }
            let v = index.to[Int(e)]
            guard component[Int(v)] == targetComponent, stamp[Int(v)] != myStamp else { continue }
            stamp[Int(v)] = myStamp
            if v == origin {
                instances.append(path + [e])
                continue
            }
            guard !onPath[Int(v)], path.count + 1 < maxHops else { continue }
            path.append(e)
            onPath[Int(v)] = true
            let complete = extend(at: v, after: e, origin: origin, deadline: deadline)
            onPath[Int(v)] = false
            path.removeLast()
            if !complete { return false }
        }
        return true
    }
}
