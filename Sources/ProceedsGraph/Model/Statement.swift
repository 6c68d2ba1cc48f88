/// A balance a statement declares (MT940 `:60F:`/`:62F:`/`:64:`, camt `Bal` with `OPBD`/`PRCD`/`CLBD`/`CLAV`).
package struct StatementBalance: Sendable, Hashable {
    /// Signed minor units: a debit balance (overdraft) is negative.
    package var amount: MinorUnits
    /// The balance's date (midnight UTC), when given.
    package var date: Int64?
    /// The tag or type code it came from (`60F`, `62M`, `OPBD`, `CLBD`).
    package var kind: String

    package init(amount: MinorUnits, date: Int64?, kind: String) {
        self.amount = amount
        self.date = date
        self.kind = kind
    }
}

/// One statement (or report, or notification) of a statement file, as read: its account, its declared balances
/// and the sums of the entries imported from it. `trace import` prints these so the investigator can reconcile
/// the file before tracing, and the tracer starts the statement account with the declared opening balance.
package struct StatementSummary: Sendable, Hashable {
    package var file: String
    package var fileSHA256: String
    /// 1-based position of the statement in its file.
    package var index: Int
    /// Where it starts: `line 3`, or an element path such as `/Document/BkToCstmrStmt/Stmt[2]`.
    package var location: String
    /// `MT940`, `MT942`, `camt.053`, `camt.052`, `camt.054`.
    package var kind: String
    /// The statement's own reference (`:20:`, `Stmt/Id`) and sequence number (`:28C:`, `ElctrncSeqNb`).
    package var reference: String?
    package var number: String?
    /// The account as ProceedsGraph names it (an IBAN, or `BANK/ACCOUNT`), and as the file wrote it.
    package var account: String
    package var accountAsWritten: String
    package var currency: String
    package var scale: Int
    package var opening: StatementBalance?
    package var closing: StatementBalance?
    package var available: StatementBalance?
    /// Booked entries read and imported, with their sums by booking direction (a reversal of a debit is a
    /// credit booking). Entries that could not be imported are counted in `skipped`, not in the sums.
    package var entries = 0
    package var credits: MinorUnits = 0
    package var debits: MinorUnits = 0
    package var creditCount = 0
    package var debitCount = 0
    package var skipped = 0
    /// Transfers made from the entries (a batch entry may give several).
    package var transfers = 0
    /// What the importer decided that the reader should know (interim report, booking date from the value date).
    package var notes: [String] = []

    package init(
        file: String, fileSHA256: String, index: Int, location: String, kind: String, account: String = "",
        accountAsWritten: String = "", currency: String = "", scale: Int = 2
    ) {
        self.file = file
        self.fileSHA256 = fileSHA256
        self.index = index
        self.location = location
        self.kind = kind
        self.account = account
        self.accountAsWritten = accountAsWritten
        self.currency = currency
        self.scale = scale
    }

    /// opening + credits − debits, when the statement declares an opening balance.
    package var computedClosing: MinorUnits? { opening.map { $0.amount + credits - debits } }

    /// Whether opening + credits − debits equals the declared closing balance; `nil` when either balance is missing.
    package var reconciles: Bool? {
        guard let computed = computedClosing, let closing else { return nil }
        return computed == closing.amount
    }

    /// `file statement 2 (line 40, :20: ABC)`: how warnings name it.
    package var name: String {
        "\(file) statement \(index) (\(location)\(reference.map { ", reference \($0)" } ?? ""))"
    }
}

extension Ledger {
    /// Consecutive statements of one account (in input order, same currency) where the next does not open with
    /// the balance the previous closed with: entries are missing between them, or a statement is not the next.
    package var statementGaps: [(previous: StatementSummary, next: StatementSummary)] {
        var last: [String: StatementSummary] = [:]
        var gaps: [(StatementSummary, StatementSummary)] = []
        for s in statements where !s.account.isEmpty {
            let key = s.account + " " + s.currency
            if let p = last[key], let closing = p.closing, let opening = s.opening, closing.amount != opening.amount {
                gaps.append((p, s))
            }
            if s.closing != nil { last[key] = s }
        }
        return gaps
    }

    /// The opening balance each statement account starts with in `asset`: the declared opening of its earliest
    /// statement (by opening date, then input order), when positive. See docs/tracing-policies.md.
    package func statementOpenings(asset: String) -> [String: MinorUnits] {
        var earliest: [String: StatementSummary] = [:]
        for s in statements where s.currency == asset && !s.account.isEmpty {
            guard let o = s.opening else { continue }
            if let e = earliest[s.account], let eo = e.opening, (eo.date ?? .min) <= (o.date ?? .min) { continue }
            earliest[s.account] = s
        }
        var openings: [String: MinorUnits] = [:]
        for (account, s) in earliest where s.opening!.amount > 0 { openings[account] = s.opening!.amount }
        return openings
    }
}
