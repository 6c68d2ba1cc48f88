import Dispatch
import Synchronization

/// One asset's transfers as a compact time-ordered graph: accounts interned to integers, transfers in
/// application order, and each account's outgoing transfers in a flat array (CSR), ascending in time. Built once;
/// path searches then touch integers only.
package struct TemporalGraph: Sendable {
    package let asset: String
    package let scale: Int
    /// Whether the graph holds every asset of the ledger (joined by conversion nodes).
    package let acrossAssets: Bool
    /// Account names by node number.
    package let names: [String]
    /// Transfers of the asset in application order (indices into the ledger).
    package let transfers: [Int]
    let from: [Int32]
    let to: [Int32]
    /// Outgoing transfers of node `u` are `outgoing[outStart[u] ..< outStart[u + 1]]`, ascending.
    let outStart: [Int32]
    let outgoing: [Int32]
    /// Incoming likewise (for the backward pruning of path listings).
    let inStart: [Int32]
    let incoming: [Int32]
    /// Each node's position among all account names in sorted order: listings sort by it, not by comparing
    /// strings.
    let nameRank: [Int32]
    private let table: TransferTable

    /// - Parameters:
    ///   - asset: the asset to take; `nil` takes the only asset of the ledger.
    ///   - acrossAssets: take every asset (paths across conversions, whose nodes join the assets); `asset` is
    ///     then the assets' codes, comma-separated.
    /// - Throws: ``ProceedsError`` when `asset` is `nil` and the ledger has several.
    package init(
        _ ledger: Ledger, asset requested: String?, since: Int64? = nil, until: Int64? = nil, acrossAssets: Bool = false
    ) throws {
        let table = ledger.transfers
        let assets = table.assetCodes
        guard
            let asset = acrossAssets
                ? assets.joined(separator: ",") : requested ?? (assets.count == 1 ? assets.first : nil)
        else {
            throw ProceedsError(
                .invalidOption,
                "the ledger has several assets (\(assets.joined(separator: ", "))); choose one with --asset")
        }
        var order: [Int]
        if acrossAssets {
            let times = table.timeColumn
            let (lo, hi) = (since ?? .min, until ?? .max)
            order = table.indices.filter { times[$0] >= lo && times[$0] <= hi }
            table.sortInApplicationOrder(&order)
        } else {
            order = table.rows(asset: asset, since: since, until: until)
        }
        let fromColumn = table.fromColumn
        let toColumn = table.toColumn
        let from = order.map { fromColumn[$0] }
        let to = order.map { toColumn[$0] }
        // Node numbers are the ledger's account numbers (every asset's), so no re-interning is needed.
        names = table.accountNames
        (outStart, outgoing) = Self.csr(from, nodes: names.count)
        (inStart, incoming) = Self.csr(to, nodes: names.count)
        self.asset = asset
        self.scale = table.scale(of: asset) ?? AssetScale.known[asset] ?? 2
        self.acrossAssets = acrossAssets
        self.transfers = order
        self.from = from
        self.to = to
        self.table = table
        let accountNames = table.accountNames
        var rank = [Int32](repeating: 0, count: accountNames.count)
        for (position, node) in accountNames.indices.sorted(by: { accountNames[$0] < accountNames[$1] }).enumerated() {
            rank[node] = Int32(position)
        }
        self.nameRank = rank
    }

    /// Counting sort of edge numbers by endpoint: edges stay ascending within each node.
    private static func csr(_ endpoint: [Int32], nodes: Int) -> ([Int32], [Int32]) {
        var start = [Int32](repeating: 0, count: nodes + 1)
        for e in endpoint { start[Int(e) + 1] += 1 }
        for i in 0..<nodes { start[i + 1] += start[i] }
        var fill = start
        var edges = [Int32](repeating: 0, count: endpoint.count)
        for (k, e) in endpoint.enumerated() {
            edges[Int(fill[Int(e)])] = Int32(k)
            fill[Int(e)] += 1
        }
        return (start, edges)
    }

    /// The node of `account`, if it has a transfer of this asset in the window.
    package func node(_ account: String) -> Int? {
        guard let i = table.accountNumber(account).map(Int.init),
            outStart[i] < outStart[i + 1] || inStart[i] < inStart[i + 1]
        else { return nil }
        return i
    }
    package var transferCount: Int { transfers.count }

    /// Outgoing edges of `u` strictly after edge number `after`, found by binary search.
    @inline(__always) func outgoing(of u: Int, after: Int32) -> Range<Int> {
        var lo = Int(outStart[u])
        var hi = Int(outStart[u + 1])
        let end = hi
        while lo < hi {
            let mid = (lo + hi) / 2
            if outgoing[mid] <= after { lo = mid + 1 } else { hi = mid }
        }
        return lo..<end
    }
}

