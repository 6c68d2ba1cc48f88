/// The four tracing policies as `docs/tracing-policies.md` defines them, worked out by the generator over the
/// transfers it planted — its own few lines of exact integer arithmetic, written from the definitions and not
/// from ProceedsGraph, so the answer key is a second opinion the tests hold the tool to.
///
/// The scenarios keep this arithmetic small on purpose: taint enters through one seed, background transfers
/// never touch an account after taint reached it, and no two planted transfers of an account share a time.
enum Policy: String, CaseIterable, Codable, Sendable {
    case poison, haircut, fifo, lifo
}

enum ExpectedTaint {
    /// Tainted holdings at the end, per account that ever received taint, per policy (minor units).
    static func accounts(_ transfers: [PlannedTransfer], seeds: Set<String>) -> [String: [Policy: Int64]] {
        let ordered = transfers.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        var result: [String: [Policy: Int64]] = [:]
        for policy in Policy.allCases {
            for (account, held) in run(ordered, seeds: seeds, policy: policy) {
                result[account, default: [:]][policy] = held
            }
        }
        // An account taint reached under one policy holds none under a policy that never reached it.
        return result.mapValues { h in Dictionary(uniqueKeysWithValues: Policy.allCases.map { ($0, h[$0] ?? 0) }) }
    }

    private struct Lot {
        var amount: Int64
        var tainted: Bool
    }

    private static func run(_ ordered: [PlannedTransfer], seeds: Set<String>, policy: Policy) -> [String: Int64] {
        // Opening lots: what an account must have held before its first transfer never to go below zero.
        var running: [String: Int64] = [:]
        var lowest: [String: Int64] = [:]
        for t in ordered {
            running[t.from, default: 0] -= t.amount
            lowest[t.from] = min(lowest[t.from] ?? 0, running[t.from]!)
            running[t.to, default: 0] += t.amount
        }
        var balance: [String: Int64] = lowest.mapValues { -$0 }
        var lots: [String: [Lot]] = balance.filter { $0.value > 0 }.mapValues { [Lot(amount: $0, tainted: false)] }
        var tainted: [String: Int64] = [:]
        var poisoned: Set<String> = []
        var touched: Set<String> = []
        for t in ordered {
            let seed = seeds.contains(t.id)
            switch policy {
            case .poison:
                if seed || poisoned.contains(t.from) { poisoned.insert(t.to) }
            case .haircut:
                let had = tainted[t.from] ?? 0
                let x = had == 0 ? 0 : halfEven(t.amount, times: had, over: balance[t.from] ?? 0)
                tainted[t.from] = had - x
                tainted[t.to, default: 0] += seed ? t.amount : x
            case .fifo, .lifo:
                var need = t.amount
                var pieces: [Lot] = []
                var queue = lots[t.from] ?? []
                while need > 0 && !queue.isEmpty {
                    let k = policy == .fifo ? 0 : queue.count - 1
                    let take = min(need, queue[k].amount)
                    pieces.append(Lot(amount: take, tainted: queue[k].tainted))
                    queue[k].amount -= take
                    need -= take
                    if queue[k].amount == 0 { queue.remove(at: k) }
                }
                precondition(need == 0, "planned account \(t.from) overdrawn")
                lots[t.from] = queue
                lots[t.to, default: []] += seed ? [Lot(amount: t.amount, tainted: true)] : pieces
            }
            balance[t.from, default: 0] -= t.amount
            balance[t.to, default: 0] += t.amount
            if seed || poisoned.contains(t.to) || (tainted[t.to] ?? 0) > 0
                || (lots[t.to] ?? []).contains(where: \.tainted)
            {
                touched.insert(t.to)
            }
        }
        var held: [String: Int64] = [:]
        for a in touched {
            switch policy {
            case .poison: held[a] = balance[a] ?? 0
            case .haircut: held[a] = tainted[a] ?? 0
            case .fifo, .lifo: held[a] = (lots[a] ?? []).filter(\.tainted).reduce(0) { $0 + $1.amount }
            }
        }
        return held
    }

    /// `amount × part / whole`, rounded to the nearest integer, ties to even.
    static func halfEven(_ amount: Int64, times part: Int64, over whole: Int64) -> Int64 {
        precondition(whole > 0 && amount >= 0 && part >= 0)
        let product = amount.multipliedFullWidth(by: part)
        let (q, r) = whole.dividingFullWidth(product)
        if 2 * r > whole || (2 * r == whole && q % 2 == 1) { return q + 1 }
        return q
    }
}

