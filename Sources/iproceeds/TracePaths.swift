import ArgumentParser
import EvidenceKit
import Foundation
import IProceedsBase
import ProceedsGraph

struct TracePaths: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "List time-respecting flow paths between accounts, or everything an account's money could reach.",
        discussion: """
            A flow path is a chain of transfers in which each one leaves the account the previous one paid \
            into, later in time: money can have moved along it. With --to, the paths from each --from account \
            to the --to account of at most --max-hops transfers are listed widest first; a path's width \
            (bottleneck) is its smallest transfer, the most that can have moved along it end to end — a lead, \
            not a finding: `trace run` says how much did, under a policy. Without --to, every account \
            reachable within --max-hops is listed with the fewest hops and the earliest transfer that reached it.

            With --conversions, paths cross from one asset to another through the conversion records: a funding \
            transfer is paid into `conversion:ID`, the funded ones out of it, so a path reaches the funded side \
            only through the conversion; a width is then in the asset of the path's first transfer (later steps \
            taken back at the conversion's rate, funding total / funded total). A bitcoin-etl export among the \
            files (bitcoin-etl:FILE) is searched between addresses: each output is a transfer HASH:INDEX from the \
            transaction's input addresses.

            Examples:
              iproceeds trace paths --transfers bank.csv --from RS35105008123123123173 --to CASH-OUT-TIRANA
              iproceeds trace paths --transfers bank.csv --from ACC-1,ACC-2 --max-hops 6 --format json -o reach.json
              iproceeds trace paths --import-format camt.053 --transfers stmt.xml bitcoin-etl:tx.json \\
                  --conversions conversions.csv --from VICTIM-IBAN --to bc1q…

            Exit status: 0 listed, every row imported; 1 listed, but malformed rows were skipped or the listing \
            was cut at --limit, or an account named has no transfer in the ledger; 64 usage; 65 an input could not be \
            imported; 66 an input cannot be read.
            """)

    @OptionGroup var input: LedgerOptions

    @Option(
        name: .customLong("from"), parsing: .singleValue,
        help: ArgumentHelp("Source account(s), comma-separated or repeated.", valueName: "account"))
    var sources: [String] = []

    @Option(name: .customLong("to"), help: ArgumentHelp("List paths to this account.", valueName: "account"))
    var target: String?

    @Option(help: "The most transfers in a path.")
    var maxHops = 6

    @Option(help: ArgumentHelp("Only transfers at or after this time (ISO 8601).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only transfers at or before this time (ISO 8601).", valueName: "time"))
    var until: String?

    @Option(help: "The asset, when the ledger has several.")
    var asset: String?

    @Option(help: "With --to: list at most this many paths per source, widest first.")
    var limit = 20

    @Option(help: "text (for people), json or csv.")
    var format: Format = .text

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the listing here instead of standard output.", valueName: "file"))
    var output: String?

    @OptionGroup var custody: AnalysisCustody

    typealias Format = PathReport.Format

    var sourceList: [String] {
        sources.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    func validate() throws {
        guard !sourceList.isEmpty else { throw ValidationError("give --from ACCOUNT (one or more)") }
        guard (1...64).contains(maxHops) else { throw ValidationError("--max-hops takes 1 to 64") }
        guard limit >= 1 else { throw ValidationError("--limit takes a positive number") }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, ISO8601.parse(value) == nil {
                throw ValidationError("\(name) '\(value)' is not an ISO 8601 time")
            }
        }
        if input.conversions != nil && asset != nil {
            throw ValidationError(
                "--conversions joins every asset into one graph; --asset is for a ledger without them")
        }
    }

    func run() throws {
        let imported = try input.loadWithUTXO()
        var ledger = imported.ledger
        let utxo = imported.utxo
        let conversions = try input.loadConversions(into: &ledger)
        // A bitcoin-etl export is searched between addresses: each output a transfer from the inputs' addresses.
        // Conversions join the assets through their `conversion:ID` nodes.
        var rates: [String: (funding: MinorUnits, funded: MinorUnits)] = [:]
        if utxo != nil || !conversions.isEmpty {
            let joined = try reporting { try MixedTracer.pathLedger(ledger, utxo: utxo, conversions: conversions) }
            ledger = joined.ledger
            rates = joined.rates
        }
        let assetCode = asset.map { $0.hasPrefix("0x") ? $0.lowercased() : $0.uppercased() }
        let g = try input.timed("graph") {
            try reporting {
                try TemporalGraph(
                    ledger, asset: assetCode, since: since.flatMap(ISO8601.parse), until: until.flatMap(ISO8601.parse),
                    acrossAssets: !conversions.isEmpty)
            }
        }
        var nodeRates: [Int: (funding: MinorUnits, funded: MinorUnits)] = [:]
        for (node, rate) in rates {
            if let n = ledger.transfers.accountNumber(node) { nodeRates[Int(n)] = rate }
        }
        var cut = false
        var report = PathReport(graph: g, ledger: ledger, format: format, maxHops: maxHops, listsPaths: target != nil)
        var searching: UInt64 = 0  // time in the searches themselves, not in writing the report
        func clock() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        // Reach from every source at once, on every core.
        var reachable: [String: [Reached]] = [:]
        if target == nil {
            let known = sourceList.filter { g.node($0) != nil }
            let started = clock()
            let all = FlowPaths.reach(
                g, from: known.map { g.node($0)! }, maxHops: maxHops,
                threads: ProcessInfo.processInfo.activeProcessorCount)
            searching += clock() - started
            for (s, r) in zip(known, all) { reachable[s] = r }
        }
        for s in sourceList {
            guard let source = g.node(s) else {
                report.missing(s)
                continue
            }
            if let target {
                guard let t = g.node(target) else {
                    report.missing(target)
                    continue
                }
                let started = clock()
                let listing = FlowPaths.paths(
                    g, ledger: ledger, from: source, to: t, maxHops: maxHops, limit: limit, rates: nodeRates)
                searching += clock() - started
                cut = cut || listing.truncated
                report.add(from: s, to: target, listing)
            } else {
                _ = source
                report.add(from: s, reachable[s] ?? [])
            }
        }
        if input.timings {
            let seconds = Double(searching) / 1e9
            FileHandle.standardError.write(
                Data(String(format: "timing: search %.3f s for %d sources\n", seconds, sourceList.count).utf8))
        }
        let text = report.finish()
        try reporting {
            let out = try ReportOutput(path: output)
            out.sink.write(text)
            try out.commit()
            try custody.record(
                ledger: ledger, report: text, reportName: output ?? "flow paths (standard output)",
                parameters: [
                    "command": "trace paths", "from": sourceList.joined(separator: ","), "to": target ?? "",
                    "max_hops": String(maxHops), "asset": g.asset, "since": since ?? "", "until": until ?? "",
                    "conversions": input.conversions ?? "",
                ])
        }
        if cut {
            FileHandle.standardError.write(
                Data("iproceeds: more paths than listed; raise --limit or lower --max-hops\n".utf8))
        }
        for a in report.notInLedger {
            FileHandle.standardError.write(
                Data(
                    "iproceeds: \(a) has no \(g.asset) transfer in the ledger (check the id, --asset, --since and --until)\n"
                        .utf8))
        }
        if !ledger.issues.isEmpty || cut || !report.notInLedger.isEmpty { throw ExitCode(1) }
    }
}

extension PathReport.Format: ExpressibleByArgument {}
