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
