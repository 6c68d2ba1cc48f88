import ArgumentParser
import EvidenceKit
import Foundation
import IProceedsBase
import ProceedsGraph

struct TraceCluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract:
            "Group the addresses of a bitcoin-etl export into entities (common-input ownership; change heuristics on request).",
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
              iproceeds trace cluster --import-format bitcoin-etl --transfers tx.json --tags exchanges.yaml seized.csv

            With --tags, every entity that a tag names carries the tag's label and category, and the JSON lists \
            each tagged entity with all its tags. Tags of one entity that disagree (another label or category) \
            are reported on standard error and the entity is left unnamed: correct the tags, never pick one.

            With --case FILE, an `analysed` custody entry names the exports and tag files read and the entities \
            file written, each with its SHA-256, as the other trace commands record.

            Exit status: 0 clustered, every line read; 1 clustered, but malformed lines were skipped or tags \
            conflict (listed on standard error); 64 usage; 65 an input could not be used (or, with --strict, a line was malformed); \
            66 an input is missing.
            """)

    @Option(
        name: .customLong("transfers"), parsing: .upToNextOption,
        help: ArgumentHelp("bitcoin-etl transactions exports (JSON Lines).", valueName: "file"))
    var transfers: [String] = []

    @Option(help: "Input format: bitcoin-etl (the only one with addresses to cluster).")
    var importFormat: ImportFormatArgument = ImportFormatArgument(argument: "bitcoin-etl")!

    @Option(
        help: ArgumentHelp(
            "The chain the export is from (bitcoin, litecoin, dogecoin, …; or its asset code).", valueName: "chain"))
    var chain: String?

    @Flag(help: "Stop at the first malformed line instead of skipping and counting it.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "Change heuristics to apply, comma-separated: one-time, script-type, round-amount (none by default).",
            valueName: "list"))
    var change: String?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Attribution tags: GraphSense TagPacks (.yaml) or address,label,category,source CSV. A tag on any address names its whole entity; tags that disagree on one entity are reported, none chosen.",
            valueName: "file"))
    var tags: [String] = []

    @Option(help: "json or csv.")
    var format: Format = .json

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the entities here instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Print how long each phase took (import, cluster, write) and the peak memory on standard error.")
    var timings = false

    @OptionGroup var custody: AnalysisCustody

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

    func validate() throws {
        guard !transfers.isEmpty else { throw ValidationError("give at least one --transfers FILE") }
        guard importFormat.value == .bitcoinETL else {
            throw ValidationError("trace cluster groups the addresses of UTXO chains: give --import-format bitcoin-etl")
        }
        if let change {
            do { _ = try ChangeHeuristic.list(change) } catch let e as ProceedsError {
                throw ValidationError(e.description)
            }
        }
    }

    func run() throws {
        let heuristics = try change.map(ChangeHeuristic.list) ?? []
        // Clustered as the export is read when it is in chain order and enriched (no transaction kept in memory,
        // no string made for an address); otherwise imported whole, then clustered.
        var clusterer = AddressClusterer(heuristics: heuristics)
        let result: ClusterResult
        let loaded: UTXOImport
        if let streamed = try timed(
            "import and cluster",
            {
                try reporting {
                    try BitcoinETLImporter.streamBytes(transfers, strict: strict, chain: chain) { clusterer.add($0) }
                }
            })
        {
            loaded = streamed
            result = clusterer.result()
        } else {
            loaded = try timed("import") {
                try reporting { try BitcoinETLImporter.load(transfers, strict: strict, chain: chain) }
            }
            result = timed("cluster") { AddressClusterer.cluster(loaded.transactions, heuristics: heuristics) }
        }
        let ledger = Ledger(issues: loaded.issues, inputs: loaded.inputs)
        for issue in ledger.issues.prefix(20) {
            FileHandle.standardError.write(
                Data("iproceeds: skipped \(issue.file) line \(issue.line): \(issue.reason)\n".utf8))
        }
        if ledger.issues.count > 20 {
            FileHandle.standardError.write(
                Data(
                    "iproceeds: … and \(ledger.issues.count - 20) more skipped lines (use --strict to stop at the first)\n"
                        .utf8))
        }
        if let note = loaded.chainNote { FileHandle.standardError.write(Data("iproceeds: note: \(note)\n".utf8)) }
        // Fingerprinted as read for the custody entry: the bytes hashed are the bytes the tags came from.
        let tagInputs = try reporting {
            try tags.map { path in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ProceedsError(.unreadableInput, "\(path): cannot read the tags file")
                }
                return (path: path, sha256: digestHex(.sha256, of: data), bytes: data)
            }
        }
        let tagList = try reporting { try tagInputs.flatMap { try TagFile.parse($0.bytes, path: $0.path) } }
        let attribution = tags.isEmpty ? nil : Attribution.apply(tagList, to: result, asset: loaded.chain.asset)
        try timed("write") {
            try reporting {
                let out = try ReportOutput(path: output)
                // The report is streamed, never held whole (the sink is flushed past its threshold as rows come;
                // a write error is kept and thrown once the report is done): its SHA-256 is taken on the way out.
                let digest = Digester(.sha256)
                var writeError: Error?
                let write: (String) -> Void = { text in
                    digest.update(text.utf8)
                    out.sink.write(text)
                    guard writeError == nil else { return }
                    do { try out.sink.flushIfNeeded() } catch { writeError = error }
                }
                switch format {
                case .json:
                    ClusterReport.json(
                        result, chain: loaded.chain.name, asset: loaded.chain.asset, inputs: loaded.inputs,
                        importIssues: loaded.issues.count,
                        attribution: attribution, write: write)
                case .csv: ClusterReport.csv(result, attribution: attribution, write: write)
                }
                if let writeError { throw writeError }
                try out.commit()
                try custody.record(
                    inputs: loaded.inputs + tagInputs.map { ($0.path, $0.sha256) }, reportSHA256: digest.finalizeHex(),
                    reportName: output ?? "entities (standard output)",
                    parameters: [
                        "command": "trace cluster", "chain": loaded.chain.name, "format": format.rawValue,
                        "change": heuristics.map(\.rawValue).joined(separator: ","),
                        "tags": tags.joined(separator: ","), "strict": strict ? "yes" : "no",
                    ])
            }
        }
        let s = result.statistics
        let joins = CoinJoinPattern.allCases.compactMap { p in s.coinJoins[p].map { "\($0) \(p.rawValue)" } }
        FileHandle.standardError.write(
            Data(
                ("iproceeds: \(result.addressCount) addresses in \(result.entities.count) entities from "
                    + "\(s.transactions) transactions"
                    + (joins.isEmpty ? "" : "; left unmerged: " + joins.joined(separator: ", ")) + "\n").utf8))
        if s.changeDisagreements > 0 {
            FileHandle.standardError.write(
                Data(
                    "iproceeds: the change heuristics disagreed on \(s.changeDisagreements) transaction(s): no change merge there\n"
                        .utf8))
        }
        var conflicts = 0
        if let attribution {
            let named = attribution.entities.count - attribution.conflicts.count
            FileHandle.standardError.write(
                Data(
                    ("iproceeds: \(tagList.count) tag(s) name \(named) entit\(named == 1 ? "y" : "ies")"
                        + (attribution.unmatched.isEmpty
                            ? "" : "; \(attribution.unmatched.count) tag(s) are on addresses not in the data")
                        + (attribution.otherCurrency.isEmpty
                            ? ""
                            : "; \(attribution.otherCurrency.count) tag(s) are of another currency than \(loaded.chain.asset), not applied")
                        + "\n").utf8))
            for c in attribution.conflicts {
                conflicts += 1
                FileHandle.standardError.write(
                    Data(
                        ("iproceeds: warning: entity \(c.entity) has conflicting tags: "
                            + c.tags.map { "\($0.label) on \($0.address) (\($0.origin))" }.joined(separator: ", ")
                            + "; it is left unnamed: check the sources and correct the tags\n").utf8))
            }
        }
        if !ledger.issues.isEmpty || conflicts > 0 { throw ExitCode(1) }
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
}

/// `--entities FILE` or `--cluster` on `trace run` and `trace freeze` (bitcoin-etl): taint summed per entity,
/// named by its tags.
struct EntityOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "With bitcoin-etl: the entities CSV `trace cluster --format csv` wrote; taint is also reported per entity.",
            valueName: "file"))
    var entities: String?

    @Flag(
        help:
            "With bitcoin-etl: cluster the addresses on the fly (multi-input heuristic, CoinJoins unmerged) and report taint per entity."
    )
    var cluster = false

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "With --cluster: attribution tags (GraphSense TagPacks .yaml, or address,label,category,source CSV) naming entities.",
            valueName: "file"))
    var tags: [String] = []

    @Option(
        help: ArgumentHelp(
            "With --cluster: change heuristics, as for trace cluster (none by default).", valueName: "list"))
    var change: String?

    var active: Bool { entities != nil || cluster }

    func validate() throws {
        if entities != nil && cluster { throw ValidationError("give --entities FILE or --cluster, not both") }
        if (!tags.isEmpty || change != nil) && !cluster {
            throw ValidationError(
                "--tags and --change go with --cluster (an --entities file carries its names already)")
        }
        if let change {
            do { _ = try ChangeHeuristic.list(change) } catch let e as ProceedsError {
                throw ValidationError(e.description)
            }
        }
    }

    /// The entities for `transactions`: read from --entities, or clustered now (tag conflicts are warned about).
    func directory(_ transactions: [UTXOTransaction], asset: String) throws -> EntityDirectory {
        try reporting {
            if let entities { return try EntityDirectory.load(entities) }
            let tagList = try tags.flatMap(TagFile.load)
            let result = AddressClusterer.cluster(transactions, heuristics: try change.map(ChangeHeuristic.list) ?? [])
            let attribution = tags.isEmpty ? nil : Attribution.apply(tagList, to: result, asset: asset)
            for c in attribution?.conflicts ?? [] {
                FileHandle.standardError.write(
                    Data(
                        ("iproceeds: warning: entity \(c.entity) has conflicting tags: "
                            + c.tags.map { "\($0.label) (\($0.origin))" }.joined(separator: ", ")
                            + "; it is reported unnamed\n").utf8))
            }
            return EntityDirectory(result, attribution: attribution)
        }
    }

    /// One sentence per group on standard error: what each entity received and holds.
    static func tell(_ groups: [EntityTaint], policy: TaintPolicy, asset: String, scale: Int) {
        for g in groups.prefix(20) {
            FileHandle.standardError.write(
                Data("iproceeds: \(g.sentence(policy: policy, asset: asset, scale: scale))\n".utf8))
        }
        if groups.count > 20 {
            FileHandle.standardError.write(
                Data("iproceeds: … and \(groups.count - 20) more entities (the JSON report lists them all)\n".utf8))
        }
    }
}

extension TraceFreeze {
    /// Freezing candidates on a bitcoin-etl ledger: tainted value held per tagged entity (the institution to
    /// write to), under each policy asked; untagged holders are listed apart.
    func runUTXO() throws {
        guard entityOptions.active else {
            throw ValidationError(
                "freezing candidates on a bitcoin-etl ledger are entities: give --cluster (with --tags naming the services) or --entities FILE"
            )
        }
        guard seed.fromAccount == nil else {
            throw ValidationError("--from is for account ledgers; give bitcoin seeds with --seed-tx HASH or HASH:INDEX")
        }
        let loaded = try reporting {
            try BitcoinETLImporter.load(input.utxoFiles, strict: input.strict, chain: input.chain)
        }
        let ledger = Ledger(issues: loaded.issues, inputs: loaded.inputs)
        input.printIssues(ledger)
        input.printNotes(loaded)
        guard let minimum = ExactDecimal.parse(minAmount, scale: loaded.chain.scale) else {
            throw ValidationError(
                "--min-amount '\(minAmount)' is not an amount of \(loaded.chain.asset) (\(ExactDecimal.grammar(scale: loaded.chain.scale)))"
            )
        }
        let directory = try entityOptions.directory(loaded.transactions, asset: loaded.chain.asset)
        let list = try reporting {
            try EntityFreezeList.make(
                loaded.transactions, seeds: seed.seeds.transferIDs, policies: policies!, directory: directory,
                minimum: minimum,
                until: at.flatMap(ISO8601.parse), asset: loaded.chain.asset, scale: loaded.chain.scale)
        }
        for h in list.institutions { FileHandle.standardError.write(Data("iproceeds: \(list.request(h))\n".utf8)) }
        let report = format == .csv ? list.csv() : list.json(inputs: loaded.inputs)
        try reporting {
            let out = try ReportOutput(path: output)
            out.sink.write(report)
            try out.commit()
            try custody.record(
                ledger: ledger, report: report, reportName: output ?? "freezing candidates (standard output)",
                parameters: [
                    "command": "trace freeze", "policies": list.policies.map(\.rawValue).joined(separator: ","),
                    "min_amount": minAmount, "at": at ?? "", "asset": list.asset,
                    "entities": entityOptions.entities ?? (entityOptions.cluster ? "clustered" : ""),
                ])
        }
        if !ledger.issues.isEmpty { throw ExitCode(1) }
    }
}