/// The same, per transaction output, for a bitcoin-etl ledger (`docs/tracing-policies.md`, "UTXO").
///
/// The crypto legs are planned so that every haircut split is exact (the tainted share of each part is a whole
/// number of satoshi), so no apportionment rule is needed to state the answer.
enum ExpectedUTXOTaint {
    /// Tainted value held per address at the end (unspent outputs), per policy, and the taint paid as fees.
    static func addresses(_ txs: [PlannedBitcoinTransaction], seeds: Set<String>) -> (
        held: [String: [Policy: Int64]], fees: [Policy: Int64]
    ) {
        var held: [String: [Policy: Int64]] = [:]
        var fees: [Policy: Int64] = [:]
        for policy in Policy.allCases {
            let (h, f, _) = run(txs, seeds: seeds, policy: policy)
            for (a, v) in h { held[a, default: [:]][policy] = v }
            fees[policy] = f
        }
        return (
            held.mapValues { h in Dictionary(uniqueKeysWithValues: Policy.allCases.map { ($0, h[$0] ?? 0) }) }, fees
        )
    }

    private struct Lot {
        var amount: Int64
        var tainted: Bool
    }

    /// One output that carried taint: where it went, the transaction's first input address (the sender
    /// `docs/clustering.md` takes for every output), and how much of it was tainted.
    struct Arrival {
        var address: String
        var from: String
        var tainted: Int64
    }

    /// Every output that carried taint, per policy, in chain order.
    static func arrivals(_ txs: [PlannedBitcoinTransaction], seeds: Set<String>) -> [Policy: [Arrival]] {
        Dictionary(uniqueKeysWithValues: Policy.allCases.map { ($0, run(txs, seeds: seeds, policy: $0).2) })
    }

    private static func run(_ txs: [PlannedBitcoinTransaction], seeds: Set<String>, policy: Policy) -> (
        [String: Int64], Int64, [Arrival]
    ) {
        var unspent: [String: (address: String, lots: [Lot])] = [:]
        var fees: Int64 = 0
        var arrivals: [Arrival] = []
        var touched: Set<String> = []
        for tx in txs.sorted(by: { ($0.time, $0.block, $0.index) < ($1.time, $1.block, $1.index) }) {
            let inputLots = tx.inputs.map { i in
                unspent.removeValue(forKey: "\(i.spentTransaction):\(i.spentOutput)")?.lots ?? [
                    Lot(amount: i.value, tainted: false)
                ]
            }
            let taintIn = inputLots.joined().filter(\.tainted).reduce(0) { $0 + $1.amount }
            let parts = tx.outputs.map(\.value) + [tx.fee]
            var shares: [[Lot]]
            let seeded = (0..<tx.outputs.count).filter { seeds.contains("\(tx.hash):\($0)") || seeds.contains(tx.hash) }
            if !seeded.isEmpty {
                shares = parts.enumerated().map { k, v in [Lot(amount: v, tainted: seeded.contains(k))] }
            } else {
                switch policy {
                case .poison:
                    shares = parts.map { [Lot(amount: $0, tainted: taintIn > 0)] }
                case .haircut:
                    let total = parts.reduce(0, +)
                    shares = parts.map { v in
                        let (t, r) = (v * taintIn).quotientAndRemainder(dividingBy: total)
                        precondition(r == 0, "planned haircut split is not exact")
                        return [Lot(amount: t, tainted: true), Lot(amount: v - t, tainted: false)]
                    }
                case .fifo, .lifo:
                    var queue = Array((policy == .lifo ? inputLots.reversed() : inputLots).joined())
                    shares = parts.map { v in
                        var need = v
                        var pieces: [Lot] = []
                        while need > 0 {
                            let take = min(need, queue[0].amount)
                            pieces.append(Lot(amount: take, tainted: queue[0].tainted))
                            queue[0].amount -= take
                            need -= take
                            if queue[0].amount == 0 { queue.removeFirst() }
                        }
                        return pieces
                    }
                }
            }
            for (k, o) in tx.outputs.enumerated() {
                unspent["\(tx.hash):\(k)"] = (o.address, shares[k])
                if shares[k].contains(where: { $0.tainted && $0.amount > 0 }) { touched.insert(o.address) }
                let t = shares[k].filter(\.tainted).reduce(0) { $0 + $1.amount }
                if t > 0 {
                    arrivals.append(Arrival(address: o.address, from: tx.inputs.first?.address ?? "", tainted: t))
                }
            }
            fees += shares[tx.outputs.count].filter(\.tainted).reduce(0) { $0 + $1.amount }
        }
        var held: [String: Int64] = [:]
        for a in touched { held[a] = 0 }
        for (_, u) in unspent where touched.contains(u.address) {
            held[u.address, default: 0] += u.lots.filter(\.tainted).reduce(0) { $0 + $1.amount }
        }
        return (held, fees, arrivals)
    }
}
