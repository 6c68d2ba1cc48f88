import EvidenceKit
import Foundation
import IProceedsBase

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
package struct SharingRun: InputSink {
    package let policy: SharingPolicy
    package let redactor: Redactor
    let text: TextRedactor
    let detect: (String) -> [Hit]
    /// Stop at the first record that cannot be read (`--strict`) instead of recording it and going on.
    package var strict: Bool
    /// Keep blank lines of text inputs as records (for `share redact`, which writes the text back line for line).
    package var keepBlankLines: Bool

    /// The redacted records, in input order.
    package internal(set) var records: [SharedRecord] = []
    /// Records that could not be read, and fields dropped because their name holds personal data.
    package internal(set) var findings: [InputFinding] = []
    /// Where one value, one treatment overrode a rule: per type, which rules met and which won; never a value.
    /// Not a problem with the input (the run still succeeds), but the sender should know.
    package internal(set) var treatmentNotes: [String] = []
    /// The inputs by the name the package uses and their SHA-256.
    package private(set) var inputs: [(name: String, sha256: String)] = []
    /// The formats the inputs were read as.
    package private(set) var formats: Set<InputFormat> = []
    var counts: [RedactionLog.Count: Int] = [:]
    private var read = 0
    private var droppedByPolicy = 0
    private var malformed = 0
    private var pseudonyms: [PseudonymRecord] = []
    private var pseudonymSet = Set<PseudonymRecord>()
    /// Field names already checked for personal data, and what was found in each.
    private var checkedNames: [String: PersonalDataType?] = [:]
    /// One value, one treatment: the strictest treatment each value got anywhere, where values were kept, and
    /// the kept places of the record being read (committed when it is shared). See ``applyOneTreatment()``.
    var strictest: [ValueKey: StrictTreatment] = [:]
    var keptAt: [ValueKey: [KeptPlace]] = [:]
    var pendingKept: [(key: ValueKey, place: KeptPlace)] = []

    /// - Parameters:
    ///   - key: the pseudonym key; required when the policy pseudonymises anything.
    ///   - detect: the detectors: every hit in a text, as UTF-8 byte offsets (``PersonalDataScanner``'s `scan`
    ///     with the policy's names).
    /// - Throws: ``SharingError`` (`.pseudonymKey`) when the policy needs a key and none is given.
    package init(
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
    package var keyID: String? { redactor.keyID }

    /// Every pseudonym made, with the value it stands for, in the order first made.
    package var pseudonymRecords: [PseudonymRecord] { pseudonyms }

    /// What redaction did, for the package and the summary.
    package var redactionLog: RedactionLog {
        RedactionLog(
            counts: counts.map { k, n in
                var c = k
                c.count = n
                return c
            }.sorted { ($0.type, $0.field, $0.rule, $0.action) < ($1.type, $1.field, $1.rule, $1.action) },
            recordsRead: read, recordsDropped: droppedByPolicy, recordsMalformed: malformed, findings: findings,
            notes: treatmentNotes)
    }

    /// Records that could not be read and were dropped.
    package var malformedRecords: Int { malformed }

    // MARK: Reading

    /// Reads every input in order. Each input's name is its base name with any personal data in it redacted,
    /// made unique (`events.jsonl`, `events.jsonl#2`).
    /// - Throws: ``SharingError`` (`.sharingInput`) when `strict` and a record cannot be read.
    package mutating func read(_ inputs: [SharingInput]) throws {
        for var input in inputs {
            input.name = uniqueName(for: input.name)
            self.inputs.append((input.name, input.sha256))
            formats.insert(input.format)
            try InputReaders.read(input, into: &self)
        }
        applyOneTreatment()
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

    package mutating func reject(_ finding: InputFinding) throws {
        read += 1
        malformed += 1
        findings.append(finding)
        if strict {
            throw SharingError(
                .sharingInput,
                "\(finding)\n(--strict stops at the first record that cannot be read; nothing was written)",
                path: finding.input)
        }
    }

    package mutating func accept(_ record: InputRecord) throws {
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
        pendingKept.removeAll()
        let r = text.redact(line)
        var observables: [SharedObservable] = []
        for replacement in r.replacements {
            note(replacement, field: TextReader.field)
            if let o = observable(replacement) { observables.append(o) }
        }
        commitKept()
        records.append(
            SharedRecord(
                id: record.id, time: Self.leadingTime(r.text), fields: [(TextReader.field, r.text)],
                observables: observables))
    }

    /// A timestamp at the start of a log line (`2026-03-01T10:00:00Z …`, `2026-03-01 10:00:00 …`).
    static func leadingTime(_ line: String) -> String? {
        let tokens = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard let first = tokens.first else { return nil }
        if ISO8601.parse(String(first)) != nil, first.count > 10 { return String(first) }
        if tokens.count > 1 {
            let two = first + " " + tokens[1]
            if ISO8601.parse(String(two)) != nil { return String(two) }
        }
        return nil
    }

    // MARK: Structured records

    private mutating func acceptStructured(_ record: InputRecord) {
        read += 1
        pendingKept.removeAll()
        var fields: [(String, String)] = []
        var observables: [SharedObservable] = []
        // Whose value a field holds depends on the kind of event (see SharingPolicy.classifications).
        let classification = record.value("classification.type")
        for (name, value) in record.fields {
            if let type = personalData(inFieldName: name, record: record) {
                count(type.rawValue, field: "(a field name holding personal data)", rule: "field names", .drop)
                continue
            }
            let (rule, ruleName) = policy.ruleAndName(forField: name, classification: classification)
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
                if case .personalData(let type)? = kind { track(type, value, outcome, field: name, rule: ruleName) }
                if outcome.applied != .keep || Self.isPersonalData(kind) {
                    count(kind?.description ?? "value", field: name, rule: ruleName, outcome.applied)
                }
                output = outcome.output
                // A kept value may carry someone's personal data inside it: a victim's address in the query of a
                // phishing URL. It is redacted there by its own type's rule, and such a value is never an
                // indicator (an indicator goes to the recipient's detection tools whole).
                var carriesPersonalData = false
                if outcome.applied == .keep, let out = output, !out.isEmpty {
                    let isURL = record.kinds[name] == .url || kind == .personalData(.url)
                    if isURL {
                        if let host = Self.addressHost(out) {
                            // Not counted as a value of its own: the URL was.
                            keepPlace(host.type, host.text, field: name, rule: ruleName, counted: false)
                        }
                        let inner = redactInsideURL(out)
                        for replacement in inner.replacements { note(replacement, field: name) }
                        carriesPersonalData = !inner.replacements.isEmpty
                        output = inner.text
                    } else if record.indicatorFields.contains(name) {
                        carriesPersonalData = carriesOtherPersonalData(out, kind: kind)
                    }
                }
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
                                isIndicator: outcome.applied == .keep && record.indicatorFields.contains(name)
                                    && !carriesPersonalData,
                                field: name))
                    }
                }
            }
            if let output, !output.isEmpty { fields.append((name, output)) }
        }
        guard !fields.isEmpty else {
            droppedByPolicy += 1
            pendingKept.removeAll()
            return
        }
        commitKept()
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
                ) { ISO8601.parse($0) != nil },
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

    // MARK: Kept URLs

    /// A URL with the type rules applied to what follows its host (path, query, fragment) and to its user
    /// information, the host and port left as the field's rule kept them. The redactor sees each part with its
    /// percent-encoded and base64 views, so `?email=ana%40example.com` and `?e=YW5hQGV4YW1wbGUuY29t` are found.
    func redactInsideURL(_ url: String) -> RedactedTextResult {
        let u = url.utf8
        guard let colon = u.firstIndex(of: UInt8(ascii: ":")) else { return text.redact(url) }
        var authorityStart = u.index(after: colon)
        if url.utf8[authorityStart...].starts(with: "//".utf8) {
            authorityStart = u.index(authorityStart, offsetBy: 2)
        } else {
            // No authority (`mailto:`, `data:`): everything after the scheme is the value's own.
            let rest = text.redact(String(url[authorityStart...]))
            return RedactedTextResult(text: String(url[..<authorityStart]) + rest.text, replacements: rest.replacements)
        }
        let authorityEnd =
            u[authorityStart...].firstIndex {
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
            }
            ?? u.endIndex
        var out = String(url[..<authorityStart])
        var replacements: [TextReplacement] = []
        let authority = url[authorityStart..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            let userinfo = text.redact(String(authority[..<at]))
            out += userinfo.text + String(authority[at...])
            replacements += userinfo.replacements
        } else {
            out += authority
        }
        if authorityEnd < u.endIndex {
            let rest = text.redact(String(url[authorityEnd...]))
            out += rest.text
            replacements += rest.replacements
        }
        return RedactedTextResult(text: out, replacements: replacements)
    }

    /// Whether the detectors find personal data in `value` other than the value itself (an e-mail address inside
    /// a kept indicator that is not an e-mail address).
    func carriesOtherPersonalData(_ value: String, kind: ValueKind?) -> Bool {
        let length = value.utf8.count
        return detect(value).contains { hit in
            !(hit.start == 0 && hit.end == length && kind == .personalData(hit.type))
        }
    }

    // MARK: Bookkeeping

    private mutating func note(_ r: TextReplacement, field: String) {
        count(r.type.rawValue, field: field, rule: ruleName(forType: r.type), r.outcome.applied)
        remember(r.outcome.record)
        if let value = r.value { track(r.type, value, r.outcome, field: field, rule: ruleName(forType: r.type)) }
    }

    mutating func count(_ type: String, field: String, rule: String, _ action: PolicyActionName) {
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
        policy.ruleAndName(forField: field, classification: nil).name
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
    package static func jsonLines(_ records: [SharedRecord]) -> [UInt8] { PackageContents.jsonl(records) }
}
