/// Accounts still holding tainted funds, grouped by institution: what a prosecutor attaches to a freezing
/// request.
package struct FreezeCandidate: Sendable, Equatable {
    package var account: String
    package var label: AccountLabel?
    /// Tainted funds held, per policy traced (in the order asked).
    package var held: [TaintPolicy: MinorUnits]
    package var balance: MinorUnits
    /// The transfers that brought taint in, under the first policy asked.
    package var evidence: [TaintedArrival]
}

/// Freezing candidates under one or several policies.
package struct FreezeList: Sendable {
    package var asset: String
    package var scale: Int
    package var policies: [TaintPolicy]
    package var minimum: MinorUnits
    package var at: Int64?
    /// Institution (or "unknown institution") → its candidates, both sorted.
    package var institutions: [(institution: String, candidates: [FreezeCandidate])]
    /// With conversions: the same for each other asset taint reached (every holding listed: the minimum is an
    /// amount of the seeds' asset).
    package var otherAssets: [FreezeList] = []
}

package enum FreezeCandidates {
    /// Accounts whose tainted holding reaches `minimum` (a decimal amount in the traced asset's units) under
    /// any of `policies`, at `at`; with `utxo`, the addresses of that ledger too (conversions link the two). Accounts labelled `victim` are left out: money back with the victim is not
    /// frozen.
    /// - Throws: ``ProceedsError`` when there is no seed, or `minimum` is not an amount of the asset.
    package static func list(
        _ ledger: Ledger, seeds: TraceSeeds, policies: [TaintPolicy], minimum text: String, at: Int64?,
        labels: [String: AccountLabel], asset: String? = nil, conversions: [ConversionRecord] = [],
        utxo: UTXOLedger? = nil
    ) throws -> FreezeList {
        var mixed: [TaintPolicy: MixedTraceResult] = [:]
        for p in policies {
            mixed[p] =
                conversions.isEmpty && utxo == nil
                ? MixedTraceResult(
                    policy: p, traces: [try TaintTracer.run(ledger, seeds: seeds, policy: p, until: at, asset: asset)],
                    conversions: [])
                : try MixedTracer.run(
                    ledger, utxo: utxo, conversions: conversions, seeds: seeds, policy: p, until: at, asset: asset)
        }
        let first = mixed[policies[0]]!.traces[0]
        guard let minimum = ExactDecimal.parse(text, scale: first.scale), minimum >= 0 else {
            throw ProceedsError(
                .invalidOption,
                "minimum amount '\(text)' is not an amount of \(first.asset) with at most \(first.scale) decimals")
        }
        var list = candidates(policies.map { p in (p, mixed[p]!.traces[0]) }, minimum: minimum, at: at, labels: labels)
        // Other assets, in the order the policies reached them.
        var others: [String] = []
        for p in policies {
            for t in mixed[p]!.traces.dropFirst() where !others.contains(t.asset) { others.append(t.asset) }
        }
        list.otherAssets = others.sorted().map { asset in
            let traced = policies.map { p -> (TaintPolicy, TraceResult?) in
                (p, mixed[p]!.traces.first { $0.asset == asset })
            }
            return candidates(traced, minimum: 1, at: at, labels: labels)
        }
        return list
    }

    /// Candidates of one asset from its trace under each policy (a policy may not have reached the asset).
    private static func candidates(
        _ traced: [(TaintPolicy, TraceResult?)], minimum: MinorUnits, at: Int64?, labels: [String: AccountLabel]
    ) -> FreezeList {
        let policies = traced.map(\.0)
        let first = traced.compactMap(\.1).first!
        var results: [TaintPolicy: TraceResult] = [:]
        for (p, r) in traced { results[p] = r }
        var byAccount: [String: FreezeCandidate] = [:]
        var evidence: [String: AccountTaint] = [:]  // under the first policy that reached the account
        for p in policies {
            for a in results[p]?.accounts ?? [] where a.taintedHeld > 0 {
                var c =
                    byAccount[a.account]
                    ?? FreezeCandidate(
                        account: a.account, label: labels[a.account], held: [:], balance: a.balance, evidence: [])
                c.held[p] = a.taintedHeld
                if evidence[a.account] == nil { evidence[a.account] = a }
                byAccount[a.account] = c
            }
        }
        let kept = byAccount.values.filter { c in
            c.label?.category != "victim" && c.held.values.contains { $0 >= minimum }
        }.map { c in
            var c = c
            c.evidence = evidence[c.account]!.taintedArrivals  // listed only for the accounts kept
            return c
        }
        let grouped = Dictionary(grouping: kept) { c -> String in
            let name = c.label?.institution ?? ""
            return name.isEmpty ? "unknown institution" : name
        }
        let institutions = grouped.keys.sorted().map { key in
            (key, grouped[key]!.sorted { $0.account < $1.account })
        }
        return FreezeList(
            asset: first.asset, scale: first.scale, policies: policies, minimum: minimum, at: at,
            institutions: institutions)
    }
}
