import IProceedsBase

/// Freezing candidates on a UTXO ledger: the tainted value each tagged service (exchange, custodian, …) holds,
/// under each policy, grouped by the institution the tags name; untagged holders are listed apart as leads.
package struct EntityFreezeList: Sendable {
    /// One institution to write to, or one untagged entity.
    package struct Holder: Sendable, Equatable {
        /// The tag label (the institution), or the entity id when untagged.
        package var group: String
        package var label: String?
        package var category: String?
        package var entities: [String]
        /// Per policy, in the order of ``EntityFreezeList/policies``.
        package var held: [MinorUnits]
        package var received: [MinorUnits]
        /// Addresses that hold taint under any policy, sorted.
        package var holdingAddresses: [String]
        /// Addresses that received taint from outside under any policy, sorted.
        package var receivingAddresses: [String]
    }

    package var policies: [TaintPolicy]
    package var asset: String
    package var scale: Int
    /// Tagged groups holding at least the minimum under some policy, largest holding first.
    package var institutions: [Holder]
    /// Untagged entities holding at least the minimum under some policy.
    package var untagged: [Holder]

    /// Traces `transactions` from `seeds` under each of `policies` and sums per group of `directory`.
    /// - Parameter minimum: smallest tainted holding listed, in the asset's smallest unit.
    package static func make(
        _ transactions: [UTXOTransaction], seeds: Set<String>, policies: [TaintPolicy], directory: EntityDirectory,
        minimum: MinorUnits,
        until: Int64? = nil, asset: String, scale: Int
    ) throws -> EntityFreezeList {
        var holders: [String: Holder] = [:]
        for (k, policy) in policies.enumerated() {
            let trace = try UTXOTracer.run(
                transactions, seeds: seeds, policy: policy, until: until, scale: scale, asset: asset)
            for g in EntityTracer.aggregate(trace, directory: directory) {
                var h =
                    holders[g.group]
                    ?? Holder(
                        group: g.group, label: g.label, category: g.category, entities: [],
                        held: policies.map { _ in 0 },
                        received: policies.map { _ in 0 }, holdingAddresses: [], receivingAddresses: [])
                h.held[k] = g.taintedHeld
                h.received[k] = g.taintedReceived
                h.entities = Array(Set(h.entities).union(g.entities)).sorted()
                h.holdingAddresses = Array(Set(h.holdingAddresses).union(g.holdingAddresses)).sorted()
                h.receivingAddresses = Array(Set(h.receivingAddresses).union(g.receivingAddresses)).sorted()
                holders[g.group] = h
            }
        }
        let listed = holders.values.filter { h in h.held.contains { $0 > 0 && $0 >= minimum } }
            .sorted { (h: Holder, o: Holder) in (h.held.max()!, o.group) > (o.held.max()!, h.group) }
        return EntityFreezeList(
            policies: policies, asset: asset, scale: scale, institutions: listed.filter { $0.label != nil },
            untagged: listed.filter { $0.label == nil })
    }

    /// The sentence of a request to `h`: what it holds under each policy, at which addresses, and what it received.
    package func request(_ h: Holder) -> String {
        let name = (h.label ?? "Entity \(h.group)") + (h.category.map { " (\($0))" } ?? "")
        let holds = zip(policies, h.held).map {
            "\(ExactDecimal.format($1, scale: scale)) \(asset) under \($0.rawValue)"
        }.joined(separator: ", ")
        let n = h.receivingAddresses.count
        let received = zip(policies, h.received).map { "\(ExactDecimal.format($1, scale: scale)) under \($0.rawValue)" }
            .joined(separator: ", ")
        return
            "\(name) holds \(holds) of the traced funds, at \(h.holdingAddresses.count) address\(h.holdingAddresses.count == 1 ? "" : "es") "
            + "(\(h.holdingAddresses.joined(separator: ", "))); it received \(received), through \(n) address\(n == 1 ? "" : "es")"
    }

    /// JSON: the policies, the institutions with their request sentence, the untagged holders.
    package func json(inputs: [(path: String, sha256: String)]) -> String {
        func holder(_ h: Holder) -> JSONValue {
            .object([
                ("institution", h.label.map(JSONValue.string) ?? .null),
                ("category", h.category.map(JSONValue.string) ?? .null),
                ("entities", .strings(h.entities)),
                (
                    "tainted_held",
                    .object(zip(policies, h.held).map { ($0.rawValue, .string(ExactDecimal.format($1, scale: scale))) })
                ),
                (
                    "tainted_received",
                    .object(
                        zip(policies, h.received).map { ($0.rawValue, .string(ExactDecimal.format($1, scale: scale))) })
                ),
                ("holding_addresses", .strings(h.holdingAddresses)),
                ("receiving_addresses", .strings(h.receivingAddresses)),
                ("request", .string(request(h))),
            ])
        }
        let doc: JSONValue = .object([
            ("command", "trace freeze"), ("asset", .string(asset)), ("policies", .strings(policies.map(\.rawValue))),
            ("institutions", .array(institutions.map(holder))), ("untagged_holders", .array(untagged.map(holder))),
            ("inputs", .array(inputs.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("tool", .object([("name", .string(ToolIdentity.name)), ("version", .string(ToolIdentity.version))])),
        ])
        return doc.pretty()
    }

    /// CSV: one row per holder and policy: `institution,category,entities,policy,tainted_held,tainted_received,holding_addresses,receiving_addresses`.
    package func csv() -> String {
        var s =
            "institution,category,entities,policy,tainted_held,tainted_received,holding_addresses,receiving_addresses\n"
        for h in institutions + untagged {
            for (k, p) in policies.enumerated() {
                s +=
                    [
                        h.label ?? "", h.category ?? "", h.entities.joined(separator: " "), p.rawValue,
                        ExactDecimal.format(h.held[k], scale: scale),
                        ExactDecimal.format(h.received[k], scale: scale), h.holdingAddresses.joined(separator: " "),
                        h.receivingAddresses.joined(separator: " "),
                    ]
                    .map(CSV.field).joined(separator: ",") + "\n"
            }
        }
        return s
    }
}
