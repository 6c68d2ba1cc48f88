import IProceedsBase

/// Writes trace results as JSON or CSV, deterministically: fixed key order, accounts sorted, amounts as decimal
/// strings at the asset's scale.
package enum TraceReport {
    /// One account a line in the lists of accounts, one conversion a line; everything else on the line of its key.
    static let layout: [String: JSONValue.Layout] = [
        "accounts": .block, "converted_by": .block, "traces": .block, "traces/*": .block,
        "traces/*/accounts": .block, "traces/*/converted_by": .block, "conversions": .block,
        // Added by `trace run --entities/--cluster`, on one line as scripts read it.
        "entities": .compact,
    ]

    package static func json(_ r: TraceResult, ledger: Ledger) -> String {
        json(MixedTraceResult(policy: r.policy, traces: [r], conversions: []), ledger: ledger)
    }

    /// One asset: the figures at the top level. With conversions (or seeds in a bank ledger and a chain), the seeds'
    /// asset stays at the top level and every traced asset (that one included) is listed under `traces`, with the
    /// conversions that linked them.
    /// - Parameter entities: what each entity received and holds (`trace run --entities/--cluster`), added last
    ///   as `entities`.
    package static func json(_ m: MixedTraceResult, ledger: Ledger, entities: [EntityTaint]? = nil) -> String {
        let r = m.traces[0]
        var members: [(String, JSONValue?)] = [("policy", .string(r.policy.rawValue))]
        members += body(r)
        if !m.conversions.isEmpty || m.traces.count > 1 {
            members.append(("traces", .array(m.traces.map { .members(body($0)) })))
            members.append(("conversions", .array(m.conversions.map(conversion))))
        }
        members += [
            ("inputs", ReportJSON.inputs(ledger)), ("import_issues", .int(ledger.issues.count)),
            ("tool", ReportJSON.tool), ("entities", entities.map { EntityTracer.json($0, scale: r.scale) }),
        ]
        return JSONValue.members(members).pretty(layout: layout)
    }

    private static func conversion(_ c: ConversionOutcome) -> JSONValue {
        func from(_ v: MinorUnits) -> JSONValue { .string(ExactDecimal.format(v, scale: c.fromScale)) }
        func to(_ v: MinorUnits) -> JSONValue { .string(ExactDecimal.format(v, scale: c.toScale)) }
        return .object([
            ("conversion", .string(c.record.id)), ("from_asset", .string(c.fromAsset)),
            ("to_asset", .string(c.toAsset)), ("deposit_account", .string(c.depositAccount)),
            ("funding", .strings(c.record.funding)), ("funded", .strings(c.record.funded)),
            ("funding_amount", from(c.fundingAmount)), ("funding_tainted", from(c.fundingTainted)),
            ("funded_amount", to(c.fundedAmount)), ("funded_tainted", to(c.fundedTainted)),
            ("note", .string(c.record.note)),
            ("source", .string(c.record.source.file + " " + c.record.source.location)),
            ("source_sha256", .string(c.record.source.fileSHA256)),
        ])
    }

    /// The figures of one asset's trace, as members (absent ones nil).
    private static func body(_ r: TraceResult) -> [(String, JSONValue?)] {
        func amount(_ v: MinorUnits) -> JSONValue { .string(ExactDecimal.format(v, scale: r.scale)) }
        func figures(_ a: AccountTaint) -> JSONValue {
            .object([
                ("account", .string(a.account)), ("tainted_received", amount(a.taintedReceived)),
                ("tainted_sent", amount(a.taintedSent)), ("tainted_held", amount(a.taintedHeld)),
                ("balance", amount(a.balance)), ("opening", amount(a.opening)),
            ])
        }
        let c = r.conservation
        let conservation: [(String, JSONValue?)] = [
            ("injected", amount(c.injected)), ("held", amount(c.held)), ("left", amount(c.left)),
            ("converted", !r.conversions.isEmpty || c.converted != 0 ? amount(c.converted) : nil),
            ("balanced", .bool(c.balanced)), ("value_conserved", .bool(c.valueConserved)),
            ("note", r.policy == .poison ? "poison taints whole balances, so held may exceed injected" : nil),
        ]
        return [
            ("asset", .string(r.asset)), ("scale", .int(r.scale)), ("injected", amount(c.injected)),
            ("until", r.until.map { .string(ISO8601.format($0)) }), ("seeds", .strings(r.seeds)),
            ("transfers_applied", .int(r.transfersApplied)), ("accounts", .array(r.accounts.map(figures))),
            ("converted_by", r.conversions.isEmpty ? nil : .array(r.conversions.map(figures))),
            ("conservation", .members(conservation)),
        ]
    }

    package static func csv(_ r: TraceResult) -> String {
        csv(MixedTraceResult(policy: r.policy, traces: [r], conversions: []))
    }

    /// One row per account and asset; conversions appear as accounts named `conversion:ID`.
    package static func csv(_ m: MixedTraceResult) -> String {
        var s = "account,tainted_received,tainted_sent,tainted_held,balance,opening,asset,policy\r\n"
        for r in m.traces {
            for a in r.accounts + r.conversions {
                s +=
                    [
                        CSV.field(a.account), ExactDecimal.format(a.taintedReceived, scale: r.scale),
                        ExactDecimal.format(a.taintedSent, scale: r.scale),
                        ExactDecimal.format(a.taintedHeld, scale: r.scale),
                        ExactDecimal.format(a.balance, scale: r.scale),
                        ExactDecimal.format(a.opening, scale: r.scale), CSV.field(r.asset), r.policy.rawValue,
                    ].joined(separator: ",") + "\r\n"
            }
        }
        return s
    }
}

