import EvidenceKit

/// What became of one value under a policy.
package struct ValueOutcome: Sendable, Hashable {
    /// What the value was taken to be: its detected type, a field's `as`, or what was recognised from the text;
    /// `nil` when nothing was needed or nothing was recognised.
    package var kind: ValueKind?
    /// The action the policy asked for.
    package var requested: PolicyActionName
    /// The action carried out. `drop` where the requested one could not be applied (an address that does not
    /// parse, a field value of no recognisable kind): a value is removed rather than passed on unchanged.
    package var applied: PolicyActionName
    /// The replacement; `nil` when the value is removed.
    package var output: String?
    /// The pseudonym and its original, for the re-identification vault, when one was made.
    package var record: PseudonymRecord?
}

/// One detector hit in a text and what replaced it.
package struct Replacement: Sendable, Hashable {
    package var hit: Hit
    package var outcome: ValueOutcome
    /// The text written in place of the hit: the outcome's output, or `[REDACTED:type]` for a removed value.
    package var text: String
}

/// A text with the policy applied to its hits.
package struct RedactedText: Sendable, Hashable {
    package var text: String
    /// In text order. Hits that overlap an earlier, longer one are covered by it and not listed.
    package var replacements: [Replacement]

    /// Every pseudonym made, for the vault.
    package var records: [PseudonymRecord] { replacements.compactMap(\.outcome.record) }
}

/// One field of structured input with the policy applied.
package struct FieldOutcome: Sendable, Hashable {
    package var field: String
    /// The rule that applied (the field's own, a `prefix.*` one, or the default).
    package var rule: FieldRule
    /// The field's new value; `nil` when the field is removed (for a CSV column: an empty cell).
    package var output: String?
    /// The outcome for the whole value, or for each hit when the rule is `scan`.
    package var outcomes: [ValueOutcome]

    /// Every pseudonym made, for the vault.
    package var records: [PseudonymRecord] { outcomes.compactMap(\.record) }
}

