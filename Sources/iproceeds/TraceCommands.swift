import ArgumentParser
import CaseStorePostgres
import EvidenceKit
import Foundation
import ProceedsGraph
import IProceedsBase

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the proceeds: import ledgers and trace tainted funds through time.",
        subcommands: [
            TraceImport.self, TraceRun.self, TraceFreeze.self, TracePaths.self, TracePatterns.self, TraceCluster.self,
        ])
}

/// The ledger inputs every trace command takes.
struct LedgerOptions: ParsableArguments {
    @Option(
        name: .customLong("transfers"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Ledger files, in --import-format; a file given as FORMAT:PATH is read in that format instead (e.g. bitcoin-etl:tx.json beside bank statements).",
            valueName: "file"))
    var transfers: [String] = []

    @Option(
        help:
            "Input format: canonical (id,timestamp,from,to,amount,currency), amlsim, camt.053 (ISO 20022 bank statements; camt.052 and camt.054 too), mt940 (and MT942), bank-csv (with --profile), ethereum-etl (token_transfers CSV or JSON lines, transactions.csv for native ether, tokens.csv for decimals), or bitcoin-etl (transactions JSON of any bitcoin-etl chain, with --chain; trace run, freeze and paths)."
    )
    var importFormat: ImportFormatArgument = .canonical

    @Option(help: "Currency for formats that carry none (amlsim).")
    var currency = "USD"

    @Option(
        parsing: .singleValue,
        help: ArgumentHelp("Decimals of an asset not known to iproceeds, as CODE=N (repeatable).", valueName: "code=n"))
    var scale: [String] = []

