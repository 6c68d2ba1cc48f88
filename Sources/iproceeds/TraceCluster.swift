import ArgumentParser
import EvidenceKit
import Foundation
import ProceedsGraph

struct TraceCluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Group the addresses of a bitcoin-etl export into entities (common-input ownership; change heuristics on request).",
        discussion: """
            Addresses spent together as inputs of one transaction are taken to have one owner (the multi-input \
            heuristic), except in CoinJoin-like transactions, whose inputs belong to several owners by design: \
            those are listed with the pattern they match (whirlpool-like, wasabi-like, joinmarket-like, \
            equal-output) and never merged. Change-address heuristics are off unless named with --change; each \
            merge is recorded with the heuristic that made it and the first transaction that showed it (hash, \
            file and line). When the heuristics named disagree on a transaction, none of them merges there.

            Every address is listed with its entity id: `E-` followed by the entity's smallest address (byte \
            order), so the same data gives the same ids on every run. docs/clustering.md gives the rules, their \
            sources and their measured precision and recall.

            Examples:
              iproceeds trace cluster --import-format bitcoin-etl --transfers transactions.json -o entities.json
              iproceeds trace cluster --import-format bitcoin-etl --transfers a.json b.json \\
                  --change one-time,script-type --format csv -o entities.csv

            Exit status: 0 clustered, every line read; 1 clustered, but malformed lines were skipped (listed on \
            standard error); 64 usage; 65 an input could not be used (or, with --strict, a line was malformed); \
            66 an input is missing.
            """)

    @Option(name: .customLong("transfers"), parsing: .upToNextOption, help: ArgumentHelp("bitcoin-etl transactions exports (JSON Lines).", valueName: "file"))
    var transfers: [String] = []

    @Option(help: "Input format: bitcoin-etl (the only one with addresses to cluster).")
    var importFormat: ImportFormatArgument = ImportFormatArgument(argument: "bitcoin-etl")!

    @Option(help: ArgumentHelp("The chain the export is from (bitcoin, litecoin, dogecoin, …; or its asset code).", valueName: "chain"))
    var chain: String?

    @Flag(help: "Stop at the first malformed line instead of skipping and counting it.")
    var strict = false

    @Option(help: ArgumentHelp("Change heuristics to apply, comma-separated: one-time, script-type, round-amount (none by default).", valueName: "list"))
    var change: String?

    @Option(help: "json or csv.")
    var format: Format = .json

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the entities here instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Print how long each phase took (import, cluster, write) and the peak memory on standard error.")
    var timings = false

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

    func validate() throws {
        guard !transfers.isEmpty else { throw ValidationError("give at least one --transfers FILE") }
        guard importFormat.value == .bitcoinETL else {
            throw ValidationError("trace cluster groups the addresses of UTXO chains: give --import-format bitcoin-etl")
        }
        if let change { do { _ = try ChangeHeuristic.list(change) } catch let e as ClusterError { throw ValidationError(e.description) } }
    }

    func run() throws {
        let heuristics = try change.map(ChangeHeuristic.list) ?? []
        let loaded = try timed("import") { try reporting { try BitcoinETLImporter.load(transfers, strict: strict, chain: chain) } }
        let ledger = Ledger(issues: loaded.issues, inputs: loaded.inputs)
        for issue in ledger.issues.prefix(20) {
            FileHandle.standardError.write(Data("iproceeds: skipped \(issue.file) line \(issue.line): \(issue.reason)\n".utf8))
        }
        if ledger.issues.count > 20 {
            FileHandle.standardError.write(Data("iproceeds: … and \(ledger.issues.count - 20) more skipped lines (use --strict to stop at the first)\n".utf8))
        }
        if let note = loaded.chainNote { FileHandle.standardError.write(Data("iproceeds: note: \(note)\n".utf8)) }
        let result = timed("cluster") { AddressClusterer.cluster(loaded.transactions, heuristics: heuristics) }
        try timed("write") {
            try reporting {
                let out = try ReportOutput(path: output)
                switch format {
                case .json:
                    ClusterReport.json(
                        result, chain: loaded.chain.name, asset: loaded.chain.asset, inputs: loaded.inputs, importIssues: loaded.issues.count,
                        write: { out.sink.write($0) })
                case .csv: ClusterReport.csv(result, write: { out.sink.write($0) })
                }
                try out.commit()
            }
        }
        let s = result.statistics
        let joins = CoinJoinPattern.allCases.compactMap { p in s.coinJoins[p].map { "\($0) \(p.rawValue)" } }
        FileHandle.standardError.write(Data(("iproceeds: \(result.addresses.count) addresses in \(result.entities.count) entities from "
            + "\(s.transactions) transactions" + (joins.isEmpty ? "" : "; left unmerged: " + joins.joined(separator: ", ")) + "\n").utf8))
        if s.changeDisagreements > 0 {
            FileHandle.standardError.write(Data("iproceeds: the change heuristics disagreed on \(s.changeDisagreements) transaction(s): no change merge there\n".utf8))
        }
        if !ledger.issues.isEmpty { throw ExitCode(1) }
    }

    /// Runs `body`, and with `--timings` prints its wall time and the peak memory so far on standard error.
    func timed<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        guard timings else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        FileHandle.standardError.write(Data(String(format: "timing: %@ %.3f s (peak RSS %.0f MiB)\n", phase, seconds, Double(usage.ru_maxrss) / 1024).utf8))
        return value
    }
}
