import EvidenceKit
import Foundation

/// Reads inputs and applies a sharing policy to every record: field rules to the fields of structured input,
/// type rules to what the detectors find in free text and in `scan` fields. It collects the redacted records with
/// their observables, the redaction log (counts per type, field, rule and action — never a value), the
/// pseudonyms made (for the re-identification vault), and the findings for records that could not be read.
///
/// Nothing read passes through unredacted: a record that cannot be read is dropped, a field whose name holds
/// personal data is dropped, a `raw` field that is base64 of bytes that are not text is dropped, and a value an
/// operator cannot handle is removed (``Redactor``).
///
/// Not `Sendable`: it holds the caller's detection closure and is filled by one thread.
public struct SharingRun: InputSink {
    public let policy: SharingPolicy
    public let redactor: Redactor
    let text: TextRedactor
    let detect: (String) -> [Hit]
    /// Stop at the first record that cannot be read (`--strict`) instead of recording it and going on.
    public var strict: Bool
    /// Keep blank lines of text inputs as records (for `share redact`, which writes the text back line for line).
    public var keepBlankLines: Bool

    /// The redacted records, in input order.
    public private(set) var records: [SharedRecord] = []
    /// Records that could not be read, and fields dropped because their name holds personal data.
    public private(set) var findings: [InputFinding] = []
    /// The inputs by the name the package uses and their SHA-256.
    public private(set) var inputs: [(name: String, sha256: String)] = []
    /// The formats the inputs were read as.
    public private(set) var formats: Set<InputFormat> = []
    private var counts: [RedactionLog.Count: Int] = [:]
    private var read = 0
    private var droppedByPolicy = 0
    private var malformed = 0
    private var pseudonyms: [PseudonymRecord] = []
    private var pseudonymSet = Set<PseudonymRecord>()
    /// Field names already checked for personal data, and what was found in each.
    private var checkedNames: [String: PersonalDataType?] = [:]

    /// - Parameters:
    ///   - key: the pseudonym key; required when the policy pseudonymises anything.
    ///   - detect: the detectors: every hit in a text, as UTF-8 byte offsets (``PersonalDataScanner``'s `scan`
    ///     with the policy's names).
    /// - Throws: ``EvidenceError`` (`.pseudonymKey`) when the policy needs a key and none is given.
    public init(
        policy: SharingPolicy, key: PseudonymKey?, strict: Bool = false, keepBlankLines: Bool = false,
        detect: @escaping (String) -> [Hit]
    ) throws {
        self.policy = policy
        redactor = try Redactor(policy: policy, key: key)
        text = TextRedactor(redactor: redactor, detect: detect)
        self.detect = detect
        self.strict = strict
        self.keepBlankLines = keepBlankLines
    }

    /// The pseudonym key's id, when the policy uses one.
    public var keyID: String? { redactor.keyID }

    /// Every pseudonym made, with the value it stands for, in the order first made.
    public var pseudonymRecords: [PseudonymRecord] { pseudonyms }

    /// What redaction did, for the package and the summary.
    public var redactionLog: RedactionLog {
        RedactionLog(
            counts: counts.map { k, n in
                var c = k
                c.count = n
                return c
            }.sorted { ($0.type, $0.field, $0.rule, $0.action) < ($1.type, $1.field, $1.rule, $1.action) },
            recordsRead: read, recordsDropped: droppedByPolicy, recordsMalformed: malformed, findings: findings)
    }

    /// Records that could not be read and were dropped.
    public var malformedRecords: Int { malformed }

    // MARK: Reading

    /// Reads every input in order. Each input's name is its base name with any personal data in it redacted,
    /// made unique (`events.jsonl`, `events.jsonl#2`).
    /// - Throws: ``EvidenceError`` (`.sharingInput`) when `strict` and a record cannot be read.
    public mutating func read(_ inputs: [SharingInput]) throws {
        for var input in inputs {
            input.name = uniqueName(for: input.name)
            self.inputs.append((input.name, input.sha256))
            formats.insert(input.format)
            try InputReaders.read(input, into: &self)
        }
    }

    private mutating func uniqueName(for base: String) -> String {
        let r = text.redact(base)
        for replacement in r.replacements {
            count(
                replacement.type.rawValue, field: "(input file name)", rule: ruleName(forType: replacement.type),
                replacement.outcome.applied)
            remember(replacement.outcome.record)
        }
        var name = r.text
        var n = 1
        while inputs.contains(where: { $0.name == name }) {
            n += 1
            name = r.text + "#\(n)"
        }
        return name
    }

