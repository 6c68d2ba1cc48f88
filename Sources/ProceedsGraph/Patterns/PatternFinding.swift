/// The laundering and money-mule patterns `trace patterns` looks for. `docs/patterns.md` defines each exactly.
///
/// The declaration order is the order findings are reported in.
package enum PatternKind: String, CaseIterable, Sendable, Comparable {
    /// Many different senders pay one account within a window.
    case fanIn = "fan_in"
    /// One account pays many different receivers within a window.
    case fanOut = "fan_out"
    /// An account pays out again, soon after it arrives, most of what it receives: the money-mule signature.
    case passThrough = "pass_through"
    /// Funds leave an account and come back to it through other accounts, each hop later than the one before.
    case cycle
    /// Several transfers into or out of one account just under a reporting threshold, and none at or above it.
    case structuring
    /// A chain of accounts, each sending most of what it received on to the next and a small part elsewhere.
    case peelChain = "peel_chain"

    package static func < (a: PatternKind, b: PatternKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A figure behind a finding, named for scripts (`forwarded_percent`, `median_delay_seconds`).
package struct PatternFigure: Sendable, Equatable {
    package enum Value: Sendable, Equatable {
        /// Minor units of the finding's asset.
        case amount(MinorUnits)
        case count(Int)
        /// Hundredths of a percent: 9375 is 93.75 %.
        case basisPoints(MinorUnits)
        /// Whole seconds (durations in the ledger are milliseconds; the remainder is dropped).
        case seconds(Int64)
        case text(String)
    }

    package var name: String
    package var value: Value

    package init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// One transfer behind a finding and the part it plays in it (`in`, `out`, `hop 2`, `peel`, …).
package struct PatternEvidence: Sendable, Equatable {
    package var role: String
    /// The transfer as imported, with its ``SourceReference`` (input file, its SHA-256, line or entry).
    package var transfer: Transfer
}

/// One occurrence of a pattern: a lead for an investigator, with the figures and the transfers behind it.
package struct PatternFinding: Sendable, Equatable {
    /// `P-0001`, … in report order: stable for the same input and options.
    package var id: String
    package var kind: PatternKind
    package var asset: String
    /// Decimals of `asset`.
    package var scale: Int
    /// The account(s) the finding is about: the receiver of a fan-in, the sender of a fan-out, the mule of a
    /// pass-through, the account structuring; a cycle's accounts in the order the funds went round (from the
    /// account they left first); a peel chain's accounts from its first hop to the last receiver.
    package var accounts: [String]
    /// Time of the first and the last evidence transfer (milliseconds since the epoch, UTC).
    package var first: Int64
    package var last: Int64
    /// The amount the finding is about; ``figures`` says which (`received`, `sent`, `entered`, …).
    package var total: MinorUnits
    /// One sentence with the figures, for a reader.
    package var reason: String
    package var figures: [PatternFigure]
    /// In ledger order (time, then the format's order, then id).
    package var evidence: [PatternEvidence]
    /// Labels of ``accounts`` that have one, in the order of ``accounts``.
    package var labels: [AccountLabel] = []
    /// Set when an account of the finding is labelled as a kind of account for which the pattern is ordinary
    /// business (an exchange receives from many senders).
    package var note: String?
}

/// What a scan found, and what it left out and why: nothing is suppressed silently.
package struct PatternScan: Sendable {
    package var findings: [PatternFinding]
    package var options: PatternOptions
    /// The assets scanned, in order.
    package var assets: [String]
    /// Transfers looked at (of the scanned assets), and transfers from an account to itself, which no
    /// pattern uses.
    package var transfersScanned: Int
    package var selfTransfersIgnored: Int
    /// Findings left out, per reason ("below --min-amount", "category exchange"), sorted by reason.
    package var suppressed: [(reason: String, count: Int)]
    /// Cycle searches stopped at ``PatternOptions/cycleSearchLimit``: cycles through these start transfers
    /// may be missing.
    package var cycleSearchesCapped: Int
    /// The first capped start transfers (up to 20), for the report.
    package var cappedStarts: [String]
    /// Cycles found but not reported because of ``PatternOptions/maxCyclesPerAccount`` or
    /// ``PatternOptions/maxCycles`` (the report says so: the list of cycles is then incomplete).
    package var cyclesNotReported = 0
    /// Start transfers the cycle search did not examine once ``PatternOptions/maxCycles`` was reached.
    package var cycleStartsNotSearched = 0
    /// Instances of reported cycles not listed as evidence (``PatternOptions/cycleInstancesListed``).
    package var cycleInstancesNotListed = 0

    /// Whether caps left cycles out of the report.
    package var cyclesTruncated: Bool { cyclesNotReported > 0 || cycleStartsNotSearched > 0 }
}

/// Thresholds of every pattern. The defaults are documented in `docs/patterns.md`.
package struct PatternOptions: Sendable, Equatable {
    /// The patterns to look for.
    package var kinds: Set<PatternKind> = Set(PatternKind.allCases)
    /// Window of each pattern, in milliseconds (see ``PatternOptions/defaultWindows``).
    package var windows: [PatternKind: Int64] = PatternOptions.defaultWindows
    /// fan_in / fan_out: distinct senders (receivers) within the window.
    package var minCounterparties = 5
    /// pass_through: share of a transfer in that must leave again within the window (percent).
    package var forwardPercent = 80
    /// cycle: most accounts on a cycle (hops), at least 2.
    package var maxHops = 6
    /// cycle: transfers examined per start transfer before its search is stopped (and the stop recorded).
    package var cycleSearchLimit = 10_000
    /// cycle: most cycle findings naming any one account; further cycles through it are counted, not listed.
    package var maxCyclesPerAccount = 100
    /// cycle: most cycle findings in all (per asset); the search stops there and says how much it left.
    package var maxCycles = 2_000
    /// cycle: instances listed as evidence per cycle finding (all are counted in its figures).
    package var cycleInstancesListed = 20
    /// structuring: the reporting threshold, as a decimal amount in the asset's units.
    package var threshold = "10000"
    /// structuring: how far below the threshold counts as "just under" (percent of the threshold).
    package var marginPercent = 10
    /// structuring: transfers just under the threshold within the window.
    package var minNearThreshold = 3
    /// peel_chain: share of what a hop received that its largest payment out must carry on (percent).
    package var peelPercent = 90
    /// peel_chain: hops a chain needs.
    package var minPeelHops = 3
    /// Findings whose ``PatternFinding/total`` is below this decimal amount are left out (and counted).
    package var minimumTotal = "0"
    /// Only this asset (a code, or a token contract address); all assets when `nil`.
    package var asset: String?
    /// Labels to annotate findings with.
    package var labels: [String: AccountLabel] = [:]
    /// Leave out findings about accounts labelled with these categories (lower case), counting them.
    package var excludeCategories: Set<String> = []

    package static let hour: Int64 = 3_600_000
    package static let defaultWindows: [PatternKind: Int64] = [
        .fanIn: 72 * hour, .fanOut: 72 * hour, .passThrough: 48 * hour, .cycle: 168 * hour, .structuring: 168 * hour,
        .peelChain: 48 * hour,
    ]

    /// Categories of account for which many counterparties and fast turnover are ordinary business.
    package static let hubCategories: Set<String> = [
        "exchange", "merchant", "institution", "bank", "payment-provider", "psp", "payroll", "marketplace",
    ]

    package init() {}

    package func window(_ kind: PatternKind) -> Int64 { windows[kind] ?? Self.defaultWindows[kind]! }

    /// - Throws: ``ProceedsError`` naming the first option out of range.
    package func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw ProceedsError(.invalidOption, message) } }
        try check(minCounterparties >= 2, "the fan-in/fan-out counterparty count must be at least 2")
        try check((1...100).contains(forwardPercent), "the pass-through percentage must be 1 to 100")
        try check((2...12).contains(maxHops), "cycles have 2 to 12 hops")
        try check(cycleSearchLimit >= 1, "the cycle search limit must be at least 1")
        try check(
            maxCyclesPerAccount >= 1 && maxCycles >= 1 && cycleInstancesListed >= 1, "the cycle caps must be at least 1"
        )
        try check((1...99).contains(marginPercent), "the structuring margin must be 1 to 99 percent")
        try check(minNearThreshold >= 2, "structuring needs at least 2 transfers")
        try check((51...99).contains(peelPercent), "the peel percentage must be 51 to 99")
        try check(minPeelHops >= 2, "a peel chain needs at least 2 hops")
        for (kind, w) in windows { try check(w > 0, "the \(kind.rawValue) window must be longer than zero") }
    }
}

