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
            let account = a.account.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + a.account.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : a.account
            s += [account, Decimal.format(a.taintedReceived, scale: r.scale), Decimal.format(a.taintedSent, scale: r.scale),
                  Decimal.format(a.taintedHeld, scale: r.scale), Decimal.format(a.balance, scale: r.scale),
                  Decimal.format(a.opening, scale: r.scale), r.asset, r.policy.rawValue].joined(separator: ",") + "\r\n"
        }
        return s
    }
}

import Foundation
