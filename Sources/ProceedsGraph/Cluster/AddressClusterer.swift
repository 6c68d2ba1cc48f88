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

    private var table = AddressTable()
    /// Union-find forest over address ids: path halving, union by size.
    private var parent: [Int32] = []
    private var size: [Int32] = []
    private var mergeable: [Bool] = []
    /// Per address: the citation of the first transaction whose inputs tied it in, or -1.
    private var firstMultiInput: [Int32] = []
    /// Per address: how many transactions' inputs tied it in.
    private var multiInputCount: [Int32] = []
    private var changeReasons: [(address: Int32, heuristic: ChangeHeuristic, cite: Int32)] = []
    private var citations = CitationTable()
    private var coinJoins: [CoinJoinFinding] = []
    private var stats = ClusterStatistics()
    // Scratch arrays reused from one transaction to the next.
    private var inputIDs: [Int32] = []
    private var distinct: [Int32] = []
    private var outputs: [(address: Int32, value: MinorUnits)] = []

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

    /// ``isMergeable(_:)`` on an address's UTF-8 bytes (the same answer, without making a string).
    static func isMergeable(_ a: UnsafeBufferPointer<UInt8>) -> Bool {
        func starts(_ p: StaticString) -> Bool {
            let n = p.utf8CodeUnitCount
            return a.count >= n && p.withUTF8Buffer { w in (0..<n).allSatisfy { a[$0] == w[$0] } }
        }
        func equals(_ p: StaticString) -> Bool { a.count == p.utf8CodeUnitCount && starts(p) }
        // `hasPrefix` compares characters: a combining mark after the prefix makes it no prefix. Such an
        // address is no placeholder either way, so only pure ASCII is judged here; anything else goes by text.
        if a.contains(where: { $0 >= 0x80 }) { return isMergeable(String(decoding: a, as: UTF8.self)) }
        return
            !(equals("unknown-address") || equals("zcash-shielded-pool") || starts("nonstandard")
            || a.contains(UInt8(ascii: "+")))
    }

    @inline(__always)
    private mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let (id, isNew) = table.intern(bytes)
        if isNew {
            parent.append(id)
            size.append(1)
            mergeable.append(Self.isMergeable(bytes))
            firstMultiInput.append(-1)
            multiInputCount.append(0)
        }
        return id
    }

    private mutating func intern(_ address: String) -> Int32 {
        var a = address
        return a.withUTF8 { intern($0) }
    }

    @inline(__always)
    private mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]  // path halving
            x = parent[Int(x)]
        }
        return x
    }

    private mutating func union(_ a: Int32, _ b: Int32) {
        var ra = find(a), rb = find(b)
        guard ra != rb else { return }
        stats.merges += 1
        if size[Int(ra)] < size[Int(rb)] { swap(&ra, &rb) }
        parent[Int(rb)] = ra
        size[Int(ra)] += size[Int(rb)]
    }

    /// Adds one transaction: merges its inputs' addresses unless it is CoinJoin-like, then applies the change
    /// heuristics in force.
    package mutating func add(_ tx: UTXOTransaction) {
        let before = Int32(table.count)
        inputIDs.removeAll(keepingCapacity: true)
        outputs.removeAll(keepingCapacity: true)
        for i in tx.inputs { inputIDs.append(intern(i.address)) }
        for o in tx.outputs { outputs.append((intern(o.address), o.value)) }
        var hash = tx.hash
        hash.withUTF8 { h in
            cluster(
                isCoinbase: tx.isCoinbase, firstNew: before, hash: h, file: tx.source.file, line: tx.source.line)
        }
    }

    /// Adds one transaction as the bitcoin-etl reader hands it over: its addresses as bytes, no string made.
    package mutating func add(_ tx: StreamedUTXOTransaction) {
        let before = Int32(table.count)
        inputIDs.removeAll(keepingCapacity: true)
        outputs.removeAll(keepingCapacity: true)
        tx.bytes.withUnsafeBufferPointer { b in
            for r in tx.inputs { inputIDs.append(intern(UnsafeBufferPointer(rebasing: b[r]))) }
            for o in tx.outputs { outputs.append((intern(UnsafeBufferPointer(rebasing: b[o.address])), o.value)) }
            cluster(
                isCoinbase: tx.isCoinbase, firstNew: before, hash: UnsafeBufferPointer(rebasing: b[tx.hash]),
                file: tx.file, line: tx.line)
        }
    }

    /// The rules, on a transaction whose addresses are interned in `inputIDs` and `outputs`; ids from `firstNew`
    /// on were first seen in this transaction.
    private mutating func cluster(
        isCoinbase: Bool, firstNew: Int32, hash: UnsafeBufferPointer<UInt8>, file: String, line: Int
    ) {
        stats.transactions += 1
        if isCoinbase || inputIDs.isEmpty { return }
        var memo: Int32 = -1
        func cite(_ c: inout CitationTable) -> Int32 {
            if memo < 0 { memo = c.append(hash: hash, file: file, line: line) }
            return memo
        }
        distinct.removeAll(keepingCapacity: true)
        distinct.append(contentsOf: inputIDs)
        if distinct.count > 1 {
            distinct.sort()
            var w = 1
            for k in 1..<distinct.count where distinct[k] != distinct[w - 1] {
                distinct[w] = distinct[k]
                w += 1
            }
            distinct.removeLast(distinct.count - w)
        }
        if distinct.count >= 2, Self.mayBeCoinJoin(outputs),
            let pattern = CoinJoinDetector.pattern(
                inputCount: inputIDs.count, distinctInputAddresses: distinct.count, outputs: outputs)
        {
            let eq = CoinJoinDetector.equalOutputs(outputs)!
            let c = cite(&citations)
            coinJoins.append(
                CoinJoinFinding(
                    pattern: pattern, citation: citations[Int(c)], inputs: inputIDs.count,
                    outputs: outputs.count, equalOutputs: eq.count, equalValue: eq.value))
            stats.coinJoins[pattern, default: 0] += 1
            return
        }
        let mergeable = self.mergeable
        distinct.removeAll { !mergeable[Int($0)] }
        if distinct.count >= 2 {
            stats.multiInputTransactions += 1
            for a in distinct {
                if firstMultiInput[Int(a)] < 0 { firstMultiInput[Int(a)] = cite(&citations) }
                multiInputCount[Int(a)] += 1
                union(distinct[0], a)
            }
        }
        guard !heuristics.isEmpty, let sender = distinct.first, outputs.count >= 2 else { return }
        // A transaction that pays back to one of its inputs shows its change already: the guesses stay out.
        guard !outputs.contains(where: { inputIDs.contains($0.address) }) else { return }
        var picks: [(ChangeHeuristic, Int)] = []
        for h in heuristics {
            if let k = changeOutput(h, firstNew: firstNew) { picks.append((h, k)) }
        }
        guard let k = picks.first?.1 else { return }
        guard picks.allSatisfy({ $0.1 == k }) else {
            stats.changeDisagreements += 1
            return
        }
        let change = outputs[k].address
        guard mergeable[Int(change)] else { return }
        let c = cite(&citations)
        for (h, _) in picks {
            changeReasons.append((change, h, c))
            stats.changeMerges[h, default: 0] += 1
        }
        union(sender, change)
    }

    /// False when no two outputs share a value above zero: then the transaction cannot be CoinJoin-like, and the
    /// detector (which sorts the outputs) need not run.
    @inline(__always)
    private static func mayBeCoinJoin(_ outputs: [(address: Int32, value: MinorUnits)]) -> Bool {
        let n = outputs.count
        guard n >= 2 else { return false }
        guard n <= 32 else { return true }
        for i in 0..<n - 1 where outputs[i].value > 0 {
            for j in i + 1..<n where outputs[j].value == outputs[i].value { return true }
        }
        return false
    }

    /// The output `h` takes for change, or nil when it does not pick exactly one.
    private func changeOutput(_ h: ChangeHeuristic, firstNew: Int32) -> Int? {
        switch h {
        case .oneTime:
            // Addresses first seen in this transaction (interned from `firstNew` on) are "one-time"; an address
            // paid twice by the same transaction counts twice, so it is not the only one.
            var found: Int?
            for (k, o) in outputs.enumerated() where o.address >= firstNew {
                if found != nil { return nil }
                found = k
            }
            return found
        case .scriptType:
            var type: ScriptType??
            for i in inputIDs {
                let t = scriptType(i)
                if type == nil { type = .some(t) } else if type! != t { return nil }
            }
            guard let only = type, let t = only else { return nil }
            var found: Int?
            for (k, o) in outputs.enumerated() where scriptType(o.address) == t {
                if found != nil { return nil }
                found = k
            }
            return found
        case .roundAmount:
            guard outputs.count == 2 else { return nil }
            let round0 = outputs[0].value % ChangeHeuristic.roundUnit == 0
            let round1 = outputs[1].value % ChangeHeuristic.roundUnit == 0
            return round0 != round1 ? (round0 ? 1 : 0) : nil
        }
    }

    private func scriptType(_ id: Int32) -> ScriptType? { table.withBytes(Int(id)) { ScriptType(bytes: $0) } }

    /// The entities: each address with its entity and the reasons that tie it in.
    ///
    /// One sort of the address ids by the bytes of their addresses gives everything the report needs: an
    /// entity's id is its first address in that order, entities are numbered in the order their first address
    /// comes, and a stable bucket pass by entity lists each entity's addresses in byte order.
    package mutating func result() -> ClusterResult {
        let n = table.count
        // Every address points straight at its root from here on: the forest itself serves as the roots.
        for i in 0..<n { parent[i] = find(Int32(i)) }
        let roots = parent
        let sorted = table.idsInByteOrder()
        var entityOfRoot = [Int32](repeating: -1, count: n)
        var smallest: [Int32] = []
        for id in sorted where entityOfRoot[Int(roots[Int(id)])] < 0 {
            entityOfRoot[Int(roots[Int(id)])] = Int32(smallest.count)
            smallest.append(id)
        }
        var entityOf = [Int32](repeating: 0, count: n)
        var sizes = [Int32](repeating: 0, count: smallest.count)
        for i in 0..<n {
            let e = entityOfRoot[Int(roots[i])]
            entityOf[i] = e
            sizes[Int(e)] += 1
        }
        entityOfRoot = []  // freed before the next arrays are made: the peak is here
        // Each entity's slice of the report order starts where the entities before it end.
        var next = [Int32](repeating: 0, count: smallest.count)
        var total: Int32 = 0
        for e in 0..<smallest.count {
            next[e] = total
            total += sizes[e]
        }
        var order = [Int32](repeating: 0, count: n)
        for id in sorted {
            let e = Int(entityOf[Int(id)])
            order[Int(next[e])] = id
            next[e] += 1
        }
        var change: [Int32: [(ChangeHeuristic, Int32)]] = [:]
        for r in changeReasons { change[r.address, default: []].append((r.heuristic, r.cite)) }
        return ClusterResult(
            heuristics: heuristics, table: table, entityOf: entityOf,
            entities: ClusterEntities(table: table, smallest: smallest, sizes: sizes), order: order,
            firstMultiInput: firstMultiInput, multiInputCount: multiInputCount, changeReasons: change,
            citationTable: citations, coinJoins: coinJoins, statistics: stats)
    }
}

