/// Taint per entity as `docs/clustering.md` ("Taint per entity") defines it, worked out by the generator over the
/// transactions it planted and the owners it gave their addresses — its own arithmetic over
/// ``ExpectedUTXOTaint``'s outputs, never ProceedsGraph's clustering or tracer.
///
/// A group is the service a tag names (its label), or else the entity id. What a group *received* is the taint of
/// outputs paid to its addresses by a transaction whose first input is another group's; what it *holds* is the
/// taint its addresses' unspent outputs carry; it received *through* the addresses that took taint from outside.
enum ExpectedEntities {
    /// What the generator knows of one address: its entity (as the multi-input heuristic must find it) and the
    /// name a tag puts on that entity.
    struct Name {
        var entity: String
        var label: String?
        var category: String?
        var group: String { label ?? entity }
    }

    struct Group {
        var group: String
        var label: String?
        var category: String?
        /// Per policy: the entities of the group's addresses that taint reached.
        var entities: [Policy: Set<String>] = [:]
        var received: [Policy: Int64] = [:]
        var held: [Policy: Int64] = [:]
        var receiving: [Policy: Set<String>] = [:]
        var holding: [Policy: Set<String>] = [:]

        /// Holds at least `minimum` under some policy (a freezing candidate).
        func holds(atLeast minimum: Int64) -> Bool { held.values.contains { $0 > 0 && $0 >= minimum } }

        func union(_ v: [Policy: Set<String>]) -> [String] { v.values.reduce(Set<String>()) { $0.union($1) }.sorted() }
    }

    /// The groups that received or hold taint under some policy, by group name.
    static func groups(
        _ txs: [PlannedBitcoinTransaction], seeds: Set<String>, name: (String) -> Name
    ) -> [Group] {
        let held = ExpectedUTXOTaint.addresses(txs, seeds: seeds).held
        let arrivals = ExpectedUTXOTaint.arrivals(txs, seeds: seeds)
        var groups: [String: Group] = [:]
        for policy in Policy.allCases {
            for a in arrivals[policy] ?? [] {
                let n = name(a.address)
                var g = groups[n.group] ?? Group(group: n.group, label: n.label, category: n.category)
                g.entities[policy, default: []].insert(n.entity)
                if name(a.from).group != n.group {
                    g.received[policy, default: 0] += a.tainted
                    g.receiving[policy, default: []].insert(a.address)
                }
                groups[n.group] = g
            }
            for (address, h) in held {
                guard let v = h[policy], v > 0 else { continue }
                let n = name(address)
                groups[n.group]!.held[policy, default: 0] += v
                groups[n.group]!.holding[policy, default: []].insert(address)
            }
        }
        return groups.values.filter { g in
            Policy.allCases.contains { (g.received[$0] ?? 0) > 0 || (g.held[$0] ?? 0) > 0 }
        }.sorted { $0.group < $1.group }
    }
}
