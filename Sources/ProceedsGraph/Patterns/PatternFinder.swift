/// Looks for money-mule and laundering patterns in a ledger, one asset at a time: fan-in, fan-out, rapid
/// pass-through, cycles, structuring and peel chains. `docs/patterns.md` defines each exactly.
///
/// A finding is a lead, not proof: it says that transfers have a shape, and lists them with their source
/// references so that a reader can check the shape and look for the explanation.
///
/// Every detector is linear in the number of transfers, except the cycle search, which is bounded by the
/// cycle window, the hop count and ``PatternOptions/cycleSearchLimit`` per start transfer, and only starts
/// between accounts of one strongly connected component. Amounts are compared exactly, as integers.
package enum PatternFinder {
    /// Scans `ledger` for the patterns in `options.kinds`.
    /// - Returns: findings sorted by kind (in ``PatternKind`` order), then time of the first evidence transfer,
    ///   then accounts, numbered `P-0001`, … in that order; and what was left out and why.
    /// - Throws: ``ProceedsError`` when an option is out of range, the threshold or minimum is not an amount of a
    ///   scanned asset, or `options.asset` has no transfers.
    package static func scan(_ ledger: Ledger, options: PatternOptions = PatternOptions()) throws -> PatternScan {
        try options.validate()
        let all = ledger.transfers
        var byAsset: [String: [Int]] = [:]
        var selfTransfers = 0
        var scanned = 0
        let (fromColumn, toColumn) = (all.fromColumn, all.toColumn)
        for i in all.indices {
            let asset = all.asset(i).code
            guard options.asset == nil || asset == options.asset else { continue }
            scanned += 1
            if fromColumn[i] == toColumn[i] {
                selfTransfers += 1
                continue
            }
            byAsset[asset, default: []].append(i)
        }
        if let asset = options.asset, scanned == 0 {
            let present = all.assetCodes.joined(separator: ", ")
            throw ProceedsError(
                .invalidOption, "no transfers in \(asset); the ledger has: \(present.isEmpty ? "none" : present)")
        }

        var findings: [PatternFinding] = []
        var capped: [String] = []
        var cappedCount = 0
        var suppressed: [String: Int] = [:]
        var (cyclesNotReported, cycleStartsNotSearched, cycleInstancesNotListed) = (0, 0, 0)
        for asset in byAsset.keys.sorted() {
            let ix = PatternIndex(transfers: all, indices: byAsset[asset]!, asset: asset)
            func amount(_ text: String, _ what: String) throws -> MinorUnits {
                guard let v = ExactDecimal.parse(text, scale: ix.scale), v >= 0 else {
                    throw ProceedsError(
                        .invalidOption,
                        "\(what) '\(text)' is not an amount of \(asset) with at most \(ix.scale) decimals")
                }
                return v
            }
            let minimum = try amount(options.minimumTotal, "the minimum amount")
            var found: [PatternFinding] = []
            let kinds = options.kinds
            if kinds.contains(.fanIn) {
                found += ix.fanFindings(
                    incoming: true, window: options.window(.fanIn), minimum: options.minCounterparties)
            }
            if kinds.contains(.fanOut) {
                found += ix.fanFindings(
                    incoming: false, window: options.window(.fanOut), minimum: options.minCounterparties)
            }
            if kinds.contains(.passThrough) {
                found += ix.passThroughFindings(window: options.window(.passThrough), percent: options.forwardPercent)
            }
            if kinds.contains(.cycle) {
                let (cycles, stopped, truncation) = ix.cycleFindings(
                    window: options.window(.cycle), maxHops: options.maxHops, limit: options.cycleSearchLimit,
                    perAccount: options.maxCyclesPerAccount, total: options.maxCycles,
                    instancesKept: options.cycleInstancesListed)
                found += cycles
                cyclesNotReported += truncation.cyclesDropped
                cycleStartsNotSearched += truncation.startsNotSearched
                cycleInstancesNotListed += truncation.instancesNotListed
                cappedCount += stopped.count
                capped += stopped.prefix(max(0, 20 - capped.count)).map { ix.transfer($0).id }
            }
            if kinds.contains(.structuring) {
                found += ix.structuringFindings(
                    threshold: try amount(options.threshold, "the threshold"), margin: options.marginPercent,
                    minimum: options.minNearThreshold, window: options.window(.structuring))
            }
            if kinds.contains(.peelChain) {
                found += ix.peelChainFindings(
                    percent: options.peelPercent, minimum: options.minPeelHops, window: options.window(.peelChain))
            }
            for var f in found {
                if f.total < minimum {
                    suppressed["total below the minimum amount", default: 0] += 1
                    continue
                }
                let subjects =
                    f.kind == .peelChain
                    ? Array(f.accounts.dropLast()) : f.kind == .cycle ? f.accounts : [f.accounts[0]]
                if let excluded = subjects.compactMap({ options.labels[$0]?.category }).first(
                    where: options.excludeCategories.contains)
                {
                    suppressed["account labelled \(excluded)", default: 0] += 1
                    continue
                }
                f.labels = f.accounts.compactMap { options.labels[$0] }
                if let hub = subjects.compactMap({ options.labels[$0] }).first(where: {
                    PatternOptions.hubCategories.contains($0.category)
                }) {
                    f.note =
                        "\(hub.account) is labelled \(hub.category) (\(hub.label)): many counterparties and fast turnover "
                        + "are ordinary business for such an account"
                }
                findings.append(f)
            }
        }
        // Sort indices, not the findings: moving a finding copies its evidence list's reference counts.
        let order = findings.indices.sorted { reportOrder(findings[$0], findings[$1]) }
        findings = order.enumerated().map { k, i in
            var f = findings[i]
            let n = String(k + 1)
            f.id = "P-" + String(repeating: "0", count: max(0, 4 - n.count)) + n
            return f
        }
        var scan = PatternScan(
            findings: findings, options: options, assets: byAsset.keys.sorted(), transfersScanned: scanned,
            selfTransfersIgnored: selfTransfers,
            suppressed: suppressed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            cycleSearchesCapped: cappedCount, cappedStarts: capped)
        scan.cyclesNotReported = cyclesNotReported
        scan.cycleStartsNotSearched = cycleStartsNotSearched
        scan.cycleInstancesNotListed = cycleInstancesNotListed
        return scan
    }

    /// Kind, first time, accounts, asset, last time, then the evidence ids: a total order, so the report is the
    /// same for the same input whatever order its rows came in.
    static func reportOrder(_ a: PatternFinding, _ b: PatternFinding) -> Bool {
        if a.kind != b.kind { return a.kind < b.kind }
        if a.first != b.first { return a.first < b.first }
        if a.accounts != b.accounts { return a.accounts.lexicographicallyPrecedes(b.accounts) }
        if a.asset != b.asset { return a.asset < b.asset }
        if a.last != b.last { return a.last < b.last }
        return a.evidence.map(\.transfer.id).lexicographicallyPrecedes(b.evidence.map(\.transfer.id))
    }
}