/// The transactions a clustering cites, compactly: hashes in one byte arena (a hash of 64 lowercase hex digits,
/// as bitcoin-etl writes them, packed into its 32 bytes; any other text as it is), files by number.
struct CitationTable: Sendable {
    private var hashBytes: [UInt8] = []
    private var hashStarts: [UInt32] = [0]
    private var packed: [Bool] = []
    private var fileOf: [UInt32] = []
    private var lines: [Int] = []
    private var files: [String] = []

    var count: Int { lines.count }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func append(hash: UnsafeBufferPointer<UInt8>, file: String, line: Int) -> Int32 {
        precondition(hashBytes.count + hash.count <= Int(UInt32.max), "more than 4 GiB of transaction hashes")
        if hash.count == 64, hash.allSatisfy({ Self.nibble($0) != nil }) {
            for k in stride(from: 0, to: 64, by: 2) {
                hashBytes.append(Self.nibble(hash[k])! << 4 | Self.nibble(hash[k + 1])!)
            }
            packed.append(true)
        } else {
            hashBytes.append(contentsOf: hash)
            packed.append(false)
        }
        hashStarts.append(UInt32(hashBytes.count))
        // Transactions come file by file: the file of the last citation is nearly always this one.
        if fileOf.isEmpty || files[Int(fileOf[fileOf.count - 1])] != file {
            if let k = files.firstIndex(of: file) {
                fileOf.append(UInt32(k))
            } else {
                files.append(file)
                fileOf.append(UInt32(files.count - 1))
            }
        } else {
            fileOf.append(fileOf[fileOf.count - 1])
        }
        lines.append(line)
        return Int32(count - 1)
    }