    @Flag(help: "Stop at the first malformed row instead of skipping and counting it.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "With --import-format bank-csv: the bank's profile (JSON; see Samples/bank-profiles/).", valueName: "file"))
    var profile: String?

    @Option(
        help: ArgumentHelp(
            "With bank-csv: the statement's own account, when the export has no column for it.", valueName: "account"))
    var account: String?

    @Option(
        help: ArgumentHelp(
            "With bitcoin-etl or ethereum-etl: the chain the export is from (bitcoin, bitcoin_cash, dogecoin, litecoin, zcash, dash, bitcoin_sv; or an asset code such as DOGE, or for ethereum-etl the native asset, e.g. ETH). See docs/tracing-policies.md.",
            valueName: "chain"))
    var chain: String?

    @Flag(help: "Print how long each phase took (import, graph, trace) on standard error.")
    var timings = false

    @Option(
        help: ArgumentHelp(
            "Conversions between assets (conversion,funding,funded[,note] CSV): taint carries across as a fraction. See docs/tracing-policies.md.",
            valueName: "file"))
    var conversions: String?

    func validate() throws {
        guard !transfers.isEmpty else { throw ValidationError("give at least one --transfers FILE") }
        for s in scale {
            let parts = s.split(separator: "=")
            guard parts.count == 2, Int(parts[1]) != nil else {
                throw ValidationError("--scale takes CODE=N, e.g. DOGE=8")
            }
        }
    }

    /// Each `--transfers` file with the format it is read in: `FORMAT:PATH` names its own format (any name
    /// --import-format takes), every other file is in --import-format. So bank statements and a bitcoin-etl
    /// export go in one run: `--import-format camt.053 --transfers a.xml bitcoin-etl:tx.json`. (A file whose name
    /// starts with a format name and a colon is given as `./NAME`.)
    var files: [(format: ImportFormat, path: String)] {
        transfers.map { f in
            if let colon = f.firstIndex(of: ":"), colon != f.startIndex, f.index(after: colon) != f.endIndex,
                let format = ImportFormatArgument(argument: String(f[..<colon]))
            {
                return (format.value, String(f[f.index(after: colon)...]))
            }
            return (importFormat.value, f)
        }
    }

    /// Whether the file's first line is a JSON object with bitcoin-etl's `inputs` and `outputs` (only to say so
    /// when an account importer refuses it; the format is never chosen from the content).
    static func looksLikeBitcoinETL(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 65_536), as: UTF8.self)
        let first = head.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        return first.trimmingCharacters(in: .whitespaces).hasPrefix("{") && first.contains("\"inputs\"")
            && first.contains("\"outputs\"")
    }

    /// The formats read, in the order they first appear (`camt.053, bitcoin-etl`).
    var formatNames: String {
        var names: [String] = []
        for f in files where !names.contains(f.format.rawValue) { names.append(f.format.rawValue) }
        return names.joined(separator: ", ")
    }

    /// The bitcoin-etl exports among the files.
    var utxoFiles: [String] { files.filter { $0.format == .bitcoinETL }.map(\.path) }

    /// Whether any file is an account ledger (not bitcoin-etl).
    var hasAccountFiles: Bool { files.contains { $0.format != .bitcoinETL } }

    /// The account ledgers and, when bitcoin-etl exports are among the files, their transactions as a UTXO ledger
    /// (its skipped lines and input files join the ledger's, so that reports and custody name them).
    func loadWithUTXO() throws -> (ledger: Ledger, utxo: UTXOLedger?) {
        var ledger = try load(allowingUTXO: true)
        guard !utxoFiles.isEmpty else { return (ledger, nil) }
        let loaded = try timed("import bitcoin-etl") {
            try reporting { try BitcoinETLImporter.load(utxoFiles, strict: strict, chain: chain) }
        }
        printIssues(Ledger(issues: loaded.issues))
        printNotes(loaded)
        ledger.issues += loaded.issues
        ledger.inputs += loaded.inputs
        return (
            ledger,
            UTXOLedger(transactions: loaded.transactions, asset: loaded.chain.asset, scale: loaded.chain.scale)
        )
    }

    /// Imports the ledger, printing skipped rows on standard error; exits 65 when the import fails, 66 when a file
    /// cannot be read. Files of several account formats (`FORMAT:PATH`) are imported format by format, in the
    /// order each format first appears, into one ledger.
    func load(allowingUTXO: Bool = false) throws -> Ledger {
        guard allowingUTXO || utxoFiles.isEmpty else {
            throw ValidationError(
                "bitcoin-etl exports are traced per transaction (trace run, trace freeze, trace paths); this command reads account ledgers"
            )
        }
        var options = ImportOptions()
        options.strict = strict
        options.defaultCurrency = currency
        options.statementAccount = account
        options.chain = chain
        if importFormat.value == .bankCSV {
            guard let profile else { throw ValidationError("--import-format bank-csv needs --profile FILE") }
            options.profile = try reporting { try BankCSVProfile.load(profile) }
        }
        for s in scale {
            let parts = s.split(separator: "=")
            // Asset codes are upper case; token contract addresses keep their lower-case hex.
            let code = parts[0].hasPrefix("0x") ? parts[0].lowercased() : parts[0].uppercased()
            options.scales[code] = Int(parts[1])!
        }
        let accountFiles = files.filter { $0.format != .bitcoinETL }
        var formats: [ImportFormat] = []
        for f in accountFiles where !formats.contains(f.format) { formats.append(f.format) }
        if formats.contains(.bankCSV), options.profile == nil {
            guard let profile else { throw ValidationError("bank-csv files need --profile FILE") }
            options.profile = try reporting { try BankCSVProfile.load(profile) }
        }
        let ledger = try timed("import") {
            try reporting {
                var ledger = Ledger()
                for (k, format) in formats.enumerated() {
                    let part: Ledger
                    do {
                        part = try LedgerImporter.load(
                            accountFiles.filter { $0.format == format }.map(\.path), format: format, options: options)
                    } catch var e as ProceedsError {
                        // A chain export given without its format fails as a bank file would: say what it looks like.
                        if let file = e.file, Self.looksLikeBitcoinETL(file) {
                            e.reason += "; \(file) looks like a bitcoin-etl export: give it as bitcoin-etl:\(file)"
                        }
                        throw e
                    }
                    if k == 0 { ledger = part } else { ledger.merge(part) }
                }
                return ledger
            }
        }
        printIssues(ledger)
        printImportNotes(ledger)
        if ledger.duplicatesMerged > 0 {
            FileHandle.standardError.write(
                Data(
                    ("iproceeds: \(ledger.duplicatesMerged) payment(s) appear in two statements (the payer's debit and "
                        + "the payee's credit, same end-to-end id and amount): imported once\n").utf8))
        }
        return ledger
    }

    /// Runs `body`, and with `--timings` prints its wall time and the peak memory so far on standard error.
    func timed<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        guard timings else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        FileHandle.standardError.write(
            Data(
                String(
                    format: "timing: %@ %.3f s (peak RSS %.0f MiB)\n", phase, seconds, Double(usage.ru_maxrss) / 1024
                ).utf8))
        return value
    }

    /// The conversion records of `--conversions`, if given (exit 65 on a malformed file); the file joins the
    /// ledger's fingerprinted inputs.
    func loadConversions(into ledger: inout Ledger) throws -> [ConversionRecord] {
        guard let conversions else { return [] }
        let (records, sha) = try reporting { try ConversionFile.read(conversions) }
        ledger.inputs.append((conversions, sha))
        return records
    }

    /// Skipped rows on standard error (the first twenty, then a count).
    func printIssues(_ ledger: Ledger) {
        for issue in ledger.issues.prefix(20) {
            FileHandle.standardError.write(
                Data("iproceeds: skipped \(issue.file) line \(issue.line): \(issue.reason)\n".utf8))
        }
        if ledger.issues.count > 20 {
            FileHandle.standardError.write(
                Data(
                    "iproceeds: … and \(ledger.issues.count - 20) more skipped rows (use --strict to stop at the first)\n"
                        .utf8))
        }
    }
}

