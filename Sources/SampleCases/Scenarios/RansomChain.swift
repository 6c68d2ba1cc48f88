/// The ransom on chain (ransomware-peel), in bitcoin-etl form, with the true owner of every address it plants:
///
/// 1. ExampleX's hot wallet pays the ransom to the ransom address (the seed, `seedTx:0`);
/// 2. a peel chain: each hop deposits a small amount at one of the suspect's ExampleY deposit addresses and sends
///    the change on to a fresh address of the criminal;
/// 3. the last change enters a JoinMarket-like CoinJoin with `n − 1` strangers: n equal outputs and n change
///    outputs, so address clustering must leave its inputs unmerged;
/// 4. the criminal's equal output is deposited at another ExampleY deposit address; ExampleY sweeps every deposit
///    it has received so far (the suspect's and other customers'), with a coin of its hot wallet, into that hot
///    wallet in one transaction — the multi-input heuristic groups them into one entity;
/// 5. the criminal's CoinJoin change is deposited at a last ExampleY address after the sweep, which stays an
///    entity of its own (only ExampleY's production-order answer names it).
///
/// Planned so that every haircut split is exact (`ExpectedUTXOTaint` refuses any other): the CoinJoin's inputs
/// are n times the tainted one, so every later part is a multiple of n; the sweep's inputs are k times their
/// haircut taint, so its fee is a multiple of k.
struct RansomChain {
    var transactions: [PlannedBitcoinTransaction] = []
    var seedTx = ""
    /// What the seed output holds: the ransom (satoshi).
    var withdrawn: Int64 = 0
    var ransomAddress = ""
    var exchangeXHotWallet = ""
    /// The criminal's addresses along the peel chain (each hop's change), in order.
    var peelChange: [String] = []
    /// The ExampleY deposit addresses each peel paid, in order.
    var peelDeposits: [String] = []
    var coinJoinTx = ""
    var coinJoinParticipants = 0
    /// The CoinJoin's equal output value (satoshi).
    var denomination: Int64 = 0
    /// The criminal's equal output and CoinJoin change.
    var mixedAddress = ""
    var coinJoinChange = ""
    /// The ExampleY deposit address the mixed coin went to (swept), and the one the change went to (not swept).
    var mixedDeposit = ""
    var lateDeposit = ""
    /// Other customers' ExampleY deposits, swept with the suspect's.
    var otherDeposits: [String] = []
    var sweepTx = ""
    var exchangeYHotWallet = ""
    /// Every deposit to one of the suspect's ExampleY addresses: (time, address, value, transaction).
    var suspectDeposits: [(time: Int64, address: String, value: Int64, tx: String)] = []

    /// The addresses ExampleY's sweep spent together, its hot wallet among them: one owner, one entity.
    var sweptTogether: [String] { (peelDeposits + [mixedDeposit] + otherDeposits + [exchangeYHotWallet]).sorted() }