import Foundation

/// Freezing candidates as JSON (for the file) and CSV (for the request form), deterministically.
package enum FreezeReport {
    /// One institution a line (its accounts one a line under it), each asset of `other_assets` laid out alike.
    static let layout: [String: JSONValue.Layout] = [
        "institutions": .block, "institutions/*/accounts": .block, "other_assets": .block, "other_assets/*": .block,
        "other_assets/*/institutions": .block, "other_assets/*/institutions/*/accounts": .block,
    ]

    package static func json(_ f: FreezeList, ledger: Ledger) -> String {
        let members =
            body(f) + [
                ("other_assets", f.otherAssets.isEmpty ? nil : .array(f.otherAssets.map { .members(body($0)) })),
                ("inputs", ReportJSON.inputs(ledger)), ("tool", ReportJSON.tool),
            ]
        return JSONValue.members(members).pretty(layout: layout)
    }

    /// One asset's list, as members (absent ones nil).
    private static func body(_ f: FreezeList) -> [(String, JSONValue?)] {
        func amount(_ v: MinorUnits) -> JSONValue { .string(ExactDecimal.format(v, scale: f.scale)) }
        func byPolicy(_ held: (TaintPolicy) -> MinorUnits) -> JSONValue {
            .object(f.policies.map { ($0.rawValue, amount(held($0))) })
        }
        func candidate(_ c: FreezeCandidate) -> JSONValue {
            .members([
                ("account", .string(c.account)), ("label", c.label.map { .string($0.label) }),
                ("category", c.label.map { .string($0.category) }), ("tainted_held", byPolicy { c.held[$0] ?? 0 }),
                ("balance", amount(c.balance)),
                (
                    "evidence",
                    .array(
                        c.evidence.map { e in
                            .object([
                                ("transfer", .string(e.transferID)), ("time", .string(ISO8601.format(e.time))),
                                ("from", .string(e.from)), ("tainted", amount(e.tainted)),
                                ("source", .string(e.source.file + " " + e.source.location)),
                                ("source_sha256", .string(e.source.fileSHA256)),
                            ])
                        })
                ),
            ])
        }
        return [
            ("asset", .string(f.asset)), ("policies", .strings(f.policies.map(\.rawValue))),
            ("min_amount", amount(f.minimum)), ("at", f.at.map { .string(ISO8601.format($0)) }),
            (
                "institutions",
                .array(
                    f.institutions.map { group in
                        .object([
                            ("institution", .string(group.institution)),
                            ("total", byPolicy { p in group.candidates.reduce(0) { $0 + ($1.held[p] ?? 0) } }),
                            ("accounts", .array(group.candidates.map(candidate))),
                        ])
                    })
            ),
        ]
    }

    package static func csv(_ f: FreezeList) -> String {
        var s =
            (["institution", "account", "label", "category"] + f.policies.map { "held_\($0.rawValue)" } + [
                "balance", "asset", "evidence_transfers",
            ]).joined(separator: ",") + "\r\n"
        for list in [f] + f.otherAssets {
            s += rows(list)
        }
        return s
    }

    private static func rows(_ f: FreezeList) -> String {
        let field = CSV.field
        var s = ""
        for group in f.institutions {
            for c in group.candidates {
                var row = [group.institution, c.account, c.label?.label ?? "", c.label?.category ?? ""].map(field)
                row += f.policies.map { ExactDecimal.format(c.held[$0] ?? 0, scale: f.scale) }
                row += [
                    ExactDecimal.format(c.balance, scale: f.scale), f.asset,
                    field(c.evidence.map(\.transferID).joined(separator: " ")),
                ]
                s += row.joined(separator: ",") + "\r\n"
            }
        }
        return s
    }
}

