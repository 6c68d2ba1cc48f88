/// Groups the addresses of a UTXO ledger into entities: the multi-input (common-input-ownership) heuristic
/// always, the change heuristics asked for, and never across a CoinJoin-like transaction.
///
/// Feed transactions in chain order (``add(_:)``; ``cluster(_:heuristics:)`` sorts them for you), then read
/// ``result()``. Memory is kept compact for millions of addresses: each address is interned once into an
/// integer id, and the union-find forest, the reasons and the counts are flat arrays indexed by that id.
///
/// Some addresses are listed but never merged, because spending from them together does not show one owner:
/// `unknown-address` and `zcash-shielded-pool` (placeholders the importer uses), bitcoin-etl's `nonstandard…`
/// pseudo-addresses, and multisig address lists (`a+b`).
package struct AddressClusterer {
    /// The change heuristics in force (none by default).
    package let heuristics: [ChangeHeuristic]

    private var ids: [String: Int32] = [:]
    private var names: [String] = []
    private var parent: [Int32] = []
    private var rank: [UInt8] = []
    private var mergeable: [Bool] = []
    /// Per address: the citation of the first transaction whose inputs tied it in, or -1.
    private var firstMultiInput: [Int32] = []
    /// Per address: how many transactions' inputs tied it in.
    private var multiInputCount: [Int32] = []
    private var changeReasons: [(address: Int32, heuristic: ChangeHeuristic, cite: Int32)] = []
    private var citations: [ClusterCitation] = []
    private var coinJoins: [CoinJoinFinding] = []
    private var stats = ClusterStatistics()

    /// A clusterer using `heuristics` (the multi-input heuristic is always on).
    package init(heuristics: [ChangeHeuristic] = []) {
        self.heuristics = heuristics.sorted()
    }

    /// Clusters `transactions` in chain order (block, position in block, hash).
    package static func cluster(_ transactions: [UTXOTransaction], heuristics: [ChangeHeuristic] = []) -> ClusterResult
    {
        var c = AddressClusterer(heuristics: heuristics)
        for tx in transactions.sorted(by: {
            ($0.block, $0.indexInBlock, $0.hash) < ($1.block, $1.indexInBlock, $1.hash)
        }) {
            c.add(tx)
        }
        return c.result()
    }

    /// Whether an address may be merged with others (see the type's discussion).
    package static func isMergeable(_ address: String) -> Bool {
        !(address == "unknown-address" || address == BitcoinETLImporter.shieldedPool || address.hasPrefix("nonstandard")
            || address.contains("+"))
    }

    private mutating func intern(_ address: String) -> Int32 {
        if let id = ids[address] { return id }
        let id = Int32(names.count)
        ids[address] = id
        names.append(address)
        parent.append(id)
        rank.append(0)
        mergeable.append(Self.isMergeable(address))
        firstMultiInput.append(-1)
        multiInputCount.append(0)
        return id
    }

    private mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]  // path halving
            x = parent[Int(x)]
        }
        return x
    }

    private mutating func union(_ a: Int32, _ b: Int32) {
        let ra = find(a), rb = find(b)
        guard ra != rb else { return }
        stats.merges += 1
        if rank[Int(ra)] < rank[Int(rb)] {
            parent[Int(ra)] = rb
        } else if rank[Int(ra)] > rank[Int(rb)] {
            parent[Int(rb)] = ra
        } else {
            parent[Int(rb)] = ra
            rank[Int(ra)] += 1
        }
    }

    private mutating func cite(_ tx: UTXOTransaction, _ memo: inout Int32?) -> Int32 {
        if let memo { return memo }
        citations.append(ClusterCitation(transaction: tx.hash, file: tx.source.file, line: tx.source.line))
        memo = Int32(citations.count - 1)
        return memo!
    }

    /// Adds one transaction: merges its inputs' addresses unless it is CoinJoin-like, then applies the change
    /// heuristics in force.
    package mutating func add(_ tx: UTXOTransaction) {
        stats.transactions += 1
        var memo: Int32?
        // Addresses first seen in this transaction's outputs (for the one-time change heuristic): decided before
        // any of its outputs is interned, so an address paid twice by the same transaction is not "one-time" twice.
        var fresh: [Bool] = []
        if heuristics.contains(.oneTime) { fresh = tx.outputs.map { ids[$0.address] == nil } }
        let inputIDs = tx.inputs.map { intern($0.address) }
        let outputs = tx.outputs.map { (address: intern($0.address), value: $0.value) }
        if tx.isCoinbase || inputIDs.isEmpty { return }
        var distinctInputs = Array(Set(inputIDs)).sorted()
        if let pattern = CoinJoinDetector.pattern(
            inputCount: inputIDs.count, distinctInputAddresses: distinctInputs.count, outputs: outputs)
        {
            let eq = CoinJoinDetector.equalOutputs(outputs)!
            coinJoins.append(
                CoinJoinFinding(
                    pattern: pattern, citation: citations[Int(cite(tx, &memo))], inputs: inputIDs.count,
                    outputs: outputs.count,
                    equalOutputs: eq.count, equalValue: eq.value))
            stats.coinJoins[pattern, default: 0] += 1
            return
        }
        distinctInputs.removeAll { !mergeable[Int($0)] }
        if distinctInputs.count >= 2 {
            stats.multiInputTransactions += 1
            let c = cite(tx, &memo)
            for a in distinctInputs {
                if firstMultiInput[Int(a)] < 0 { firstMultiInput[Int(a)] = c }
                multiInputCount[Int(a)] += 1
                union(distinctInputs[0], a)
            }
        }
        guard !heuristics.isEmpty, let sender = distinctInputs.first, outputs.count >= 2 else { return }
        // A transaction that pays back to one of its inputs shows its change already: the guesses stay out.
        let inputSet = Set(inputIDs)
        guard !outputs.contains(where: { inputSet.contains($0.address) }) else { return }
        var picks: [(ChangeHeuristic, Int)] = []
        for h in heuristics {
            if let k = changeOutput(h, tx: tx, inputs: inputIDs, outputs: outputs, fresh: fresh) {
                picks.append((h, k))
            }
        }
        guard let k = picks.first?.1 else { return }
        guard picks.allSatisfy({ $0.1 == k }) else {
            stats.changeDisagreements += 1
            return
        }
        let change = outputs[k].address
        guard mergeable[Int(change)] else { return }
        let c = cite(tx, &memo)
        for (h, _) in picks {
            changeReasons.append((change, h, c))
            stats.changeMerges[h, default: 0] += 1
        }
        union(sender, change)
    }

    /// The output `h` takes for change, or nil when it does not pick exactly one.
    private func changeOutput(
        _ h: ChangeHeuristic, tx: UTXOTransaction, inputs: [Int32], outputs: [(address: Int32, value: MinorUnits)],
        fresh: [Bool]
    ) -> Int? {
        switch h {
        case .oneTime:
            let new = fresh.indices.filter { fresh[$0] }
            return new.count == 1 ? new[0] : nil
        case .scriptType:
            let types = Set(tx.inputs.map { ScriptType(address: $0.address) })
            guard types.count == 1, let only = types.first, let t = only else { return nil }
            let same = tx.outputs.indices.filter { ScriptType(address: tx.outputs[$0].address) == t }
            return same.count == 1 ? same[0] : nil
        case .roundAmount:
            guard outputs.count == 2 else { return nil }
            let round = outputs.map { $0.value % ChangeHeuristic.roundUnit == 0 }
            return round[0] != round[1] ? (round[0] ? 1 : 0) : nil
        }
    }

    /// The entities: each address with its entity and the reasons that tie it in.
    package mutating func result() -> ClusterResult {
        let n = names.count
        var smallest = [Int32](repeating: -1, count: n)
        var roots = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let r = find(Int32(i))
            roots[i] = r
            let s = smallest[Int(r)]
            if s < 0 || names[i].utf8.lexicographicallyPrecedes(names[Int(s)].utf8) { smallest[Int(r)] = Int32(i) }
        }
        // Entities in the order of their ids (the smallest address, byte order), so the output never depends on
        // the order transactions came in.
        let entityRoots = (0..<n).filter { roots[$0] == Int32($0) }
            .sorted { names[Int(smallest[$0])].utf8.lexicographicallyPrecedes(names[Int(smallest[$1])].utf8) }
        var entityOfRoot = [Int32](repeating: -1, count: n)
        for (e, r) in entityRoots.enumerated() { entityOfRoot[r] = Int32(e) }
        var entityOf = [Int32](repeating: 0, count: n)
        var sizes = [Int32](repeating: 0, count: entityRoots.count)
        for i in 0..<n {
            let e = entityOfRoot[Int(roots[i])]
            entityOf[i] = e
            sizes[Int(e)] += 1
        }
        let entities = entityRoots.enumerated().map { e, r in
            ClusterEntity(id: ClusterEntity.id(smallestAddress: names[Int(smallest[r])]), size: Int(sizes[e]))
        }
        var change: [Int32: [(ChangeHeuristic, Int32)]] = [:]
        for r in changeReasons { change[r.address, default: []].append((r.heuristic, r.cite)) }
        return ClusterResult(
            heuristics: heuristics, addresses: names, entityOf: entityOf, entities: entities,
            firstMultiInput: firstMultiInput,
            multiInputCount: multiInputCount, changeReasons: change, citations: citations, coinJoins: coinJoins,
            statistics: stats)
    }
}

