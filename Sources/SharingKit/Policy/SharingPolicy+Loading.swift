import EvidenceKit
import Foundation

extension SharingPolicy {
    /// The syntax of a policy file.
    package enum FileFormat: String, Sendable {
        case json, yaml
    }

    /// The shipped CSIRT-to-police policy (`--policy default`); the same text as `Samples/policies/default.yaml`.
    package static let shippedDefault: SharingPolicy = {
        // The shipped text is checked by the test suite; failing to parse it is a build defect.
        try! parse(Array(DefaultPolicy.yaml.utf8), format: .yaml, source: "the shipped default policy")
    }()

    /// The policy a `--policy` argument names: `default` for ``shippedDefault``, otherwise a file path (write
    /// `./default` for a file of that name).
    /// - Throws: ``SharingError`` (`.policy`) when the file is missing, unreadable or invalid.
    package static func named(_ argument: String) throws -> SharingPolicy {
        argument == "default" ? shippedDefault : try load(path: argument)
    }

    /// Reads a policy file: JSON when it ends in `.json`, YAML when in `.yaml` or `.yml`, otherwise JSON when its
    /// first non-blank character is `{` and YAML when not.
    /// - Throws: ``SharingError``: `.policyUnreadable` when the file does not exist or cannot be read, `.policy`
    ///   when it is invalid.
    package static func load(path: String) throws -> SharingPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SharingError(
                .policyUnreadable, exists ? "cannot read policy file \(path)" : "policy file \(path) does not exist",
                path: path, systemCode: exists ? EACCES : ENOENT)
        }
        let lower = path.lowercased()
        let format: FileFormat? =
            lower.hasSuffix(".json") ? .json : (lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")) ? .yaml : nil
        return try parse(Array(data), format: format, source: path)
    }

    /// Parses and validates policy text.
    /// - Parameters:
    ///   - format: the syntax; `nil` to decide by the first non-blank character (`{` for JSON).
    ///   - source: the file name or description used in error messages.
    /// - Throws: ``SharingError`` (`.policy`) listing every problem found, each with its key path
    ///   (`types.card.keep_last`) and what is allowed there.
    package static func parse(_ bytes: [UInt8], format: FileFormat?, source: String) throws -> SharingPolicy {
        let syntax =
            format
            ?? (bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{")
                ? .json : .yaml)
        let document: PolicyDocument
        switch syntax {
        case .json:
            document = try PolicyDocument.parseJSON(bytes, source: source)
        case .yaml:
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw SharingError(.policy, "\(source) is not UTF-8 text", path: source)
            }
            document = try PolicyDocument.parseYAML(text, source: source)
        }
        var validator = PolicyValidator()
        let policy = validator.policy(document)
        guard let policy, validator.problems.isEmpty else {
            let list = validator.problems.map { "  - " + $0 }.joined(separator: "\n")
            throw SharingError(
                .policy,
                "policy \(source) is invalid (\(validator.problems.count) problem"
                    + "\(validator.problems.count == 1 ? "" : "s")):\n" + list, path: source)
        }
        return policy
    }
}

/// The allowed vocabulary, in one place, so that error messages and the docs list the same words.
enum PolicyVocabulary {
    static let topLevelKeys = [
        "version", "name", "description", "types", "fields", "classifications", "unlisted_types",
        "default_field_action", "names",
    ]
    static let generalisable: Set<PersonalDataType> = [.ipv4, .ipv6, .email, .url, .phone]

    /// The actions allowed for values of `kind` (`nil`: a field recognised value by value).
    static func actions(for kind: ValueKind?, field: Bool) -> [PolicyActionName] {
        switch kind {
        case nil: [.keep, .drop, .mask, .generalise, .pseudonymise, .scan]
        case .time: [.keep, .drop, .generalise]
        case .personalData(let t):
            generalisable.contains(t)
                ? [.keep, .drop, .mask, .generalise, .pseudonymise]
                : [.keep, .drop, .mask, .pseudonymise]
        }
    }

    /// The parameter names allowed with `action` on `kind`.
    static func parameters(_ action: PolicyActionName, kind: ValueKind?) -> [String] {
        switch (action, kind) {
        case (.mask, _): ["keep_first", "keep_last", "mask_char"]
        case (.generalise, nil): ["prefix", "prefix_v6", "to"]
        case (.generalise, .personalData(.ipv4)): ["prefix"]
        case (.generalise, .personalData(.ipv6)): ["prefix_v6"]
        case (.generalise, .time): ["to"]
        case (.pseudonymise, nil), (.pseudonymise, .personalData(.ipv4)), (.pseudonymise, .personalData(.ipv6)):
            ["scheme"]
        default: []
        }
    }
}

