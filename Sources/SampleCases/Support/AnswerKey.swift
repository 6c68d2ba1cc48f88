import IProceedsBase

/// A case's machine-readable answer key (`answers.json`), built from what the generator planted and wrote —
/// never from running iproceeds. `docs/trainer-guide.md` describes every field.
struct AnswerKey {
    struct Trace {
        var id: String
        var question: String
        /// `iproceeds` arguments, run from the case folder; the test adds `--policy P --format json`.
        var command: [String]
        var asset: String
        var scale: Int
        var injected: Int64
        /// Tainted holdings at the end per account that ever received taint; every other account holds none.
        var held: [String: [Policy: Int64]]
        /// UTXO only: taint paid away as fees (`conservation.left`).
        var feesTainted: [Policy: Int64]? = nil
    }

    struct Freeze {
        var command: [String]
        var minAmount: Int64
        var candidates: [(account: String, institution: String, held: [Policy: Int64])]
    }

    struct Redaction {
        var files: [String]
        var namesFile: String?
        /// Personal data the generator planted, per detector type, over all `files`.
        var planted: [String: Int]
        /// Values planted more than once count once per occurrence; these are the distinct values per type.
        var distinct: [String: Int]
        /// keygen, build, verify: the package's `redaction-log.json` counts, per type, what was planted.
        var sharing: [CustodyScript.Step] = []
    }

    /// Entities on a UTXO ledger: what clustering with the case's TagPack must find, taint per entity under each
    /// policy, and the freezing candidates per institution (`docs/clustering.md`).
    struct Entities {
        var tagPack: String
        /// `trace cluster … --format json`.
        var clusterCommand: [String]
        /// Entities the clustering must find: id, the tag's label and category, every address.
        var clusters: [(entity: String, label: String?, category: String?, addresses: [String])]
        var coinJoins:
            [(
                transaction: String, pattern: String, inputs: Int, outputs: Int, equalOutputs: Int,
                equalValue: Int64
            )]
        /// `trace run … --cluster --tags …`; the test adds `--policy P --format json`.
        var traceCommand: [String]
        var groups: [ExpectedEntities.Group]
        /// `trace freeze … --cluster --tags … --policy all --min-amount … --format json`.
        var freezeCommand: [String]
        var minAmount: Int64
        var scale: Int
    }

    /// Accounts a pattern search must flag (among others: a flag is a lead, and the background has its own).
    struct Patterns {
        var command: [String]
        var mustFlag: [String: [String]]
    }

    var title: String
    var caseID: String
    var evidenceItems: [(item: String, path: String, description: String)]
    var custodySteps: [CustodyScript.Step]
    var custodyActions: [String]
    var traces: [Trace]
    var freeze: Freeze?
    var redaction: Redaction?
    var patterns: Patterns? = nil
    /// Scenario facts a trainer asks about (the victim's loss, the forged e-mail's file, …).
    var facts: [(String, JSONValue)]
    var entities: Entities? = nil

    static func policies(_ v: [Policy: Int64], scale: Int) -> JSONValue {
        .object(Policy.allCases.compactMap { p in v[p].map { (p.rawValue, .string(Amount.text($0, scale: scale))) } })
    }

    func json(_ b: CaseBuilder) -> JSONValue {
        let records = b.evidence
        let evidence: JSONValue = .object([
            ("command", .strings(["evidence", "hash", "-q", "evidence"])),
            ("records", .int(records.count)),
            ("files", .int(records.filter { $0.member.isEmpty }.count)),
            ("members", .int(records.filter { !$0.member.isEmpty }.count)),
            ("errors", .int(records.filter(\.error).count)),
            (
                "items",
                .array(
                    evidenceItems.map {
                        .object([
                            ("item", .string($0.item)), ("path", .string($0.path)),
                            ("description", .string($0.description)),
                        ])
                    })
            ),
            (
                "records_list",
                .array(
                    records.sorted {
                        ($0.path, $0.member.joined(separator: "\u{0}")) < (
                            $1.path, $1.member.joined(separator: "\u{0}")
                        )
                    }.map(\.json))
            ),
        ])
        let custody: JSONValue = .object([
            ("steps", .array(custodySteps.map { .object([("run", .strings($0.args)), ("exit", .int($0.exit))]) })),
            ("entries", .int(custodyActions.count)),
            ("actions", .strings(custodyActions)),
            ("items", .strings(evidenceItems.map(\.item))),
            (
                "note",
                .string(
                    "The head (seq:hash) depends on the examiner's key and the time; check it with `custody verify`.")
            ),
        ])
        var pairs: [(String, JSONValue)] = [
            ("format", .string("iproceeds-sample-answers/1")),
            ("scenario", .string(b.scenario)),
            ("seed", .int(Int64(bitPattern: b.seed))),
            ("scale", .int(b.scale)),
            ("title", .string(title)),
            ("case_id", .string(caseID)),
            ("facts", .object(facts)),
            ("evidence", evidence),
            ("custody", custody),
            (
                "traces",
                .array(
                    traces.map { t in
                        var o: [(String, JSONValue)] = [
                            ("id", .string(t.id)), ("question", .string(t.question)), ("command", .strings(t.command)),
                            ("asset", .string(t.asset)), ("injected", .string(Amount.text(t.injected, scale: t.scale))),
                            (
                                "held",
                                .object(t.held.keys.sorted().map { ($0, Self.policies(t.held[$0]!, scale: t.scale)) })
                            ),
                        ]
                        if let f = t.feesTainted { o.append(("fees_tainted", Self.policies(f, scale: t.scale))) }
                        return .object(o)
                    })
            ),
        ]
        if let f = freeze {
            pairs.append(
                (
                    "freeze",
                    .object([
                        ("command", .strings(f.command)),
                        ("min_amount", .string(Amount.text(f.minAmount))),
                        (
                            "candidates",
                            .array(
                                f.candidates.map {
                                    .object([
                                        ("account", .string($0.account)), ("institution", .string($0.institution)),
                                        ("tainted_held", Self.policies($0.held, scale: 2)),
                                    ])
                                })
                        ),
                    ])
                ))
        }
        if let e = entities { pairs.append(("entities", Self.json(e))) }
        if let p = patterns {
            pairs.append(
                (
                    "patterns",
                    .object([
                        ("command", .strings(p.command)),
                        (
                            "must_flag",
                            .object(p.mustFlag.keys.sorted().map { ($0, .strings(p.mustFlag[$0]!.sorted())) })
                        ),
                    ])
                ))
        }
        if let r = redaction {
            var o: [(String, JSONValue)] = [("files", .strings(r.files))]
            if let n = r.namesFile { o.append(("names_file", .string(n))) }
            o.append(("planted", .object(r.planted.keys.sorted().map { ($0, .int(r.planted[$0]!)) })))
            o.append(("distinct", .object(r.distinct.keys.sorted().map { ($0, .int(r.distinct[$0]!)) })))
            if !r.sharing.isEmpty {
                o.append(
                    (
                        "sharing",
                        .object([
                            ("policy", .string(CaseSharing.policyFile)), ("package", .string(CaseSharing.package)),
                            (
                                "steps",
                                .array(
                                    r.sharing.map { .object([("run", .strings($0.args)), ("exit", .int($0.exit))]) })
                            ),
                        ])
                    ))
            }
            pairs.append(("redaction", .object(o)))
        }
        return .object(pairs)
    }
}

