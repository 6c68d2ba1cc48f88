import Foundation
import IProceedsBase

/// Which entity each address belongs to, and what the tags call each entity: from a clustering run, or from the
/// CSV `trace cluster` writes.
package struct EntityDirectory: Sendable {
    /// What the tags say about one entity.
    package struct Name: Sendable, Equatable {
        package var label: String?
        package var category: String?
        /// The tags on the entity disagree: it is named by no one of them.
        package var conflict: Bool
    }

    /// Address → entity id.
    package var entityOf: [String: String]
    /// Entity id → its name, for tagged entities.
    package var names: [String: Name]

    package init(entityOf: [String: String], names: [String: Name]) {
        self.entityOf = entityOf
        self.names = names
    }

    /// The entities of `result`, named by `attribution`.
    package init(_ result: ClusterResult, attribution: Attribution?) {
        var map: [String: String] = [:]
        map.reserveCapacity(result.addressCount)
        for i in 0..<result.addressCount { map[result.address(i)] = result.entities[Int(result.entityOf[i])].id }
        var names: [String: Name] = [:]
        for (id, t) in attribution?.entities ?? [:] {
            names[id] = Name(label: t.label, category: t.category, conflict: t.isConflict)
        }
        self.init(entityOf: map, names: names)
    }

    /// The entity of `address`: its own singleton entity when the directory does not list it.
    package func entity(of address: String) -> String {
        entityOf[address] ?? ClusterEntity.id(smallestAddress: address)
    }

    /// The group taint is reported by: the entity's label when its tags name it (so that several entities one
    /// service is known to hold count as one), else the entity id.
    package func group(of address: String) -> String {
        let e = entity(of: address)
        if let n = names[e], !n.conflict, let label = n.label { return label }
        return e
    }

    /// Reads the CSV `trace cluster --format csv` writes (`address,entity,…,entity_label,entity_category,…`).
    /// A label that reads `conflicting tags: …` marks a conflict.
    /// - Throws: ``ProceedsError`` naming the file and line of a row that does not fit.
    package static func load(_ path: String) throws -> EntityDirectory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProceedsError(.unreadableInput, "\(path): cannot read the entities file")
        }
        var reader = CSVReader([UInt8](data))
        let index: [String: Int]
        do {
            index = try LedgerImporter.header(&reader, path: path, required: ["address", "entity"])
        } catch let e as ProceedsError {
            throw ProceedsError(
                .unusableInput, e.description + " (give the CSV that `trace cluster --format csv` writes)")
        }
        var map: [String: String] = [:], names: [String: Name] = [:]
        while let (line, f, problem) = reader.next() {
            try LedgerImporter.requireRow(
                f, line: line, problem: problem, columns: index.count, path: path, what: "entities")
            func v(_ k: String) -> String { index[k].map { f[$0] } ?? "" }
            let address = v("address"), entity = v("entity")
            guard !address.isEmpty, !entity.isEmpty else {
                throw ProceedsError(
                    .unusableInput, "\(path) line \(line): an entities row needs an address and an entity")
            }
            if let other = map[address], other != entity {
                throw ProceedsError(
                    .unusableInput,
                    "\(path) line \(line): address \(address) is listed in two entities (\(other), \(entity))")
            }
            map[address] = entity
            let label = v("entity_label")
            if !label.isEmpty {
                let conflict = label.hasPrefix("conflicting tags: ")
                names[entity] = Name(
                    label: conflict ? nil : label, category: v("entity_category").nilIfEmpty, conflict: conflict)
            }
        }
        return EntityDirectory(entityOf: map, names: names)
    }
}

/// Taint at the level of entities (or of the service a tag names): what the entity received from outside
/// itself, what it still holds, and through how many of its addresses the taint came in.
package struct EntityTaint: Sendable, Equatable {
    /// The label when tagged, else the entity id.
    package var group: String
    package var label: String?
    package var category: String?
    /// The entity ids in the group (more than one when tags name several entities alike).
    package var entities: [String]
    /// Tainted value that arrived from other groups (moves between the group's own addresses are not counted).
    package var taintedReceived: MinorUnits
    /// Tainted value its addresses still hold.
    package var taintedHeld: MinorUnits
    /// Its addresses that received taint from outside, sorted.
    package var receivingAddresses: [String]
    /// Its addresses that still hold taint, sorted.
    package var holdingAddresses: [String]

    /// "ExampleX (exchange) received 0.48200000 BTC of the traced funds under haircut, through 14 addresses;
    /// holds 0.31000000 BTC now."
    package func sentence(policy: TaintPolicy, asset: String, scale: Int) -> String {
        let name = label.map { $0 + (category.map { " (\($0))" } ?? "") } ?? "Entity \(group)"
        let n = receivingAddresses.count
        return
            "\(name) received \(ExactDecimal.format(taintedReceived, scale: scale)) \(asset) of the traced funds under \(policy.rawValue), "
            + "through \(n) address\(n == 1 ? "" : "es"); it holds \(ExactDecimal.format(taintedHeld, scale: scale)) \(asset) of them now"
    }
}

