import IProceedsBase
import IProceedsDigest
import Foundation

/// A conversion between assets: transfers in one asset (the *funding*, e.g. a bank payment to an exchange) that
/// paid for transfers in another (the *funded*, e.g. the exchange's crypto withdrawal). Taint carries across as a
/// fraction: each funded transfer is tainted in the proportion the funding transfers were tainted when they
/// landed. See `docs/tracing-policies.md#mixed-ledgers`.
package struct ConversionRecord: Sendable, Hashable {
    package var id: String
    package var funding: [String]
    package var funded: [String]
    package var note: String
    /// Where the record came from (the conversions file and the line of its first row).
    package var source: SourceReference

    package init(id: String, funding: [String], funded: [String], note: String = "", source: SourceReference) {
        self.id = id
        self.funding = funding
        self.funded = funded
        self.note = note
        self.source = source
    }

    /// The account that stands for this conversion in both assets' ledgers.
    package var node: String { "conversion:" + id }
}

/// Reads conversion records from CSV: `conversion,funding,funded[,note]`. Rows sharing a conversion id make
/// one record, so a conversion can have several funding and several funded transfers; either column may be
/// empty on a row.
package enum ConversionFile {
    /// - Throws: ``ProceedsError`` naming the file and line of a malformed row.
    package static func load(_ path: String) throws -> [ConversionRecord] { try read(path).records }

    /// The records and the file's SHA-256.
    package static func read(_ path: String) throws -> (records: [ConversionRecord], sha256: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProceedsError(.unreadableInput, file: path, line: 0, reason: "cannot read the conversions file")
        }
        let bytes = [UInt8](data)
        let sha = SHA256Digest.hex(of: bytes)
        var reader = CSVReader(bytes)
        let index = try LedgerImporter.header(&reader, path: path, required: ["conversion", "funding", "funded"])
        var records: [String: ConversionRecord] = [:]
        var order: [String] = []
        while let (line, f, problem) = reader.next() {
            try LedgerImporter.requireRow(
                f, line: line, problem: problem, columns: index.count, path: path, what: "conversions")
            func v(_ k: String) -> String { index[k].map { f[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            let id = v("conversion")
            guard !id.isEmpty else { throw ProceedsError(file: path, line: line, reason: "empty conversion id") }
            guard !v("funding").isEmpty || !v("funded").isEmpty else {
                throw ProceedsError(file: path, line: line, reason: "a row needs a funding or a funded transfer id")
            }
            if records[id] == nil {
                order.append(id)
                records[id] = ConversionRecord(
                    id: id, funding: [], funded: [], source: SourceReference(file: path, fileSHA256: sha, line: line))
            }
            if !v("funding").isEmpty, !records[id]!.funding.contains(v("funding")) {
                records[id]!.funding.append(v("funding"))
            }
            if !v("funded").isEmpty, !records[id]!.funded.contains(v("funded")) {
                records[id]!.funded.append(v("funded"))
            }
            if !v("note").isEmpty, records[id]!.note.isEmpty { records[id]!.note = v("note") }
        }
        return (order.map { records[$0]! }, sha)
    }
}

/// What one conversion carried across, under one policy.
package struct ConversionOutcome: Sendable, Equatable {
    package var record: ConversionRecord
    package var fromAsset: String
    package var fromScale: Int
    package var toAsset: String
    package var toScale: Int
    /// Sum of the funding transfers, and the tainted part of it that landed.
    package var fundingAmount: MinorUnits
    package var fundingTainted: MinorUnits
    /// Sum of the funded transfers (that happened by `until`), and their tainted parts.
    package var fundedAmount: MinorUnits
    package var fundedTainted: MinorUnits
    /// The account the funding transfers were paid to (the exchange's), for the reader.
    package var depositAccount: String
}

/// A trace across assets linked by conversions.
package struct MixedTraceResult: Sendable {
    package var policy: TaintPolicy
    /// One trace per asset that received taint: the seeds' asset first, then the others by name.
    package var traces: [TraceResult]
    package var conversions: [ConversionOutcome]

    package init(policy: TaintPolicy, traces: [TraceResult], conversions: [ConversionOutcome]) {
        self.policy = policy
        self.traces = traces
        self.conversions = conversions
    }
}

/// A UTXO ledger (a bitcoin-etl export) traced beside an account ledger: its transactions and the asset they are
/// counted in. Conversions name its outputs as `HASH:INDEX`.
package struct UTXOLedger: Sendable {
    package var transactions: [UTXOTransaction]
    package var asset: String
    package var scale: Int

    package init(transactions: [UTXOTransaction], asset: String, scale: Int) {
        self.transactions = transactions
        self.asset = asset
        self.scale = scale
    }
}

/// Traces taint through several assets linked by ``ConversionRecord``s.
///
/// In the funding asset, the funding transfers are paid into the conversion (an account named
/// `conversion:ID`) instead of the exchange's account: the money was spent on the conversion, so its taint does
/// not stay in the exchange's pool. In the funded asset, the funded transfers are paid out of the conversion,
/// which holds exactly what they need; each lands tainted by `amount × tainted funding ÷ funding` (rounded half
/// to even; poison: wholly, if any funding taint). Assets are traced one after another, repeated until every
/// conversion's figures settle, so chains and round trips (EUR → BTC → EUR) work; each asset's trace conserves
/// taint with converted taint counted (held + converted = injected).
///
/// One side of a conversion may be outputs of a UTXO ledger (`HASH:INDEX`), traced by ``UTXOTracer``: a funding
/// output hands the taint it lands with to the conversion (the exchange's coins keep none of it), and a funded
/// output enters the UTXO trace tainted by its part, tainted piece first.
package enum MixedTracer {
    package static func run(
        _ ledger: Ledger, utxo: UTXOLedger? = nil, conversions: [ConversionRecord], seeds: TraceSeeds,
        policy: TaintPolicy, until: Int64? = nil, asset requested: String? = nil
    ) throws -> MixedTraceResult {
        if let utxo, ledger.transfers.assetCodes.contains(utxo.asset) {
            throw ProceedsError(
                .unusableInput,
                "the account ledgers hold \(utxo.asset) transfers and the bitcoin-etl export is \(utxo.asset) too: "
                    + "one asset cannot be traced both ways; leave the \(utxo.asset) transfers out of the account ledgers"
            )
        }
        let (rewritten, links) = try link(ledger, utxo, conversions)
        let nodes = Set(conversions.map(\.node))
        let (accountSeeds, utxoSeeds) = try split(seeds, ledger: ledger, utxo: utxo)
        // The seeds' own asset: the account ledger's, as the plain tracer would choose it, unless every seed is in
        // the UTXO ledger (or --asset names its asset).
        let primary: String
        let noAccountSeed = accountSeeds.transferIDs.isEmpty && accountSeeds.fromAccount == nil
        if let utxo, requested == utxo.asset || (!utxoSeeds.isEmpty && noAccountSeed) {
            primary = utxo.asset
        } else {
            primary = try TaintTracer.run(
                rewritten, seeds: accountSeeds, policy: policy, until: until, asset: requested, conversionNodes: nodes
            ).asset
        }
        var start = [primary]
        if let utxo, !utxoSeeds.isEmpty, utxo.asset != primary { start.append(utxo.asset) }
        let converting = Dictionary(
            links.filter(\.fromUTXO).flatMap { l in l.fundingOutputs.map { ($0, l.record.node) } },
            uniquingKeysWith: { a, _ in a })
        let fundedNode = Dictionary(
            links.filter(\.toUTXO).flatMap { l in l.funded.map { ($0.id, l.record.node) } },
            uniquingKeysWith: { a, _ in a })

        var fundedTaint: [String: MinorUnits] = [:]  // funded account transfers
        var fundedOutputs: [String: MinorUnits] = [:]  // funded UTXO outputs (HASH:INDEX)
        var results: [String: TraceResult] = [:]
        var outcomes: [ConversionOutcome] = []
        var settled = false
        // Each round settles at least the earliest conversion not yet settled (taint only flows forward in time,
        // and a conversion's funded transfers come after its funding), so conversions + 1 rounds suffice.
        for _ in 0...conversions.count + 1 {
            results = [:]
            var assets = start
            var queue = 0
            while queue < assets.count {
                let asset = assets[queue]
                queue += 1
                // The seeds' assets must trace (their errors are the user's to see); another asset may have no
                // taint by `until`.
                let mustTrace = queue <= start.count
                let r: TraceResult?
                if let utxo, asset == utxo.asset {
                    let carried = fundedOutputs.reduce(into: [String: UTXOTracer.CarriedTaint]()) {
                        $0[$1.key] = UTXOTracer.CarriedTaint(node: fundedNode[$1.key]!, tainted: $1.value)
                    }
                    let trace = {
                        try UTXOTracer.run(
                            utxo.transactions, seeds: utxoSeeds, policy: policy, until: until, scale: utxo.scale,
                            asset: utxo.asset, carried: carried, converting: converting)
                    }
                    r = mustTrace ? try trace() : try? trace()
                } else {
                    var here = asset == primary ? accountSeeds : TraceSeeds()
                    here.partial = fundedTaint
                    let trace = {
                        try TaintTracer.run(
                            rewritten, seeds: here, policy: policy, until: until, asset: asset, conversionNodes: nodes)
                    }
                    r = mustTrace ? try trace() : try? trace()
                }
                guard let r else { continue }  // no seed of this asset happened by `until`
                results[asset] = r
                for l in links where l.fromAsset == asset && !assets.contains(l.toAsset) { assets.append(l.toAsset) }
            }
            var next: [String: MinorUnits] = [:]
            var nextOutputs: [String: MinorUnits] = [:]
            outcomes = []
            for l in links {
                let landed =
                    results[l.fromAsset]?.conversions.first { $0.account == l.record.node }?.taintedReceived ?? 0
                var fundedTotal: MinorUnits = 0
                var fundedTainted: MinorUnits = 0
                for (id, amount, time) in l.funded where until == nil || time <= until! {
                    let part: MinorUnits =
                        landed == 0
                        ? 0
                        : policy == .poison ? amount : amount.scaled(by: landed, over: l.fundingAmount)
                    if part > 0 {
                        if l.toUTXO { nextOutputs[id] = part } else { next[id] = part }
                    }
                    fundedTotal += amount
                    fundedTainted += part
                }
                outcomes.append(
                    ConversionOutcome(
                        record: l.record, fromAsset: l.fromAsset, fromScale: l.fromScale, toAsset: l.toAsset,
                        toScale: l.toScale,
                        fundingAmount: l.fundingAmount, fundingTainted: landed, fundedAmount: fundedTotal,
                        fundedTainted: fundedTainted,
                        depositAccount: l.depositAccount))
            }
            if next == fundedTaint && nextOutputs == fundedOutputs {
                settled = true
                break
            }
            fundedTaint = next
            fundedOutputs = nextOutputs
        }
        guard settled else {
            throw ProceedsError(
                .internalInconsistency, "conversion figures did not settle; please report this as a bug")
        }
        let traces = results.keys.sorted { a, b in a == primary ? true : b == primary ? false : a < b }.map {
            results[$0]!
        }
        return MixedTraceResult(policy: policy, traces: traces, conversions: outcomes)
    }

    /// Seed ids that name a transaction or an output (`HASH:INDEX`) of the UTXO ledger, apart from the rest.
    static func split(_ seeds: TraceSeeds, ledger: Ledger, utxo: UTXOLedger?) throws -> (TraceSeeds, Set<String>) {
        guard let utxo, !seeds.transferIDs.isEmpty else { return (seeds, []) }
        var hashes: [String: [Int]] = [:]
        for tx in utxo.transactions { hashes[tx.hash, default: []].append(tx.outputs.count) }
        var accountIDs = Set<String>()
        for i in ledger.transfers.indices where seeds.transferIDs.contains(ledger.transfers.id(i)) {
            accountIDs.insert(ledger.transfers.id(i))
        }
        var account = seeds
        var inUTXO = Set<String>()
        for id in seeds.transferIDs {
            let hash = id.lastIndex(of: ":").map { String(id[..<$0]) }
            guard hashes[id] != nil || hash.map({ hashes[$0] != nil }) == true else { continue }
            if accountIDs.contains(id) {
                throw ProceedsError(
                    .invalidOption,
                    "seed \(id) names both a transfer of the account ledgers and a \(utxo.asset) transaction or output")
            }
            inUTXO.insert(id)
        }
        account.transferIDs.subtract(inUTXO)
        return (account, inUTXO)
    }

    struct Link {
        var record: ConversionRecord
        var fromAsset: String
        var fromScale: Int
        var toAsset: String
        var toScale: Int
        var fundingAmount: MinorUnits
        var funded: [(id: String, amount: MinorUnits, time: Int64)]
        var depositAccount: String
        /// Whether the funding side is outputs of the UTXO ledger (named in `fundingOutputs`), and whether the
        /// funded side is.
        var fromUTXO = false
        var toUTXO = false
        var fundingOutputs: [String] = []
    }

    /// One side of a conversion: a transfer of the account ledger or an output of the UTXO ledger.
    private struct Leg {
        var id: String
        var asset: String
        var scale: Int
        var amount: MinorUnits
        var time: Int64
        /// The receiver: the account, or the output's address.
        var receiver: String
        /// The ledger row, for a transfer.
        var row: Int?
    }

    /// Checks the records against the ledgers and reroutes funding into, and funded out of, the conversion nodes
    /// (account transfers; outputs are rerouted by the UTXO tracer).
    static func link(_ ledger: Ledger, _ utxo: UTXOLedger? = nil, _ records: [ConversionRecord]) throws -> (
        Ledger, [Link]
    ) {
        var position: [String: Int] = [:]
        for i in ledger.transfers.indices where position[ledger.transfers.id(i)] == nil {
            position[ledger.transfers.id(i)] = i
        }
        var transactions: [String: [Int]] = [:]
        for (k, tx) in (utxo?.transactions ?? []).enumerated() { transactions[tx.hash, default: []].append(k) }
        var rewritten = ledger
        var used: [String: String] = [:]
        var links: [Link] = []
        for r in records {
            func fail(_ why: String) -> ProceedsError {
                ProceedsError(file: r.source.file, line: r.source.line, reason: "conversion \(r.id): \(why)")
            }
            guard !r.funding.isEmpty, !r.funded.isEmpty else {
                throw fail("needs at least one funding and one funded transfer")
            }
            guard ledger.transfers.accountNumber(r.node) == nil else {
                throw fail("the ledger already has an account named \(r.node)")
            }
            func lookup(_ id: String) throws -> Leg {
                if let other = used[id] { throw fail("transfer \(id) is already part of conversion \(other)") }
                used[id] = r.id
                let colon = id.lastIndex(of: ":")
                let hash = colon.map { String(id[..<$0]) } ?? id
                let outputIndex = colon.flatMap { Int(id[id.index(after: $0)...]) }
                if let i = position[id] {
                    if let utxo, colon != nil, transactions[hash] != nil {
                        throw fail("\(id) names both a transfer of the account ledgers and a \(utxo.asset) output")
                    }
                    let t = ledger.transfers[i]
                    return Leg(
                        id: id, asset: t.asset, scale: t.scale, amount: t.amount, time: t.time, receiver: t.to, row: i)
                }
                guard let utxo else { throw fail("transfer \(id) is not in the ledger") }
                if transactions[id] != nil {
                    throw fail("\(id) is a \(utxo.asset) transaction: name the output, as \(id):INDEX")
                }
                guard let rows = transactions[hash], let outputIndex else {
                    throw fail(
                        "transfer \(id) is not in the ledger, nor an output (HASH:INDEX) of the \(utxo.asset) export")
                }
                guard rows.count == 1 else {
                    let places = rows.map {
                        "\(utxo.transactions[$0].source.file):\(utxo.transactions[$0].source.line)"
                    }
                    throw fail(
                        "transaction \(hash) occurs \(rows.count) times (\(places.joined(separator: ", "))): "
                            + "import only the file that holds the one you mean")
                }
                let tx = utxo.transactions[rows[0]]
                guard let out = tx.outputs.first(where: { $0.index == outputIndex }) else {
                    throw fail(
                        "transaction \(hash) (\(tx.source.file) line \(tx.source.line)) has no output \(outputIndex)")
                }
                return Leg(
                    id: id, asset: utxo.asset, scale: utxo.scale, amount: out.value, time: tx.time,
                    receiver: out.address, row: nil)
            }
            let funding = try r.funding.map(lookup)
            let funded = try r.funded.map(lookup)
            let a = funding[0]
            let b = funded[0]
            guard funding.allSatisfy({ $0.asset == a.asset }) else {
                throw fail(
                    "its funding transfers are in more than one asset (\(Set(funding.map(\.asset)).sorted().joined(separator: ", ")))"
                )
            }
            guard funded.allSatisfy({ $0.asset == b.asset }) else {
                throw fail(
                    "its funded transfers are in more than one asset (\(Set(funded.map(\.asset)).sorted().joined(separator: ", ")))"
                )
            }
            let lastFunding = funding.map(\.time).max()!
            if let early = funded.first(where: { $0.time < lastFunding }) {
                throw fail(
                    early.row == nil
                        ? "funded output \(early.id) is created at \(ISO8601.format(early.time)), before its funding has all arrived (\(ISO8601.format(lastFunding)))"
                        : "funded transfer \(early.id) happens before its funding has all arrived")
            }
            for leg in funding { if let i = leg.row { rewritten.transfers[i].to = r.node } }
            for leg in funded { if let i = leg.row { rewritten.transfers[i].from = r.node } }
            let fromUTXO = a.row == nil
            links.append(
                Link(
                    record: r, fromAsset: a.asset, fromScale: a.scale, toAsset: b.asset, toScale: b.scale,
                    fundingAmount: funding.reduce(0) { $0 + $1.amount },
                    funded: funded.map { ($0.id, $0.amount, $0.time) },
                    depositAccount: a.receiver, fromUTXO: fromUTXO, toUTXO: b.row == nil,
                    fundingOutputs: fromUTXO ? funding.map(\.id) : []))
        }
        return (rewritten, links)
    }
}
