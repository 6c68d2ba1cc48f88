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

/// Traces taint through several assets linked by ``ConversionRecord``s.
///
/// In the funding asset, the funding transfers are paid into the conversion (an account named
/// `conversion:ID`) instead of the exchange's account: the money was spent on the conversion, so its taint does
/// not stay in the exchange's pool. In the funded asset, the funded transfers are paid out of the conversion,
/// which holds exactly what they need; each lands tainted by `amount × tainted funding ÷ funding` (rounded half
/// to even; poison: wholly, if any funding taint). Assets are traced one after another, repeated until every
/// conversion's figures settle, so chains and round trips (EUR → BTC → EUR) work; each asset's trace conserves
/// taint with converted taint counted (held + converted = injected).
package enum MixedTracer {
    package static func run(
        _ ledger: Ledger, conversions: [ConversionRecord], seeds: TraceSeeds, policy: TaintPolicy, until: Int64? = nil,
        asset requested: String? = nil
    ) throws -> MixedTraceResult {
        let (rewritten, links) = try link(ledger, conversions)
        let nodes = Set(conversions.map(\.node))
        // The seeds' own asset, as the plain tracer would choose it.
        let primary = try TaintTracer.run(
            rewritten, seeds: seeds, policy: policy, until: until, asset: requested, conversionNodes: nodes
        ).asset

        var fundedTaint: [String: MinorUnits] = [:]
        var results: [String: TraceResult] = [:]
        var outcomes: [ConversionOutcome] = []
        var settled = false
        // Each round settles at least the earliest conversion not yet settled (taint only flows forward in time,
        // and a conversion's funded transfers come after its funding), so conversions + 1 rounds suffice.
        for _ in 0...conversions.count + 1 {
            var s = seeds
            s.partial = fundedTaint
            results = [:]
            var assets = [primary]
            var queue = 0
            while queue < assets.count {
                let asset = assets[queue]
                queue += 1
                let seedsHere = asset == primary ? s : TraceSeeds(partial: fundedTaint)
                guard
                    let r = try? TaintTracer.run(
                        rewritten, seeds: seedsHere, policy: policy, until: until, asset: asset, conversionNodes: nodes)
                else {
                    continue  // no seed of this asset happened by `until`
                }
                results[asset] = r
                for l in links where l.fromAsset == asset && !assets.contains(l.toAsset) { assets.append(l.toAsset) }
            }
            var next: [String: MinorUnits] = [:]
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
                    if part > 0 { next[id] = part }
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
            if next == fundedTaint {
                settled = true
                break
            }
            fundedTaint = next
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

    struct Link {
        var record: ConversionRecord
        var fromAsset: String
        var fromScale: Int
        var toAsset: String
        var toScale: Int
        var fundingAmount: MinorUnits
        var funded: [(id: String, amount: MinorUnits, time: Int64)]
        var depositAccount: String
    }

    /// Checks the records against the ledger and reroutes funding into, and funded out of, the conversion nodes.
    static func link(_ ledger: Ledger, _ records: [ConversionRecord]) throws -> (Ledger, [Link]) {
        var position: [String: Int] = [:]
        for i in ledger.transfers.indices where position[ledger.transfers.id(i)] == nil {
            position[ledger.transfers.id(i)] = i
        }
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
            func lookup(_ id: String) throws -> Int {
                guard let i = position[id] else { throw fail("transfer \(id) is not in the ledger") }
                if let other = used[id] { throw fail("transfer \(id) is already part of conversion \(other)") }
                used[id] = r.id
                return i
            }
            let funding = try r.funding.map(lookup)
            let funded = try r.funded.map(lookup)
            let a = ledger.transfers[funding[0]]
            let b = ledger.transfers[funded[0]]
            guard funding.allSatisfy({ ledger.transfers[$0].asset == a.asset }) else {
                throw fail("its funding transfers are in more than one asset")
            }
            guard funded.allSatisfy({ ledger.transfers[$0].asset == b.asset }) else {
                throw fail("its funded transfers are in more than one asset")
            }
            let lastFunding = funding.map { ledger.transfers[$0].time }.max()!
            if let early = funded.first(where: { ledger.transfers[$0].time < lastFunding }) {
                throw fail("funded transfer \(ledger.transfers[early].id) happens before its funding has all arrived")
            }
            for i in funding { rewritten.transfers[i].to = r.node }
            for i in funded { rewritten.transfers[i].from = r.node }
            links.append(
                Link(
                    record: r, fromAsset: a.asset, fromScale: a.scale, toAsset: b.asset, toScale: b.scale,
                    fundingAmount: funding.reduce(0) { $0 + ledger.transfers[$1].amount },
                    funded: funded.map {
                        (ledger.transfers[$0].id, ledger.transfers[$0].amount, ledger.transfers[$0].time)
                    },
                    depositAccount: a.to))
        }
        return (rewritten, links)
    }
}
