import IProceedsBase

/// Pattern findings as JSON (for scripts and the case file), CSV (one row per evidence transfer, for a
/// spreadsheet) or text (a table and the reasons, for people). All three are deterministic: the same input and
/// options give the same bytes.
package enum PatternReport {
    /// One finding a block, its evidence one transfer a line; everything else on the line of its key.
    static let layout: [String: JSONValue.Layout] = [
        "findings": .block, "findings/*": .block, "findings/*/evidence": .block,
    ]

    private static func figureJSON(_ f: PatternFigure, scale: Int) -> JSONValue {
        switch f.value {
        case .amount(let v): .string(ExactDecimal.format(v, scale: scale))
        case .count(let n): .int(n)
        case .basisPoints(let v): .string(ExactDecimal.format(v, scale: 2))
        case .seconds(let s): .int(s)
        case .text(let t): .string(t)
        }
    }

    private static func figureText(_ f: PatternFigure, finding: PatternFinding) -> String {
        switch f.value {
        case .amount(let v): ExactDecimal.format(v, scale: finding.scale) + " " + finding.asset
        case .count(let n): String(n)
        case .basisPoints(let v): ExactDecimal.format(v, scale: 2) + "%"
        case .seconds(let s): PatternWindow.format(s * 1000)
        case .text(let t): t
        }
    }

    private static func source(_ r: SourceReference) -> String {
        r.location.isEmpty ? r.file : r.file + " " + r.location
    }

    /// The options a scan ran with, so the report says what its flags mean.
    private static func parameters(_ o: PatternOptions) -> JSONValue {
        let kinds = PatternKind.allCases.filter(o.kinds.contains)
        return .object([
            ("kinds", .strings(kinds.map(\.rawValue))),
            ("windows", .object(kinds.map { ($0.rawValue, .string(PatternWindow.format(o.window($0)))) })),
            ("window_seconds", .object(kinds.map { ($0.rawValue, .int(o.window($0) / 1000)) })),
            ("min_counterparties", .int(o.minCounterparties)), ("forward_percent", .int(o.forwardPercent)),
            ("max_hops", .int(o.maxHops)), ("cycle_search_limit", .int(o.cycleSearchLimit)),
            ("threshold", .string(o.threshold)), ("margin_percent", .int(o.marginPercent)),
            ("min_near_threshold", .int(o.minNearThreshold)), ("peel_percent", .int(o.peelPercent)),
            ("min_peel_hops", .int(o.minPeelHops)), ("min_amount", .string(o.minimumTotal)),
            ("asset", o.asset.map { .string($0) } ?? .null),
            ("exclude_categories", .strings(o.excludeCategories.sorted())),
        ])
    }

    private static func finding(_ f: PatternFinding) -> JSONValue {
        func amount(_ v: MinorUnits) -> JSONValue { .string(ExactDecimal.format(v, scale: f.scale)) }
        let labels = Dictionary(f.labels.map { ($0.account, $0) }) { a, _ in a }
        return .members([
            ("id", .string(f.id)), ("kind", .string(f.kind.rawValue)), ("asset", .string(f.asset)),
            (
                "accounts",
                .array(
                    f.accounts.map { a in
                        let l = labels[a]
                        return .members([
                            ("account", .string(a)), ("label", l.map { .string($0.label) }),
                            ("category", l.map { .string($0.category) }),
                            ("institution", l.map { .string($0.institution) }),
                        ])
                    })
            ),
            ("first", .string(ISO8601.format(f.first))), ("last", .string(ISO8601.format(f.last))),
            ("total", amount(f.total)), ("reason", .string(f.reason)), ("note", f.note.map { .string($0) }),
            ("figures", .object(f.figures.map { ($0.name, figureJSON($0, scale: f.scale)) })),
            (
                "evidence",
                .array(
                    f.evidence.map { e in
                        let t = e.transfer
                        return .object([
                            ("transfer", .string(t.id)), ("role", .string(e.role)),
                            ("time", .string(ISO8601.format(t.time))), ("from", .string(t.from)), ("to", .string(t.to)),
                            ("amount", amount(t.amount)), ("source", .string(source(t.source))),
                            ("source_sha256", .string(t.source.fileSHA256)),
                        ])
                    })
            ),
        ])
    }

    package static func json(_ scan: PatternScan, ledger: Ledger) -> String {
        let o = scan.options
        let value: JSONValue = .object([
            ("parameters", parameters(o)), ("assets", .strings(scan.assets)),
            ("transfers_scanned", .int(scan.transfersScanned)),
            ("self_transfers_ignored", .int(scan.selfTransfersIgnored)),
            (
                "counts",
                .object(
                    PatternKind.allCases.map { k in (k.rawValue, .int(scan.findings.filter { $0.kind == k }.count)) })
            ),
            ("findings", .array(scan.findings.map(finding))),
            (
                "suppressed",
                .array(scan.suppressed.map { .object([("reason", .string($0.reason)), ("count", .int($0.count))]) })
            ),
            ("cycle_searches_capped", .int(scan.cycleSearchesCapped)),
            ("capped_cycle_starts", .strings(scan.cappedStarts)), ("cycles_truncated", .bool(scan.cyclesTruncated)),
            ("cycles_not_reported", .int(scan.cyclesNotReported)),
            ("cycle_starts_not_searched", .int(scan.cycleStartsNotSearched)),
            ("cycle_instances_not_listed", .int(scan.cycleInstancesNotListed)),
            (
                "cycle_caps",
                .object([
                    ("per_account", .int(o.maxCyclesPerAccount)), ("total", .int(o.maxCycles)),
                    ("instances_listed", .int(o.cycleInstancesListed)),
                ])
            ),
            ("inputs", ReportJSON.inputs(ledger)), ("import_issues", .int(ledger.issues.count)),
            ("tool", ReportJSON.tool),
        ])
        return value.pretty(layout: layout)
    }

    /// What the cycle caps left out, in words, or nil when they left nothing out.
    package static func cycleTruncationNote(_ scan: PatternScan) -> String? {
        let o = scan.options
        var parts: [String] = []
        if scan.cyclesNotReported > 0 {
            parts.append(
                "\(scan.cyclesNotReported) cycle\(scan.cyclesNotReported == 1 ? "" : "s") found but not reported (at most "
                    + "\(o.maxCyclesPerAccount) per account and \(o.maxCycles) in all)")
        }
        if scan.cycleStartsNotSearched > 0 {
            parts.append(
                "the search stopped at \(o.maxCycles) cycles and did not examine \(scan.cycleStartsNotSearched) start transfers"
            )
        }
        if scan.cycleInstancesNotListed > 0 {
            parts.append(
                "\(scan.cycleInstancesNotListed) further instances of reported cycles are counted but not listed (\(o.cycleInstancesListed) per cycle)"
            )
        }
        guard !parts.isEmpty else { return nil }
        return "Cycles truncated: " + parts.joined(separator: "; ")
            + ". The ledger is dense with cycles; narrow it (--asset, --window cycle=…, --max-hops) or raise --max-cycles and --max-cycles-per-account."
    }

    /// One row per evidence transfer, the finding's columns repeated on each, so a spreadsheet can filter and
    /// pivot. A finding's accounts are joined with ` → `.
    package static func csv(_ scan: PatternScan) -> String {
        let field = CSV.field
        var s =
            "finding,kind,asset,account,accounts,labels,first,last,total,reason,note,role,transfer,time,from,to,amount,source,source_sha256\r\n"
        for f in scan.findings {
            let labels = f.labels.map { "\($0.account): \($0.label) [\($0.category)]" }.joined(separator: "; ")
            let head = [
                f.id, f.kind.rawValue, f.asset, f.accounts[0], f.accounts.joined(separator: " → "), labels,
                ISO8601.format(f.first), ISO8601.format(f.last), ExactDecimal.format(f.total, scale: f.scale), f.reason,
                f.note ?? "",
            ].map(field)
            for e in f.evidence {
                let t = e.transfer
                let row = [
                    e.role, t.id, ISO8601.format(t.time), t.from, t.to, ExactDecimal.format(t.amount, scale: f.scale),
                    source(t.source),
                    t.source.fileSHA256,
                ].map(field)
                s += (head + row).joined(separator: ",") + "\r\n"
            }
        }
        return s
    }

    /// A summary table, then each finding with its reason, figures and evidence.
    package static func text(_ scan: PatternScan, ledger: Ledger) -> String {
        func pad(_ s: String, _ width: Int) -> String {
            s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
        }
        func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
            guard let columns = rows.first?.count else { return "" }
            let widths = (0..<columns).map { c in rows.map { $0[c].count }.max() ?? 0 }
            return rows.map { row in
                row.enumerated().map { c, cell in
                    if rightAligned.contains(c) { return String(repeating: " ", count: widths[c] - cell.count) + cell }
                    return c == columns - 1 ? cell : pad(cell, widths[c])
                }.joined(separator: "  ")
            }.joined(separator: "\n") + "\n"
        }
        func accounts(_ f: PatternFinding) -> String {
            let all = f.accounts.joined(separator: " → ")
            return all.count <= 48 || f.accounts.count == 1
                ? all : f.accounts[0] + " → … (\(f.accounts.count) accounts)"
        }
        let counts = PatternKind.allCases.map { k in "\(k.rawValue) \(scan.findings.filter { $0.kind == k }.count)" }
        var s = "Pattern findings: \(scan.findings.count) in \(scan.transfersScanned) transfers"
        s += scan.assets.isEmpty ? "" : " (" + scan.assets.joined(separator: ", ") + ")"
        s += "\n" + counts.joined(separator: ", ") + "\n"
        s += "A finding is a lead, not proof: docs/patterns.md says what each pattern means and does not mean.\n\n"
        if !scan.findings.isEmpty {
            var rows = [["ID", "KIND", "FIRST", "LAST", "TOTAL", "TRANSFERS", "ACCOUNTS"]]
            for f in scan.findings {
                rows.append([
                    f.id, f.kind.rawValue, ISO8601.format(f.first), ISO8601.format(f.last),
                    ExactDecimal.format(f.total, scale: f.scale) + " " + f.asset, String(f.evidence.count), accounts(f),
                ])
            }
            s += table(rows, rightAligned: [4, 5]) + "\n"
        }
        for f in scan.findings {
            s += "\(f.id)  \(f.kind.rawValue)  \(f.accounts.joined(separator: " → "))\n"
            for l in f.labels {
                s +=
                    "  \(l.account): \(l.label), \(l.category)" + (l.institution.isEmpty ? "" : ", \(l.institution)")
                    + "\n"
            }
            s += "  " + f.reason + "\n"
            if let note = f.note { s += "  note: " + note + "\n" }
            // Durations read as durations here ("median_delay 2h05m"); the JSON name keeps its unit.
            s +=
                "  figures: "
                + f.figures.map { fig in
                    let name = fig.name.hasSuffix("_seconds") ? String(fig.name.dropLast("_seconds".count)) : fig.name
                    return "\(name) \(figureText(fig, finding: f))"
                }.joined(separator: ", ") + "\n"
            let rows = f.evidence.map { e in
                let t = e.transfer
                return [
                    "    " + e.role, t.id, ISO8601.format(t.time), t.from + " → " + t.to,
                    ExactDecimal.format(t.amount, scale: f.scale), source(t.source),
                ]
            }
            s += table(rows, rightAligned: [4]) + "\n"
        }
        for r in scan.suppressed { s += "Left out: \(r.count) finding\(r.count == 1 ? "" : "s") (\(r.reason)).\n" }
        if scan.cycleSearchesCapped > 0 {
            s +=
                "Cycle search stopped at the limit for \(scan.cycleSearchesCapped) start transfer\(scan.cycleSearchesCapped == 1 ? "" : "s") "
                + "(first: \(scan.cappedStarts.joined(separator: ", "))): cycles through them may be missing; raise --cycle-search-limit.\n"
        }
        if let note = cycleTruncationNote(scan) { s += note + "\n" }
        if scan.selfTransfersIgnored > 0 {
            s += "Ignored: \(scan.selfTransfersIgnored) transfers from an account to itself.\n"
        }
        let o = scan.options
        s +=
            "Windows: "
            + PatternKind.allCases.filter(o.kinds.contains).map {
                "\($0.rawValue) \(PatternWindow.format(o.window($0)))"
            }.joined(separator: ", ") + ".\n"
        s +=
            "Thresholds: \(o.minCounterparties) counterparties; \(o.forwardPercent)% passed on; cycles up to \(o.maxHops) hops; "
            + "structuring \(o.minNearThreshold) transfers within \(o.marginPercent)% below \(o.threshold); peel chains of \(o.minPeelHops) hops "
            + "passing on \(o.peelPercent)%; minimum total \(o.minimumTotal).\n"
        s += "Inputs: " + ledger.inputs.map { "\($0.path) (SHA-256 \($0.sha256))" }.joined(separator: ", ") + "\n"
        if !ledger.issues.isEmpty {
            s += "Import issues: \(ledger.issues.count) rows skipped (listed on standard error).\n"
        }
        return s
    }
}