    static func build(_ rng: inout SeededRandom, start: Int64, background: Int, peels: Int) -> RansomChain {
        var c = RansomChain()
        let n = rng.int(4...5)
        c.coinJoinParticipants = n
        // The coin the criminal brings to the CoinJoin, a multiple of n; the peel chain planned backwards from it.
        let coin = Int64(rng.int(2_000_000...6_000_000)) * Int64(n)
        var change = coin
        var hops: [(peel: Int64, fee: Int64, change: Int64)] = []
        for _ in 0..<peels {
            let peel = Int64(rng.int(50...400)) * 10_000 + Int64(rng.int(0...9_999))
            let fee = Int64(rng.int(1_000...9_000))
            hops.insert((peel, fee, change), at: 0)
            change = peel + change + fee
        }
        c.withdrawn = change
        c.exchangeXHotWallet = Identifiers.testnetAddress(&rng)
        c.ransomAddress = Identifiers.testnetAddress(&rng)
        c.exchangeYHotWallet = Identifiers.testnetAddress(&rng)
        var clock = BlockClock(start: start, &rng)
        func tx(
            _ label: String, _ time: Int64, _ inputs: [PlannedBitcoinTransaction.Input],
            _ outputs: [PlannedBitcoinTransaction.Output]
        ) -> PlannedBitcoinTransaction {
            clock.transaction(label, time, inputs, outputs, &rng)
        }
        func outside(_ label: String, _ address: String, _ value: Int64) -> PlannedBitcoinTransaction.Input {
            .init(
                spentTransaction: Identifiers.txHash("\(label) \(rng.next())"), spentOutput: rng.int(0...2),
                address: address, value: value)
        }
        var planted: [PlannedBitcoinTransaction] = []
        let hotValue = c.withdrawn + Int64(rng.int(50_000_000...300_000_000))
        let seed = tx(
            "seed", start, [outside("hot funding", c.exchangeXHotWallet, hotValue)],
            [
                .init(address: c.ransomAddress, value: c.withdrawn),
                .init(address: c.exchangeXHotWallet, value: hotValue - c.withdrawn - 4_000),
            ])
        planted.append(seed)
        c.seedTx = seed.hash
        var prev = (hash: seed.hash, index: 0, address: c.ransomAddress, value: c.withdrawn)
        for (k, hop) in hops.enumerated() {
            let deposit = Identifiers.testnetAddress(&rng)
            let next = Identifiers.testnetAddress(&rng)
            c.peelDeposits.append(deposit)
            c.peelChange.append(next)
            let t = tx(
                "peel \(k)", start + Int64(k + 1) * 5400,
                [.init(spentTransaction: prev.hash, spentOutput: prev.index, address: prev.address, value: prev.value)],
                [.init(address: deposit, value: hop.peel), .init(address: next, value: hop.change)])
            planted.append(t)
            c.suspectDeposits.append((t.time, deposit, hop.peel, t.hash))
            prev = (t.hash, 1, next, hop.change)
        }
        precondition(prev.value == coin)

        // The CoinJoin: the criminal and n − 1 strangers, each bringing about `coin`, all together n × coin.
        let nn = Int64(n)
        c.denomination = coin * Int64(rng.int(40...60)) / 100 / nn * nn
        // Each stranger within 8 % of `coin` (the last one within 24 %), so each has change left over.
        let spread = Int(coin / 12 / nn)
        var strangers: [Int64] = []
        for _ in 0..<(n - 2) { strangers.append(coin + Int64(rng.int(-spread...spread)) * nn) }
        strangers.append(coin * (nn - 1) - strangers.reduce(0, +))
        var joinInputs: [PlannedBitcoinTransaction.Input] = [
            .init(spentTransaction: prev.hash, spentOutput: prev.index, address: prev.address, value: prev.value)
        ]
        var equal: [PlannedBitcoinTransaction.Output] = []
        var changes: [PlannedBitcoinTransaction.Output] = []
        c.mixedAddress = Identifiers.testnetAddress(&rng)
        c.coinJoinChange = Identifiers.testnetAddress(&rng)
        let criminalFee = Int64(rng.int(100...600)) * nn
        equal.append(.init(address: c.mixedAddress, value: c.denomination))
        changes.append(.init(address: c.coinJoinChange, value: coin - c.denomination - criminalFee))
        for value in strangers {
            let a = Identifiers.testnetAddress(&rng)
            joinInputs.append(outside("stranger", a, value))
            equal.append(.init(address: Identifiers.testnetAddress(&rng), value: c.denomination))
            changes.append(
                .init(
                    address: Identifiers.testnetAddress(&rng),
                    value: value - c.denomination - Int64(rng.int(100...600)) * nn
                ))
        }
        // Inputs and outputs in an order that says nothing about who is who, as JoinMarket shuffles them.
        rng.shuffle(&joinInputs)
        var joinOutputs = equal + changes
        rng.shuffle(&joinOutputs)
        let join = tx("coinjoin", start + Int64(peels + 1) * 5400, joinInputs, joinOutputs)
        precondition(Set(changes.map(\.value)).count == n && !changes.contains { $0.value == c.denomination })
        precondition(joinOutputs.allSatisfy { $0.value > 0 && $0.value % nn == 0 } && join.fee % nn == 0)
        planted.append(join)
        c.coinJoinTx = join.hash
        func spent(_ t: PlannedBitcoinTransaction, _ address: String) -> PlannedBitcoinTransaction.Input {
            let k = t.outputs.firstIndex { $0.address == address }!
            return .init(spentTransaction: t.hash, spentOutput: k, address: address, value: t.outputs[k].value)
        }

        // The mixed coin to an ExampleY deposit address.
        c.mixedDeposit = Identifiers.testnetAddress(&rng)
        let mixedFee = Int64(rng.int(100...600)) * nn
        let toMixed = tx(
            "mixed deposit", start + Int64(peels + 2) * 5400, [spent(join, c.mixedAddress)],
            [.init(address: c.mixedDeposit, value: c.denomination - mixedFee)])
        planted.append(toMixed)
        c.suspectDeposits.append((toMixed.time, c.mixedDeposit, c.denomination - mixedFee, toMixed.hash))

        // The sweep also spends a coin of ExampleY's hot wallet (consolidating, as exchanges do), which is what
        // lets the multi-input heuristic join the hot wallet — and the tag on it — to the deposit addresses. That
        // coin and other customers' deposits make the sweep's inputs k times their haircut taint.
        let taint = hops.map(\.peel).reduce(0, +) + (c.denomination - mixedFee) / nn
        let suspects = hops.map(\.peel).reduce(0, +) + c.denomination - mixedFee
        let k = (suspects + taint - 1) / taint + Int64(rng.int(2...3))
        let others = k * taint - suspects
        let weights = (0..<rng.int(4...6)).map { _ in Int64(rng.int(1...9)) }
        let count = weights.count
        var sweepInputs: [(time: Int64, input: PlannedBitcoinTransaction.Input)] = []
        for j in 0..<count {
            let value =
                j == count - 1
                ? others - weights.dropLast().reduce(0) { $0 + others * $1 / weights.reduce(0, +) }
                : others * weights[j] / weights.reduce(0, +)
            if j == 0 {
                sweepInputs.append((start - 86400, outside("hot wallet", c.exchangeYHotWallet, value)))
                continue
            }
            let customer = Identifiers.testnetAddress(&rng)
            let deposit = Identifiers.testnetAddress(&rng)
            c.otherDeposits.append(deposit)
            let spare = Int64(rng.int(1_000_000...40_000_000))
            let t = tx(
                "customer deposit \(j)", start - 3600 + Int64(j - 1) * (Int64(peels + 2) * 5400) / Int64(count),
                [outside("customer", customer, value + spare + 2_000)],
                [.init(address: deposit, value: value), .init(address: customer, value: spare)])
            planted.append(t)
            sweepInputs.append((t.time, spent(t, deposit)))
        }
        for t in planted where t.outputs.contains(where: { c.peelDeposits.contains($0.address) }) {
            sweepInputs.append((t.time, spent(t, t.outputs[0].address)))
        }
        sweepInputs.append((toMixed.time, spent(toMixed, c.mixedDeposit)))
        // The sweep spends the deposits in the order they arrived.
        let inputs = sweepInputs.sorted { ($0.time, $0.input.address) < ($1.time, $1.input.address) }.map(\.input)
        let sweepFee = k * Int64(rng.int(500...2_000))
        let sweepTotal = inputs.reduce(0) { $0 + $1.value }
        precondition(sweepTotal == k * taint)
        let sweep = tx(
            "sweep", start + Int64(peels + 3) * 5400, inputs,
            [.init(address: c.exchangeYHotWallet, value: sweepTotal - sweepFee)])
        planted.append(sweep)
        c.sweepTx = sweep.hash

        // The CoinJoin change to a last ExampleY address, after the sweep: not swept, so an entity of its own.
        c.lateDeposit = Identifiers.testnetAddress(&rng)
        let lateFee = Int64(rng.int(100...600)) * nn
        let change0 = spent(join, c.coinJoinChange)
        let late = tx(
            "late deposit", start + Int64(peels + 4) * 5400, [change0],
            [.init(address: c.lateDeposit, value: change0.value - lateFee)])
        planted.append(late)
        c.suspectDeposits.append((late.time, c.lateDeposit, change0.value - lateFee, late.hash))

        // Background: unrelated payments among other addresses, spending outputs outside the export.
        var all = planted
        for j in 0..<background {
            let time = start - 86400 * 2 + Int64(j) * (86400 * 5) / Int64(max(1, background)) + 7
            let value = Int64(rng.int(100_000...90_000_000))
            let a = Identifiers.testnetAddress(&rng)
            all.append(
                tx(
                    "bg \(j)", time, [outside("bg in \(j)", a, value)],
                    [
                        .init(address: Identifiers.testnetAddress(&rng), value: value * 3 / 5),
                        .init(address: a, value: value * 2 / 5 - 2_000),
                    ]))
        }
        c.transactions = all.sorted { ($0.block, $0.index, $0.hash) < ($1.block, $1.index, $1.hash) }
        // The truth the answer key's entities rest on: apart from the CoinJoin, only ExampleY's sweep spends
        // from two or more addresses at once, so its addresses are the only ones the multi-input heuristic joins.
        for t in c.transactions where Set(t.inputs.map(\.address)).count > 1 {
            precondition(t.hash == c.coinJoinTx || t.hash == c.sweepTx, "an unplanned multi-input transaction")
        }
        return c
    }
}
