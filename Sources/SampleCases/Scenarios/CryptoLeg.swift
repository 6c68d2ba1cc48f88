/// A crypto leg in bitcoin-etl form: a seed payment to the first address, a peel chain (each hop pays a small
/// amount away and keeps the change), a merge of the last change with clean coins, and a deposit at an exchange,
/// among unrelated background transactions.
///
/// Planned backwards so that every haircut split is exact: the merge spends the tainted change `3u` together
/// with `u` clean, so three quarters of each output (and of the fee) is tainted, and every output and the fee
/// are multiples of four satoshi.
struct CryptoLeg {
    var transactions: [PlannedBitcoinTransaction] = []
    var seedTx = ""
    /// What the seed output holds: the withdrawal or ransom payment (satoshi).
    var withdrawn: Int64 = 0
    var firstAddress = ""
    var peelAddresses: [String] = []
    var depositAddress = ""
    var changeAddress = ""
    var cleanAddress = ""

    static func build(
        _ rng: inout SeededRandom, start: Int64, eurSpent: Int64, background: Int, peels: Int = 1,
        payer: String = "exchange hot wallet"
    ) -> CryptoLeg {
        var leg = CryptoLeg()
        let u = Int64(rng.int(1_500_000...6_000_000)) * 4
        let mergeFee = Int64(rng.int(500...1_500)) * 4
        let toDeposit = Int64(rng.int(Int(u * 11 / 40)...Int(u * 29 / 40))) * 4
        let mergeChange = 4 * u - toDeposit - mergeFee
        // Backwards through the peel chain.
        var change = 3 * u
        var hops: [(peel: Int64, fee: Int64, change: Int64)] = []
        for _ in 0..<peels {
            let peel = Int64(rng.int(100_000...2_500_000))
            let fee = Int64(rng.int(1_000...9_000))
            hops.insert((peel, fee, change), at: 0)
            change = peel + change + fee
        }
        leg.withdrawn = change
        let hot = Identifiers.testnetAddress(&rng)
        leg.firstAddress = Identifiers.testnetAddress(&rng)
        leg.depositAddress = Identifiers.testnetAddress(&rng)
        leg.changeAddress = Identifiers.testnetAddress(&rng)
        leg.cleanAddress = Identifiers.testnetAddress(&rng)
        var clock = BlockClock(start: start, &rng)
        func tx(
            _ label: String, _ time: Int64, _ inputs: [PlannedBitcoinTransaction.Input],
            _ outputs: [PlannedBitcoinTransaction.Output]
        ) -> PlannedBitcoinTransaction {
            clock.transaction(label, time, inputs, outputs, &rng)
        }
        var planted: [PlannedBitcoinTransaction] = []
        let hotValue = leg.withdrawn + Int64(rng.int(50_000_000...300_000_000))
        let seed = tx(
            "seed", start,
            [
                .init(
                    spentTransaction: Identifiers.txHash("hot funding \(rng.next())"), spentOutput: 0, address: hot,
                    value: hotValue)
            ],
            [
                .init(address: leg.firstAddress, value: leg.withdrawn),
                .init(address: hot, value: hotValue - leg.withdrawn - 4_000),
            ])
        planted.append(seed)
        leg.seedTx = seed.hash
        var prev = (hash: seed.hash, index: 0, address: leg.firstAddress, value: leg.withdrawn)
        for (k, hop) in hops.enumerated() {
            let peelAddress = Identifiers.testnetAddress(&rng)
            let next = Identifiers.testnetAddress(&rng)
            leg.peelAddresses.append(peelAddress)
            let t = tx(
                "peel \(k)", start + Int64(k + 1) * 5400,
                [.init(spentTransaction: prev.hash, spentOutput: prev.index, address: prev.address, value: prev.value)],
                [.init(address: peelAddress, value: hop.peel), .init(address: next, value: hop.change)])
            planted.append(t)
            prev = (t.hash, 1, next, hop.change)
        }
        let cleanValue = u
        let funderValue = cleanValue + Int64(rng.int(10_000_000...90_000_000))
        let funder = Identifiers.testnetAddress(&rng)
        let fund = tx(
            "clean funding", start + Int64(hops.count + 1) * 5400 - 1800,
            [
                .init(
                    spentTransaction: Identifiers.txHash("funder \(rng.next())"), spentOutput: 1, address: funder,
                    value: funderValue)
            ],
            [
                .init(address: leg.cleanAddress, value: cleanValue),
                .init(address: funder, value: funderValue - cleanValue - 3_000),
            ])
        planted.append(fund)
        let merge = tx(
            "merge", start + Int64(hops.count + 2) * 5400,
            [
                .init(spentTransaction: prev.hash, spentOutput: prev.index, address: prev.address, value: prev.value),
                .init(spentTransaction: fund.hash, spentOutput: 0, address: leg.cleanAddress, value: cleanValue),
            ],
            [
                .init(address: leg.depositAddress, value: toDeposit),
                .init(address: leg.changeAddress, value: mergeChange),
            ])
        planted.append(merge)
        precondition(merge.fee == mergeFee && prev.value == 3 * u)
        // Background: unrelated payments among other addresses, spending outputs outside the export.
        var all = planted
        for k in 0..<background {
            let time = start - 86400 * 2 + Int64(k) * (86400 * 5) / Int64(max(1, background)) + 7
            let value = Int64(rng.int(100_000...90_000_000))
            let a = Identifiers.testnetAddress(&rng)
            all.append(
                tx(
                    "bg \(k)", time,
                    [
                        .init(
                            spentTransaction: Identifiers.txHash("bg in \(k) \(rng.next())"),
                            spentOutput: rng.int(0...3), address: a, value: value)
                    ],
                    [
                        .init(address: Identifiers.testnetAddress(&rng), value: value * 3 / 5),
                        .init(address: a, value: value * 2 / 5 - 2_000),
                    ]))
        }
        leg.transactions = all.sorted { ($0.block, $0.index, $0.hash) < ($1.block, $1.index, $1.hash) }
        return leg
    }
}