/// Turns a parsed document into a policy, collecting every problem rather than stopping at the first.
private struct PolicyValidator {
    var problems: [String] = []

    mutating func problem(_ path: String, _ message: String) { problems.append("\(path): \(message)") }

    private static func list(_ words: [String]) -> String { words.joined(separator: ", ") }

    mutating func policy(_ document: PolicyDocument) -> SharingPolicy? {
        guard case .object(let top) = document else {
            problem("(top)", "a policy is a mapping with keys \(Self.list(PolicyVocabulary.topLevelKeys))")
            return nil
        }
        for key in top.keys.sorted() where !PolicyVocabulary.topLevelKeys.contains(key) {
            problem(key, "unknown key; allowed: \(Self.list(PolicyVocabulary.topLevelKeys))")
        }
        switch top["version"] {
        case .int(SharingPolicy.formatVersion): break
        case nil: problem("version", "missing; write `version: 1`")
        case .int(let v)?: problem("version", "\(v) is not supported; this iproceeds reads version 1")
        case let v?: problem("version", "must be the integer 1, not \(v.typeName)")
        }
        var name = ""
        switch top["name"] {
        case .string(let s)? where !s.trimmingCharacters(in: .whitespaces).isEmpty: name = s
        case nil: problem("name", "missing; give the policy a name, which logs record with its hash")
        default: problem("name", "must be a non-empty string")
        }
        var description: String?
        switch top["description"] {
        case nil, .null?: break
        case .string(let s)?: description = s
        case let v?: problem("description", "must be a string, not \(v.typeName)")
        }

        var types = [PersonalDataType: PolicyAction]()
        switch top["types"] {
        case nil, .null?: break
        case .object(let o)?:
            for (key, value) in o.sorted(by: { $0.key < $1.key }) {
                guard let type = PersonalDataType(rawValue: key) else {
                    problem(
                        "types.\(key)",
                        "unknown type; known types: \(Self.list(PersonalDataType.allCases.map(\.rawValue)))")
                    continue
                }
                if let rule = rule(value, path: "types.\(key)", kind: .personalData(type), field: false) {
                    types[type] = rule.action
                }
            }
        case let v?: problem("types", "must be a mapping from type names to rules, not \(v.typeName)")
        }

        var fields = [String: FieldRule]()
        switch top["fields"] {
        case nil, .null?: break
        case .object(let o)?: fields = fieldRules(o, path: "fields")
        case let v?: problem("fields", "must be a mapping from field names to rules, not \(v.typeName)")
        }

        var classifications = [ClassificationRules]()
        switch top["classifications"] {
        case nil, .null?: break
        case .array(let list)?:
            var seen = Set<String>()
            for (i, entry) in list.enumerated() {
                let path = "classifications[\(i)]"
                guard case .object(let e) = entry else {
                    problem(path, "must be a mapping with `types` (a list of classification types) and `fields`")
                    continue
                }
                for key in e.keys.sorted() where key != "types" && key != "fields" {
                    problem("\(path).\(key)", "unknown key; allowed: types, fields")
                }
                var types = [String]()
                if case .array(let t)? = e["types"], !t.isEmpty {
                    for (j, v) in t.enumerated() {
                        if case .string(let name) = v, !name.trimmingCharacters(in: .whitespaces).isEmpty {
                            let lower = name.trimmingCharacters(in: .whitespaces).lowercased()
                            if !seen.insert(lower).inserted {
                                problem("\(path).types[\(j)]", "'\(lower)' is given in two entries")
                            }
                            types.append(lower)
                        } else {
                            problem("\(path).types[\(j)]", "must be a classification type name")
                        }
                    }
                } else {
                    problem("\(path).types", "missing or empty; list the classification.type values it is for")
                }
                guard case .object(let f)? = e["fields"] else {
                    problem("\(path).fields", "missing; a mapping from field names to rules")
                    continue
                }
                classifications.append(
                    ClassificationRules(types: types, fields: fieldRules(f, path: "\(path).fields")))
            }
        case let v?: problem("classifications", "must be a list of {types, fields}, not \(v.typeName)")
        }

        let unlisted = simpleAction(
            top["unlisted_types"], path: "unlisted_types", allowed: [.drop, .pseudonymise, .keep])
        let defaultField = simpleAction(
            top["default_field_action"], path: "default_field_action", allowed: [.scan, .drop, .keep])

        var names = [String]()
        switch top["names"] {
        case nil, .null?: break
        case .array(let a)?:
            for (i, v) in a.enumerated() {
                if case .string(let s) = v, !s.trimmingCharacters(in: .whitespaces).isEmpty {
                    names.append(s.trimmingCharacters(in: .whitespaces))
                } else {
                    problem("names[\(i)]", "must be a non-empty string")
                }
            }
        case let v?: problem("names", "must be a list of names, not \(v.typeName)")
        }

        guard problems.isEmpty else { return nil }
        return SharingPolicy(
            name: name, description: description, types: types, unlistedTypes: unlisted ?? .drop, fields: fields,
            classifications: classifications, defaultFieldAction: defaultField ?? .scan,
            names: Array(Set(names)).sorted())
    }

