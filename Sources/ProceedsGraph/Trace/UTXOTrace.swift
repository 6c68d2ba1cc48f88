import Foundation
import IProceedsBase

/// One bitcoin-style transaction: inputs spending earlier outputs, new outputs, and the fee they leave.
package struct UTXOTransaction: Sendable, Equatable {
    package struct Input: Sendable, Equatable {
        package var spentTransaction: String
        package var spentOutput: Int
        package var address: String
        package var value: MinorUnits
    }
    package struct Output: Sendable, Equatable {
        package var index: Int
        package var address: String
        package var value: MinorUnits
    }

    package var hash: String
    package var time: Int64
    package var block: Int64
    package var indexInBlock: Int64
    package var inputs: [Input]
    package var outputs: [Output]
    package var isCoinbase: Bool
    package var source: SourceReference

    /// Input value less output value (zero for a coinbase).
    package var fee: MinorUnits {
        isCoinbase ? 0 : max(0, inputs.reduce(0) { $0 + $1.value } - outputs.reduce(0) { $0 + $1.value })
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Taint through UTXO transactions, per transaction, as the issue defines it:
/// - poison: any tainted input taints every output (and the fee) wholly;
/// - haircut: the tainted input value is spread over the outputs and the fee pro rata;
/// - fifo/lifo: the inputs' lots laid end to end in input order (reversed for lifo) are cut into the outputs in
///   output order, then the fee.
/// Splits use largest-remainder apportionment, so the tainted parts are whole satoshi that add up exactly.
/// Seeds are transaction hashes (all their outputs are wholly tainted) or `hash:index` (that output only); a
/// seed's fee stays clean. Taint paid as fees leaves the data set (`left`).
///
/// Conversions with another asset (``MixedTracer``) touch single outputs: an output that a conversion funded
/// (`carried`) lands with the conversion's tainted part, tainted piece first, or with what the transaction's inputs
/// give it when that is more (as an account transfer seeded in part does); an output that funds a conversion
/// (`converting`) hands the taint it landed with to the conversion (`converted`), and the coins stay with their
/// receiver clean: the money was spent on the purchase.
package enum UTXOTracer {
    private struct Lot {
        var amount: MinorUnits
        var tainted: Bool
    }

    package static func run(
        _ txs: [UTXOTransaction], seeds: Set<String>, policy: TaintPolicy, until: Int64? = nil, scale: Int = 8,
        asset: String = "BTC", carried: [String: CarriedTaint] = [:], converting: [String: String] = [:]
    ) throws -> TraceResult {
        let ordered = txs.filter { until == nil || $0.time <= until! }.sorted {
            ($0.time, $0.block, $0.indexInBlock, $0.hash) < ($1.time, $1.block, $1.indexInBlock, $1.hash)
        }
        func seeded(_ tx: UTXOTransaction) -> Bool {
            seeds.contains(tx.hash) || tx.outputs.contains { seeds.contains("\(tx.hash):\($0.index)") }
        }
        func receivesCarried(_ tx: UTXOTransaction) -> Bool {
            !carried.isEmpty && tx.outputs.contains { carried["\(tx.hash):\($0.index)"] != nil }
        }
        // A hash that several transactions carry (BIP 30 duplicate coinbases, a file given twice) cannot name a
        // seed: refused with its places rather than seeding each.
        var places: [String: [String]] = [:]
        for tx in txs where seeded(tx) { places[tx.hash, default: []].append("\(tx.source.file):\(tx.source.line)") }
        if let (hash, where_) = places.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
            throw ProceedsError(
                .invalidOption,
                "seed transaction \(hash) occurs \(where_.count) times (\(where_.joined(separator: ", "))); "
                    + "a seed must name one transaction: import only the file that holds the one you mean")
        }
        guard ordered.contains(where: { seeded($0) || receivesCarried($0) }) else {
            throw ProceedsError(.invalidOption, "no seed transaction found among the imported transactions")
        }
        struct OutKey: Hashable { var tx: String; var index: Int }
        var unspent: [OutKey: (address: String, lots: [Lot])] = [:]
        var received: [String: MinorUnits] = [:], sent: [String: MinorUnits] = [:]
        var injected: MinorUnits = 0, left: MinorUnits = 0
        var seedIDs: [String] = []
        var arrivals: [String: [TaintedArrival]] = [:]
        var valueConserved = true
        // What each conversion node received from the outputs that fund it.
        var intoConversion: [String: (tainted: MinorUnits, value: MinorUnits, arrivals: [TaintedArrival])] = [:]

        for tx in ordered {
            let isSeed = seeded(tx)
            if isSeed { seedIDs.append(tx.hash) }
            // Inputs: the lots of the outputs they spend (unknown outputs are clean).
            var inputLots: [[Lot]] = []
            for i in tx.inputs {
                let lots =
                    unspent.removeValue(forKey: OutKey(tx: i.spentTransaction, index: i.spentOutput))?.lots ?? [
                        Lot(amount: i.value, tainted: false)
                    ]
                let t = lots.filter(\.tainted).reduce(0) { $0 + $1.amount }
                if t > 0 { sent[i.address, default: 0] += t }
                inputLots.append(lots)
            }
            let taintIn = inputLots.joined().filter(\.tainted).reduce(0) { $0 + $1.amount }
            let parts = tx.outputs.map(\.value) + [tx.fee]  // the fee is the last part
            var shares: [[Lot]]
            if isSeed {
                // Seeded outputs are wholly tainted; others, and the fee, are clean.
                shares = parts.enumerated().map { k, v in
                    let whole = seeds.contains(tx.hash) && k < tx.outputs.count
                    let one = k < tx.outputs.count && seeds.contains("\(tx.hash):\(tx.outputs[k].index)")
                    return v > 0 ? [Lot(amount: v, tainted: whole || one)] : []
                }
                injected += shares.joined().filter(\.tainted).reduce(0) { $0 + $1.amount } - taintIn
            } else {
                switch policy {
                case .poison:
                    shares = parts.map { $0 > 0 ? [Lot(amount: $0, tainted: taintIn > 0)] : [] }
                case .haircut:
                    let total = parts.reduce(0, +)
                    let tainted = apportion(taintIn, over: parts, total: total)
                    shares = zip(parts, tainted).map { v, t in
                        [Lot(amount: t, tainted: true), Lot(amount: v - t, tainted: false)].filter { $0.amount > 0 }
                    }
                case .fifo, .lifo:
                    var queue = Array((policy == .lifo ? inputLots.reversed() : inputLots).joined())
                    var head = 0
                    shares = []
                    for v in parts {
                        var need = v
                        var pieces: [Lot] = []
                        while need > 0 && head < queue.count {
                            let take = min(need, queue[head].amount)
                            pieces.append(Lot(amount: take, tainted: queue[head].tainted))
                            queue[head].amount -= take
                            need -= take
                            if queue[head].amount == 0 { head += 1 }
                        }
                        // outputs beyond inputs (coinbase)
                        if need > 0 { pieces.append(Lot(amount: need, tainted: false)) }
                        shares.append(pieces)
                    }
                }
            }
            // Every part (each output, then the fee) must be exactly covered by its lots.
            for (part, lots) in zip(parts, shares) where lots.reduce(0, { $0 + $1.amount }) != part {
                valueConserved = false
            }
            for (k, out) in tx.outputs.enumerated() {
                let key = "\(tx.hash):\(out.index)"
                var lots = shares[k]
                var sender = tx.inputs.first?.address ?? "coinbase"
                if let c = carried[key] {
                    seedIDs.append(key)
                    let fromInputs = lots.filter(\.tainted).reduce(0) { $0 + $1.amount }
                    let part = min(max(c.tainted, 0), out.value)
                    if part > fromInputs {
                        // The conversion's part, tainted piece first; the inputs' taint in this output is part of it.
                        lots = [Lot(amount: part, tainted: true), Lot(amount: out.value - part, tainted: false)]
                            .filter { $0.amount > 0 }
                        injected += part - fromInputs
                        sender = c.node
                    }
                }
                let t = lots.filter(\.tainted).reduce(0) { $0 + $1.amount }
                if let node = converting[key] {
                    // Spent on the conversion: its taint goes into the conversion, not into the receiver's coins.
                    var into = intoConversion[node] ?? (0, 0, [])
                    into.tainted += t
                    into.value += out.value
                    if t > 0 {
                        into.arrivals.append(
                            TaintedArrival(transferID: key, time: tx.time, from: sender, tainted: t, source: tx.source))
                    }
                    intoConversion[node] = into
                    lots = out.value > 0 ? [Lot(amount: out.value, tainted: false)] : []
                } else if t > 0 {
                    received[out.address, default: 0] += t
                    arrivals[out.address, default: []].append(
                        TaintedArrival(transferID: key, time: tx.time, from: sender, tainted: t, source: tx.source))
                }
                unspent[OutKey(tx: tx.hash, index: out.index)] = (out.address, lots)
            }
            left += shares[tx.outputs.count].filter(\.tainted).reduce(0) { $0 + $1.amount }
        }
        var held: [String: MinorUnits] = [:], balance: [String: MinorUnits] = [:]
        for (_, u) in unspent {
            held[u.address, default: 0] += u.lots.filter(\.tainted).reduce(0) { $0 + $1.amount }
            balance[u.address, default: 0] += u.lots.reduce(0) { $0 + $1.amount }
        }
        let names = Set(received.keys).union(sent.keys).union(held.filter { $0.value > 0 }.keys)
        let accounts = names.sorted().map {
            AccountTaint(
                account: $0, taintedReceived: received[$0] ?? 0, taintedSent: sent[$0] ?? 0, taintedHeld: held[$0] ?? 0,
                balance: balance[$0] ?? 0, opening: 0, taintedArrivals: arrivals[$0] ?? [])
        }
        let totalHeld = held.values.reduce(0, +)
        let conversions = intoConversion.keys.sorted().compactMap { node -> AccountTaint? in
            let into = intoConversion[node]!
            guard into.tainted > 0 else { return nil }
            return AccountTaint(
                account: node, taintedReceived: into.tainted, taintedSent: 0, taintedHeld: into.tainted,
                balance: into.value, opening: 0, taintedArrivals: into.arrivals)
        }
        let converted = conversions.reduce(0) { $0 + $1.taintedHeld }
        let balanced =
            policy == .poison ? totalHeld + left + converted >= injected : totalHeld + left + converted == injected
        var conservation = Conservation(
            injected: injected, held: totalHeld, left: left, balanced: balanced, valueConserved: valueConserved)
        conservation.converted = converted
        return TraceResult(
            policy: policy, asset: asset, scale: scale, until: until, seeds: seedIDs, transfersApplied: ordered.count,
            accounts: accounts, conversions: conversions, conservation: conservation)
    }

    /// Taint that a conversion carries into one output: the conversion's node (the sender the output's arrival
    /// names) and the tainted part.
    package struct CarriedTaint: Sendable, Equatable {
        package var node: String
        package var tainted: MinorUnits

        package init(node: String, tainted: MinorUnits) {
            self.node = node
            self.tainted = tainted
        }
    }

    /// Splits `amount` over `parts` in proportion to their values, in whole units that add up to `amount`
    /// exactly (largest remainder; ties to the earlier part). Each share is at most its part.
    static func apportion(_ amount: MinorUnits, over parts: [MinorUnits], total: MinorUnits) -> [MinorUnits] {
        guard amount > 0, total > 0 else { return parts.map { _ in 0 } }
        var shares: [MinorUnits] = []
        var remainders: [(MinorUnits, Int)] = []
        for (i, v) in parts.enumerated() {
            let exact = UInt128(v).multipliedFullWidth(by: UInt128(amount))
            let (q, r) = UInt128(total).dividingFullWidth(exact)
            shares.append(MinorUnits(q))
            remainders.append((MinorUnits(r), i))
        }
        var missing = amount - shares.reduce(0, +)
        for (_, i) in remainders.sorted(by: { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }) where missing > 0 {
            shares[i] += 1
            missing -= 1
        }
        return shares
    }
}
