import EvidenceKit

/// What a sharing policy does with a value. The raw value is the name used in policy files and logs.
package enum PolicyActionName: String, CaseIterable, Sendable, Codable {
    case keep, drop, mask, generalise, pseudonymise
    /// Fields only: run the detectors on the field's text and apply the type rules to what they find.
    case scan
}

/// What a value of a field holds, when an operator needs to know: a personal-data type or a timestamp.
package enum ValueKind: Sendable, Hashable, CustomStringConvertible {
    case personalData(PersonalDataType)
    /// An ISO 8601 date or date-time.
    case time

    /// The name used for `as:` in policy files: a type name or `time`.
    package var description: String {
        switch self {
        case .personalData(let t): t.rawValue
        case .time: "time"
        }
    }

    /// The kind named `name` in a policy file.
    package init?(name: String) {
        if name == "time" {
            self = .time
        } else if let t = PersonalDataType(rawValue: name) {
            self = .personalData(t)
        } else {
            return nil
        }
    }
}

/// How many characters of a value `mask` leaves visible, and what it writes over the others.
///
/// Only letters and digits are counted and masked; separators (spaces, dashes, dots, `@`, `+`) stay where they
/// are, so a masked card still reads as a card. When the value has no more letters and digits than are to be kept,
/// all of them are masked.
package struct MaskRule: Sendable, Hashable {
    package var keepFirst: Int
    package var keepLast: Int
    package var maskCharacter: Character

    package init(keepFirst: Int = 0, keepLast: Int = 4, maskCharacter: Character = "*") {
        self.keepFirst = keepFirst
        self.keepLast = keepLast
        self.maskCharacter = maskCharacter
    }
}

/// The unit a timestamp is truncated to by `generalise`.
package enum TimeGranularity: String, CaseIterable, Sendable, Codable {
    case minute, hour, day, month
}

/// The parameters of `generalise`; only those that apply to the rule's kind are set.
package struct GeneraliseRule: Sendable, Hashable {
    /// IPv4 prefix length kept, 0–32.
    package var ipv4Prefix: Int?
    /// IPv6 prefix length kept, 0–128.
    package var ipv6Prefix: Int?
    package var time: TimeGranularity?

    package init(ipv4Prefix: Int? = nil, ipv6Prefix: Int? = nil, time: TimeGranularity? = nil) {
        self.ipv4Prefix = ipv4Prefix
        self.ipv6Prefix = ipv6Prefix
        self.time = time
    }
}

/// The parameters of `pseudonymise`; `ipScheme` is set only where the rule can meet an IP address.
package struct PseudonymiseRule: Sendable, Hashable {
    package var ipScheme: IPPseudonymScheme?

    package init(ipScheme: IPPseudonymScheme? = nil) { self.ipScheme = ipScheme }
}

/// An action with its parameters.
package enum PolicyAction: Sendable, Hashable {
    case keep
    case drop
    case mask(MaskRule)
    case generalise(GeneraliseRule)
    case pseudonymise(PseudonymiseRule)
    case scan

    package var name: PolicyActionName {
        switch self {
        case .keep: .keep
        case .drop: .drop
        case .mask: .mask
        case .generalise: .generalise
        case .pseudonymise: .pseudonymise
        case .scan: .scan
        }
    }
}

/// The rule for one field of structured input.
package struct FieldRule: Sendable, Hashable {
    package var action: PolicyAction
    /// What the field holds (`as:` in the policy file); `nil` means recognise it from each value.
    package var kind: ValueKind?

    package init(action: PolicyAction, kind: ValueKind? = nil) {
        self.action = action
        self.kind = kind
    }
}

/// Field rules for events of some classification types (IntelMQ's `classification.type`), which replace the
/// policy's `fields` for those events where they name the field.
package struct ClassificationRules: Sendable, Hashable {
    /// Classification types, lower case (`infected-system`, `vulnerable-service`).
    package var types: [String]
    package var fields: [String: FieldRule]

    package init(types: [String], fields: [String: FieldRule]) {
        self.types = types
        self.fields = fields
    }
}

