/// How taint follows money through an account. See `docs/tracing-policies.md` for worked examples.
package enum TaintPolicy: String, CaseIterable, Sendable {
    /// Once an account holds any taint, everything it sends is wholly tainted, and its whole balance counts.
    case poison
    /// An outgoing transfer is tainted in the sender's tainted/total proportion at that moment.
    case haircut
    /// The balance is a queue of lots; outgoing transfers consume the oldest lots first.
    case fifo
    /// The balance is a queue of lots; outgoing transfers consume the newest lots first.
    case lifo
}

/// Which transfers inject taint.
package struct TraceSeeds: Sendable {
    /// Transfers by id whose whole amount is tainted when it lands.
    package var transferIDs: Set<String>
    /// Every transfer out of this account at or after `since` is a seed.
    package var fromAccount: String?
    package var since: Int64?
    /// Transfers by id that land with the given tainted part (at most their amount): how taint carried across a
    /// conversion between assets enters the other asset's ledger.
    package var partial: [String: MinorUnits]

    package init(
        transferIDs: Set<String> = [], fromAccount: String? = nil, since: Int64? = nil,
        partial: [String: MinorUnits] = [:]
    ) {
        self.transferIDs = transferIDs
        self.fromAccount = fromAccount
        self.since = since
        self.partial = partial
    }
}

/// Taint figures of one account, in minor units.
package struct AccountTaint: Sendable, Equatable {
    package var account: String
    package var taintedReceived: MinorUnits
    package var taintedSent: MinorUnits
    package var taintedHeld: MinorUnits
    /// The account's balance at the end (opening lot included).
    package var balance: MinorUnits
    /// The clean funds the account is taken to have held before its first transfer.
    package var opening: MinorUnits
    /// Where the arrivals are kept: as rows of the ledger until someone asks (a haircut trace of a million
    /// transfers has close to a million tainted arrivals, and most reports never list them).
    var arrivals: Arrivals

    enum Arrivals: Sendable {
        case list([TaintedArrival])
        case rows(TransferTable, [ArrivalRecord])
    }

    struct ArrivalRecord: Sendable {
        var row: Int32
        var tainted: MinorUnits
    }

    package init(
        account: String, taintedReceived: MinorUnits, taintedSent: MinorUnits, taintedHeld: MinorUnits,
        balance: MinorUnits,
        opening: MinorUnits, taintedArrivals: [TaintedArrival] = []
    ) {
        self.init(
            account: account, taintedReceived: taintedReceived, taintedSent: taintedSent, taintedHeld: taintedHeld,
            balance: balance, opening: opening, arrivals: .list(taintedArrivals))
    }

    init(
        account: String, taintedReceived: MinorUnits, taintedSent: MinorUnits, taintedHeld: MinorUnits,
        balance: MinorUnits,
        opening: MinorUnits, arrivals: Arrivals
    ) {
        self.account = account
        self.taintedReceived = taintedReceived
        self.taintedSent = taintedSent
        self.taintedHeld = taintedHeld
        self.balance = balance
        self.opening = opening
        self.arrivals = arrivals
    }

    /// The transfers that brought taint in, with the tainted part of each, in application order.
    package var taintedArrivals: [TaintedArrival] {
        get {
            switch arrivals {
            case .list(let list): return list
            case .rows(let table, let records):
                return records.map { r in
                    let t = table[Int(r.row)]
                    return TaintedArrival(
                        transferID: t.id, time: t.time, from: t.from, tainted: r.tainted, source: t.source)
                }
            }
        }
        set { arrivals = .list(newValue) }
    }

    /// How many transfers brought taint in.
    package var arrivalCount: Int {
        switch arrivals {
        case .list(let list): return list.count
        case .rows(_, let records): return records.count
        }
    }

    package static func == (a: AccountTaint, b: AccountTaint) -> Bool {
        a.account == b.account && a.taintedReceived == b.taintedReceived && a.taintedSent == b.taintedSent
            && a.taintedHeld == b.taintedHeld && a.balance == b.balance && a.opening == b.opening
            && a.taintedArrivals == b.taintedArrivals
    }
}

/// One transfer that brought taint into an account: the evidence behind a figure.
package struct TaintedArrival: Sendable, Equatable {
    package var transferID: String
    package var time: Int64
    package var from: String
    package var tainted: MinorUnits
    package var source: SourceReference
}

/// The conservation check every run makes.
package struct Conservation: Sendable, Equatable {
    /// Taint brought in by the seeds.
    package var injected: MinorUnits
    /// Taint held by all accounts at the end.
    package var held: MinorUnits
    /// Taint that left the data set (none can, in an account ledger: every receiver is an account of it).
    package var left: MinorUnits
    /// Taint that left this asset through conversions into another (held by the conversion, not by an account).
    package var converted: MinorUnits = 0
    /// Whether held + left equals injected. Poison does not conserve taint by design: there this says whether
    /// held is at least injected.
    package var balanced: Bool
    /// Whether the sum of all balances equals the sum of the opening lots (value is neither made nor lost).
    package var valueConserved: Bool
}