/// Window lengths as people write them: `72h`, `3d`, `90m`, `1d12h`, `1w`.
package enum PatternWindow {
    /// Milliseconds, or `nil` when `text` is not a sequence of number-unit pairs (s, m, h, d, w).
    package static func parse(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        var any = false
        for c in text.lowercased() {
            if let d = c.wholeNumberValue, c.isASCII {
                let (m, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(d))
                guard !o1, !o2 else { return nil }
                number = a
                continue
            }
            let unit: Int64
            switch c {
            case "s": unit = 1000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            case "w": unit = 604_800_000
            default: return nil
            }
            guard let n = number else { return nil }
            let (v, o1) = n.multipliedReportingOverflow(by: unit)
            let (t, o2) = total.addingReportingOverflow(v)
            guard !o1, !o2 else { return nil }
            total = t
            number = nil
            any = true
        }
        return any && number == nil ? total : nil
    }

    /// `3d`, `48h`, `1h15m`, `45s`: whole days when it is a whole number of days of at least 3, else hours,
    /// minutes and seconds.
    package static func format(_ millis: Int64) -> String {
        let seconds = max(0, millis) / 1000
        if seconds == 0 { return millis > 0 ? "\(millis)ms" : "0s" }
        if seconds % 86_400 == 0 && seconds >= 3 * 86_400 { return "\(seconds / 86_400)d" }
        let h = seconds / 3600
        let m = seconds / 60 % 60
        let s = seconds % 60
        var out = ""
        if h > 0 { out += "\(h)h" }
        if m > 0 { out += h > 0 && m < 10 ? "0\(m)m" : "\(m)m" }
        if s > 0 { out += (h > 0 || m > 0) && s < 10 ? "0\(s)s" : "\(s)s" }
        return out
    }
}
