/// One asset's transfers in application order, with accounts as small integers and each account's transfers in
/// and out as ranges of positions: what every detector walks.
///
/// A *position* is an index into ``order`` (application order). Accounts are numbered in order of first
/// appearance in that order, which does not depend on their names: renaming accounts changes no detector's
/// result, only the order findings with equal times are listed in.
struct PatternIndex {
    let asset: String
    let scale: Int
    let transfers: TransferTable
    /// Ledger indices of this asset's transfers (self-transfers left out), in application order.
    let order: [Int]
    let from: [Int32]
    let to: [Int32]
    let time: [Int64]
    let amount: [MinorUnits]
    let names: [String]
    /// Positions of the transfers out of account `a`: `outs[outStart[a]..<outStart[a + 1]]`, ascending.
    let outStart: [Int]
    let outs: [Int32]
    let inStart: [Int]
    let ins: [Int32]

    var accountCount: Int { names.count }
    var count: Int { order.count }

    init(transfers: TransferTable, indices: [Int], asset: String) {
        self.transfers = transfers
        self.asset = asset
        var order = indices
        transfers.sortInApplicationOrder(&order)
        self.order = order
        scale = order.first.map { transfers.asset($0).scale } ?? 0
        // Renumber the ledger's accounts by first appearance here (an array, not a hash, per transfer).
        let ledgerNames = transfers.accountNames
        var local = [Int32](repeating: -1, count: ledgerNames.count)
        var names: [String] = []
        func id(_ account: Int32) -> Int32 {
            if local[Int(account)] >= 0 { return local[Int(account)] }
            let i = Int32(names.count)
            local[Int(account)] = i
            names.append(ledgerNames[Int(account)])
            return i
        }
        let (fromColumn, toColumn, timeColumn, amountColumn) = (
            transfers.fromColumn, transfers.toColumn, transfers.timeColumn, transfers.amountColumn
        )
        var from = [Int32]()
        var to = [Int32]()
        var time = [Int64]()
        var amount = [MinorUnits]()
        from.reserveCapacity(order.count)
        to.reserveCapacity(order.count)
        time.reserveCapacity(order.count)
        amount.reserveCapacity(order.count)
        for i in order {
            from.append(id(fromColumn[i]))
            to.append(id(toColumn[i]))
            time.append(timeColumn[i])
            amount.append(amountColumn[i])
        }
        self.from = from
        self.to = to
        self.time = time
        self.amount = amount
        self.names = names
        (outStart, outs) = Self.compressed(from, accounts: names.count)
        (inStart, ins) = Self.compressed(to, accounts: names.count)
    }

    /// Positions grouped by account, ascending within each account (a counting sort).
    private static func compressed(_ account: [Int32], accounts n: Int) -> ([Int], [Int32]) {
        var start = [Int](repeating: 0, count: n + 1)
        for a in account { start[Int(a) + 1] += 1 }
        for a in 0..<n { start[a + 1] += start[a] }
        var fill = start
        var list = [Int32](repeating: 0, count: account.count)
        for (p, a) in account.enumerated() {
            list[fill[Int(a)]] = Int32(p)
            fill[Int(a)] += 1
        }
        return (start, list)
    }

    func transfer(_ position: Int32) -> Transfer { transfers[order[Int(position)]] }

    func outs(of a: Int) -> ArraySlice<Int32> { outs[outStart[a]..<outStart[a + 1]] }
    func ins(of a: Int) -> ArraySlice<Int32> { ins[inStart[a]..<inStart[a + 1]] }

    func money(_ v: MinorUnits) -> String { ExactDecimal.format(v, scale: scale) + " " + asset }
}

/// Exact comparisons of shares: no division, no floating point.
enum Share {
    /// Whether `part × 100 ≥ whole × percent`. Both non-negative.
    static func atLeast(_ part: MinorUnits, _ percent: Int, of whole: MinorUnits) -> Bool {
        let l = UInt128(part).multipliedFullWidth(by: 100)
        let r = UInt128(whole).multipliedFullWidth(by: UInt128(percent))
        return (l.high, l.low) >= (r.high, r.low)
    }

    /// `part / whole` in hundredths of a percent, rounded half to even (0 when `whole` is 0).
    static func basisPoints(_ part: MinorUnits, of whole: MinorUnits) -> MinorUnits {
        whole > 0 ? part.scaled(by: 10_000, over: whole) : 0
    }

    /// `93.75%`.
    static func percentText(_ part: MinorUnits, of whole: MinorUnits) -> String {
        ExactDecimal.format(basisPoints(part, of: whole), scale: 2) + "%"
    }
}
