import ArgumentParser
import EvidenceKit
import Foundation
import ProceedsGraph

struct TracePatterns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract:
            "Flag money-mule and laundering patterns: fan-in, fan-out, rapid pass-through, cycles, structuring, peel chains.",
        discussion: """
            Looks at every transfer of the ledger (no seeds needed), one asset at a time, and reports each \
            occurrence of a pattern with the figures behind it and the transfers that show it, each with its \
            input file and line. A finding is a lead, not proof: an exchange receives from many senders, a \
            payroll account pays many people, a company sweeps its takings on. Give --labels so that findings \
            name what is known of each account, and read the reason.

            The patterns, with their defaults (docs/patterns.md has the exact rules):
              fan_in        5 or more different senders pay one account within 72h
              fan_out       one account pays 5 or more different receivers within 72h
              pass_through  80% or more of a transfer in is paid on within 48h of
                            its arrival (money matched first in, first out): the
                            money-mule signature
              cycle         funds leave an account and come back to it through up
                            to 6 hops, each no earlier than the last, within 7d
              structuring   3 or more transfers into (or out of) one account within
                            7d, each within 10% below the threshold (10000.00), and
                            none at or above it
              peel_chain    3 or more accounts in a row, each passing 90% or more of
                            what it received on to the next and the rest elsewhere,
                            each hop within 48h

            Windows are written 90m, 48h, 3d, 1w or 1d12h. --window 24h sets every \
            pattern's window; --window pass_through=24h sets one (repeatable). Amounts \
            are in the asset's units (10000.00 EUR) and compared exactly; percentages \
            are whole numbers.

            Output: --format json (the default; deterministic, for scripts and the \
            case file), csv (one row per evidence transfer), or text (a table and the \
            reasons, for people). Findings are sorted by kind, then time, then \
            account, and numbered P-0001, … in that order.

            Examples:
              iproceeds trace patterns --transfers bank.csv --labels labels.csv \\
                  --format text
              iproceeds trace patterns --transfers bank.csv \\
                  --kinds pass_through,fan_in --window 24h -o leads.json
              iproceeds trace patterns --transfers a.xml b.xml \\
                  --import-format camt.053 --kinds structuring --threshold 15000.00 \\
                  --margin 5 --window structuring=30d --format csv -o structuring.csv
              iproceeds trace patterns --transfers bank.csv --labels labels.csv \\
                  --exclude-category exchange,merchant

            Exit status: 0 scanned, every row imported (with or without findings); 1 scanned, but malformed rows \
            were skipped (listed on standard error); 64 usage, or an option that is not an amount of the asset; \
            65 an input could not be imported (or, with --strict, a row was malformed); 66 an input cannot be read.
            """)

    @OptionGroup var input: LedgerOptions

    @Option(
        help: ArgumentHelp(
            "Patterns to look for, comma-separated: fan_in, fan_out, pass_through, cycle, structuring, peel_chain, or all.",
            valueName: "kinds"))
    var kinds = "all"

    @Option(
        parsing: .singleValue,
        help: ArgumentHelp(
            "Window of every pattern (48h, 3d), or of one as KIND=DURATION (repeatable).", valueName: "[kind=]duration")
    )
    var window: [String] = []

    @Option(help: ArgumentHelp("fan_in, fan_out: different senders (receivers) within the window.", valueName: "n"))
    var minCounterparties = 5

    @Option(
        help: ArgumentHelp("pass_through: percent of a transfer in paid on within the window.", valueName: "percent"))
    var forwardPercent = 80

    @Option(help: ArgumentHelp("cycle: most hops (accounts) on a cycle, 2 to 12.", valueName: "n"))
    var maxHops = 6

    @Option(
        help: ArgumentHelp(
            "cycle: transfers one search may examine before it stops (reported when it does).", valueName: "n"))
    var cycleSearchLimit = 10_000

    @Option(
        help: ArgumentHelp(
            "cycle: most cycle findings naming any one account; more are counted, not listed.", valueName: "n"))
    var maxCyclesPerAccount = 100

    @Option(
        help: ArgumentHelp(
            "cycle: most cycle findings in all, per asset; the search stops there and the report says so.",
            valueName: "n"))
    var maxCycles = 2_000

    @Option(
        help: ArgumentHelp("cycle: instances listed as evidence per cycle finding (all are counted).", valueName: "n"))
    var cycleInstances = 20

    @Option(help: ArgumentHelp("structuring: the reporting threshold, in the asset's units.", valueName: "amount"))
    var threshold = "10000.00"

    @Option(
        help: ArgumentHelp(
            "structuring: how far below the threshold counts as just under, in percent of it.", valueName: "percent"))
    var margin = 10

    @Option(help: ArgumentHelp("structuring: transfers just under the threshold within the window.", valueName: "n"))
    var structuringCount = 3

    @Option(
        help: ArgumentHelp(
            "peel_chain: percent of what a hop received that must go on to the next account.", valueName: "percent"))
    var peelPercent = 90

    @Option(help: ArgumentHelp("peel_chain: hops a chain needs.", valueName: "n"))
    var peelHops = 3

    @Option(
        help: ArgumentHelp(
            "Leave out findings whose total is below this amount (they are counted in the report).", valueName: "amount"
        ))
    var minAmount = "0"

    @Option(help: ArgumentHelp("Only this asset (a code like EUR, or a token contract address).", valueName: "asset"))
    var asset: String?

    @Option(
        help: ArgumentHelp(
            "account,label,category,institution CSV: findings name what is known of their accounts.", valueName: "file")
    )
    var labels: String?

    @Option(
        help: ArgumentHelp(
            "Leave out findings about accounts labelled with these categories, e.g. exchange,merchant (they are counted in the report).",
            valueName: "categories"))
    var excludeCategory: String?

    @OptionGroup var custody: AnalysisCustody

    @Option(help: "json, csv or text.")
    var format: PatternFormat = .json

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
    var output: String?

    enum PatternFormat: String, ExpressibleByArgument, CaseIterable { case json, csv, text }

    /// The options as the library takes them. Throws a usage error naming the first one not understood.
    func patternOptions() throws -> PatternOptions {
        var o = PatternOptions()
        if kinds.lowercased() != "all" {
            var chosen = Set<PatternKind>()
            for k in kinds.split(separator: ",") {
                let name = k.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
                guard let kind = PatternKind(rawValue: name) else {
                    throw ValidationError(
                        "unknown pattern '\(k)': choose from \(PatternKind.allCases.map(\.rawValue).joined(separator: ", ")), or all"
                    )
                }
                chosen.insert(kind)
            }
            guard !chosen.isEmpty else { throw ValidationError("--kinds names no pattern") }
            o.kinds = chosen
        }
        for w in window {
            let parts = w.split(separator: "=", maxSplits: 1).map(String.init)
            guard let duration = PatternWindow.parse(parts.last!), duration > 0 else {
                throw ValidationError(
                    "--window '\(w)' is not a duration: write e.g. 48h, 3d, 90m, 1w or pass_through=24h")
            }
            if parts.count == 2 {
                guard let kind = PatternKind(rawValue: parts[0].lowercased().replacingOccurrences(of: "-", with: "_"))
                else {
                    throw ValidationError("--window '\(w)': unknown pattern '\(parts[0])'")
                }
                o.windows[kind] = duration
            } else {
                for kind in PatternKind.allCases { o.windows[kind] = duration }
            }
        }
        o.minCounterparties = minCounterparties
        o.forwardPercent = forwardPercent
        o.maxHops = maxHops
        o.cycleSearchLimit = cycleSearchLimit
        o.maxCyclesPerAccount = maxCyclesPerAccount
        o.maxCycles = maxCycles
        o.cycleInstancesListed = cycleInstances
        o.threshold = threshold
        o.marginPercent = margin
        o.minNearThreshold = structuringCount
        o.peelPercent = peelPercent
        o.minPeelHops = peelHops
        o.minimumTotal = minAmount
        o.asset = asset.map { $0.hasPrefix("0x") ? $0.lowercased() : $0.uppercased() }
        o.excludeCategories = Set(
            (excludeCategory ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                .filter { !$0.isEmpty })
        do {
            try o.validate()
        } catch let e as ProceedsError {
            throw ValidationError(e.description)
        }
        return o
    }

    func validate() throws {
        guard input.importFormat.value != .bitcoinETL else {
            throw ValidationError(
                "patterns work on account transfers; bitcoin-etl transactions are traced per output with `trace run`")
        }
        _ = try patternOptions()
    }

    func run() throws {
        var options = try patternOptions()
        let ledger = try input.load()
        options.labels = try reporting { try labels.map(LabelFile.load) ?? [:] }
        try reporting {
            let scan = try PatternFinder.scan(ledger, options: options)
            let report: String
            switch format {
            case .json: report = PatternReport.json(scan, ledger: ledger)
            case .csv: report = PatternReport.csv(scan)
            case .text: report = PatternReport.text(scan, ledger: ledger)
            }
            let out = try ReportOutput(path: output)
            out.sink.write(report)
            try out.commit()
            if let note = PatternReport.cycleTruncationNote(scan) {
                FileHandle.standardError.write(Data("iproceeds: warning: \(note)\n".utf8))
            }
            try custody.record(
                ledger: ledger, report: report, reportName: output ?? "pattern findings (standard output)",
                parameters: scan.custodyParameters.merging(["format": format.rawValue]) { $1 })
        }
        if !ledger.issues.isEmpty { throw ExitCode(1) }
    }
}
