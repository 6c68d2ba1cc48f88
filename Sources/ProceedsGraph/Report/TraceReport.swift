import EvidenceKit

/// Writes trace results as JSON or CSV, deterministically: fixed key order, accounts sorted, amounts as decimal
/// strings at the asset's scale.
public enum TraceReport {
    public static func json(_ r: TraceResult, ledger: Ledger) -> String {
        func amount(_ v: MinorUnits) -> String { "\"" + Decimal.format(v, scale: r.scale) + "\"" }
        func str(_ s: String) -> String { JSONLinesWriter.jsonString(s) }
        var s = "{\n"
        s += "  \"policy\": \(str(r.policy.rawValue)),\n"
        s += "  \"asset\": \(str(r.asset)),\n"
        s += "  \"scale\": \(r.scale),\n"
        s += "  \"injected\": \(amount(r.conservation.injected)),\n"
        if let until = r.until { s += "  \"until\": \(str(Timestamp.format(until))),\n" }
        s += "  \"seeds\": [" + r.seeds.map(str).joined(separator: ", ") + "],\n"
        s += "  \"transfers_applied\": \(r.transfersApplied),\n"
        s += "  \"accounts\": [\n"
        s += r.accounts.map { a in
            "    {\"account\": \(str(a.account)), \"tainted_received\": \(amount(a.taintedReceived)), "
                + "\"tainted_sent\": \(amount(a.taintedSent)), \"tainted_held\": \(amount(a.taintedHeld)), "
                + "\"balance\": \(amount(a.balance)), \"opening\": \(amount(a.opening))}"
        }.joined(separator: ",\n")
        s += r.accounts.isEmpty ? "  ],\n" : "\n  ],\n"
        let c = r.conservation
        s += "  \"conservation\": {\"injected\": \(amount(c.injected)), \"held\": \(amount(c.held)), \"left\": \(amount(c.left)), "
        s += "\"balanced\": \(c.balanced), \"value_conserved\": \(c.valueConserved)"
        if r.policy == .poison { s += ", \"note\": \"poison taints whole balances, so held may exceed injected\"" }
        s += "},\n"
        s += "  \"inputs\": [" + ledger.inputs.map { "{\"path\": \(str($0.path)), \"sha256\": \(str($0.sha256))}" }.joined(separator: ", ") + "],\n"
        s += "  \"import_issues\": \(ledger.issues.count),\n"
        s += "  \"tool\": {\"name\": \(str(EvidenceKitInfo.toolName)), \"version\": \(str(EvidenceKitInfo.version))}\n"
        s += "}\n"
        return s
    }

    public static func csv(_ r: TraceResult) -> String {
        var s = "account,tainted_received,tainted_sent,tainted_held,balance,opening,asset,policy\r\n"
        for a in r.accounts {
            s += [TextEscaping.csv(a.account), Decimal.format(a.taintedReceived, scale: r.scale), Decimal.format(a.taintedSent, scale: r.scale),
                  Decimal.format(a.taintedHeld, scale: r.scale), Decimal.format(a.balance, scale: r.scale),
                  Decimal.format(a.opening, scale: r.scale), r.asset, r.policy.rawValue].joined(separator: ",") + "\r\n"
        }
        return s
    }
}

import Foundation

/// Freezing candidates as JSON (for the file) and CSV (for the request form), deterministically.
public enum FreezeReport {
    public static func json(_ f: FreezeList, ledger: Ledger) -> String {
        func amount(_ v: MinorUnits) -> String { "\"" + Decimal.format(v, scale: f.scale) + "\"" }
        func str(_ s: String) -> String { JSONLinesWriter.jsonString(s) }
        var s = "{\n  \"asset\": \(str(f.asset)),\n  \"policies\": [" + f.policies.map { str($0.rawValue) }.joined(separator: ", ") + "],\n"
        s += "  \"min_amount\": \(amount(f.minimum)),\n"
        if let at = f.at { s += "  \"at\": \(str(Timestamp.format(at))),\n" }
        s += "  \"institutions\": [\n"
        s += f.institutions.map { group in
            var g = "    {\"institution\": \(str(group.institution)), \"total\": {"
            g += f.policies.map { p in "\(str(p.rawValue)): \(amount(group.candidates.reduce(0) { $0 + ($1.held[p] ?? 0) }))" }.joined(separator: ", ")
            g += "}, \"accounts\": [\n"
            g += group.candidates.map { c in
                var a = "      {\"account\": \(str(c.account))"
                if let l = c.label { a += ", \"label\": \(str(l.label)), \"category\": \(str(l.category))" }
                a += ", \"tainted_held\": {" + f.policies.map { p in "\(str(p.rawValue)): \(amount(c.held[p] ?? 0))" }.joined(separator: ", ") + "}"
                a += ", \"balance\": \(amount(c.balance)), \"evidence\": ["
                a += c.evidence.map { e in
                    "{\"transfer\": \(str(e.transferID)), \"time\": \(str(Timestamp.format(e.time))), \"from\": \(str(e.from)), "
                        + "\"tainted\": \(amount(e.tainted)), \"source\": \(str(e.source.file + " " + e.source.location)), \"source_sha256\": \(str(e.source.fileSHA256))}"
                }.joined(separator: ", ")
                return a + "]}"
            }.joined(separator: ",\n")
            return g + "\n    ]}"
        }.joined(separator: ",\n")
        s += f.institutions.isEmpty ? "  ],\n" : "\n  ],\n"
        s += "  \"inputs\": [" + ledger.inputs.map { "{\"path\": \(str($0.path)), \"sha256\": \(str($0.sha256))}" }.joined(separator: ", ") + "],\n"
        s += "  \"tool\": {\"name\": \(str(EvidenceKitInfo.toolName)), \"version\": \(str(EvidenceKitInfo.version))}\n}\n"
        return s
    }

    public static func csv(_ f: FreezeList) -> String {
        let field = TextEscaping.csv
        var s = (["institution", "account", "label", "category"] + f.policies.map { "held_\($0.rawValue)" } + ["balance", "asset", "evidence_transfers"]).joined(separator: ",") + "\r\n"
        for group in f.institutions {
            for c in group.candidates {
                var row = [group.institution, c.account, c.label?.label ?? "", c.label?.category ?? ""].map(field)
                row += f.policies.map { Decimal.format(c.held[$0] ?? 0, scale: f.scale) }
                row += [Decimal.format(c.balance, scale: f.scale), f.asset, field(c.evidence.map(\.transferID).joined(separator: " "))]
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
        // Quoted DOT ids; a line break becomes Graphviz's \n escape.
        func q(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        func amount(_ v: MinorUnits) -> String { Decimal.format(v, scale: r.scale) }
        var s = "digraph trace {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n"
        s += "  label=\(q("\(r.policy.rawValue) trace of \(amount(r.conservation.injected)) \(r.asset); seeds \(r.seeds.joined(separator: ", "))"));\n"
        for a in r.accounts {
            let style = a.taintedHeld > 0 ? ", style=filled, fillcolor=\"#f6d5d5\"" : ""
            s += "  \(q(a.account)) [label=\(q("\(a.account)\nheld \(amount(a.taintedHeld)) of \(amount(a.balance)) \(r.asset)"))\(style)];\n"
        }
        for a in r.accounts {
            for e in a.taintedArrivals {
                s += "  \(q(e.from)) -> \(q(a.account)) [label=\(q("\(e.transferID): \(amount(e.tainted))"))];\n"
            }
        }
        return s + "}\n"
    }
}