/// The outcome of tracing one asset under one policy.
package struct TraceResult: Sendable {
    package var policy: TaintPolicy
    package var asset: String
    package var scale: Int
    package var until: Int64?
    /// The seed transfers, in application order.
    package var seeds: [String]
    package var transfersApplied: Int
    /// Accounts that ever touched taint, sorted by account id.
    package var accounts: [AccountTaint]
    /// Conversion nodes (see ``ConversionRecord``) that touched taint, sorted: what went into each conversion.
    package var conversions: [AccountTaint] = []
    package var conservation: Conservation
}

/// Time-respecting taint tracing over an account-based ledger, with exact integer arithmetic.
///
/// Transfers are applied in ``Transfer/applicationOrder(_:_:)``. Haircut splits are the one place a division
/// happens: the tainted part of a transfer is `amount × tainted / balance`, computed exactly and rounded to the
/// nearest minor unit (ties to even); the sender keeps the rest, so value and taint are conserved exactly.
package enum TaintTracer {
    private struct Lot {
        var amount: MinorUnits
        var tainted: Bool
    }

    /// Traces one asset of `ledger`. `conversionNodes` are accounts standing for conversions into other assets
    /// (see ``MixedTracer``): the taint they end with is reported as converted, not held.
    package static func run(
        _ ledger: Ledger, seeds: TraceSeeds, policy: TaintPolicy, until: Int64? = nil, asset requested: String? = nil,
        conversionNodes: Set<String> = []
    ) throws -> TraceResult {
        // Work on the ledger's columns: interned account numbers, times and amounts, no strings per transfer.
        let table = ledger.transfers
        let fromColumn = table.fromColumn
        let toColumn = table.toColumn
        let times = table.timeColumn
        let amounts = table.amountColumn
        let seedAccount = seeds.fromAccount.flatMap { table.accountNumber($0) }
        let since = seeds.since ?? .min
        var seedTaint: [Int: MinorUnits] = [:]
        var firstSeed: Int?
        // Seeds by id are resolved to rows first: an id that several transfers carry is refused, not seeded twice.
        let seedRows = try seeds.resolveRows(in: table).rows
        for row in 0..<table.count where until == nil || times[row] <= until! {
            let amount = amounts[row]
            var seeded: MinorUnits?
            if let a = seedAccount, fromColumn[row] == a, times[row] >= since { seeded = amount }
            if seeded == nil, seedRows.contains(row) { seeded = amount }
            if seeded == nil, !seeds.partial.isEmpty, let p = seeds.partial[table.id(row)] {
                seeded = min(max(p, 0), amount)
            }
            if let seeded {
                seedTaint[row] = seeded
                if firstSeed == nil { firstSeed = row }
            }
        }
        guard let firstSeed else {
            if table.count == 0 {
                // Nothing to seed because nothing was imported: the input, not the seed options, is the problem.
                let why = ledger.issues.first.map { " (the first: \($0.file) line \($0.line): \($0.reason))" } ?? ""
                throw ProceedsError(
                    .unusableInput,
                    ledger.issues.isEmpty
                        ? "no transfer was imported: the input holds no transfers"
                        : "no transfer was imported: all \(ledger.issues.count) rows were skipped\(why); "
                            + "fix the input or the import options (--import-format, --profile, --scale) and run again")
            }
            let skipped =
                ledger.issues.isEmpty
                ? "" : " (\(ledger.issues.count) rows were skipped on import; a seed may be among them)"
            throw ProceedsError(
                .invalidOption, "no seed transfer found: check --seed-tx ids, or --from and --since\(skipped)")
        }
        let asset = requested ?? table.asset(firstSeed).code
        if requested == nil, let other = seedTaint.keys.sorted().first(where: { table.asset($0).code != asset }) {
            throw ProceedsError(
                .invalidOption,
                "seeds are in more than one asset (\(asset), \(table.asset(other).code)); choose one with --asset")
        }
        let order = table.rows(asset: asset, until: until)
        let scale = order.first.map { table.asset($0).scale } ?? table.asset(firstSeed).scale
        let names = table.accountNames
        let n = names.count
        let from = order.map { Int(fromColumn[$0]) }
        let to = order.map { Int(toColumn[$0]) }

        // Opening lots: what each account must have held before its first transfer never to go negative.
        var running = [MinorUnits](repeating: 0, count: n)
        var lowest = [MinorUnits](repeating: 0, count: n)
        for (k, i) in order.enumerated() {
            let amount = amounts[i]
            running[from[k]] -= amount
            lowest[from[k]] = min(lowest[from[k]], running[from[k]])
            running[to[k]] += amount
        }
        var opening = lowest.map { -$0 }
        // A statement account starts with the opening balance its statement declares (clean funds), or with what
        // it must have held never to go negative, whichever is more (docs/tracing-policies.md).
        for (account, declared) in ledger.statementOpenings(asset: asset) {
            if let a = table.accountNumber(account), Int(a) < n { opening[Int(a)] = max(opening[Int(a)], declared) }
        }

        // One record per account, so a transfer touches two records rather than six arrays at random places
        // (with 200,000 accounts, cache misses are most of a sweep's time).
        struct State {
            var balance: MinorUnits
            var tainted: MinorUnits = 0
            var received: MinorUnits = 0
            var sent: MinorUnits = 0
            var head = 0  // FIFO: index of the oldest live lot
            var poisoned = false
        }
        var state = opening.map { State(balance: $0) }
        var lots: [[Lot]] =
            policy == .fifo || policy == .lifo ? opening.map { $0 > 0 ? [Lot(amount: $0, tainted: false)] : [] } : []
        var injected: MinorUnits = 0
        var seedIDs: [String] = []
        var arrivals = [[AccountTaint.ArrivalRecord]](repeating: [], count: n)

        var pieces: [Lot] = []  // what one FIFO/LIFO transfer carries, reused from transfer to transfer
        pieces.reserveCapacity(16)
        for (k, i) in order.enumerated() {
            let amount = amounts[i]
            let s = from[k]
            let r = to[k]
            let seeded = seedTaint.isEmpty ? nil : seedTaint[i]
            if seeded != nil { seedIDs.append(table.id(i)) }
            pieces.removeAll(keepingCapacity: true)
            var x: MinorUnits  // tainted part leaving the sender
            switch policy {
            case .poison:
                x = state[s].poisoned ? amount : 0
            case .haircut:
                x = state[s].tainted == 0 ? 0 : amount.scaled(by: state[s].tainted, over: state[s].balance)
                state[s].tainted -= x
            case .fifo, .lifo:
                var need = amount
                x = 0
                var head = state[s].head
                while need > 0 {
                    let i = policy == .fifo ? head : lots[s].count - 1
                    precondition(i >= head && i < lots[s].count, "opening lots cover every transfer")
                    let take = min(need, lots[s][i].amount)
                    pieces.append(Lot(amount: take, tainted: lots[s][i].tainted))
                    if lots[s][i].tainted { x += take }
                    lots[s][i].amount -= take
                    need -= take
                    if lots[s][i].amount == 0 {
                        if policy == .fifo { head += 1 } else { lots[s].removeLast() }
                    }
                }
                if policy == .fifo, head > 64, head * 2 > lots[s].count {
                    lots[s].removeFirst(head)
                    head = 0
                }
                state[s].head = head
                state[s].tainted -= x
            }
            state[s].balance -= amount
            state[s].sent += x
            // A seed lands with its seeded part, or more when the sender's own taint already covers more.
            let arriving = max(seeded ?? 0, x)
            injected += arriving - x
            state[r].received += arriving
            state[r].balance += amount
            if arriving > 0 { arrivals[r].append(AccountTaint.ArrivalRecord(row: Int32(i), tainted: arriving)) }
            switch policy {
            case .poison:
                if arriving > 0 { state[r].poisoned = true }
            case .haircut:
                state[r].tainted += arriving
            case .fifo, .lifo:
                state[r].tainted += arriving
                if arriving > x {
                    pieces.removeAll(keepingCapacity: true)
                    pieces.append(Lot(amount: arriving, tainted: true))
                    if arriving < amount { pieces.append(Lot(amount: amount - arriving, tainted: false)) }
                }
                let head = state[r].head
                for p in pieces {
                    if lots[r].count > head, lots[r][lots[r].count - 1].tainted == p.tainted {
                        lots[r][lots[r].count - 1].amount += p.amount
                    } else {
                        lots[r].append(p)
                    }
                }
            }
        }

        var accounts: [AccountTaint] = []
        var conversions: [AccountTaint] = []
        var held: MinorUnits = 0
        var converted: MinorUnits = 0
        for a in 0..<n {
            let st = state[a]
            let h = policy == .poison ? (st.poisoned ? st.balance : 0) : st.tainted
            if st.received == 0 && st.sent == 0 && h == 0 { continue }
            let isConversion = conversionNodes.contains(names[a])
            if isConversion { converted += h } else { held += h }
            do {
                let figures = AccountTaint(
                    account: names[a], taintedReceived: st.received, taintedSent: st.sent, taintedHeld: h,
                    balance: st.balance,
                    opening: opening[a], arrivals: .rows(table, arrivals[a]))
                if isConversion { conversions.append(figures) } else { accounts.append(figures) }
            }
        }
        accounts.sort { $0.account < $1.account }
        conversions.sort { $0.account < $1.account }
        let valueConserved = state.reduce(0) { $0 + $1.balance } == opening.reduce(0, +)
        let balanced = policy == .poison ? held + converted >= injected : held + converted == injected
        var conservation = Conservation(
            injected: injected, held: held, left: 0, balanced: balanced, valueConserved: valueConserved)
        conservation.converted = converted
        return TraceResult(
            policy: policy, asset: asset, scale: scale, until: until, seeds: seedIDs, transfersApplied: order.count,
            accounts: accounts, conversions: conversions, conservation: conservation)
    }
}