/// Sums a trace's per-address figures by entity.
package enum EntityTracer {
    /// The groups that received or hold taint in `trace`, largest received first (then by group).
    package static func aggregate(_ trace: TraceResult, directory: EntityDirectory) -> [EntityTaint] {
        var groups: [String: EntityTaint] = [:]
        for a in trace.accounts {
            let g = directory.group(of: a.account)
            let e = directory.entity(of: a.account)
            let name = directory.names[e]
            var t =
                groups[g]
                ?? EntityTaint(
                    group: g, label: name?.conflict == false ? name?.label : nil,
                    category: name?.conflict == false ? name?.category : nil,
                    entities: [], taintedReceived: 0, taintedHeld: 0, receivingAddresses: [], holdingAddresses: [])
            if !t.entities.contains(e) { t.entities.append(e) }
            let outside = a.taintedArrivals.filter { directory.group(of: $0.from) != g }.reduce(0) { $0 + $1.tainted }
            if outside > 0 {
                t.taintedReceived += outside
                t.receivingAddresses.append(a.account)
            }
            if a.taintedHeld > 0 {
                t.taintedHeld += a.taintedHeld
                t.holdingAddresses.append(a.account)
            }
            groups[g] = t
        }
        return groups.values.filter { $0.taintedReceived > 0 || $0.taintedHeld > 0 }.map { t in
            var t = t
            t.entities.sort()
            t.receivingAddresses.sort()
            t.holdingAddresses.sort()
            return t
        }.sorted { ($0.taintedReceived, $1.group) > ($1.taintedReceived, $0.group) }
    }

    /// The groups as a JSON array (amounts as decimal strings at `scale`).
    package static func json(_ groups: [EntityTaint], scale: Int) -> JSONValue {
        .array(
            groups.map { g in
                .object([
                    ("group", .string(g.group)), ("label", g.label.map(JSONValue.string) ?? .null),
                    ("category", g.category.map(JSONValue.string) ?? .null), ("entities", .strings(g.entities)),
                    ("tainted_received", .string(ExactDecimal.format(g.taintedReceived, scale: scale))),
                    ("tainted_held", .string(ExactDecimal.format(g.taintedHeld, scale: scale))),
                    ("receiving_addresses", .strings(g.receivingAddresses)),
                    ("holding_addresses", .strings(g.holdingAddresses)),
                ])
            })
    }
}

extension EntityTracer {
    /// The trace as CSV with its entity figures: one `address` row per address of the trace (the columns of
    /// `trace run --format csv`, then the address's entity and that entity's tag), then one `entity` row per
    /// group (what it received from outside itself and what it holds; its entities and addresses, space-separated).
    /// The `row` column tells the two apart, so that sums are taken over one kind only.
    package static func csv(_ trace: TraceResult, groups: [EntityTaint], directory: EntityDirectory) -> String {
        func amount(_ v: MinorUnits) -> String { ExactDecimal.format(v, scale: trace.scale) }
        var s =
            "row,account,tainted_received,tainted_sent,tainted_held,balance,opening,asset,policy,"
            + "entity,entity_label,entity_category,receiving_addresses,holding_addresses\r\n"
        for a in trace.accounts {
            let e = directory.entity(of: a.account)
            let name = directory.names[e].flatMap { $0.conflict ? nil : $0 }
            s += CSV.row([
                "address", a.account, amount(a.taintedReceived), amount(a.taintedSent),
                amount(a.taintedHeld), amount(a.balance), amount(a.opening), trace.asset,
                trace.policy.rawValue, e, name?.label ?? "", name?.category ?? "", "",
                "",
            ])
        }
        for g in groups {
            s += CSV.row([
                "entity", g.group, amount(g.taintedReceived), "", amount(g.taintedHeld), "", "",
                trace.asset, trace.policy.rawValue, g.entities.joined(separator: " "),
                g.label ?? "", g.category ?? "",
                g.receivingAddresses.joined(separator: " "),
                g.holdingAddresses.joined(separator: " "),
            ])
        }
        return s
    }
}
