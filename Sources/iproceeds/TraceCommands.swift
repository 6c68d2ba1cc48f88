import ArgumentParser
import EvidenceKit
import Foundation
import ProceedsGraph

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the proceeds: import ledgers and trace tainted funds through time.",
        subcommands: [TraceRun.self, TraceFreeze.self])
}

/// The ledger inputs and seeds every trace command takes.
struct LedgerOptions: ParsableArguments {
    @Option(name: .customLong("transfers"), parsing: .upToNextOption, help: ArgumentHelp("Ledger files.", valueName: "file"))
    var transfers: [String] = []

    @Option(help: "Input format: canonical (id,timestamp,from,to,amount,currency), amlsim, camt.053 (ISO 20022 bank statements) or mt940.")
    var importFormat: ImportFormatArgument = .canonical

    @Option(help: ArgumentHelp("Seed transfer ids, comma-separated.", valueName: "ids"))
    var seedTx: String?

    @Option(name: .customLong("from"), help: ArgumentHelp("Every transfer out of this account is a seed.", valueName: "account"))
    var fromAccount: String?

    @Option(help: ArgumentHelp("With --from: only transfers at or after this time (ISO 8601).", valueName: "time"))
    var since: String?

    @Option(help: "The asset to trace, when the seeds are in several.")
    var asset: String?

    @Option(help: "Currency for formats that carry none (amlsim).")
    var currency = "USD"

    @Option(parsing: .singleValue, help: ArgumentHelp("Decimals of an asset not known to iproceeds, as CODE=N (repeatable).", valueName: "code=n"))
    var scale: [String] = []

    @Flag(help: "Stop at the first malformed row instead of skipping and counting it.")
    var strict = false

    func validate() throws {
        guard !transfers.isEmpty else { throw ValidationError("give at least one --transfers FILE") }
        guard seedTx != nil || fromAccount != nil else { throw ValidationError("give --seed-tx IDS or --from ACCOUNT") }
        if since != nil && fromAccount == nil { throw ValidationError("--since goes with --from") }
        if let since, Timestamp.parse(since) == nil { throw ValidationError("--since '\(since)' is not an ISO 8601 time") }
        for s in scale {
            let parts = s.split(separator: "=")
            guard parts.count == 2, Int(parts[1]) != nil else { throw ValidationError("--scale takes CODE=N, e.g. DOGE=8") }
        }
    }

    var seeds: TraceSeeds {
        TraceSeeds(
            transferIDs: Set((seedTx ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }),
            fromAccount: fromAccount, since: since.flatMap(Timestamp.parse))
    }

    /// Imports the ledger, printing skipped rows on standard error; exits 65 when the import fails.
    func load() throws -> Ledger {
        var options = ImportOptions()
        options.strict = strict
        options.defaultCurrency = currency
        for s in scale {
            let parts = s.split(separator: "=")
            options.scales[parts[0].uppercased()] = Int(parts[1])!
        }
        let ledger = try reporting { try LedgerImporter.load(transfers, format: importFormat.value, options: options) }
        for issue in ledger.issues.prefix(20) {
            FileHandle.standardError.write(Data("iproceeds: skipped \(issue.file) line \(issue.line): \(issue.reason)\n".utf8))
        }
        if ledger.issues.count > 20 {
            FileHandle.standardError.write(Data("iproceeds: … and \(ledger.issues.count - 20) more skipped rows (use --strict to stop at the first)\n".utf8))
        }
        return ledger
    }
}