/// An account reached from a source by a time-respecting path.
package struct Reached: Sendable, Equatable {
    package var account: String
    /// Fewest hops of any time-respecting path within the hop limit.
    package var hops: Int
    /// The transfer (ledger index) that first reached the account, over paths within the hop limit.
    package var firstTransfer: Int
}

/// A time-respecting flow path: each transfer leaves the account the previous one paid into, later in time.
package struct FlowPath: Sendable, Equatable {
    /// Ledger indices of the transfers, in order.
    package var transfers: [Int]
    /// The smallest transfer on the path: the most that can have moved along it from end to end.
    package var bottleneck: MinorUnits
}

package struct PathListing: Sendable {
    package var paths: [FlowPath]
    /// Whether the search stopped at its exploration cap, or more paths were found than the limit asked.
    package var truncated: Bool
    package var explored: Int
}

/// Time-respecting reachability and path listing over a ``TemporalGraph``.
package enum FlowPaths {
    /// Accounts reachable from `source` within `maxHops` time-respecting hops, with the earliest transfer that
    /// reached each. Sorted by account id.
    ///
    /// Round `h` extends, from every account whose earliest arrival improved in round `h − 1`, every outgoing
    /// transfer later than that arrival; an account is kept with its earliest arrival over all rounds, and its
    /// fewest hops.
    package static func reach(_ g: TemporalGraph, from source: Int, maxHops: Int) -> [Reached] {
        var search = ReachSearch(g)
        return search.reached(from: source, maxHops: maxHops)
    }

    /// ``reach(_:from:maxHops:)`` from many sources, split over `threads` threads (each with its own search
    /// arrays); results in the order of `sources`.
    package static func reach(_ g: TemporalGraph, from sources: [Int], maxHops: Int, threads: Int) -> [[Reached]] {
        let workers = max(1, min(threads, sources.count))
        let results = Mutex([[Reached]](repeating: [], count: sources.count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var search = ReachSearch(g)
            var mine: [(Int, [Reached])] = []
            for k in stride(from: w, to: sources.count, by: workers) {
                mine.append((k, search.reached(from: sources[k], maxHops: maxHops)))
            }
            results.withLock { all in for (k, r) in mine { all[k] = r } }
        }
        return results.withLock { $0 }
    }

    /// Time-respecting paths from `source` to `target` of at most `maxHops` transfers, the widest first
    /// (bottleneck descending, then fewer hops, then earlier), at most `limit` of them. The search visits at most
    /// `explore` partial paths; `truncated` says when that cap or the limit cut the listing.
    ///
    /// `rates` gives conversion nodes (by node number) with their funding and funded totals: a transfer out of
    /// one is in another asset, so its amount is taken back into the asset before the conversion
    /// (`amount × funding ÷ funded`, half to even, conversion by conversion) before it is compared: a width is
    /// always in the asset of the path's first transfer.
    package static func paths(
        _ g: TemporalGraph, ledger: Ledger, from source: Int, to target: Int, maxHops: Int, limit: Int,
        explore: Int = 1_000_000, rates: [Int: (funding: MinorUnits, funded: MinorUnits)] = [:]
    ) -> PathListing {
        let n = g.names.count
        let m = g.transferCount
        // latest[r][u]: the latest edge number that starts a path from u reaching the target in at most r hops
        // (−1: none). An edge u→v at e is worth following with r hops left only if v is the target or
        // e < latest[r − 1][v].
        var latest = [[Int32]](repeating: [Int32](repeating: -1, count: n), count: maxHops + 1)
        if maxHops >= 1 {
            for r in 1...maxHops {
                latest[r] = latest[r - 1]
                for e in 0..<m {
                    let u = Int(g.from[e])
                    let v = Int(g.to[e])
                    if v == target || Int32(e) < latest[r - 1][v] { latest[r][u] = max(latest[r][u], Int32(e)) }
                }
            }
        }
        var found: [FlowPath] = []
        var explored = 0
        var stack: [Int32] = []
        var capped = false
        let amounts = g.transfers.map { ledger.transfers[$0].amount }
        func walk(_ u: Int, after: Int32, left: Int, narrowest: MinorUnits, back: [(MinorUnits, MinorUnits)]) {
            if capped { return }
            var back = back
            if let r = rates[u], r.funded > 0 { back.append((r.funding, r.funded)) }
            for k in g.outgoing(of: u, after: after) {
                let e = g.outgoing[k]
                let v = Int(g.to[Int(e)])
                var amount = amounts[Int(e)]
                for (funding, funded) in back.reversed() { amount = amount.scaled(by: funding, over: funded) }
                let width = min(narrowest, amount)
                explored += 1
                if explored > explore { capped = true; return }
                if v == target {
                    found.append(FlowPath(transfers: (stack + [e]).map { g.transfers[Int($0)] }, bottleneck: width))
                    continue  // a path ends where it first reaches the target
                }
                guard left > 1, v != source, e < latest[left - 1][v],
                    !stack.contains(where: { Int(g.to[Int($0)]) == v })
                else { continue }
                stack.append(e)
                walk(v, after: e, left: left - 1, narrowest: width, back: back)
                stack.removeLast()
            }
        }
        if maxHops >= 1, latest[maxHops][source] >= 0 {
            walk(source, after: -1, left: maxHops, narrowest: MinorUnits.max, back: [])
        }
        let t = ledger.transfers
        found.sort { a, b in
            if a.bottleneck != b.bottleneck { return a.bottleneck > b.bottleneck }
            if a.transfers.count != b.transfers.count { return a.transfers.count < b.transfers.count }
            for (x, y) in zip(a.transfers, b.transfers) where x != y { return Transfer.applicationOrder(t[x], t[y]) }
            return false
        }
        let truncated = capped || found.count > limit
        return PathListing(paths: Array(found.prefix(limit)), truncated: truncated, explored: explored)
    }
}

/// The working arrays of ``FlowPaths/reach(_:from:maxHops:)``, reused from one source to the next so that a
/// thousand searches allocate once.
package struct ReachSearch {
    let g: TemporalGraph
    private var arrival: [Int32]
    private var hops: [UInt8]
    private var touched: [Int32] = []
    private var frontier: [Int32] = []
    private var next: [Int32] = []
    private var pending: [Int32]

    package init(_ g: TemporalGraph) {
        self.g = g
        arrival = [Int32](repeating: .max, count: g.names.count)
        pending = [Int32](repeating: .max, count: g.names.count)
        hops = [UInt8](repeating: 0, count: g.names.count)
    }

    /// What ``FlowPaths/reach(_:from:maxHops:)`` returns, reusing this search's arrays.
    package mutating func reached(from source: Int, maxHops: Int) -> [Reached] {
        run(from: source, maxHops: maxHops).sorted { g.nameRank[$0.node] < g.nameRank[$1.node] }.map { (v, hops, e) in
            Reached(account: g.names[v], hops: hops, firstTransfer: g.transfers[Int(e)])
        }
    }

    /// Reached nodes with their fewest hops and earliest arriving edge, in no particular order.
    package mutating func run(from source: Int, maxHops: Int) -> [(node: Int, hops: Int, edge: Int32)] {
        for v in touched { arrival[Int(v)] = .max; hops[Int(v)] = 0 }
        touched.removeAll(keepingCapacity: true)
        arrival[source] = -1
        touched.append(Int32(source))
        frontier = [Int32(source)]
        for h in 1...max(1, min(maxHops, 255)) {
            next.removeAll(keepingCapacity: true)
            for u in frontier {
                for k in g.outgoing(of: Int(u), after: arrival[Int(u)]) {
                    let e = g.outgoing[k]
                    let v = Int(g.to[Int(e)])
                    if arrival[v] <= e || pending[v] <= e { continue }
                    if pending[v] == .max { next.append(Int32(v)) }
                    pending[v] = e
                }
            }
            if next.isEmpty { break }
            for v in next {
                let i = Int(v)
                if arrival[i] == .max {
                    hops[i] = UInt8(h)
                    touched.append(v)
                }
                arrival[i] = pending[i]
                pending[i] = .max
            }
            swap(&frontier, &next)
        }
        return touched.dropFirst().map { v in (Int(v), Int(hops[Int(v)]), arrival[Int(v)]) }
    }
}