/// Which transfers are tainted: the seeds of `trace run` and `trace freeze`.
struct SeedOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seed transfer ids, comma-separated.", valueName: "ids"))
    var seedTx: String?

    @Option(
        name: .customLong("from"),
        help: ArgumentHelp("Every transfer out of this account is a seed.", valueName: "account"))
    var fromAccount: String?

    @Option(help: ArgumentHelp("With --from: only transfers at or after this time (ISO 8601).", valueName: "time"))
    var since: String?

    @Option(help: "The asset to trace, when the seeds are in several.")
    var asset: String?

    func validate() throws {
        guard seedTx != nil || fromAccount != nil else { throw ValidationError("give --seed-tx IDS or --from ACCOUNT") }
        if since != nil && fromAccount == nil { throw ValidationError("--since goes with --from") }
        if let since, ISO8601.parse(since) == nil {
            throw ValidationError("--since '\(since)' is not an ISO 8601 time")
        }
    }

    /// `--asset` as assets are keyed: codes upper case, token contract addresses lower case.
    var assetCode: String? { asset.map { $0.hasPrefix("0x") ? $0.lowercased() : $0.uppercased() } }

    var seeds: TraceSeeds {
        TraceSeeds(
            transferIDs: Set((seedTx ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }),
            fromAccount: fromAccount, since: since.flatMap(ISO8601.parse))
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
            standard error); 64 usage; 65 an input could not be imported (or, with --strict, a row was malformed); \
            66 an input cannot be read; 70 a conservation check failed (a bug to report).
            """)

    @OptionGroup var input: LedgerOptions
    @OptionGroup var seed: SeedOptions

    @Option(help: "poison, haircut, fifo or lifo.")
    var policy: PolicyArgument

    @OptionGroup var custody: AnalysisCustody

    @OptionGroup var entityOptions: EntityOptions

    @Option(
        help: ArgumentHelp("Evaluate balances at this time (ISO 8601); later transfers are ignored.", valueName: "time")
    )
    var until: String?

    @Option(
        help:
            "json, csv, dot (Graphviz; with -o X.dot, X.svg is rendered too when Graphviz is installed), or html (a self-contained report to open in a browser)."
    )
    var format: TraceFormat = .json

    @Option(
        help: ArgumentHelp(
            "account,label,category,institution CSV: names accounts in the html report.", valueName: "file"))
    var labels: String?

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
    var output: String?

    enum TraceFormat: String, ExpressibleByArgument, CaseIterable { case json, csv, dot, html }

    func validate() throws {
        if let until, ISO8601.parse(until) == nil {
            throw ValidationError("--until '\(until)' is not an ISO 8601 time")
        }
    }

    func run() throws {
        let ledger: Ledger
        let result: MixedTraceResult
        var entityGroups: [EntityTaint]?
        var entityDirectory: EntityDirectory?
        if !input.hasAccountFiles {
            // UTXO: taint follows outputs, per transaction (docs/tracing-policies.md).
            guard seed.fromAccount == nil else {
                throw ValidationError(
                    "--from is for account ledgers; give bitcoin seeds with --seed-tx HASH or HASH:INDEX")
            }
            let loaded = try reporting {
                try BitcoinETLImporter.load(input.utxoFiles, strict: input.strict, chain: input.chain)
            }
            ledger = Ledger(issues: loaded.issues, inputs: loaded.inputs)
            input.printIssues(ledger)
            input.printNotes(loaded)
            guard input.conversions == nil else {
                throw ValidationError(
                    "--conversions links a bitcoin-etl export to account ledgers: give those too, e.g. --import-format camt.053 --transfers statement.xml bitcoin-etl:transactions.json"
                )
            }
            let utxo = try reporting {
                try UTXOTracer.run(
                    loaded.transactions, seeds: seed.seeds.transferIDs, policy: policy.value,
                    until: until.flatMap(ISO8601.parse),
                    scale: loaded.chain.scale, asset: loaded.chain.asset)
            }
            result = MixedTraceResult(policy: policy.value, traces: [utxo], conversions: [])
            if entityOptions.active {
                let directory = try entityOptions.directory(loaded.transactions, asset: loaded.chain.asset)
                entityDirectory = directory
                entityGroups = EntityTracer.aggregate(utxo, directory: directory)
                EntityOptions.tell(entityGroups!, policy: policy.value, asset: utxo.asset, scale: utxo.scale)
            }
        } else {
            guard !entityOptions.active else {
                throw ValidationError("--entities and --cluster are for bitcoin-etl ledgers")
            }
            let imported = try input.loadWithUTXO()
            var loaded = imported.ledger
            let utxo = imported.utxo
            let conversions = try input.loadConversions(into: &loaded)
            ledger = loaded
            let at = until.flatMap(ISO8601.parse)
            result = try input.timed("trace") {
                try reporting {
                    conversions.isEmpty && utxo == nil
                        ? MixedTraceResult(
                            policy: policy.value,
                            traces: [
                                try TaintTracer.run(
                                    ledger, seeds: seed.seeds, policy: policy.value, until: at, asset: seed.assetCode)
                            ], conversions: [])
                        : try MixedTracer.run(
                            ledger, utxo: utxo, conversions: conversions, seeds: seed.seeds, policy: policy.value,
                            until: at, asset: seed.assetCode)
                }
            }
        }
        let report: String
        switch format {
        case .json:
            report = TraceReport.json(result, ledger: ledger, entities: entityGroups)
        case .csv:
            if let entityGroups, let entityDirectory {
                report = EntityTracer.csv(result.traces[0], groups: entityGroups, directory: entityDirectory)
            } else {
                report = TraceReport.csv(result)
            }
        case .dot: report = TraceGraph.dot(result)
        case .html:
            let labelMap = try reporting { try labels.map(LabelFile.load) ?? [:] }
            var parameters: [(String, String)] = [
                (
                    "Seed option",
                    seed.seedTx.map { "--seed-tx \($0)" } ?? "--from \(seed.fromAccount ?? "")"
                        + (seed.since.map { " --since \($0)" } ?? "")
                ),
                ("Until", until ?? "the end of the data"),
                ("Import format", input.formatNames),
            ]
            if let c = input.conversions { parameters.append(("Conversions", c)) }
            if let l = labels { parameters.append(("Labels", l)) }
            if let e = entityOptions.entities { parameters.append(("Entities", e)) }
            if entityOptions.cluster {
                parameters.append(("Entities", "clustered" + (entityOptions.change.map { " (change: \($0))" } ?? "")))
                if !entityOptions.tags.isEmpty {
                    parameters.append(("Tags", entityOptions.tags.joined(separator: ", ")))
                }
            }
            report = TraceHTML.document(
                result, ledger: ledger, parameters: parameters, labels: labelMap, entities: entityGroups ?? [])
        }
        try reporting {
            let out = try ReportOutput(path: output)
            out.sink.write(report)
            try out.commit()
            if format == .dot, let output, output.hasSuffix(".dot") { renderSVG(dotFile: output) }
            try custody.record(
                ledger: ledger, report: report, reportName: output ?? "trace report (standard output)",
                parameters: [
                    "command": "trace run", "policy": policy.value.rawValue,
                    "seeds": result.traces[0].seeds.joined(separator: ","),
                    "until": until ?? "", "format": format.rawValue, "asset": result.traces[0].asset,
                    "conversions": input.conversions ?? "",
                ])
        }
        if result.traces.contains(where: { !$0.conservation.balanced || !$0.conservation.valueConserved }) {
            try reporting { throw CLIError(.internalError, "conservation check FAILED; please report this as a bug") }
        }
        if !ledger.issues.isEmpty { throw ExitCode(1) }
    }
}

/// Renders `X.dot` to `X.svg` with Graphviz when `dot` is installed; says what it did, or how to do it.
func renderSVG(dotFile: String) {
    let svg = String(dotFile.dropLast(4)) + ".svg"
    let dot = ["/usr/bin/dot", "/usr/local/bin/dot", "/opt/homebrew/bin/dot"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let dot else {
        FileHandle.standardError.write(
            Data("iproceeds: Graphviz is not installed; render the diagram with: dot -Tsvg \(dotFile) -o \(svg)\n".utf8)
        )
        return
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: dot)
    p.arguments = ["-Tsvg", dotFile, "-o", svg]
    do {
        try p.run()
        p.waitUntilExit()
        let done = p.terminationStatus == 0
        FileHandle.standardError.write(
            Data(
                (done
                    ? "iproceeds: rendered \(svg)\n"
                    : "iproceeds: dot could not render \(dotFile); the .dot file is complete\n").utf8))
    } catch {
        FileHandle.standardError.write(
            Data("iproceeds: could not run dot (\(error)); the .dot file is complete\n".utf8))
    }
}

struct TraceFreeze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "List accounts still holding tainted funds, grouped by institution, for a freezing request.",
        discussion: """
            Traces the ledger under each policy asked (--policy all for the four side by side, since courts \
            differ on which applies) and lists every account whose tainted holding reaches --min-amount under \
            any of them, with the transfers that brought the taint in (under the first policy named that finds taint \
            there). With --conversions, holdings in the other assets taint reached are listed too, all of them \
            (--min-amount is an amount of the seeds' asset). Accounts \
            labelled `victim` are left out. Institutions come from --labels \
            (account,label,category,institution).

            Example:
              iproceeds trace freeze --transfers bank.csv --seed-tx T-0001 --labels labels.csv \\
                  --policy all --min-amount 500.00 --format csv -o freeze.csv
            """)

    @OptionGroup var input: LedgerOptions
    @OptionGroup var seed: SeedOptions

    @Option(help: ArgumentHelp("poison, haircut, fifo, lifo, a comma-separated list, or all.", valueName: "policy"))
    var policy = "all"

    @Option(
        help: ArgumentHelp("Smallest tainted holding to list, in the asset's units (e.g. 500.00).", valueName: "amount")
    )
    var minAmount = "0"

    @Option(help: ArgumentHelp("Evaluate holdings at this time (ISO 8601).", valueName: "time"))
    var at: String?

    @Option(help: ArgumentHelp("account,label,category,institution CSV.", valueName: "file"))
    var labels: String?

    @OptionGroup var custody: AnalysisCustody

    @OptionGroup var entityOptions: EntityOptions

    @Option(help: "json or csv.")
    var format: TraceRun.TraceFormat = .json

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the list here instead of standard output.", valueName: "file"))
    var output: String?

    var policies: [TaintPolicy]? {
        if policy.lowercased() == "all" { return TaintPolicy.allCases }
        let list = policy.split(separator: ",").map {
            TaintPolicy(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased())
        }
        return list.contains(nil) || list.isEmpty ? nil : list.map { $0! }
    }

    func validate() throws {
        guard policies != nil else {
            throw ValidationError("--policy takes poison, haircut, fifo, lifo, a list of them, or all")
        }
        guard format == .json || format == .csv else {
            throw ValidationError("freezing candidates are json or csv; --format \(format.rawValue) is for trace run")
        }
        if let at, ISO8601.parse(at) == nil { throw ValidationError("--at '\(at)' is not an ISO 8601 time") }
    }

    func run() throws {
        if !input.hasAccountFiles { return try runUTXO() }  // by entity: TraceCluster.swift
        guard !entityOptions.active else {
            throw ValidationError("--entities and --cluster are for bitcoin-etl ledgers")
        }
        let imported = try input.loadWithUTXO()
        var ledger = imported.ledger
        let utxo = imported.utxo
        let conversions = try input.loadConversions(into: &ledger)
        let labelMap = try reporting { try labels.map(LabelFile.load) ?? [:] }
        try reporting {
            let list = try FreezeCandidates.list(
                ledger, seeds: seed.seeds, policies: policies!, minimum: minAmount, at: at.flatMap(ISO8601.parse),
                labels: labelMap,
                asset: seed.assetCode, conversions: conversions, utxo: utxo)
            let report = format == .csv ? FreezeReport.csv(list) : FreezeReport.json(list, ledger: ledger)
            let out = try ReportOutput(path: output)
            out.sink.write(report)
            try out.commit()
            try custody.record(
                ledger: ledger, report: report, reportName: output ?? "freezing candidates (standard output)",
                parameters: [
                    "command": "trace freeze", "policies": list.policies.map(\.rawValue).joined(separator: ","),
                    "min_amount": minAmount, "at": at ?? "", "asset": list.asset,
                ])
        }
        if !ledger.issues.isEmpty { throw ExitCode(1) }
    }
}

struct ImportFormatArgument: ExpressibleByArgument {
    let value: ImportFormat
    init?(argument: String) {
        // camt.052 reports and camt.054 notifications share camt.053's entries and its importer.
        let name =
            ["camt", "camt.052", "camt.054"].contains(argument.lowercased()) ? "camt.053" : argument.lowercased()
        guard let v = ImportFormat(rawValue: name) else { return nil }
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

/// `--case`/`--item` on analysis commands: fingerprint the inputs and the report, and sign an `analysed`
/// custody entry naming them, so the figure can be traced back to the ledgers it came from.
struct AnalysisCustody: ParsableArguments {
    @Option(
        name: .customLong("case"),
        help: ArgumentHelp(
            "Record an `analysed` entry in this case file (default: $IPROCEEDS_CASE if --item is given).",
            valueName: "file"))
    var casePath: String?

    @Option(
        name: .customLong("item"),
        help: ArgumentHelp("The case item(s) the ledgers belong to (repeatable).", valueName: "id"))
    var items: [String] = []

    func record(ledger: Ledger, report: String, reportName: String, parameters: [String: String]) throws {
        try record(
            inputs: ledger.inputs, reportSHA256: digestHex(.sha256, of: report.utf8), reportName: reportName,
            parameters: parameters)
    }

    /// Records the entry for a report written as a stream, whose SHA-256 was taken as it was written.
    func record(
        inputs: [(path: String, sha256: String)], reportSHA256: String, reportName: String,
        parameters: [String: String]
    ) throws {
        let env = ProcessInfo.processInfo.environment["IPROCEEDS_CASE"]
        guard let path = casePath ?? (items.isEmpty ? nil : env) else { return }
        let examiner = try ExaminerStore.fromEnvironment().load()
        let file = CaseFile(store: try openCaseStore(path))
        let entry = try file.record(
            .analysed, items: items, inputs: inputs.map { HashReference(name: $0.path, sha256: $0.sha256) },
            outputs: [HashReference(name: reportName, sha256: reportSHA256)], parameters: parameters, by: examiner)
        FileHandle.standardError.write(
            Data(
                "Recorded custody entry \(entry.seq) (analysed) in \(CaseStores.display(path)); ledger head: \(entry.seq):\(entry.entryHash)\n"
                    .utf8))
    }
}
