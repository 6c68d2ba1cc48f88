/// The CoinJoin-like shapes address clustering recognises, most specific first. A transaction of one of these
/// shapes has inputs from several owners by design, so its inputs are never merged (docs/clustering.md gives
/// the rules and the literature they come from).
package enum CoinJoinPattern: String, Sendable, CaseIterable {
    /// Samourai Whirlpool mix: 5 inputs, 5 outputs of exactly one pool denomination (0.001, 0.01, 0.05 or 0.5 BTC).
    case whirlpool = "whirlpool-like"
    /// Wasabi Wallet 1 (ZeroLink) round: 10 or more equal outputs of about 0.1 BTC, with change and the
    /// coordinator's fee beside them.
    case wasabi = "wasabi-like"
    /// JoinMarket: n equal outputs and n or n − 1 change outputs (the taker may leave none).
    case joinMarket = "joinmarket-like"
    /// Any other transaction with two or more equal outputs to distinct addresses and inputs from two or more
    /// addresses.
    case equalOutput = "equal-output"
}

/// Tells CoinJoin-like transactions apart from ordinary ones, from their shape alone.
package enum CoinJoinDetector {
    /// Whirlpool's pool denominations in satoshi (0.5, 0.05, 0.01, 0.001 BTC).
    package static let whirlpoolPools: Set<MinorUnits> = [50_000_000, 5_000_000, 1_000_000, 100_000]
    /// Wasabi 1's base denomination moved around 0.1 BTC; this range takes it in.
    package static let wasabiRange: ClosedRange<MinorUnits> = 9_000_000...11_000_000

    /// What the equal outputs of a transaction look like: the value most outputs share and how many distinct
    /// addresses receive it (ties to the larger value).
    package struct EqualOutputs: Sendable, Equatable {
        package var value: MinorUnits
        package var count: Int
    }

    /// The largest group of equal-value outputs (zero values left out), counted by distinct receiving address.
    package static func equalOutputs(_ outputs: [(address: Int32, value: MinorUnits)]) -> EqualOutputs? {
        guard outputs.count >= 2 else { return nil }
        let sorted = outputs.filter { $0.value > 0 }.sorted { ($0.value, $0.address) < ($1.value, $1.address) }
        var best: EqualOutputs?
        var i = 0
        while i < sorted.count {
            var j = i
            var distinct = 0
            var last: Int32 = -1
            while j < sorted.count && sorted[j].value == sorted[i].value {
                if sorted[j].address != last { distinct += 1; last = sorted[j].address }
                j += 1
            }
            if best == nil || distinct > best!.count || (distinct == best!.count && sorted[i].value > best!.value) {
                best = EqualOutputs(value: sorted[i].value, count: distinct)
            }
            i = j
        }
        return best
    }

    /// The CoinJoin-like pattern of a transaction with `inputCount` inputs spent from `distinctInputAddresses`
    /// addresses, or nil for an ordinary transaction.
    /// - Parameters:
    ///   - outputs: every output as (interned address, value).
    package static func pattern(
        inputCount: Int, distinctInputAddresses: Int, outputs: [(address: Int32, value: MinorUnits)]
    ) -> CoinJoinPattern? {
        guard distinctInputAddresses >= 2, let eq = equalOutputs(outputs), eq.count >= 2 else { return nil }
        let n = outputs.count
        if inputCount == 5 && n == 5 && eq.count == 5 && whirlpoolPools.contains(eq.value) { return .whirlpool }
        if eq.count >= 10 && wasabiRange.contains(eq.value) && n > eq.count && inputCount >= eq.count { return .wasabi }
        if inputCount >= eq.count && (n == 2 * eq.count || n == 2 * eq.count - 1) && eq.count >= 3 {
            return .joinMarket
        }
        return .equalOutput
    }
}