    subscript(_ i: Int) -> ClusterCitation {
        withCitation(i) { hash, file, line in
            ClusterCitation(transaction: String(decoding: hash, as: UTF8.self), file: file, line: line)
        }
    }

    /// Calls `body` with citation `i`'s hash (as text), file and line, making no string.
    func withCitation<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>, String, Int) -> R) -> R {
        let s = Int(hashStarts[i]), e = Int(hashStarts[i + 1])
        let file = files[Int(fileOf[i])], line = lines[i]
        return hashBytes.withUnsafeBufferPointer { all in
            guard packed[i] else { return body(UnsafeBufferPointer(rebasing: all[s..<e]), file, line) }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { text in
                for k in 0..<32 {
                    text[2 * k] = Self.hexDigits[Int(all[s + k] >> 4)]
                    text[2 * k + 1] = Self.hexDigits[Int(all[s + k] & 0x0F)]
                }
                return body(UnsafeBufferPointer(text), file, line)
            }
        }
    }
}

/// The entities of a clustering, in the order of their ids, each made when read.
package struct ClusterEntities: RandomAccessCollection, Sendable {
    let table: AddressTable
    /// Per entity: its smallest address.
    let smallest: [Int32]
    let sizes: [Int32]

    package var startIndex: Int { 0 }
    package var endIndex: Int { smallest.count }
    package subscript(_ e: Int) -> ClusterEntity {
        ClusterEntity(id: ClusterEntity.id(smallestAddress: table.string(Int(smallest[e]))), size: Int(sizes[e]))
    }
    /// How many addresses entity `e` holds.
    package func size(_ e: Int) -> Int { Int(sizes[e]) }
    /// The address number of entity `e`'s smallest address (its id is `E-` and that address).
    package func smallestAddress(_ e: Int) -> Int { Int(smallest[e]) }
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
    /// Every address, by number (the order first seen).
    package let table: AddressTable
    /// Per address: the index of its entity in ``entities``.
    package var entityOf: [Int32]
    /// The entities, in the order of their ids.
    package var entities: ClusterEntities
    /// Address numbers in report order: by entity, then by address (byte order).
    package var order: [Int32]
    var firstMultiInput: [Int32]
    var multiInputCount: [Int32]
    var changeReasons: [Int32: [(ChangeHeuristic, Int32)]]
    var citationTable: CitationTable
    package var coinJoins: [CoinJoinFinding]
    package var statistics: ClusterStatistics

    /// How many addresses there are.
    package var addressCount: Int { table.count }

    /// Every address, in the order first seen (its number is its index). Made on each call: for small ledgers.
    package var addresses: [String] { (0..<table.count).map { table.string($0) } }

    /// Address number `i`.
    package func address(_ i: Int) -> String { table.string(i) }

    /// The reasons that tie address number `i` to its entity (empty for an address alone).
    package func reasons(_ i: Int) -> [ClusterReason] {
        var out: [ClusterReason] = []
        if firstMultiInput[i] >= 0 {
            out.append(
                ClusterReason(
                    heuristic: "multi-input", citation: citationTable[Int(firstMultiInput[i])],
                    transactions: Int(multiInputCount[i])))
        }
        for (h, first, count) in changeReasonsByHeuristic(i) {
            out.append(ClusterReason(heuristic: h.reason, citation: citationTable[Int(first)], transactions: count))
        }
        return out
    }

    /// Calls `body` with each reason of address `i`, as ``reasons(_:)`` lists them, the hash as bytes.
    func forEachReason(
        _ i: Int,
        _ body: (_ heuristic: String, _ hash: UnsafeBufferPointer<UInt8>, _ file: String, _ line: Int, _ count: Int) ->
            Void
    ) {
        if firstMultiInput[i] >= 0 {
            citationTable.withCitation(Int(firstMultiInput[i])) {
                body("multi-input", $0, $1, $2, Int(multiInputCount[i]))
            }
        }
        guard !changeReasons.isEmpty else { return }
        for (h, first, count) in changeReasonsByHeuristic(i) {
            citationTable.withCitation(Int(first)) { body(h.reason, $0, $1, $2, count) }
        }
    }

    /// Per change heuristic that tied address `i` in (in heuristic order): its first citation and how many.
    func changeReasonsByHeuristic(_ i: Int) -> [(ChangeHeuristic, Int32, Int)] {
        guard let list = changeReasons[Int32(i)] else { return [] }
        var byHeuristic: [ChangeHeuristic: (first: Int32, count: Int)] = [:]
        for (h, c) in list {
            byHeuristic[h] = byHeuristic[h].map { ($0.first, $0.count + 1) } ?? (c, 1)
        }
        return byHeuristic.keys.sorted().map { ($0, byHeuristic[$0]!.first, byHeuristic[$0]!.count) }
    }

    /// Address numbers in report order: by entity, then by address (byte order).
    package var reportOrder: [Int] { order.map(Int.init) }

    /// The entity with this id (entities are in the byte order of their ids: a binary search).
    package func entity(id: String) -> ClusterEntity? {
        guard id.hasPrefix("E-"), let a = table.id(of: String(id.dropFirst(2))) else { return nil }
        let e = entities[Int(entityOf[Int(a)])]
        return e.id == id ? e : nil
    }

    /// Address → number (built on each call: keep the result).
    package func makeAddressIndex() -> [String: Int] {
        Dictionary(uniqueKeysWithValues: addresses.enumerated().map { ($1, $0) })
    }

    /// The number of `address`, or nil when it is not in the data.
    package func number(of address: String) -> Int? { table.id(of: address).map(Int.init) }
}
