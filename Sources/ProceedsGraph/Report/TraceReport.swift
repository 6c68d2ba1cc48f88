import IProceedsBase

/// Writes trace results as JSON or CSV, deterministically: fixed key order, accounts sorted, amounts as decimal
/// strings at the asset's scale.
public enum TraceReport {
    public static func json(_ r: TraceResult, ledger: Ledger) -> String {
        json(MixedTraceResult(policy: r.policy, traces: [r], conversions: []), ledger: ledger)
    }

    /// One asset: the figures at the top level. With conversions, the seeds' asset stays at the top level and
    /// every traced asset (that one included) is listed under `traces`, with the conversions that linked them.
    public static func json(_ m: MixedTraceResult, ledger: Ledger) -> String {
        func str(_ s: String) -> String { JSONValue.quoted(s) }
        let r = m.traces[0]
        var s = "{\n"
        s += "  \"policy\": \(str(r.policy.rawValue)),\n"
        s += body(r, indent: "  ")
        if !m.conversions.isEmpty {
            s +=
                "  \"traces\": [\n"
                + m.traces.map { "    {\n" + body($0, indent: "      ").dropLast(2) + "\n    }" }.joined(
                    separator: ",\n") + "\n  ],\n"
            s +=
                "  \"conversions\": [\n"
                + m.conversions.map { c in
                    func from(_ v: MinorUnits) -> String { "\"" + ExactDecimal.format(v, scale: c.fromScale) + "\"" }
                    func to(_ v: MinorUnits) -> String { "\"" + ExactDecimal.format(v, scale: c.toScale) + "\"" }
                    return
                        "    {\"conversion\": \(str(c.record.id)), \"from_asset\": \(str(c.fromAsset)), \"to_asset\": \(str(c.toAsset)), "
                        + "\"deposit_account\": \(str(c.depositAccount)), "
                        + "\"funding\": [\(c.record.funding.map(str).joined(separator: ", "))], \"funded\": [\(c.record.funded.map(str).joined(separator: ", "))], "
                        + "\"funding_amount\": \(from(c.fundingAmount)), \"funding_tainted\": \(from(c.fundingTainted)), "
                        + "\"funded_amount\": \(to(c.fundedAmount)), \"funded_tainted\": \(to(c.fundedTainted)), "
                        + "\"note\": \(str(c.record.note)), \"source\": \(str(c.record.source.file + " " + c.record.source.location)), "
                        + "\"source_sha256\": \(str(c.record.source.fileSHA256))}"
                }.joined(separator: ",\n") + "\n  ],\n"
        }
        s +=
            "  \"inputs\": ["
            + ledger.inputs.map { "{\"path\": \(str($0.path)), \"sha256\": \(str($0.sha256))}" }.joined(separator: ", ")
            + "],\n"
        s += "  \"import_issues\": \(ledger.issues.count),\n"
        s += "  \"tool\": {\"name\": \(str(ToolIdentity.name)), \"version\": \(str(ToolIdentity.version))}\n"
        s += "}\n"
        return s
    }

    /// The figures of one asset's trace as JSON members, each line indented and ending in ",\n".
    private static func body(_ r: TraceResult, indent: String) -> String {
        func amount(_ v: MinorUnits) -> String { "\"" + ExactDecimal.format(v, scale: r.scale) + "\"" }
        func str(_ s: String) -> String { JSONValue.quoted(s) }
        func figures(_ a: AccountTaint) -> String {
            "\(indent)  {\"account\": \(str(a.account)), \"tainted_received\": \(amount(a.taintedReceived)), "
                + "\"tainted_sent\": \(amount(a.taintedSent)), \"tainted_held\": \(amount(a.taintedHeld)), "
                + "\"balance\": \(amount(a.balance)), \"opening\": \(amount(a.opening))}"
        }
        var s = "\(indent)\"asset\": \(str(r.asset)),\n"
        s += "\(indent)\"scale\": \(r.scale),\n"
        s += "\(indent)\"injected\": \(amount(r.conservation.injected)),\n"
        if let until = r.until { s += "\(indent)\"until\": \(str(ISO8601.format(until))),\n" }
        s += "\(indent)\"seeds\": [" + r.seeds.map(str).joined(separator: ", ") + "],\n"
        s += "\(indent)\"transfers_applied\": \(r.transfersApplied),\n"
        s += "\(indent)\"accounts\": [\n" + r.accounts.map(figures).joined(separator: ",\n")
        s += r.accounts.isEmpty ? "\(indent)],\n" : "\n\(indent)],\n"
        if !r.conversions.isEmpty {
            s +=
                "\(indent)\"converted_by\": [\n" + r.conversions.map(figures).joined(separator: ",\n")
                + "\n\(indent)],\n"
        }
        let c = r.conservation
        s +=
            "\(indent)\"conservation\": {\"injected\": \(amount(c.injected)), \"held\": \(amount(c.held)), \"left\": \(amount(c.left)), "
        if !r.conversions.isEmpty || c.converted != 0 { s += "\"converted\": \(amount(c.converted)), " }
        s += "\"balanced\": \(c.balanced), \"value_conserved\": \(c.valueConserved)"
        if r.policy == .poison { s += ", \"note\": \"poison taints whole balances, so held may exceed injected\"" }
        s += "},\n"
        return s
    }