    /// Field rules under `path` (`fields`, `classifications[0].fields`).
    mutating func fieldRules(_ o: [String: PolicyDocument], path prefix: String) -> [String: FieldRule] {
        var fields = [String: FieldRule]()
        for (key, value) in o.sorted(by: { $0.key < $1.key }) {
            let path = "\(prefix).\(key)"
            if key.isEmpty {
                problem(prefix, "a field name is empty")
                continue
            }
            if key.dropLast(key.hasSuffix(".*") ? 2 : 0).contains("*") || key == "*" {
                problem(
                    path,
                    "`*` is allowed only as a final `.*` (as in `source.*`); use default_field_action for all fields"
                )
                continue
            }
            if let rule = rule(value, path: path, kind: nil, field: true) { fields[key] = rule }
        }
        return fields
    }

    /// `unlisted_types` and `default_field_action`: a bare action name, no parameters.
    mutating func simpleAction(_ value: PolicyDocument?, path: String, allowed: [PolicyActionName]) -> PolicyAction? {
        guard let value, value != .null else { return nil }
        let words = Self.list(allowed.map(\.rawValue))
        guard case .string(let s) = value else {
            problem(path, "must be one of \(words), not \(value.typeName)")
            return nil
        }
        guard let name = PolicyActionName(rawValue: s), allowed.contains(name) else {
            problem(path, "unknown action '\(s)'; allowed: \(words)")
            return nil
        }
        switch name {
        case .keep: return .keep
        case .drop: return .drop
        case .scan: return .scan
        case .pseudonymise: return .pseudonymise(PseudonymiseRule(ipScheme: .reserved))
        case .mask, .generalise: return nil
        }
    }