struct TraceRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Trace tainted funds through account ledgers under one policy: poison, haircut, fifo or lifo.",
        discussion: """
            Transfers are applied in order of time (then the format's own order, then id). A seed transfer's whole \
            amount is tainted when it lands; with --from, every transfer out of that account at or after --since \
            is a seed. An account that sends more than it holds is taken to have held the difference as clean \
            funds before its first transfer. Amounts are exact integers of minor units; a haircut split is \
            rounded to the nearest minor unit (ties to even) and the sender keeps the rest, so every run conserves \
            value and taint exactly, and says so. docs/tracing-policies.md explains each policy with examples.

            Examples:
              iproceeds trace run --transfers bank.csv --seed-tx T-0001 --policy haircut
              iproceeds trace run --transfers bank.csv --from VICTIM-ACC --since 2026-01-05 --policy fifo --format csv

            Exit status: 0 traced, every row imported; 1 traced, but malformed rows were skipped (listed on \
            standard error); 64 usage; 65 an input could not be imported (or, with --strict, a row was malformed).
            """)

    @OptionGroup var input: LedgerOptions

    @Option(help: "poison, haircut, fifo or lifo.")
    var policy: PolicyArgument

    @Option(help: ArgumentHelp("Evaluate balances at this time (ISO 8601); later transfers are ignored.", valueName: "time"))
    var until: String?

    @Option(help: "json or csv.")
    var format: TraceFormat = .json

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
    var output: String?

    enum TraceFormat: String, ExpressibleByArgument, CaseIterable { case json, csv }

    func validate() throws {
        if let until, Timestamp.parse(until) == nil { throw ValidationError("--until '\(until)' is not an ISO 8601 time") }
    }

    func run() throws {
        let ledger = try input.load()
        let result = try reporting {
            try TaintTracer.run(ledger, seeds: input.seeds, policy: policy.value, until: until.flatMap(Timestamp.parse), asset: input.asset?.uppercased())
        }
        try reporting {
            let out = try ReportOutput(path: output)
            out.sink.write(format == .json ? TraceReport.json(result, ledger: ledger) : TraceReport.csv(result))
            try out.commit()
        }
        if !result.conservation.balanced || !result.conservation.valueConserved {
            FileHandle.standardError.write(Data("iproceeds: error: conservation check FAILED; please report this as a bug\n".utf8))
            throw ExitCode(70)
        }
        if !ledger.issues.isEmpty { throw ExitCode(1) }
    }
}

struct TraceFreeze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "List accounts still holding tainted funds, grouped by institution, for a freezing request.",
        discussion: """
            Traces the ledger under each policy asked (--policy all for the four side by side, since courts \
            differ on which applies) and lists every account whose tainted holding reaches --min-amount under \
            any of them, with the transfers that brought the taint in (under the first policy named). Accounts \
            labelled `victim` are left out. Institutions come from --labels \
            (account,label,category,institution).

            Example:
              iproceeds trace freeze --transfers bank.csv --seed-tx T-0001 --labels labels.csv \\
                  --policy all --min-amount 500.00 --format csv -o freeze.csv
            """)

    @OptionGroup var input: LedgerOptions

    @Option(help: ArgumentHelp("poison, haircut, fifo, lifo, a comma-separated list, or all.", valueName: "policy"))
    var policy = "all"

    @Option(help: ArgumentHelp("Smallest tainted holding to list, in the asset's units (e.g. 500.00).", valueName: "amount"))
    var minAmount = "0"

    @Option(help: ArgumentHelp("Evaluate holdings at this time (ISO 8601).", valueName: "time"))
    var at: String?

    @Option(help: ArgumentHelp("account,label,category,institution CSV.", valueName: "file"))
    var labels: String?

    @Option(help: "json or csv.")
    var format: TraceRun.TraceFormat = .json

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the list here instead of standard output.", valueName: "file"))
    var output: String?

    var policies: [TaintPolicy]? {
        if policy.lowercased() == "all" { return TaintPolicy.allCases }
        let list = policy.split(separator: ",").map { TaintPolicy(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        return list.contains(nil) || list.isEmpty ? nil : list.map { $0! }
    }

    func validate() throws {
        guard policies != nil else { throw ValidationError("--policy takes poison, haircut, fifo, lifo, a list of them, or all") }
        if let at, Timestamp.parse(at) == nil { throw ValidationError("--at '\(at)' is not an ISO 8601 time") }
    }

    func run() throws {
        let ledger = try input.load()
        let labelMap = try reporting { try labels.map(LabelFile.load) ?? [:] }
        try reporting {
            let list = try FreezeCandidates.list(
                ledger, seeds: input.seeds, policies: policies!, minimum: minAmount, at: at.flatMap(Timestamp.parse), labels: labelMap,
                asset: input.asset?.uppercased())
            let out = try ReportOutput(path: output)
            out.sink.write(format == .json ? FreezeReport.json(list, ledger: ledger) : FreezeReport.csv(list))
            try out.commit()
        }
        if !ledger.issues.isEmpty { throw ExitCode(1) }
    }
}

struct ImportFormatArgument: ExpressibleByArgument {
    let value: ImportFormat
    init?(argument: String) {
        guard let v = ImportFormat(rawValue: argument.lowercased()) else { return nil }
        value = v
    }
    static let canonical = ImportFormatArgument(argument: "canonical")!
    static var allValueStrings: [String] { ImportFormat.allCases.map(\.rawValue) }
    var defaultValueDescription: String { value.rawValue }
}

struct PolicyArgument: ExpressibleByArgument {
    let value: TaintPolicy
    init?(argument: String) {
        guard let v = TaintPolicy(rawValue: argument.lowercased()) else { return nil }
        value = v
    }
    static var allValueStrings: [String] { TaintPolicy.allCases.map(\.rawValue) }
}