    public mutating func reject(_ finding: InputFinding) throws {
        read += 1
        malformed += 1
        findings.append(finding)
        if strict {
            throw EvidenceError(
                .sharingInput,
                "\(finding)\n(--strict stops at the first record that cannot be read; nothing was written)",
                path: finding.input)
        }
    }

    public mutating func accept(_ record: InputRecord) throws {
        if record.format == .text {
            acceptText(record)
        } else {
            acceptStructured(record)
        }
    }

    // MARK: Free text

    private mutating func acceptText(_ record: InputRecord) {
        let line = record.fields.first?.value ?? ""
        if line.allSatisfy(\.isWhitespace) {
            if keepBlankLines { records.append(SharedRecord(id: record.id, fields: [(TextReader.field, line)])) }
            return
        }
        read += 1
        let r = text.redact(line)
        var observables: [SharedObservable] = []
        for replacement in r.replacements {
            note(replacement, field: TextReader.field)
            if let o = observable(replacement) { observables.append(o) }
        }
        records.append(
            SharedRecord(
                id: record.id, time: Self.leadingTime(r.text), fields: [(TextReader.field, r.text)],
                observables: observables))
    }

    /// A timestamp at the start of a log line (`2026-03-01T10:00:00Z …`, `2026-03-01 10:00:00 …`).
    static func leadingTime(_ line: String) -> String? {
        let tokens = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard let first = tokens.first else { return nil }
        if PackageTime.parse(String(first)) != nil, first.count > 10 { return String(first) }
        if tokens.count > 1 {
            let two = first + " " + tokens[1]
            if PackageTime.parse(String(two)) != nil { return String(two) }
        }
        return nil
    }

    // MARK: Structured records

    private mutating func acceptStructured(_ record: InputRecord) {
        read += 1
        var fields: [(String, String)] = []
        var observables: [SharedObservable] = []
        for (name, value) in record.fields {
            if let type = personalData(inFieldName: name, record: record) {
                count(type.rawValue, field: "(a field name holding personal data)", rule: "field names", .drop)
                continue
            }
            let rule = policy.rule(forField: name)
            let ruleName = ruleName(forField: name)
            var output: String?
            if case .scan = rule.action {
                let r: RedactedTextResult
                if name == "raw", let decoded = Base64Run.decodeWhole(value) {
                    guard let decoded else {
                        // Base64 of bytes that are not text: nothing can be found in it, so nothing of it goes.
                        count("raw", field: name, rule: ruleName, .drop)
                        continue
                    }
                    let inner = text.redact(decoded)
                    r = RedactedTextResult(
                        text: Data(inner.text.utf8).base64EncodedString(), replacements: inner.replacements)
                } else {
                    r = text.redact(value, label: name)
                }
                // A value the source marks as an indicator (a MISP attribute with to_ids) stays one when scanning
                // found it whole and kept it.
                let wholeValueKept =
                    record.indicatorFields.contains(name) && r.replacements.count == 1 && r.text == value
                    && r.replacements[0].outcome.applied == .keep
                for replacement in r.replacements {
                    note(replacement, field: name)
                    if var o = observable(replacement, field: name) {
                        o.isIndicator = wholeValueKept
                        observables.append(o)
                    }
                }
                // A value of a kind the detectors do not look for (a domain, a file digest or name) that the source
                // types.
                if r.replacements.isEmpty, r.text == value, !value.isEmpty, let kind = record.kinds[name],
                    kind == .domain || kind.isFile
                {
                    observables.append(
                        SharedObservable(
                            kind: kind, value: value, isIndicator: record.indicatorFields.contains(name), field: name))
                }
                output = r.text
            } else {
                let hint = record.kinds[name].flatMap(Self.personalDataType).map(ValueKind.personalData)
                let outcome = redactor.apply(rule.action, to: value, kind: rule.kind ?? hint)
                remember(outcome.record)
                let kind = outcome.kind ?? hint ?? ValueKind.recognise(value)
                if outcome.applied != .keep || Self.isPersonalData(kind) {
                    count(kind?.description ?? "value", field: name, rule: ruleName, outcome.applied)
                }
                output = outcome.output
                if let out = output, !out.isEmpty {
                    let observed: ObservableKind?
                    switch outcome.applied {
                    case .keep: observed = record.kinds[name] ?? kind.flatMap(Self.observableKind)
                    case .pseudonymise: observed = kind.flatMap(Self.observableKind)
                    case .generalise: observed = kind == .personalData(.url) ? .url : nil
                    default: observed = nil
                    }
                    if let observed {
                        observables.append(
                            SharedObservable(
                                kind: observed, value: out, pseudonymised: outcome.applied == .pseudonymise,
                                isIndicator: outcome.applied == .keep && record.indicatorFields.contains(name),
                                field: name))
                    }
                }
            }
            if let output, !output.isEmpty { fields.append((name, output)) }
        }
        guard !fields.isEmpty else {
            droppedByPolicy += 1
            return
        }
        func first(_ names: [String], _ accept: (String) -> Bool = { _ in true }) -> String? {
            for n in names {
                if let v = fields.first(where: { $0.0 == n })?.1, accept(v) { return v }
            }
            return nil
        }
        records.append(
            SharedRecord(
                id: record.id,
                time: first(
                    [
                        "time.source", "time.observation", "attribute.timestamp", "event.date", "timestamp", "time",
                        "date",
                    ]
                ) { PackageTime.parse($0) != nil },
                category: first(["classification.type", "attribute.category", "category"]),
                description: first(["event_description.text", "event.info", "description"]),
                fields: fields, observables: observables))
    }

