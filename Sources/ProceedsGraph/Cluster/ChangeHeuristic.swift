/// A change-address heuristic: a guess at which output of a transaction returns to the sender. Each is optional,
/// named, and recorded as the reason for every merge it makes (docs/clustering.md: sources and error rates).
package enum ChangeHeuristic: String, Sendable, CaseIterable, Comparable {
    /// The only output whose address appears for the first time (Meiklejohn et al. 2013, "shadow" addresses).
    case oneTime = "one-time"
    /// The only output whose script type (P2PKH, P2SH, P2WPKH, P2WSH, P2TR) is that of every input.
    case scriptType = "script-type"
    /// Of two outputs, the one that is not a round amount when the other is (a payment is round, change is not).
    case roundAmount = "round-amount"

    package static func < (a: ChangeHeuristic, b: ChangeHeuristic) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The reason a merge by this heuristic is recorded under.
    package var reason: String { "change/" + rawValue }

    /// A round amount: a whole multiple of 0.001 BTC (100,000 satoshi).
    package static let roundUnit: MinorUnits = 100_000

    /// Parses `one-time,script-type,round-amount` (any order, no repeats).
    /// - Throws: ``ProceedsError`` naming an unknown heuristic and the known ones.
    package static func list(_ text: String) throws -> [ChangeHeuristic] {
        var out: [ChangeHeuristic] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() })
        where !part.isEmpty {
            guard let h = ChangeHeuristic(rawValue: part) else {
                throw ProceedsError(
                    .invalidOption,
                    "unknown change heuristic '\(part)': give any of "
                        + allCases.map(\.rawValue).joined(separator: ", ") + ", comma-separated")
            }
            if !out.contains(h) { out.append(h) }
        }
        return out.sorted()
    }
}

/// The script type an address's form shows (Bitcoin mainnet, testnet and regtest forms), or nil when the form
/// does not say (another chain's address, a multisig list, a placeholder).
package enum ScriptType: UInt8, Sendable {
    case p2pkh = 1, p2sh, p2wpkh, p2wsh, p2tr

    package init?(address a: String) {
        var text = a
        guard let t = text.withUTF8({ Self.ascii($0) }) ?? Self.text(a) else { return nil }
        self = t
    }

    /// The script type of an address given as UTF-8 bytes (the same answer as ``init(address:)``).
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        guard let t = Self.ascii(bytes) ?? Self.text(String(decoding: bytes, as: UTF8.self)) else { return nil }
        self = t
    }

    /// The type of an ASCII address from its bytes; `.some(nil)` when the form says none, nil when the address is
    /// not ASCII (then ``text(_:)`` decides: characters, not bytes, are compared there).
    private static func ascii(_ u: UnsafeBufferPointer<UInt8>) -> ScriptType?? {
        guard let first = u.first else { return .some(nil) }
        if u.contains(where: { $0 >= 0x80 }) { return nil }
        func starts(_ p: StaticString) -> Bool {
            let n = p.utf8CodeUnitCount
            return u.count >= n && p.withUTF8Buffer { w in (0..<n).allSatisfy { u[$0] == w[$0] } }
        }
        for hrp: StaticString in ["bc1", "tb1", "bcrt1"] where starts(hrp) {
            let n = hrp.utf8CodeUnitCount
            let rest = u.count - n
            let version = u.count > n ? u[n] : nil
            if version == UInt8(ascii: "q") && rest == 39 { return .p2wpkh }
            if version == UInt8(ascii: "q") && rest == 59 { return .p2wsh }
            if version == UInt8(ascii: "p") { return .p2tr }
            return .some(nil)
        }
        guard !u.contains(UInt8(ascii: "+")) else { return .some(nil) }
        switch first {
        case UInt8(ascii: "1"), UInt8(ascii: "m"), UInt8(ascii: "n"): return .p2pkh
        case UInt8(ascii: "3"), UInt8(ascii: "2"): return .p2sh
        default: return .some(nil)
        }
    }

    private static func text(_ a: String) -> ScriptType? {
        let u = a.utf8
        guard let first = u.first else { return nil }
        for hrp in ["bc1", "tb1", "bcrt1"] where a.hasPrefix(hrp) {
            let rest = u.count - hrp.utf8.count
            let version = u.dropFirst(hrp.utf8.count).first
            // bech32 witness v0: 20-byte program (42 characters on mainnet) or 32-byte (62); v1 (p): taproot.
            if version == UInt8(ascii: "q") && rest == 39 { return .p2wpkh }
            if version == UInt8(ascii: "q") && rest == 59 { return .p2wsh }
            if version == UInt8(ascii: "p") { return .p2tr }
            return nil
        }
        guard !a.contains("+") else { return nil }
        switch first {
        case UInt8(ascii: "1"), UInt8(ascii: "m"), UInt8(ascii: "n"): return .p2pkh
        case UInt8(ascii: "3"), UInt8(ascii: "2"): return .p2sh
        default: return nil
        }
    }
}