/// What may be shared of each kind of personal data, and of each field of structured input.
///
/// Load one with ``load(path:)``, ``parse(_:format:source:)`` or ``named(_:)`` (`default` is the shipped
/// CSIRT-to-police policy). Every policy is validated strictly when loaded, and identified by ``hash``: SHA-256 of
/// its ``canonicalJSON``, the same for a JSON and a YAML file that say the same thing. The format is described in
/// `docs/sharing-policy.md`.
package struct SharingPolicy: Sendable, Hashable {
    /// The only format version there is.
    package static let formatVersion = 1

    package var name: String
    package var description: String?
    /// The rule for each listed type. Values of a type not listed get ``unlistedTypes``.
    package var types: [PersonalDataType: PolicyAction]
    /// For types the policy does not list (including types added to iproceeds after it was written):
    /// `drop` (the default), `pseudonymise` or `keep`.
    package var unlistedTypes: PolicyAction
    /// Rules by field name: IntelMQ dotted keys (`source.ip`), CSV column names, MISP attribute types. A name
    /// ending in `.*` covers every field below that prefix; the longest matching name wins.
    package var fields: [String: FieldRule]
    /// Field rules by classification: for an event whose `classification.type` is listed, a rule there (its own
    /// or a `.*` one) wins over ``fields``. Whose value a field holds depends on the kind of event: in a phishing
    /// report `source` is the attacker, in an infected-system report the victim.
    package var classifications: [ClassificationRules] = []
    /// For fields not listed: `scan` (the default), `keep` or `drop`.
    package var defaultFieldAction: PolicyAction
    /// Names of people the person detector looks for in free text.
    package var names: [String]

    /// The action for a value of `type` found in text.
    package func action(for type: PersonalDataType) -> PolicyAction {
        types[type] ?? unlistedTypes
    }

    /// The rule for a field: its own, else that of the longest `prefix.*` that covers it, else the default.
    package func rule(forField field: String) -> FieldRule {
        Self.match(field, in: fields)?.rule ?? FieldRule(action: defaultFieldAction)
    }

    /// The rule for a field of an event of `classification` (`classification.type`): the classification's own
    /// rules first, then ``rule(forField:)``.
    package func rule(forField field: String, classification: String?) -> FieldRule {
        ruleAndName(forField: field, classification: classification).rule
    }

    /// The rule and its name as the redaction log gives it: `fields.source.ip`,
    /// `classifications.infected-system.source.ip`, `fields.source.geolocation.*`, or `default_field_action`.
    package func ruleAndName(forField field: String, classification: String?) -> (rule: FieldRule, name: String) {
        if let c = classification?.lowercased(), let entry = classifications.first(where: { $0.types.contains(c) }),
            let m = Self.match(field, in: entry.fields)
        {
            return (m.rule, "classifications.\(c).\(m.pattern)")
        }
        if let m = Self.match(field, in: fields) { return (m.rule, "fields.\(m.pattern)") }
        return (FieldRule(action: defaultFieldAction), "default_field_action")
    }

    private static func match(_ field: String, in rules: [String: FieldRule]) -> (pattern: String, rule: FieldRule)? {
        if let rule = rules[field] { return (field, rule) }
        var best: (length: Int, pattern: String, rule: FieldRule)?
        for (pattern, rule) in rules where pattern.hasSuffix(".*") {
            let prefix = pattern.dropLast(1)  // keeps the dot: "source." covers "source.ip", not "sourceip"
            if field.hasPrefix(prefix), prefix.count > (best?.length ?? -1) { best = (prefix.count, pattern, rule) }
        }
        return best.map { ($0.pattern, $0.rule) }
    }

    /// The types whose values this policy pseudonymises, in name order; when not empty a key is needed.
    package var pseudonymisedTypes: [PersonalDataType] {
        PersonalDataType.allCases.filter {
            if case .pseudonymise = action(for: $0) { true } else { false }
        }
    }

    /// Whether applying the policy needs a pseudonym key: some type or field is pseudonymised.
    package var needsPseudonymKey: Bool {
        if case .pseudonymise = unlistedTypes { return true }
        if types.values.contains(where: { $0.name == .pseudonymise }) { return true }
        if classifications.contains(where: { $0.fields.values.contains { $0.action.name == .pseudonymise } }) {
            return true
        }
        return fields.values.contains { $0.action.name == .pseudonymise }
    }

    /// The policy in canonical JSON (RFC 8785 rules: keys sorted, no white space, minimal escapes), with every
    /// default written out, so that two files meaning the same policy have the same text here.
    package var canonicalJSON: String { PolicyDocument.encode(self).canonical }

    /// The policy as indented JSON with sorted keys, for people to read.
    package var prettyJSON: String { PolicyDocument.encode(self).pretty() }

    /// SHA-256 of ``canonicalJSON``, lowercase hex: the policy's identity in logs and packages.
    package var hash: String { digestHex(.sha256, of: Array(canonicalJSON.utf8)) }
}
