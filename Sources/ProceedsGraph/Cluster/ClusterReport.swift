import IProceedsBase

/// Writes clustering results as JSON or CSV, deterministically: addresses by entity id then address, fixed keys.
/// Both are written piece by piece through `write`, so millions of addresses never sit in memory as one string.
package enum ClusterReport {
    /// The CSV columns, one row per address.
    package static let csvHeader = "address,entity,entity_addresses,entity_label,entity_category,reasons"

    /// The label column of an entity: its tags' label, `conflicting tags: A; B` when they disagree (none is
    /// chosen), empty when untagged.
    package static func labelText(_ a: EntityAttribution?) -> String {
        guard let a else { return "" }
        if let label = a.label { return label }
        var seen = Set<String>()
        return "conflicting tags: "
            + a.tags.map { "\($0.label)" + ($0.category.isEmpty ? "" : " (\($0.category))") }
            .filter { seen.insert($0).inserted }.joined(separator: "; ")
    }

    /// One row per address: `address,entity,entity_addresses,entity_label,entity_category,reasons`, the reasons
    /// as `heuristic:transaction(file:line)[+N more]` joined by `;` (empty for an address alone).
    package static func csv(_ r: ClusterResult, attribution: Attribution? = nil, write: (String) -> Void) {
        write(csvHeader + "\n")
        var chunk = ""
        for i in r.reportOrder {
            let e = r.entities[Int(r.entityOf[i])]
            let reasons = r.reasons(i).map { x in
                "\(x.heuristic):\(x.citation.transaction)(\(x.citation.file):\(x.citation.line))"
                    + (x.transactions > 1 ? "+\(x.transactions - 1) more" : "")
            }.joined(separator: ";")
            let a = attribution?.entities[e.id]
            chunk +=
                CSV.field(r.addresses[i]) + "," + CSV.field(e.id) + "," + String(e.size) + ","
                + CSV.field(labelText(a)) + "," + CSV.field(a?.category ?? "") + "," + CSV.field(reasons) + "\n"
            if chunk.utf8.count > 1 << 16 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk)
    }

    /// A JSON object: the run's parameters and summary, the CoinJoin-like transactions left unmerged, then one
    /// compact object per address on its own line under `addresses`.
    /// - Parameters:
    ///   - asset: the chain's asset, for the CoinJoin values.
    ///   - inputs: the files read, with their SHA-256.
    package static func json(
        _ r: ClusterResult, chain: String, asset: String, inputs: [(path: String, sha256: String)], importIssues: Int,
        attribution: Attribution? = nil, write: (String) -> Void
    ) {
        let s = r.statistics
        let multiEntities = r.entities.lazy.filter { $0.size > 1 }.count
        let head: [(String, JSONValue)] = [
            ("command", "trace cluster"),
            ("chain", .string(chain)),
            ("asset", .string(asset)),
            ("heuristics", .strings(["multi-input"] + r.heuristics.map(\.reason))),
            (
                "summary",
                .object([
                    ("transactions", .int(s.transactions)),
                    ("addresses", .int(r.addresses.count)),
                    ("entities", .int(r.entities.count)),
                    ("entities_of_two_or_more_addresses", .int(multiEntities)),
                    ("multi_input_transactions", .int(s.multiInputTransactions)),
                    (
                        "coinjoin_like_transactions",
                        .object(CoinJoinPattern.allCases.map { ($0.rawValue, .int(s.coinJoins[$0] ?? 0)) })
                    ),
                    ("change_merges", .object(r.heuristics.map { ($0.reason, .int(s.changeMerges[$0] ?? 0)) })),
                    ("change_heuristics_disagreed", .int(s.changeDisagreements)),
                ])
            ),
            (
                "coinjoins",
                .array(
                    r.coinJoins.map { c in
                        .object([
                            ("transaction", .string(c.citation.transaction)), ("pattern", .string(c.pattern.rawValue)),
                            ("inputs", .int(c.inputs)), ("outputs", .int(c.outputs)),
                            ("equal_outputs", .int(c.equalOutputs)),
                            ("equal_value", .string(ExactDecimal.format(c.equalValue, scale: 8))),
                            ("source", .string("\(c.citation.file):\(c.citation.line)")),
                        ])
                    })
            ),
            (
                "tagged_entities",
                attribution.map { a in
                    .array(
                        a.entities.values.sorted { $0.entity.utf8.lexicographicallyPrecedes($1.entity.utf8) }.map { t in
                            tagged(t, r)
                        })
                } ?? .null
            ),
            ("tags_not_in_data", .int(attribution?.unmatched.count ?? 0)),
            ("tags_of_other_currencies", .int(attribution?.otherCurrency.count ?? 0)),
            ("inputs", .array(inputs.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("import_issues", .int(importIssues)),
            ("tool", .object([("name", .string(ToolIdentity.name)), ("version", .string(ToolIdentity.version))])),
        ]
        write("{\n")
        for (k, v) in head { write("  " + JSONValue.quoted(k) + ": " + v.compact + ",\n") }
        write("  \"addresses\": [")
        var chunk = ""
        var first = true
        for i in r.reportOrder {
            let e = r.entities[Int(r.entityOf[i])]
            let a = attribution?.entities[e.id]
            let o: JSONValue = .object([
                ("address", .string(r.addresses[i])), ("entity", .string(e.id)), ("entity_addresses", .int(e.size)),
                ("entity_label", a?.label.map(JSONValue.string) ?? .null),
                ("entity_category", a?.category.map(JSONValue.string) ?? .null),
                (
                    "reasons",
                    .array(
                        r.reasons(i).map { x in
                            .object([
                                ("heuristic", .string(x.heuristic)), ("transaction", .string(x.citation.transaction)),
                                ("source", .string("\(x.citation.file):\(x.citation.line)")),
                                ("transactions", .int(x.transactions)),
                            ])
                        })
                ),
            ])
            chunk += (first ? "\n    " : ",\n    ") + o.compact
            first = false
            if chunk.utf8.count > 1 << 16 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk + (first ? "]\n}\n" : "\n  ]\n}\n"))
    }

    /// One tagged entity: its name (null when its tags conflict), whether they conflict, and every tag.
    static func tagged(_ t: EntityAttribution, _ r: ClusterResult) -> JSONValue {
        let size = r.entity(id: t.entity)?.size ?? 0
        return .object([
            ("entity", .string(t.entity)), ("label", t.label.map(JSONValue.string) ?? .null),
            ("category", t.category.map(JSONValue.string) ?? .null), ("conflict", .bool(t.isConflict)),
            ("entity_addresses", .int(size)),
            (
                "tags",
                .array(
                    t.tags.map { g in
                        .object([
                            ("address", .string(g.address)), ("label", .string(g.label)),
                            ("category", .string(g.category)),
                            ("currency", .string(g.currency)), ("confidence", .string(g.confidence)),
                            ("source", .string(g.source)),
                            ("is_public", g.isPublic.map(JSONValue.bool) ?? .null), ("origin", .string(g.origin)),
                        ])
                    })
            ),
        ])
    }
}