/// A trace as a Graphviz graph: accounts that touched taint, and the transfers that carried it, each labelled
/// with its id and tainted amount. Deterministic: nodes sorted, edges in application order per receiver.
package enum TraceGraph {
    package static func dot(_ r: TraceResult) -> String {
        dot(MixedTraceResult(policy: r.policy, traces: [r], conversions: []))
    }

    /// Conversions are drawn as ellipses joining the assets they link.
    package static func dot(_ m: MixedTraceResult) -> String {
        // Quoted DOT ids; a line break becomes Graphviz's \n escape. Other controls become their Unicode control
        // pictures (as on the HTML pages): Graphviz stops reading at NUL and copies controls into the SVG it
        // renders, which XML forbids.
        func q(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar.value {
                case 0x5C: out += "\\\\"
                case 0x22: out += "\\\""
                case 0x0A: out += "\\n"
                case 0x00...0x1F: out.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value)!)
                case 0x7F: out += "\u{2421}"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        let first = m.traces[0]
        var s =
            "digraph trace {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n"
        s +=
            "  label=\(q("\(m.policy.rawValue) trace of \(ExactDecimal.format(first.conservation.injected, scale: first.scale)) \(first.asset); seeds \(first.seeds.joined(separator: ", "))"));\n"
        for c in m.conversions {
            s +=
                "  \(q(c.record.node)) [shape=ellipse, label=\(q("\(c.record.id): \(c.fromAsset) → \(c.toAsset) at \(c.depositAccount)"))];\n"
        }
        for r in m.traces {
            for a in r.accounts {
                let style = a.taintedHeld > 0 ? ", style=filled, fillcolor=\"#f6d5d5\"" : ""
                let figures =
                    "held \(ExactDecimal.format(a.taintedHeld, scale: r.scale)) of \(ExactDecimal.format(a.balance, scale: r.scale)) \(r.asset)"
                s += "  \(q(a.account)) [label=\(q("\(a.account)\n\(figures)"))\(style)];\n"
            }
        }
        for r in m.traces {
            for a in r.accounts + r.conversions {
                for e in a.taintedArrivals {
                    let label =
                        "\(e.transferID): \(ExactDecimal.format(e.tainted, scale: r.scale))\(m.traces.count > 1 ? " " + r.asset : "")"
                    s += "  \(q(e.from)) -> \(q(a.account)) [label=\(q(label))];\n"
                }
            }
        }
        return s + "}\n"
    }
}