/// A transaction a clustering result cites: its hash, file and line.
package struct ClusterCitation: Sendable, Equatable {
    package var transaction: String
    package var file: String
    package var line: Int
}

/// A transaction left unmerged because of its CoinJoin-like shape.
package struct CoinJoinFinding: Sendable, Equatable {
    package var pattern: CoinJoinPattern
    package var citation: ClusterCitation
    package var inputs: Int
    package var outputs: Int
    /// How many distinct addresses receive the most common output value, and that value.
    package var equalOutputs: Int
    package var equalValue: MinorUnits
}

/// Counts for the summary of a clustering run.
package struct ClusterStatistics: Sendable, Equatable {
    package var transactions = 0
    /// Transactions whose inputs came from two or more addresses and were merged.
    package var multiInputTransactions = 0
    /// Unions that joined two entities that were apart.
    package var merges = 0
    package var coinJoins: [CoinJoinPattern: Int] = [:]
    package var changeMerges: [ChangeHeuristic: Int] = [:]
    /// Transactions where the change heuristics in force picked different outputs: no change merge made.
    package var changeDisagreements = 0
}

/// One entity: its id and how many addresses it holds.
package struct ClusterEntity: Sendable, Equatable {
    /// `E-` and the entity's smallest address (byte order): the same addresses give the same id on every run.
    package var id: String
    package var size: Int

    /// The id of an entity whose smallest address is `address`.
    package static func id(smallestAddress address: String) -> String { "E-" + address }
}