extension AnswerKey {
    static func json(_ e: Entities) -> JSONValue {
        let scale = e.scale
        func amounts(_ v: [Policy: Int64]) -> JSONValue {
            .object(Policy.allCases.map { ($0.rawValue, .string(Amount.text(v[$0] ?? 0, scale: scale))) })
        }
        func lists(_ v: [Policy: Set<String>]) -> JSONValue {
            .object(Policy.allCases.map { ($0.rawValue, .strings((v[$0] ?? []).sorted())) })
        }
        func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let listed = e.groups.filter { $0.holds(atLeast: e.minAmount) }
        func holder(_ g: ExpectedEntities.Group) -> JSONValue {
            .object([
                ("institution", optional(g.label)), ("category", optional(g.category)),
                ("entities", .strings(g.union(g.entities))),
                ("tainted_held", amounts(g.held)), ("tainted_received", amounts(g.received)),
                ("holding_addresses", .strings(g.union(g.holding))),
                ("receiving_addresses", .strings(g.union(g.receiving))),
            ])
        }
        return .object([
            ("tagpack", .string(e.tagPack)),
            (
                "cluster",
                .object([
                    ("command", .strings(e.clusterCommand)),
                    (
                        "entities",
                        .array(
                            e.clusters.map { c in
                                .object([
                                    ("entity", .string(c.entity)), ("label", optional(c.label)),
                                    ("category", optional(c.category)), ("addresses", .strings(c.addresses)),
                                ])
                            })
                    ),
                    (
                        "coinjoins",
                        .array(
                            e.coinJoins.map { c in
                                .object([
                                    ("transaction", .string(c.transaction)), ("pattern", .string(c.pattern)),
                                    ("inputs", .int(c.inputs)), ("outputs", .int(c.outputs)),
                                    ("equal_outputs", .int(c.equalOutputs)),
                                    ("equal_value", .string(Amount.text(c.equalValue, scale: scale))),
                                ])
                            })
                    ),
                ])
            ),
            (
                "trace",
                .object([
                    ("command", .strings(e.traceCommand)),
                    (
                        "groups",
                        .array(
                            e.groups.map { g in
                                .object([
                                    ("group", .string(g.group)), ("label", optional(g.label)),
                                    ("category", optional(g.category)), ("entities", lists(g.entities)),
                                    ("tainted_received", amounts(g.received)), ("tainted_held", amounts(g.held)),
                                    ("receiving_addresses", lists(g.receiving)),
                                    ("holding_addresses", lists(g.holding)),
                                ])
                            })
                    ),
                ])
            ),
            (
                "freeze",
                .object([
                    ("command", .strings(e.freezeCommand)),
                    ("min_amount", .string(Amount.text(e.minAmount, scale: scale))),
                    ("institutions", .array(listed.filter { $0.label != nil }.map(holder))),
                    ("untagged_holders", .array(listed.filter { $0.label == nil }.map(holder))),
                ])
            ),
        ])
    }
}

/// Counts the personal data the generator writes into CSIRT files, as it writes it.
struct PlantedData {
    private(set) var counts: [String: Int] = [:]
    private(set) var values: [String: Set<String>] = [:]

    /// Returns `value`, counted as one occurrence of `type`.
    mutating func plant(_ type: String, _ value: String) -> String {
        counts[type, default: 0] += 1
        values[type, default: []].insert(value)
        return value
    }

    var distinct: [String: Int] { values.mapValues(\.count) }
}