/// Applies a ``SharingPolicy`` to values, texts with detector hits, and fields of structured input.
///
/// Operators never fail open: a value an operator cannot handle is removed, and the outcome says so.
package struct Redactor: Sendable {
    package let policy: SharingPolicy
    private let pseudonymiser: Pseudonymiser?

    /// - Parameters:
    ///   - key: the pseudonym key; required when the policy pseudonymises anything.
    /// - Throws: ``SharingError`` (`.pseudonymKey`) when the policy needs a key and none is given.
    package init(policy: SharingPolicy, key: PseudonymKey?) throws {
        if policy.needsPseudonymKey && key == nil {
            let types = policy.pseudonymisedTypes.map(\.rawValue)
            let what = types.isEmpty ? "some fields" : types.joined(separator: ", ")
            throw SharingError(
                .pseudonymKey,
                "policy '\(policy.name)' pseudonymises \(what), which needs a key file: give --key-file FILE "
                    + "(make one once with `iproceeds share keygen --output FILE` and keep it)")
        }
        self.policy = policy
        self.pseudonymiser = key.map(Pseudonymiser.init(key:))
    }

    /// The id of the pseudonym key, to record with the output; `nil` when the policy uses none.
    package var keyID: String? { pseudonymiser?.keyID }

    /// The policy's rule for `type` applied to one value.
    ///
    /// A URL generalised to its origin keeps its host, which is the indicator when it is a name; when the host is an
    /// IP address, the origin would hand the address on in clear although the address type's own rule removes it
    /// everywhere else. The host then gets the address type's treatment (`http://[pseudonym]/`), and the same
    /// pseudonym the address gets wherever else it is found.
    package func transform(_ value: String, type: PersonalDataType) -> ValueOutcome {
        var outcome = apply(policy.action(for: type), to: value, kind: .personalData(type))
        guard type == .url, outcome.applied == .generalise, let origin = outcome.output,
            let host = Self.addressHost(ofOrigin: origin)
        else { return outcome }
        let inner = apply(policy.action(for: host.type), to: host.text, kind: .personalData(host.type))
        guard inner.applied != .keep else { return outcome }
        var replacement = inner.output ?? "[REDACTED:\(host.type.rawValue)]"
        if host.type == .ipv6, inner.output != nil { replacement = "[" + replacement + "]" }
        outcome.output = origin.replacingCharacters(in: host.range, with: replacement)
        outcome.record = inner.record
        return outcome
    }

    /// The host of a generalised URL (`scheme://host[:port]/`) when it is an IPv4 or a bracketed IPv6 address.
    static func addressHost(ofOrigin origin: String) -> (
        type: PersonalDataType, text: String, range: Range<String.Index>
    )? {
        let start = origin.range(of: "://")?.upperBound ?? origin.startIndex
        let authority = origin[start...].prefix { $0 != "/" }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let inner = authority.index(after: authority.startIndex)..<close
            let text = String(origin[inner])
            guard IPAddressText.ipv6(text) != nil else { return nil }
            return (.ipv6, text, authority.startIndex..<authority.index(after: close))
        }
        let host = authority.prefix { $0 != ":" }
        guard !host.isEmpty, IPAddressText.ipv4(String(host)) != nil else { return nil }
        return (.ipv4, String(host), host.startIndex..<host.endIndex)
    }

    /// One action applied to one value.
    /// - Parameters:
    ///   - kind: what the value is; `nil` to recognise it from the text where the action needs to know.
    package func apply(_ action: PolicyAction, to value: String, kind: ValueKind?) -> ValueOutcome {
        var outcome = ValueOutcome(kind: kind, requested: action.name, applied: action.name, output: nil, record: nil)
        func removed() -> ValueOutcome {
            outcome.applied = .drop
            outcome.output = nil
            return outcome
        }
        switch action {
        case .keep:
            outcome.output = value
        case .drop:
            break
        case .scan:
            preconditionFailure("scan runs the detectors; use redactField")
        case .mask(let rule):
            outcome.output = Masking.mask(value, rule)
        case .generalise(let rule):
            guard let k = Self.resolve(kind, value) else { return removed() }
            outcome.kind = k
            guard let out = Generalisation.generalise(value, kind: k, rule: rule) else { return removed() }
            outcome.output = out
        case .pseudonymise(let rule):
            guard let k = Self.resolve(kind, value), case .personalData(let type) = k, let pseudonymiser,
                let out = pseudonymiser.pseudonym(value, type: type, ipScheme: rule.ipScheme ?? .reserved)
            else { return removed() }
            outcome.kind = k
            outcome.output = out
            outcome.record = PseudonymRecord(pseudonym: out, type: type, value: value)
        }
        return outcome
    }

    /// The kind to operate as: the given one, except that an IP address is taken as the family it is written in
    /// (an IntelMQ `source.ip` holds either); recognised from the text when none is given.
    private static func resolve(_ kind: ValueKind?, _ value: String) -> ValueKind? {
        switch kind {
        case nil, .personalData(.ipv4)?, .personalData(.ipv6)?:
            let recognised = ValueKind.recognise(value)
            if kind == nil { return recognised }
            if recognised == .personalData(.ipv4) || recognised == .personalData(.ipv6) { return recognised }
            return kind
        default:
            return kind
        }
    }

    /// The type rules applied to every hit in `text`. Offsets are UTF-8 byte offsets, as detectors report them.
    /// Where hits overlap, the one that starts first (the longer, on a tie) wins and covers the others.
    package func redact(_ text: String, hits: [Hit]) -> RedactedText {
        let bytes = Array(text.utf8)
        let ordered = hits.sorted { ($0.start, -$0.end) < ($1.start, -$1.end) }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var replacements: [Replacement] = []
        var cursor = 0
        for hit in ordered {
            precondition(0 <= hit.start && hit.start < hit.end && hit.end <= bytes.count, "hit outside its text")
            guard hit.start >= cursor else { continue }
            out.append(contentsOf: bytes[cursor..<hit.start])
            let value = String(decoding: bytes[hit.start..<hit.end], as: UTF8.self)
            let outcome = transform(value, type: hit.type)
            let written = outcome.output ?? "[REDACTED:\(hit.type.rawValue)]"
            out.append(contentsOf: Array(written.utf8))
            replacements.append(Replacement(hit: hit, outcome: outcome, text: written))
            cursor = hit.end
        }
        out.append(contentsOf: bytes[cursor...])
        return RedactedText(text: String(decoding: out, as: UTF8.self), replacements: replacements)
    }

    /// The policy applied to one field of structured input.
    /// - Parameters:
    ///   - detect: the detectors, run on the value when the field's rule is `scan`.
    package func redactField(_ field: String, value: String, detect: (String) throws -> [Hit]) rethrows -> FieldOutcome
    {
        let rule = policy.rule(forField: field)
        if case .scan = rule.action {
            let redacted = redact(value, hits: try detect(value))
            return FieldOutcome(
                field: field, rule: rule, output: redacted.text, outcomes: redacted.replacements.map(\.outcome))
        }
        let outcome = apply(rule.action, to: value, kind: rule.kind)
        return FieldOutcome(field: field, rule: rule, output: outcome.output, outcomes: [outcome])
    }
}
