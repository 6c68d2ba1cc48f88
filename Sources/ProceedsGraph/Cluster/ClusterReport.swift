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
        let tags = tagsByEntity(r, attribution)
        var out = ReportBytes()
        var reasons = ReportBytes()
        for id in r.order {
            let i = Int(id)
            let e = Int(r.entityOf[i])
            r.table.withBytes(i) { out.csvField($0) }
            out.byte(UInt8(ascii: ","))
            r.table.withBytes(r.entities.smallestAddress(e)) { a in
                out.csvField(a, prefix: "E-")
            }
            out.byte(UInt8(ascii: ","))
            out.int(r.entities.size(e))
            out.byte(UInt8(ascii: ","))
            let a = tags[Int32(e)]
            if let a {
                out.csvField(Array(labelText(a).utf8))
                out.byte(UInt8(ascii: ","))
                out.csvField(Array((a.category ?? "").utf8))
            } else {
                out.byte(UInt8(ascii: ","))
            }
            out.byte(UInt8(ascii: ","))
            reasons.clear()
            r.forEachReason(i) { heuristic, hash, file, line, count in
                if !reasons.isEmpty { reasons.byte(UInt8(ascii: ";")) }
                reasons.text(heuristic)
                reasons.byte(UInt8(ascii: ":"))
                reasons.bytes(hash)
                reasons.byte(UInt8(ascii: "("))
                reasons.text(file)
                reasons.byte(UInt8(ascii: ":"))
                reasons.int(line)
                reasons.byte(UInt8(ascii: ")"))
                if count > 1 {
                    reasons.byte(UInt8(ascii: "+"))
                    reasons.int(count - 1)
                    reasons.text(" more")
                }
            }
            reasons.withBytes { out.csvField($0) }
            out.byte(0x0A)
            if out.count > 1 << 16 { out.flush(write) }
        }
        out.flush(write)
    }

    /// The attribution of each tagged entity, by entity number (looked up once, not per address).
    static func tagsByEntity(_ r: ClusterResult, _ attribution: Attribution?) -> [Int32: EntityAttribution] {
        var out: [Int32: EntityAttribution] = [:]
        for (id, a) in attribution?.entities ?? [:] {
            guard id.hasPrefix("E-"), let n = r.number(of: String(id.dropFirst(2))) else { continue }
            let e = r.entityOf[n]
            if r.entities[Int(e)].id == id { out[e] = a }
        }
        return out
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
        let multiEntities = r.entities.indices.reduce(0) { $0 + (r.entities.size($1) > 1 ? 1 : 0) }
        let head: [(String, JSONValue)] = [
            ("command", "trace cluster"),
            ("chain", .string(chain)),
            ("asset", .string(asset)),
            ("heuristics", .strings(["multi-input"] + r.heuristics.map(\.reason))),
            (
                "summary",
                .object([
                    ("transactions", .int(s.transactions)),
                    ("addresses", .int(r.addressCount)),
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
        let tags = tagsByEntity(r, attribution)
        var out = ReportBytes()
        var first = true
        for id in r.order {
            let i = Int(id)
            let e = Int(r.entityOf[i])
            out.text(first ? "\n    " : ",\n    ")
            first = false
            out.text("{\"address\":")
            r.table.withBytes(i) { out.jsonString($0) }
            out.text(",\"entity\":")
            r.table.withBytes(r.entities.smallestAddress(e)) { out.jsonString($0, prefix: "E-") }
            out.text(",\"entity_addresses\":")
            out.int(r.entities.size(e))
            let a = tags[Int32(e)]
            out.text(",\"entity_label\":")
            if let label = a?.label { out.jsonString(Array(label.utf8)) } else { out.text("null") }
            out.text(",\"entity_category\":")
            if let category = a?.category { out.jsonString(Array(category.utf8)) } else { out.text("null") }
            out.text(",\"reasons\":[")
            var firstReason = true
            r.forEachReason(i) { heuristic, hash, file, line, count in
                out.text(firstReason ? "{\"heuristic\":" : ",{\"heuristic\":")
                firstReason = false
                out.jsonString(Array(heuristic.utf8))
                out.text(",\"transaction\":")
                out.jsonString(hash)
                out.text(",\"source\":")
                out.jsonString(Array("\(file):\(line)".utf8))
                out.text(",\"transactions\":")
                out.int(count)
                out.byte(UInt8(ascii: "}"))
            }
            out.text("]}")
            if out.count > 1 << 16 { out.flush(write) }
        }
        out.text(first ? "]\n}\n" : "\n  ]\n}\n")
        out.flush(write)
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

/// A report built byte by byte and handed on in pieces: the addresses and hashes go from the clustering's arenas
/// to the output with no string made, escaped exactly as `CSV.field` and `JSONValue` escape them.
struct ReportBytes {
    private var buffer: [UInt8] = []

    var count: Int { buffer.count }
    var isEmpty: Bool { buffer.isEmpty }

    mutating func clear() { buffer.removeAll(keepingCapacity: true) }

    @inline(__always) mutating func byte(_ b: UInt8) { buffer.append(b) }

    mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) { buffer.append(contentsOf: b) }

    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { buffer.append(contentsOf: $0) }
    }

    mutating func int(_ v: Int) {
        if v >= 0 && v < 10 {
            buffer.append(0x30 + UInt8(v))
            return
        }
        text(String(v))
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { buffer.withUnsafeBufferPointer(body) }

    /// `CSV.field`: quoted, with quotes doubled, when it holds a comma, a quote, CR or LF.
    mutating func csvField(_ b: UnsafeBufferPointer<UInt8>, prefix: StaticString = "") {
        let special = b.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if special { buffer.append(0x22) }
        prefix.withUTF8Buffer { buffer.append(contentsOf: $0) }
        if special {
            for c in b {
                buffer.append(c)
                if c == 0x22 { buffer.append(0x22) }
            }
            buffer.append(0x22)
        } else {
            buffer.append(contentsOf: b)
        }
    }

    mutating func csvField(_ b: [UInt8]) { b.withUnsafeBufferPointer { csvField($0) } }

    /// `JSONValue.quoted`: the short escapes, `\u00XX` for other control characters, everything else as is.
    mutating func jsonString(_ b: UnsafeBufferPointer<UInt8>, prefix: StaticString = "") {
        buffer.append(0x22)
        prefix.withUTF8Buffer { buffer.append(contentsOf: $0) }
        var plain = 0
        for (k, c) in b.enumerated() where c == 0x22 || c == 0x5C || c < 0x20 {
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: b[plain..<k]))
            plain = k + 1
            switch c {
            case 0x22: text("\\\"")
            case 0x5C: text("\\\\")
            case 0x08: text("\\b")
            case 0x0C: text("\\f")
            case 0x0A: text("\\n")
            case 0x0D: text("\\r")
            case 0x09: text("\\t")
            default:
                let hex = String(c, radix: 16)
                text("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            }
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: b[plain...]))
        buffer.append(0x22)
    }

    mutating func jsonString(_ b: [UInt8]) { b.withUnsafeBufferPointer { jsonString($0) } }

    /// Hands what is built to `write` as one string and starts again.
    mutating func flush(_ write: (String) -> Void) {
        guard !buffer.isEmpty else { return }
        write(String(decoding: buffer, as: UTF8.self))
        buffer.removeAll(keepingCapacity: true)
    }
}