    public static func csv(_ r: TraceResult) -> String {
        csv(MixedTraceResult(policy: r.policy, traces: [r], conversions: []))
    }

    /// One row per account and asset; conversions appear as accounts named `conversion:ID`.
    public static func csv(_ m: MixedTraceResult) -> String {
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
public enum FreezeReport {
    public static func json(_ f: FreezeList, ledger: Ledger) -> String {
        func str(_ s: String) -> String { JSONValue.quoted(s) }
        var s = "{\n" + body(f, indent: "  ")
        if !f.otherAssets.isEmpty {
            s +=
                "  \"other_assets\": [\n"
                + f.otherAssets.map { "    {\n" + body($0, indent: "      ").dropLast(2) + "\n    }" }.joined(
                    separator: ",\n") + "\n  ],\n"
        }
        s +=
            "  \"inputs\": ["
            + ledger.inputs.map { "{\"path\": \(str($0.path)), \"sha256\": \(str($0.sha256))}" }.joined(separator: ", ")
            + "],\n"
        s += "  \"tool\": {\"name\": \(str(ToolIdentity.name)), \"version\": \(str(ToolIdentity.version))}\n}\n"
        return s
    }

    /// One asset's list as JSON members, each line indented and ending in ",\n".
    private static func body(_ f: FreezeList, indent: String) -> String {
        func amount(_ v: MinorUnits) -> String { "\"" + ExactDecimal.format(v, scale: f.scale) + "\"" }
        func str(_ s: String) -> String { JSONValue.quoted(s) }
        var s =
            "  \"asset\": \(str(f.asset)),\n  \"policies\": ["
            + f.policies.map { str($0.rawValue) }.joined(separator: ", ") + "],\n"
        s += "  \"min_amount\": \(amount(f.minimum)),\n"
        if let at = f.at { s += "  \"at\": \(str(ISO8601.format(at))),\n" }
        s += "  \"institutions\": [\n"
        s += f.institutions.map { group in
            var g = "    {\"institution\": \(str(group.institution)), \"total\": {"
            g += f.policies.map { p in
                "\(str(p.rawValue)): \(amount(group.candidates.reduce(0) { $0 + ($1.held[p] ?? 0) }))"
            }.joined(separator: ", ")
            g += "}, \"accounts\": [\n"
            g += group.candidates.map { c in
                var a = "      {\"account\": \(str(c.account))"
                if let l = c.label { a += ", \"label\": \(str(l.label)), \"category\": \(str(l.category))" }
                a +=
                    ", \"tainted_held\": {"
                    + f.policies.map { p in "\(str(p.rawValue)): \(amount(c.held[p] ?? 0))" }.joined(separator: ", ")
                    + "}"
                a += ", \"balance\": \(amount(c.balance)), \"evidence\": ["
                a += c.evidence.map { e in
                    "{\"transfer\": \(str(e.transferID)), \"time\": \(str(ISO8601.format(e.time))), \"from\": \(str(e.from)), "
                        + "\"tainted\": \(amount(e.tainted)), \"source\": \(str(e.source.file + " " + e.source.location)), \"source_sha256\": \(str(e.source.fileSHA256))}"
                }.joined(separator: ", ")
                return a + "]}"
            }.joined(separator: ",\n")
            return g + "\n    ]}"
        }.joined(separator: ",\n")
        s += f.institutions.isEmpty ? "  ],\n" : "\n  ],\n"
        // Re-indent: the members above are written for the top level.
        return indent == "  "
            ? s
            : s.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.isEmpty ? "" : indent.dropLast(2) + $0
            }.joined(separator: "\n")
    }

    public static func csv(_ f: FreezeList) -> String {
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
public enum TraceGraph {
    public static func dot(_ r: TraceResult) -> String {
        dot(MixedTraceResult(policy: r.policy, traces: [r], conversions: []))
    }

    /// Conversions are drawn as ellipses joining the assets they link.
    public static func dot(_ m: MixedTraceResult) -> String {
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
