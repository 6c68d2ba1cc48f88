import IProceedsBase

/// A trace as one self-contained HTML page (no scripts, fonts or images from elsewhere): what was traced and
/// how, a flow diagram drawn as inline SVG, the figures per account with the transfers behind them, the
/// conversions, and the inputs with their SHA-256. Built through `HTML`, so every value from the ledger, the
/// labels or the command line is escaped. Deterministic: the same trace (and the same Graphviz, when the diagram
/// is laid out by it) gives the same bytes.
package enum TraceHTML {
    /// The diagram shows at most this many accounts (those holding or passing the most taint).
    package static let diagramLimit = 120

    /// A count of addresses, with the addresses in a fold.
    static func addressList(_ list: [String]) -> HTML {
        guard !list.isEmpty else { return "" }
        var h: HTML = "<details><summary>\(list.count) address\(list.count == 1 ? "" : "es")</summary>"
        h += "<span class=\"mono\">\(list.joined(separator: ", "))</span></details>"
        return h
    }

    /// The page.
    /// - Parameters:
    ///   - parameters: what the run was asked, as (name, value) rows for the header table.
    ///   - labels: names for accounts, shown in the tables and the diagram.
    ///   - layout: how the flow diagram is laid out (Graphviz when installed, by default).
    ///   - entities: taint per entity of a UTXO trace (`--cluster`, `--entities`), in the first trace's asset.
    package static func document(
        _ m: MixedTraceResult, ledger: Ledger, parameters: [(String, String)], labels: [String: AccountLabel] = [:],
        layout: DiagramLayout = .automatic(), entities: [EntityTaint] = []
    ) -> String {
        let first = m.traces[0]
        var h: HTML = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Trace report — \(m.policy.rawValue), \(ExactDecimal.format(first.conservation.injected, scale: first.scale)) \(first.asset)</title>
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
        h += "<tr><th>Policy</th><td><b>\(m.policy.rawValue)</b> — \(meaning(m.policy))</td></tr>\n"
        let seedsLabel = m.conversions.isEmpty ? "Seed transfers" : "Seed transfers (with those funded by conversions)"
        h += "<tr><th>\(seedsLabel)</th><td class=\"mono\">\(first.seeds.joined(separator: ", "))</td></tr>\n"
        for (k, v) in parameters where !v.isEmpty { h += "<tr><th>\(k)</th><td class=\"mono\">\(v)</td></tr>\n" }
        h += "<tr><th>Tool</th><td>\(ToolIdentity.name) \(ToolIdentity.version)</td></tr>\n</table>\n"

        // Conservation, per asset.
        h += "<h2>Conservation check</h2>\n<table>\n<tr><th>Asset</th><th>Injected</th><th>Held by accounts</th>"
        h += "<th>Converted to other assets</th><th>Check</th></tr>\n"
        for r in m.traces {
            let c = r.conservation
            func a(_ v: MinorUnits) -> String { ExactDecimal.format(v, scale: r.scale) }
            let ok = c.balanced && c.valueConserved
            // A UTXO ledger's fees take taint out of the data: the check then counts them (`left`).
            let verdict =
                ok
                ? (r.policy == .poison
                    ? "held ≥ injected (poison taints whole balances)"
                    : c.left == 0
                        ? "held + converted = injected, exactly"
                        : "held + left in fees (\(a(c.left))) + converted = injected, exactly")
                : "FAILED"
            h += "<tr><td>\(r.asset)</td><td class=\"n\">\(a(c.injected))</td><td class=\"n\">\(a(c.held))</td>"
            h += "<td class=\"n\">\(a(c.converted))</td><td class=\"\(ok ? "ok" : "bad")\">\(verdict)</td></tr>\n"
        }
        h += """
            </table>
            <p class="note">Amounts are exact integers of the asset's minor unit; a split is rounded to the nearest \
            minor unit (ties to even) and the sender keeps the rest, so taint is neither made nor lost.</p>

            """

        h += "<h2>Flow diagram</h2>\n<div class=\"diagram\">\(diagram(m, labels: labels, layout: layout))</div>\n"

        // Accounts.
        for r in m.traces {
            func a(_ v: MinorUnits) -> String { ExactDecimal.format(v, scale: r.scale) }
            h += "<h2>Accounts — \(r.asset)</h2>\n<table>\n<tr><th>Account</th><th>Label</th><th>Institution</th>"
            h += "<th>Tainted received</th><th>Tainted sent</th><th>Tainted held</th><th>Balance</th>"
            h += "<th>Transfers that brought taint in</th></tr>\n"
            for acc in r.accounts {
                let l = labels[acc.account]
                let label = l.map { $0.label + ($0.category.isEmpty ? "" : " (\($0.category))") } ?? ""
                h += acc.taintedHeld > 0 ? "<tr class=\"held\">" : "<tr>"
                h += "<td class=\"mono\">\(acc.account)</td><td>\(label)</td><td>\(l?.institution ?? "")</td>"
                h += "<td class=\"n\">\(a(acc.taintedReceived))</td><td class=\"n\">\(a(acc.taintedSent))</td>"
                h += "<td class=\"n\"><b>\(a(acc.taintedHeld))</b></td><td class=\"n\">\(a(acc.balance))</td>"
                h += "<td>\(evidence(acc.taintedArrivals, scale: r.scale))</td></tr>\n"
            }
            h += "</table>\n"
        }

        if !entities.isEmpty {
            func a(_ v: MinorUnits) -> String { ExactDecimal.format(v, scale: first.scale) }
            h += "<h2>Entities — \(first.asset)</h2>\n<table>\n<tr><th>Entity or service</th><th>Tag</th>"
            h += "<th>Tainted received from outside</th><th>Tainted held</th><th>Addresses that received</th>"
            h += "<th>Addresses that hold</th></tr>\n"
            for g in entities {
                let tag = g.label.map { $0 + (g.category.map { " (\($0))" } ?? "") } ?? "untagged"
                h += g.taintedHeld > 0 ? "<tr class=\"held\">" : "<tr>"
                h += "<td class=\"mono\">\(g.entities.joined(separator: ", "))</td><td>\(tag)</td>"
                h += "<td class=\"n\">\(a(g.taintedReceived))</td><td class=\"n\"><b>\(a(g.taintedHeld))</b></td>"
                h += "<td>\(addressList(g.receivingAddresses))</td><td>\(addressList(g.holdingAddresses))</td></tr>\n"
            }
            h += """
                </table>
                <p class="note">Addresses are grouped into entities by clustering (docs/clustering.md); entities that \
                tags name alike count as one service. Taint moved between a group's own addresses is not counted as \
                received.</p>

                """
        }

        if !m.conversions.isEmpty {
            h += "<h2>Conversions between assets</h2>\n<table>\n<tr><th>Conversion</th><th>At</th><th>Funding</th>"
            h += "<th>Tainted</th><th>Funded</th><th>Tainted</th><th>Record</th></tr>\n"
            for c in m.conversions {
                h += "<tr><td>\(c.record.id)<br><span class=\"note\">\(c.record.note)</span></td>"
                h += "<td class=\"mono\">\(c.depositAccount)</td>"
                h += "<td class=\"n\">\(ExactDecimal.format(c.fundingAmount, scale: c.fromScale)) \(c.fromAsset)<br>"
                h += "<span class=\"mono\">\(c.record.funding.joined(separator: ", "))</span></td>"
                h += "<td class=\"n\">\(ExactDecimal.format(c.fundingTainted, scale: c.fromScale))</td>"
                h += "<td class=\"n\">\(ExactDecimal.format(c.fundedAmount, scale: c.toScale)) \(c.toAsset)<br>"
                h += "<span class=\"mono\">\(c.record.funded.joined(separator: ", "))</span></td>"
                h += "<td class=\"n\">\(ExactDecimal.format(c.fundedTainted, scale: c.toScale))</td>"
                h += "<td class=\"mono\">\(c.record.source.file + " " + c.record.source.location)</td></tr>\n"
            }
            h += """
                </table>
                <p class="note">Each funded transfer is tainted in the proportion its funding was tainted when it \
                landed (docs/tracing-policies.md, “Mixed ledgers”).</p>

                """
        }

        h += "<h2>Inputs</h2>\n<table>\n<tr><th>File</th><th>SHA-256</th></tr>\n"
        for i in ledger.inputs {
            h += "<tr><td class=\"mono\">\(i.path)</td><td class=\"mono\">\(i.sha256)</td></tr>\n"
        }
        h += "</table>\n"
        if !ledger.issues.isEmpty {
            let n = ledger.issues.count
            h += "<p class=\"bad\">\(n) malformed input row\(n == 1 ? " was" : "s were") skipped; "
            h += "the figures leave them out.</p>\n<ul>\n"
            for i in ledger.issues.prefix(50) { h += "<li class=\"mono\">\(i.file) line \(i.line): \(i.reason)</li>\n" }
            h += "</ul>\n"
        }
        h += """
            <p class="note">To reproduce: run the same command on files with these SHA-256 digests; the report comes \
            out byte for byte the same.</p>
            </body></html>

            """
        return h.markup
    }

    static func meaning(_ p: TaintPolicy) -> String {
        switch p {
        case .poison:
            return "once an account holds any taint, everything it sends is wholly tainted and its whole balance "
                + "counts as tainted (an upper bound)."
        case .haircut:
            return "each outgoing transfer is tainted in the sender's tainted ÷ total proportion at that moment."
        case .fifo: return "the balance is a queue of lots; a transfer out consumes the oldest lots first."
        case .lifo: return "the balance is a queue of lots; a transfer out consumes the newest lots first."
        }
    }

    private static func evidence(_ arrivals: [TaintedArrival], scale: Int) -> HTML {
        let rows: [HTML] = arrivals.map { e in
            """
            <tr><td class="mono">\(e.transferID)</td><td>\(ISO8601.format(e.time))</td><td class="mono">\(e.from)</td>\
            <td class="n">\(ExactDecimal.format(e.tainted, scale: scale))</td>\
            <td class="mono">\(e.source.file + " " + e.source.location)</td></tr>
            """
        }
        guard !rows.isEmpty else { return HTML() }
        let table: HTML =
            "<table><tr><th>Transfer</th><th>Time</th><th>From</th><th>Tainted</th><th>Source</th></tr>\(rows)</table>"
        return rows.count <= 3 ? table : "<details><summary>\(rows.count) transfers</summary>\(table)</details>"
    }

    /// Accounts and the transfers that carried taint between them, each transfer labelled with its id and tainted
    /// amount; every box shows the account's full id, its label and its tainted holding (FlowDiagram lays it out).
    static func diagram(_ m: MixedTraceResult, labels: [String: AccountLabel], layout: DiagramLayout) -> HTML {
        struct Edge {
            var from: String
            var to: String
            var label: String
        }
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
                    held[a.account] = "held \(ExactDecimal.format(a.taintedHeld, scale: r.scale)) \(r.asset)"
                    if a.taintedHeld > 0 { holding.insert(a.account) }
                }
                for e in a.taintedArrivals {
                    edges.append(
                        Edge(
                            from: e.from, to: a.account,
                            label: "\(e.transferID): \(ExactDecimal.format(e.tainted, scale: r.scale))"))
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
        let names = shown.sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let nodes = names.map { n -> FlowDiagram.Node in
            let isConversion = conversionNodes.contains(n)
            var lines = [FlowDiagram.Line(text: n, bold: true)]
            if let l = labels[n] { lines.append(FlowDiagram.Line(text: l.label)) }
            lines.append(FlowDiagram.Line(text: held[n] ?? (isConversion ? "conversion" : "source of taint")))
            return FlowDiagram.Node(
                title: n, lines: lines, fill: isConversion ? "#e6eefc" : holding.contains(n) ? "#f6d5d5" : "#ffffff",
                rounded: isConversion)
        }
        let visible = edges.compactMap { e -> FlowDiagram.Edge? in
            guard let f = index[e.from], let t = index[e.to] else { return nil }
            return FlowDiagram.Edge(from: f, to: t, label: e.label)
        }
        let diagram = FlowDiagram(nodes: nodes, edges: visible)
        let laidOut = diagram.layout(layout)
        var s = diagram.svg(laidOut)
        s += "<p class=\"note\">\(laidOut.engine)"
        if weight.count > diagramLimit {
            s += " The diagram shows \(diagramLimit) accounts (those still holding taint first, then those that "
            s += "received the most tainted transfers, and who paid them) of \(weight.count); the tables list all."
        }
        s += "</p>\n"
        return s
    }
}