/// Why an address is in its entity.
package struct ClusterReason: Sendable, Equatable {
    /// `multi-input`, or `change/<heuristic>`.
    package var heuristic: String
    /// The first transaction that tied the address in this way (in chain order).
    package var citation: ClusterCitation
    /// How many transactions tied it in this way.
    package var transactions: Int
}

/// The entities of a ledger's addresses.
package struct ClusterResult: Sendable {
    package var heuristics: [ChangeHeuristic]
    /// Every address, in the order first seen (its interned id is its index).
    package var addresses: [String]
    /// Per address: the index of its entity in ``entities``.
    package var entityOf: [Int32]
    /// The entities, in the order of their ids.
    package var entities: [ClusterEntity]
    var firstMultiInput: [Int32]
    var multiInputCount: [Int32]
    var changeReasons: [Int32: [(ChangeHeuristic, Int32)]]
    var citations: [ClusterCitation]
    package var coinJoins: [CoinJoinFinding]
    package var statistics: ClusterStatistics

    /// The reasons that tie address number `i` to its entity (empty for an address alone).
    package func reasons(_ i: Int) -> [ClusterReason] {
        var out: [ClusterReason] = []
        if firstMultiInput[i] >= 0 {
            out.append(
                ClusterReason(
                    heuristic: "multi-input", citation: citations[Int(firstMultiInput[i])],
                    transactions: Int(multiInputCount[i])))
        }
        var byHeuristic: [ChangeHeuristic: (first: Int32, count: Int)] = [:]
        for (h, c) in changeReasons[Int32(i)] ?? [] {
            byHeuristic[h] = byHeuristic[h].map { ($0.first, $0.count + 1) } ?? (c, 1)
        }
        for h in byHeuristic.keys.sorted() {
            out.append(
                ClusterReason(
                    heuristic: h.reason, citation: citations[Int(byHeuristic[h]!.first)],
                    transactions: byHeuristic[h]!.count))
        }
        return out
    }

    /// Address numbers in report order: by entity, then by address (byte order).
    package var reportOrder: [Int] {
        addresses.indices.sorted {
            entityOf[$0] != entityOf[$1]
                ? entityOf[$0] < entityOf[$1] : addresses[$0].utf8.lexicographicallyPrecedes(addresses[$1].utf8)
        }
    }

    /// The entity with this id (entities are in the byte order of their ids: a binary search).
    package func entity(id: String) -> ClusterEntity? {
        var lo = 0, hi = entities.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entities[mid].id.utf8.lexicographicallyPrecedes(id.utf8) { lo = mid + 1 } else { hi = mid }
        }
        return lo < entities.count && entities[lo].id == id ? entities[lo] : nil
    }

    /// Address → number (built on each call: keep the result).
    package func makeAddressIndex() -> [String: Int] {
        Dictionary(uniqueKeysWithValues: addresses.enumerated().map { ($1, $0) })
    }
}
