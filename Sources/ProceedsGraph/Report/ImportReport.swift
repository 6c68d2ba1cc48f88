import IProceedsBase

/// What `trace import` writes: the ledger as read (canonical columns plus where each transfer came from) and one
/// summary per statement with its reconciliation, deterministically (input order, fixed columns).
package enum ImportReport {
    /// Columns of the ledger CSV: the canonical six (so the file imports back with `--import-format canonical`),
    /// then the source and the statement fields.
    package static let ledgerColumns = [
        "id", "timestamp", "from", "to", "amount", "currency", "source_file", "source_line", "element_path",
        "statement",
        "statement_account", "direction", "bank_reference", "end_to_end_id", "counterparty_name", "value_date",
        "reversal",
    ]

    package static let statementColumns = [
        "file", "statement", "location", "kind", "reference", "account", "account_as_written", "currency",
        "opening_date",
        "opening", "credits", "credit_entries", "debits", "debit_entries", "computed_closing", "closing_date",
        "closing",
        "reconciles", "entries", "skipped", "transfers", "notes",
    ]

    /// The ledger, one CRLF-terminated row per transfer in input order.
    package static func ledgerCSV(_ ledger: Ledger) -> String {
        var s = ledgerColumns.joined(separator: ",") + "\r\n"
        for t in ledger.transfers {
            var r = row(t)
            if t.source.line <= 0 { r[7] = "" }
            s += r.map(CSV.field).joined(separator: ",") + "\r\n"
        }
        return s
    }

    static func fields(_ st: StatementSummary) -> [String] {
        func amount(_ v: MinorUnits?) -> String { v.map { ExactDecimal.format($0, scale: st.scale) } ?? "" }
        func date(_ b: StatementBalance?) -> String { b?.date.map { String(ISO8601.format($0).prefix(10)) } ?? "" }
        return [
            st.file, "\(st.index)", st.location, st.kind, st.reference ?? "", st.account, st.accountAsWritten,
            st.currency, date(st.opening),
            amount(st.opening?.amount), amount(st.credits), "\(st.creditCount)", amount(st.debits), "\(st.debitCount)",
            amount(st.computedClosing), date(st.closing), amount(st.closing?.amount),
            st.reconciles.map { $0 ? "yes" : "NO" } ?? "no balances", "\(st.entries)", "\(st.skipped)",
            "\(st.transfers)",
            st.notes.joined(separator: "; "),
        ]
    }

    /// One row per statement.
    package static func statementsCSV(_ ledger: Ledger) -> String {
        var s = statementColumns.joined(separator: ",") + "\r\n"
        for st in ledger.statements { s += fields(st).map(CSV.field).joined(separator: ",") + "\r\n" }
        return s
    }

    /// One transfer a line and one statement a line; everything else on the line of its key.
    static let layout: [String: JSONValue.Layout] = ["transfers": .block, "statements": .block]

    /// Everything as one JSON document.
    package static func json(_ ledger: Ledger) -> String {
        let value: JSONValue = .object([
            (
                "transfers",
                .array(
                    ledger.transfers.map { t in
                        var members = zip(ledgerColumns, row(t)).map { ($0, JSONValue.string($1)) }
                        members[7].1 = .int(t.source.line)
                        return .object(members)
                    })
            ),
            ("statements", .array(ledger.statements.map(statement))),
            (
                "issues",
                .array(
                    ledger.issues.map {
                        .object([("file", .string($0.file)), ("line", .int($0.line)), ("reason", .string($0.reason))])
                    })
            ),
            ("payments_seen_twice", .int(ledger.duplicatesMerged)),
            ("inputs", ReportJSON.inputs(ledger)), ("tool", ReportJSON.tool),
        ])
        return value.pretty(layout: layout)
    }

    /// One statement: counts as numbers, `reconciles` true, false or null, absent values null.
    private static func statement(_ st: StatementSummary) -> JSONValue {
        .object(
            zip(statementColumns, fields(st)).map { column, field -> (String, JSONValue) in
                switch column {
                case "statement", "credit_entries", "debit_entries", "entries", "skipped", "transfers":
                    (column, .number(field))
                case "reconciles": (column, st.reconciles.map { .bool($0) } ?? .null)
                case "notes": (column, .strings(st.notes))
                default: (column, field.isEmpty ? .null : .string(field))
                }
            })
    }

    static func row(_ t: Transfer) -> [String] {
        var row = [
            t.id, ISO8601.format(t.time), t.from, t.to, ExactDecimal.format(t.amount, scale: t.scale), t.asset,
            t.source.file, "\(t.source.line)",
        ]
        row += ["element_path", "statement", "statement_account", "direction", "bank_reference", "end_to_end_id"].map {
            t.extra[$0] ?? ""
        }
        row.append(
            t.extra["counterparty_name"]
                ?? (t.extra["direction"] == "DBIT" ? t.extra["creditor_name"] : t.extra["debtor_name"]) ?? "")
        row += [t.extra["value_date"] ?? "", t.extra["reversal"] ?? ""]
        return row
    }

    /// A table for the terminal: one line per statement, then the warnings.
    package static func text(_ ledger: Ledger) -> String {
        var s =
            "\(ledger.transfers.count) transfers from \(ledger.inputs.count) file\(ledger.inputs.count == 1 ? "" : "s"), "
            + "\(ledger.statements.count) statement\(ledger.statements.count == 1 ? "" : "s")\n"
        for st in ledger.statements {
            let f = fields(st)
            s += "\n\(st.name)\n"
            s +=
                "  \(st.kind) account \(st.account.isEmpty ? "(none)" : st.account) \(st.currency): \(st.entries) entries"
                + (st.skipped > 0 ? ", \(st.skipped) skipped" : "") + ", \(st.transfers) transfers\n"
            s +=
                "  opening \(f[9].isEmpty ? "-" : f[9] + " (" + f[8] + ")") + credits \(f[10]) (\(f[11])) - debits \(f[12]) (\(f[13]))"
                + " = \(f[14].isEmpty ? "-" : f[14]); closing \(f[16].isEmpty ? "-" : f[16] + " (" + f[15] + ")"): "
            switch st.reconciles {
            case .some(true): s += "reconciles\n"
            case .some(false):
                s +=
                    "DOES NOT RECONCILE (difference \(ExactDecimal.format(st.closing!.amount - st.computedClosing!, scale: st.scale)))\n"
            case .none:
                s += "cannot be reconciled (the file gives no \(st.opening == nil ? "opening" : "closing") balance)\n"
            }
            for n in st.notes { s += "  note: \(n)\n" }
        }
        if ledger.duplicatesMerged > 0 {
            s +=
                "\n\(ledger.duplicatesMerged) payment(s) appear in two statements (the payer's debit and the payee's credit, "
                + "same end-to-end id and amount): imported once\n"
        }
        return s
    }
}