    /// The type of personal data a field name holds, if any; a name is checked once, and the finding recorded
    /// once, where it is first met. Such a field is dropped with its value: the name would leave in every record,
    /// log line and comment. (A CSV without a header row shows this way.)
    private mutating func personalData(inFieldName name: String, record: InputRecord) -> PersonalDataType? {
        if let known = checkedNames[name] { return known }
        let type = detect(name).first?.type
        checkedNames[name] = type
        if let type {
            findings.append(
                InputFinding(
                    input: record.input, line: record.line,
                    reason: "a field name holds personal data (\(type.rawValue)); that field is dropped from every "
                        + "record (is the first row of a CSV file data rather than a header?)"))
        }
        return type
    }

    // MARK: Bookkeeping

    private mutating func note(_ r: TextReplacement, field: String) {
        count(r.type.rawValue, field: field, rule: ruleName(forType: r.type), r.outcome.applied)
        remember(r.outcome.record)
    }

    private mutating func count(_ type: String, field: String, rule: String, _ action: PolicyActionName) {
        counts[
            RedactionLog.Count(type: type, field: field, rule: rule, action: action.rawValue, count: 0), default: 0] +=
            1
    }

    private mutating func remember(_ record: PseudonymRecord?) {
        guard let record, pseudonymSet.insert(record).inserted else { return }
        pseudonyms.append(record)
    }

    /// The observable for a value found in text: what was kept, pseudonymised, or a URL cut to its origin;
    /// never an indicator (a detector cannot tell an attacker's value from a victim's).
    private func observable(_ r: TextReplacement, field: String = TextReader.field) -> SharedObservable? {
        guard let out = r.outcome.output, !out.isEmpty else { return nil }
        switch r.outcome.applied {
        case .keep, .pseudonymise:
            return SharedObservable(
                kind: ObservableKind(r.type), value: out, pseudonymised: r.outcome.applied == .pseudonymise,
                field: field)
        case .generalise where r.type == .url:
            return SharedObservable(kind: .url, value: out, field: field)
        default:
            return nil
        }
    }

    /// The policy rule's name as the redaction log gives it: `fields.source.ip`, `fields.source.geolocation.*`,
    /// or `default_field_action`.
    func ruleName(forField field: String) -> String {
        if policy.fields[field] != nil { return "fields." + field }
        var best: String?
        for pattern in policy.fields.keys where pattern.hasSuffix(".*") {
            if field.hasPrefix(pattern.dropLast(1)), pattern.count > (best?.count ?? 0) { best = pattern }
        }
        return best.map { "fields." + $0 } ?? "default_field_action"
    }

    /// `types.email`, or `unlisted_types`.
    func ruleName(forType type: PersonalDataType) -> String {
        policy.types[type] != nil ? "types." + type.rawValue : "unlisted_types"
    }

    static func isPersonalData(_ kind: ValueKind?) -> Bool {
        if case .personalData? = kind { return true }
        return false
    }

    static func observableKind(_ kind: ValueKind) -> ObservableKind? {
        if case .personalData(let t) = kind { return ObservableKind(t) }
        return nil
    }

    static func personalDataType(_ kind: ObservableKind) -> PersonalDataType? {
        PersonalDataType(rawValue: kind.rawValue)
    }
}

extension SharedRecord {
    /// Records as JSON Lines, exactly as `records/records.jsonl` in a package holds them.
    public static func jsonLines(_ records: [SharedRecord]) -> [UInt8] { PackageContents.jsonl(records) }
}
