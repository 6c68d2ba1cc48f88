/// The rules that decide between overlapping candidates.
///
/// 1. A candidate inside another (or equal to it) is dropped: the outer span wins, so a phone number inside an
///    IPv4 address, IBAN or card number, or a URL inside an e-mail address, is not reported, and a URL that
///    carries an e-mail address in its query is reported whole.
/// 2. When two candidates overlap without one containing the other, the one of higher ``rank`` wins; the
///    other is dropped.
/// 3. Equal spans: the type of higher rank is reported.
package enum HitPrecedence {
    /// Types from strongest to weakest: structured values with checksums or strict syntax first, phone numbers
    /// and names (the most ambiguous) last.
    package static let order: [PersonalDataType] = [
        .email, .url, .iban, .card, .bitcoinAddress, .ethereumAddress, .jmbg, .turkishID, .albanianID, .ipv6, .ipv4,
        .phone, .person,
    ]

    private static let ranks: [PersonalDataType: Int] = Dictionary(
        uniqueKeysWithValues: order.enumerated().map { ($1, $0) })

    /// 0 for the strongest type.
    package static func rank(_ type: PersonalDataType) -> Int { ranks[type] ?? order.count }

    /// Start ascending, then end descending (longest first), then rank.
    static func scanOrder(_ a: Hit, _ b: Hit) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.end != b.end { return a.end > b.end }
        return rank(a.type) < rank(b.type)
    }
}

/// Applies ``HitPrecedence`` to candidates arriving in scan order, holding back only the last accepted hit, so
/// a stream of any length is resolved in constant memory.
struct HitResolver {
    private var pending: Hit?

    /// Takes the next candidate (in ``HitPrecedence/scanOrder``) and emits each hit once no later candidate can
    /// displace it.
    mutating func add(_ c: Hit, emit: (Hit) throws -> Void) rethrows {
        guard let p = pending else {
            pending = c
            return
        }
        if c.start >= p.end {
            try emit(p)
            pending = c
        } else if c.end <= p.end {
            return
        } else if HitPrecedence.rank(c.type) < HitPrecedence.rank(p.type) {
            pending = c
        }
    }

    /// Emits the last hit held back.
    mutating func finish(emit: (Hit) throws -> Void) rethrows {
        if let p = pending { try emit(p) }
        pending = nil
    }
}