    /// One rule: an action name alone (`email: pseudonymise`) or a mapping with `action`, its parameters and,
    /// for fields, `as`.
    mutating func rule(_ value: PolicyDocument, path: String, kind typeKind: ValueKind?, field: Bool) -> FieldRule? {
        var object: [String: PolicyDocument]
        switch value {
        case .string(let s): object = ["action": .string(s)]
        case .object(let o): object = o
        default:
            problem(path, "a rule is an action name or a mapping with `action`, not \(value.typeName)")
            return nil
        }
        var kind = typeKind
        if let asValue = object.removeValue(forKey: "as") {
            guard field else {
                problem("\(path).as", "only field rules take `as`; a type rule's kind is its type")
                return nil
            }
            guard case .string(let s) = asValue, let k = ValueKind(name: s) else {
                problem(
                    "\(path).as",
                    "unknown kind; allowed: \(Self.list(PersonalDataType.allCases.map(\.rawValue) + ["time"]))")
                return nil
            }
            kind = k
        }
        let kindName = kind.map { "\($0)" } ?? "a field"
        let allowedActions = PolicyVocabulary.actions(for: kind, field: field).filter { field || $0 != .scan }
        guard case .string(let actionText)? = object.removeValue(forKey: "action") else {
            problem(
                "\(path).action",
                "missing or not a string; allowed for \(kindName): \(Self.list(allowedActions.map(\.rawValue)))")
            return nil
        }
        guard let action = PolicyActionName(rawValue: actionText) else {
            let hint =
                actionText == "generalize" || actionText == "pseudonymize" ? " (iproceeds spells it with -ise)" : ""
            problem(
                "\(path).action",
                "unknown action '\(actionText)'\(hint); allowed for \(kindName): \(Self.list(allowedActions.map(\.rawValue)))"
            )
            return nil
        }
        if action == .scan && field && kind != nil {
            problem("\(path).as", "scan finds the kinds itself; remove `as`")
            return nil
        }
        guard allowedActions.contains(action) else {
            let why =
                action == .scan && !field
                ? "scan applies to fields only" : "\(action.rawValue) is not defined for \(kindName)"
            problem("\(path).action", "\(why); allowed: \(Self.list(allowedActions.map(\.rawValue)))")
            return nil
        }
        let allowedParameters = PolicyVocabulary.parameters(action, kind: kind)
        var ok = true
        for key in object.keys.sorted() where !allowedParameters.contains(key) {
            let allowed = allowedParameters.isEmpty ? "none" : Self.list(allowedParameters)
            problem("\(path).\(key)", "unknown parameter for \(action.rawValue) on \(kindName); allowed: \(allowed)")
            ok = false
        }
        guard ok else { return nil }

        func integer(_ key: String, default d: Int, range: ClosedRange<Int>) -> Int? {
            guard let v = object[key] else { return d }
            guard case .int(let i) = v else {
                problem(
                    "\(path).\(key)",
                    "must be an integer in \(range.lowerBound)...\(range.upperBound), not \(v.typeName)")
                return nil
            }
            guard range.contains(i) else {
                problem("\(path).\(key)", "\(i) is out of range; allowed \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            return i
        }
        func word<W: RawRepresentable & CaseIterable>(_ key: String, default d: W) -> W? where W.RawValue == String {
            guard let v = object[key] else { return d }
            let words = Self.list(W.allCases.map(\.rawValue))
            guard case .string(let s) = v, let w = W(rawValue: s) else {
                problem("\(path).\(key)", "must be one of \(words)")
                return nil
            }
            return w
        }

        let result: PolicyAction
        switch action {
        case .keep: result = .keep
        case .drop: result = .drop
        case .scan: result = .scan
        case .mask:
            guard let first = integer("keep_first", default: 0, range: 0...64),
                let last = integer("keep_last", default: 4, range: 0...64)
            else { return nil }
            var character: Character = "*"
            if let v = object["mask_char"] {
                guard case .string(let s) = v, s.count == 1, let c = s.first, !c.isWhitespace,
                    !c.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                else {
                    problem("\(path).mask_char", "must be one visible character, such as \"*\" or \"X\"")
                    return nil
                }
                character = c
            }
            result = .mask(MaskRule(keepFirst: first, keepLast: last, maskCharacter: character))
        case .generalise:
            var rule = GeneraliseRule()
            if allowedParameters.contains("prefix") {
                guard let p = integer("prefix", default: 24, range: 0...32) else { return nil }
                rule.ipv4Prefix = p
            }
            if allowedParameters.contains("prefix_v6") {
                guard let p = integer("prefix_v6", default: 48, range: 0...128) else { return nil }
                rule.ipv6Prefix = p
            }
            if allowedParameters.contains("to") {
                guard let t = word("to", default: TimeGranularity.hour) else { return nil }
                rule.time = t
            }
            result = .generalise(rule)
        case .pseudonymise:
            var rule = PseudonymiseRule()
            if allowedParameters.contains("scheme") {
                guard let s = word("scheme", default: IPPseudonymScheme.reserved) else { return nil }
                rule.ipScheme = s
            }
            result = .pseudonymise(rule)
        }
        return FieldRule(action: result, kind: field ? kind : nil)
    }
}

extension PolicyDocument {
    /// The normal form of a policy: every key, every default written out, names sorted.
    static func encode(_ policy: SharingPolicy) -> PolicyDocument {
        var top: [String: PolicyDocument] = [
            "version": .int(SharingPolicy.formatVersion),
            "name": .string(policy.name),
            "types": .object(
                Dictionary(uniqueKeysWithValues: policy.types.map { ($0.key.rawValue, encode($0.value, kind: nil)) })),
            "fields": .object(policy.fields.mapValues { encode($0.action, kind: $0.kind) }),
            "unlisted_types": .string(policy.unlistedTypes.name.rawValue),
            "default_field_action": .string(policy.defaultFieldAction.name.rawValue),
            "names": .array(policy.names.map { .string($0) }),
        ]
        if let d = policy.description { top["description"] = .string(d) }
        // Only when there are any: a policy without them keeps the hash it had before they existed.
        if !policy.classifications.isEmpty {
            top["classifications"] = .array(
                policy.classifications.map { c in
                    .object([
                        "types": .array(c.types.map { .string($0) }),
                        "fields": .object(c.fields.mapValues { encode($0.action, kind: $0.kind) }),
                    ])
                })
        }
        return .object(top)
    }

    private static func encode(_ action: PolicyAction, kind: ValueKind?) -> PolicyDocument {
        var o: [String: PolicyDocument] = ["action": .string(action.name.rawValue)]
        if let kind { o["as"] = .string("\(kind)") }
        switch action {
        case .keep, .drop, .scan: break
        case .mask(let m):
            o["keep_first"] = .int(m.keepFirst)
            o["keep_last"] = .int(m.keepLast)
            o["mask_char"] = .string(String(m.maskCharacter))
        case .generalise(let g):
            if let p = g.ipv4Prefix { o["prefix"] = .int(p) }
            if let p = g.ipv6Prefix { o["prefix_v6"] = .int(p) }
            if let t = g.time { o["to"] = .string(t.rawValue) }
        case .pseudonymise(let p):
            if let s = p.ipScheme { o["scheme"] = .string(s.rawValue) }
        }
        return .object(o)
    }
}
