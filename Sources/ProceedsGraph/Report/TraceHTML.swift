import IProceedsBase

/// A trace as one self-contained HTML page (no scripts, fonts or images from elsewhere): what was traced and
/// how, a flow diagram drawn as inline SVG, the figures per account with the transfers behind them, the
/// conversions, and the inputs with their SHA-256. Deterministic: the same trace gives the same bytes.
public enum TraceHTML {
    /// The diagram shows at most this many accounts (those holding or passing the most taint).
    public static let diagramLimit = 120

    public static func document(
        _ m: MixedTraceResult, ledger: Ledger, parameters: [(String, String)], labels: [String: AccountLabel] = [:]
    ) -> String {
        func esc(_ s: String) -> String { Escaping.xml(s) }
        let first = m.traces[0]
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Trace report — \(esc(m.policy.rawValue)), \(esc(Decimal.format(first.conservation.injected, scale: first.scale))) \(esc(first.asset))</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#111;max-width:80em}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
            table{border-collapse:collapse;font-size:.88em;margin:.5em 0}
            th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
            th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .mono{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all}
            .ok{color:#064}.bad{color:#a00;font-weight:bold}.note{color:#444;font-size:.9em}
            .held{background:#fbe3e3}.diagram{overflow-x:auto;border:1px solid #ddd;background:#fcfcfc}
            details{margin:.3em 0}summary{cursor:pointer}
            @media print{body{margin:0}details{display:block}}
            </style></head><body>
            <h1>Trace report: where the tainted funds went</h1>

            """
        // What was traced.
        h += "<table>\n"
        h += "<tr><th>Policy</th><td><b>\(esc(m.policy.rawValue))</b> — \(esc(meaning(m.policy)))</td></tr>\n"
        let seedsLabel = m.conversions.isEmpty ? "Seed transfers" : "Seed transfers (with those funded by conversions)"
        h += "<tr><th>\(seedsLabel)</th><td class=\"mono\">\(esc(first.seeds.joined(separator: ", ")))</td></tr>\n"
        for (k, v) in parameters where !v.isEmpty {
            h += "<tr><th>\(esc(k))</th><td class=\"mono\">\(esc(v))</td></tr>\n"
        }
        h += "<tr><th>Tool</th><td>\(esc(ToolIdentity.name)) \(esc(ToolIdentity.version))</td></tr>\n</table>\n"

        // Conservation, per asset.
        h +=
            "<h2>Conservation check</h2>\n<table>\n<tr><th>Asset</th><th>Injected</th><th>Held by accounts</th><th>Converted to other assets</th><th>Check</th></tr>\n"
        for r in m.traces {
            let c = r.conservation
            func a(_ v: MinorUnits) -> String { esc(Decimal.format(v, scale: r.scale)) }
            let ok = c.balanced && c.valueConserved
            let verdict =
                ok
                ? (r.policy == .poison
                    ? "held ≥ injected (poison taints whole balances)" : "held + converted = injected, exactly")
                : "FAILED"
            h +=
                "<tr><td>\(esc(r.asset))</td><td class=\"n\">\(a(c.injected))</td><td class=\"n\">\(a(c.held))</td><td class=\"n\">\(a(c.converted))</td>"
            h += "<td class=\"\(ok ? "ok" : "bad")\">\(esc(verdict))</td></tr>\n"
        }
        h +=
            "</table>\n<p class=\"note\">Amounts are exact integers of the asset's minor unit; a split is rounded to the nearest minor unit (ties to even) and the sender keeps the rest, so taint is neither made nor lost.</p>\n"

        h += "<h2>Flow diagram</h2>\n<div class=\"diagram\">" + diagram(m, labels: labels) + "</div>\n"

        // Accounts.
        for r in m.traces {
            func a(_ v: MinorUnits) -> String { esc(Decimal.format(v, scale: r.scale)) }
            h += "<h2>Accounts — \(esc(r.asset))</h2>\n"
            h +=
                "<table>\n<tr><th>Account</th><th>Label</th><th>Institution</th><th>Tainted received</th><th>Tainted sent</th><th>Tainted held</th><th>Balance</th><th>Transfers that brought taint in</th></tr>\n"
            for acc in r.accounts {
                let l = labels[acc.account]
                h += "<tr\(acc.taintedHeld > 0 ? " class=\"held\"" : "")><td class=\"mono\">\(esc(acc.account))</td>"
                h +=
                    "<td>\(esc(l.map { $0.label + ($0.category.isEmpty ? "" : " (\($0.category))") } ?? ""))</td><td>\(esc(l?.institution ?? ""))</td>"
                h +=
                    "<td class=\"n\">\(a(acc.taintedReceived))</td><td class=\"n\">\(a(acc.taintedSent))</td><td class=\"n\"><b>\(a(acc.taintedHeld))</b></td><td class=\"n\">\(a(acc.balance))</td><td>"
                h += evidence(acc.taintedArrivals, scale: r.scale)
                h += "</td></tr>\n"
            }
            h += "</table>\n"
        }

        if !m.conversions.isEmpty {
            h +=
                "<h2>Conversions between assets</h2>\n<table>\n<tr><th>Conversion</th><th>At</th><th>Funding</th><th>Tainted</th><th>Funded</th><th>Tainted</th><th>Record</th></tr>\n"
            for c in m.conversions {
                h +=
                    "<tr><td>\(esc(c.record.id))<br><span class=\"note\">\(esc(c.record.note))</span></td><td class=\"mono\">\(esc(c.depositAccount))</td>"
                h +=
                    "<td class=\"n\">\(esc(Decimal.format(c.fundingAmount, scale: c.fromScale))) \(esc(c.fromAsset))<br><span class=\"mono\">\(esc(c.record.funding.joined(separator: ", ")))</span></td>"
                h += "<td class=\"n\">\(esc(Decimal.format(c.fundingTainted, scale: c.fromScale)))</td>"
                h +=
                    "<td class=\"n\">\(esc(Decimal.format(c.fundedAmount, scale: c.toScale))) \(esc(c.toAsset))<br><span class=\"mono\">\(esc(c.record.funded.joined(separator: ", ")))</span></td>"
                h += "<td class=\"n\">\(esc(Decimal.format(c.fundedTainted, scale: c.toScale)))</td>"
                h += "<td class=\"mono\">\(esc(c.record.source.file + " " + c.record.source.location))</td></tr>\n"
            }
            h +=
                "</table>\n<p class=\"note\">Each funded transfer is tainted in the proportion its funding was tainted when it landed (docs/tracing-policies.md, “Mixed ledgers”).</p>\n"
        }

        h += "<h2>Inputs</h2>\n<table>\n<tr><th>File</th><th>SHA-256</th></tr>\n"
        for i in ledger.inputs {
            h += "<tr><td class=\"mono\">\(esc(i.path))</td><td class=\"mono\">\(i.sha256)</td></tr>\n"
        }
        h += "</table>\n"
        if !ledger.issues.isEmpty {
            h +=
                "<p class=\"bad\">\(ledger.issues.count) malformed input row\(ledger.issues.count == 1 ? " was" : "s were") skipped; the figures leave them out.</p>\n<ul>\n"
            for i in ledger.issues.prefix(50) {
                h += "<li class=\"mono\">\(esc(i.file)) line \(i.line): \(esc(i.reason))</li>\n"
            }
            h += "</ul>\n"
        }
        h +=
            "<p class=\"note\">To reproduce: run the same command on files with these SHA-256 digests; the report comes out byte for byte the same.</p>\n</body></html>\n"
        return h
    }

    static func meaning(_ p: TaintPolicy) -> String {
        switch p {
        case .poison:
            return
                "once an account holds any taint, everything it sends is wholly tainted and its whole balance counts as tainted (an upper bound)."
        case .haircut:
            return "each outgoing transfer is tainted in the sender's tainted ÷ total proportion at that moment."
        case .fifo: return "the balance is a queue of lots; a transfer out consumes the oldest lots first."
        case .lifo: return "the balance is a queue of lots; a transfer out consumes the newest lots first."
        }
    }

    private static func evidence(_ arrivals: [TaintedArrival], scale: Int) -> String {
        func esc(_ s: String) -> String { Escaping.xml(s) }
        let rows = arrivals.map { e in
            "<tr><td class=\"mono\">\(esc(e.transferID))</td><td>\(esc(ISO8601.format(e.time)))</td><td class=\"mono\">\(esc(e.from))</td>"
                + "<td class=\"n\">\(esc(Decimal.format(e.tainted, scale: scale)))</td><td class=\"mono\">\(esc(e.source.file + " " + e.source.location))</td></tr>"
        }
        guard !rows.isEmpty else { return "" }
        let table =
            "<table><tr><th>Transfer</th><th>Time</th><th>From</th><th>Tainted</th><th>Source</th></tr>" + rows.joined()
            + "</table>"
        return rows.count <= 3 ? table : "<details><summary>\(rows.count) transfers</summary>\(table)</details>"
    }

    /// Accounts in columns by their distance (in tainted transfers) from where the taint entered; edges are the
    /// transfers that carried taint, labelled with id and tainted amount.
    static func diagram(_ m: MixedTraceResult, labels: [String: AccountLabel]) -> String {
        func esc(_ s: String) -> String { Escaping.xml(s) }
        struct Edge { var from: String; var to: String; var label: String }
        var edges: [Edge] = []
        // Rank for the diagram: accounts still holding taint first, then by tainted transfers received.
        var weight: [String: (holds: Bool, arrivals: Int)] = [:]
        var held: [String: String] = [:]
        var holding = Set<String>()
        var conversionNodes = Set<String>()
        for r in m.traces {
            let nodes = r.accounts.map { ($0, false) } + r.conversions.map { ($0, true) }
            for (a, isConversion) in nodes {
                let w = weight[a.account] ?? (false, 0)
                weight[a.account] = (w.holds || (!isConversion && a.taintedHeld > 0), w.arrivals + a.arrivalCount)
                if isConversion {
                    conversionNodes.insert(a.account)
                } else {
                    held[a.account] = "held \(Decimal.format(a.taintedHeld, scale: r.scale)) \(r.asset)"
                    if a.taintedHeld > 0 { holding.insert(a.account) }
                }
                for e in a.taintedArrivals {
                    edges.append(
                        Edge(
                            from: e.from, to: a.account,
                            label: "\(e.transferID): \(Decimal.format(e.tainted, scale: r.scale))"))
                }
            }
        }
        let ranked = weight.sorted { a, b in
            if a.value.holds != b.value.holds { return a.value.holds }
            if a.value.arrivals != b.value.arrivals { return a.value.arrivals > b.value.arrivals }
            return a.key < b.key
        }
        var shown = Set(ranked.prefix(diagramLimit).map(\.key))
        for e in edges where shown.contains(e.to) { shown.insert(e.from) }
        let visible = edges.filter { shown.contains($0.from) && shown.contains($0.to) }
        // Columns: shortest distance from a node nothing tainted flows into.
        var into: [String: Int] = [:]
        for e in visible { into[e.to, default: 0] += 1 }
        var column: [String: Int] = [:]
        var queue = shown.filter { into[$0] == nil }.sorted()
        for s in queue { column[s] = 0 }
        var outgoing: [String: [String]] = [:]
        for e in visible { outgoing[e.from, default: []].append(e.to) }
        var k = 0
        while k < queue.count {
            let u = queue[k]
            k += 1
            for v in outgoing[u] ?? [] where column[v] == nil {
                column[v] = column[u]! + 1
                queue.append(v)
            }
        }
        for s in shown.sorted() where column[s] == nil { column[s] = 0 }  // only on cycles nothing enters
        let columns = Dictionary(grouping: shown.sorted(), by: { column[$0]! })
        let boxW = 230, boxH = 46, gapX = 110, gapY = 22
        let width = (columns.keys.max() ?? 0) * (boxW + gapX) + boxW + 40
        let height = (columns.values.map(\.count).max() ?? 1) * (boxH + gapY) + 40
        var position: [String: (Int, Int)] = [:]
        for (c, nodes) in columns {
            for (i, n) in nodes.enumerated() { position[n] = (20 + c * (boxW + gapX), 20 + i * (boxH + gapY)) }
        }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s +=
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#555\"/></marker></defs>\n"
        for e in visible {
            let (x1, y1) = position[e.from]!
            let (x2, y2) = position[e.to]!
            let sx = x1 + boxW, sy = y1 + boxH / 2, tx = x2, ty = y2 + boxH / 2
            let mid = (sx + tx) / 2
            s +=
                "<path d=\"M\(sx),\(sy) C\(mid),\(sy) \(mid),\(ty) \(tx),\(ty)\" fill=\"none\" stroke=\"#777\" marker-end=\"url(#arrow)\"/>\n"
            s +=
                "<text x=\"\(mid)\" y=\"\((sy + ty) / 2 - 3)\" text-anchor=\"middle\" fill=\"#333\">\(esc(e.label))</text>\n"
        }
        for n in shown.sorted() {
            let (x, y) = position[n]!
            let isConversion = conversionNodes.contains(n)
            let fill = isConversion ? "#e6eefc" : holding.contains(n) ? "#f6d5d5" : "#ffffff"
            let name = n.count > 32 ? String(n.prefix(31)) + "…" : n
            let sub = labels[n].map { $0.label } ?? held[n] ?? (isConversion ? "conversion" : "source of taint")
            s +=
                "<g><title>\(esc(n))</title><rect x=\"\(x)\" y=\"\(y)\" width=\"\(boxW)\" height=\"\(boxH)\" rx=\"\(isConversion ? 20 : 4)\" fill=\"\(fill)\" stroke=\"#444\"/>"
            s += "<text x=\"\(x + 8)\" y=\"\(y + 18)\" font-weight=\"bold\">\(esc(name))</text>"
            s +=
                "<text x=\"\(x + 8)\" y=\"\(y + 35)\" fill=\"#333\">\(esc(String((labels[n] != nil ? sub + (held[n].map { " · " + $0 } ?? "") : sub).prefix(40))))</text></g>\n"
        }
        s += "</svg>\n"
        if weight.count > diagramLimit {
            s +=
                "<p class=\"note\">The diagram shows \(diagramLimit) accounts (those still holding taint first, then those that received the most tainted transfers, and who paid them) of \(weight.count); the tables list all.</p>\n"
        }
        return s
    }
}
