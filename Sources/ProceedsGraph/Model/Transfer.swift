/// Where a transfer came from: the input file (by SHA-256) and the line or entry in it.
package struct SourceReference: Sendable, Hashable {
    package var file: String
    package var fileSHA256: String
    /// 1-based line (CSV, MT940), or 0 when the format references entries otherwise.
    package var line: Int
    /// An entry reference (camt.053 `AcctSvcrRef`, a transaction hash), when the format has one.
    package var reference: String?

    package init(file: String, fileSHA256: String, line: Int, reference: String? = nil) {
        self.file = file
        self.fileSHA256 = fileSHA256
        self.line = line
        self.reference = reference
    }

    /// `line 12`, `entry ABC-1` or both.
    package var location: String {
        [line > 0 ? "line \(line)" : nil, reference.map { "entry \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}

/// One movement of value from one account to another: the unit every importer produces.
package struct Transfer: Sendable, Hashable {
    package var id: String
    /// Milliseconds since the epoch, UTC.
    package var time: Int64
    /// The format's own order within equal times (block, transaction index, log index), when it has one.
    package var orderKey: [Int64]
    package var from: String
    package var to: String
    /// Positive, in minor units of `asset`.
    package var amount: MinorUnits
    package var asset: String
    /// Decimals of `asset` (EUR 2, BTC 8, ETH 18).
    package var scale: Int
    package var source: SourceReference
    /// Columns the importer did not interpret, kept as they were.
    package var extra: [String: String]

    package init(
        id: String, time: Int64, orderKey: [Int64] = [], from: String, to: String, amount: MinorUnits, asset: String,
        scale: Int, source: SourceReference, extra: [String: String] = [:]
    ) {
        self.id = id
        self.time = time
        self.orderKey = orderKey
        self.from = from
        self.to = to
        self.amount = amount
        self.asset = asset
        self.scale = scale
        self.source = source
        self.extra = extra
    }

    /// Application order: time, then the format's order key, then id.
    package static func applicationOrder(_ a: Transfer, _ b: Transfer) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.orderKey != b.orderKey { return a.orderKey.lexicographicallyPrecedes(b.orderKey) }
        return a.id < b.id
    }
}

/// A row an importer could not use, and why. Nothing is dropped silently.
package struct ImportIssue: Sendable, Hashable {
    package var file: String
    package var line: Int
    package var reason: String
}

/// Everything imported from a set of input files.
package struct Ledger: Sendable {
    package var transfers: TransferTable
    package var issues: [ImportIssue]
    /// Each input file with its SHA-256.
    package var inputs: [(path: String, sha256: String)]
    /// Payments seen in two statements (debit and credit) and imported once.
    package var duplicatesMerged = 0
    /// Rows left out by rule, not because they were malformed, counted by reason ("zero amount", "status
    /// pending"): they move no booked money, so they do not make the import fail, but they are never dropped
    /// without a count.
    package var setAside: [String: Int] = [:]
    /// The statements of statement files (MT940, camt), with their declared balances; empty for other formats.
    package var statements: [StatementSummary] = []

    package init(transfers: [Transfer] = [], issues: [ImportIssue] = [], inputs: [(path: String, sha256: String)] = [])
    {
        self.transfers = TransferTable(transfers)
        self.issues = issues
        self.inputs = inputs
    }
}

/// Known asset scales; others can be given on the command line (`--scale CODE=N`).
///
/// Every ISO 4217 currency, active or withdrawn (``ISO4217``), and the crypto assets the importers name. A
/// crypto asset's scale is its smallest unit as the chain exports count it (satoshi, wei).
package enum AssetScale {
    /// Crypto assets: bitcoin-etl chains (values in their smallest unit, 8 decimals) and common tokens.
    package static let crypto: [String: Int] = [
        "BTC": 8, "BCH": 8, "BSV": 8, "LTC": 8, "DOGE": 8, "DASH": 8, "ZEC": 8, "ETH": 18, "USDT": 6, "USDC": 6,
    ]

    package static let known: [String: Int] = ISO4217.active.merging(ISO4217.withdrawn) { a, _ in a }
        .merging(crypto) { a, _ in a }
}

extension Ledger {
    /// Appends what another import read (ledgers of several formats traced together): its transfers, issues,
    /// inputs, statements and counts.
    package mutating func merge(_ other: Ledger) {
        transfers += other.transfers
        issues += other.issues
        inputs += other.inputs
        duplicatesMerged += other.duplicatesMerged
        setAside.merge(other.setAside, uniquingKeysWith: +)
        statements += other.statements
    }
}
