/// One value, one treatment within a package.
///
/// Rules are per field and per type, so the same value can be kept in one place and pseudonymised in another:
/// `source.ip` kept in one event, the same address pseudonymised in another event's `destination.ip` or found in
/// its `extra.*` text; a kept phishing URL whose host is an address that a MISP `ip-dst` rule pseudonymises. The
/// package would then hand the recipient the pseudonym and the value side by side. So every value (its type and
/// its normalised text: an address in canonical form, an e-mail address in lower case) gets the strictest
/// treatment any rule gave it anywhere in the package (drop, then pseudonymise, then mask, then generalise, then
/// keep). The run notes each treatment as it reads; when all inputs are read, every place a value was kept while
/// a stricter rule treated it elsewhere is rewritten with that stricter result (the same pseudonym), its
/// observable replaced (a pseudonym is never an indicator; a URL that changed is no longer one), the redaction
/// log counts it under the winning rule, and a note (``SharingRun/treatmentNotes``, the redaction log's `notes`) says, per type, which rules met and which won — never the
/// value.
extension SharingRun {
    struct ValueKey: Hashable, Comparable {
        var type: PersonalDataType
        var value: String

        static func < (a: Self, b: Self) -> Bool { (a.type.rawValue, a.value) < (b.type.rawValue, b.value) }
    }

    struct StrictTreatment {
        var action: PolicyActionName
        var output: String?
        var rule: String
        var field: String
    }

    struct KeptPlace {
        var record = 0
        var field: String
        /// The value as written in the field.
        var written: String
        var rule: String
        /// The redaction log counted it as kept (a whole field, a value in text; not an address in a URL's host).
        var counted = true
    }

    /// How strict an action is: what it leaves of the value.
    static func strictness(_ action: PolicyActionName) -> Int {
        switch action {
        case .keep, .scan: 0
        case .generalise: 1
        case .mask: 2
        case .pseudonymise: 3
        case .drop: 4
        }
    }

    static func normalised(_ value: String, _ type: PersonalDataType) -> String {
        switch type {
        case .ipv4: IPAddressText.ipv4(value).map { IPAddressText.format(ipv4: $0) } ?? value
        case .ipv6: IPAddressText.ipv6(value).map { IPAddressText.format(ipv6: $0) } ?? value.lowercased()
        case .email: value.lowercased()
        default: value
        }
    }

    /// Notes what a rule did to a value in the record being read.
    mutating func track(_ type: PersonalDataType, _ value: String, _ outcome: ValueOutcome, field: String, rule: String)
    {
        if outcome.applied == .keep {
            keepPlace(type, value, field: field, rule: rule)
            return
        }
        let key = ValueKey(type: type, value: Self.normalised(value, type))
        if Self.strictness(outcome.applied) > Self.strictness(strictest[key]?.action ?? .keep) {
            strictest[key] = StrictTreatment(action: outcome.applied, output: outcome.output, rule: rule, field: field)
        }
    }

    mutating func keepPlace(
        _ type: PersonalDataType, _ written: String, field: String, rule: String, counted: Bool = true
    ) {
        pendingKept.append(
            (
                ValueKey(type: type, value: Self.normalised(written, type)),
                KeptPlace(field: field, written: written, rule: rule, counted: counted)
            ))
    }

    /// The record being read is shared, as the next record: its kept places count.
    mutating func commitKept() {
        for (key, place) in pendingKept {
            var p = place
            p.record = records.count
            keptAt[key, default: []].append(p)
        }
        pendingKept.removeAll()
    }

    /// The host of a URL when it is an IP address (`http://203.0.113.7/…`, `http://[2001:db8::1]:8080/`).
    static func addressHost(_ url: String) -> (type: PersonalDataType, text: String)? {
        guard let scheme = url.range(of: "://") else { return nil }
        var authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let inner = String(authority[authority.index(after: authority.startIndex)..<close])
            return IPAddressText.ipv6(inner) != nil ? (.ipv6, inner) : nil
        }
        let host = String(authority.prefix { $0 != ":" })
        return IPAddressText.ipv4(host) != nil ? (.ipv4, host) : nil
    }

    /// Rewrites every kept place of a value that a stricter rule treated elsewhere. Called once all inputs are read.
    mutating func applyOneTreatment() {
        struct Group: Hashable {
            var type: PersonalDataType
            var wonBy: String
            var action: PolicyActionName
        }
        var groups: [Group: (values: Int, keptBy: Set<String>, keptFields: Set<String>, strictFields: Set<String>)] =
            [:]
        for key in keptAt.keys.sorted() {
            guard let strict = strictest[key], let places = keptAt[key] else { continue }
            let replacement = strict.output ?? "[REDACTED:\(key.type.rawValue)]"
            var changedFields = Set<String>()
            var keptBy = Set<String>()
            for place in places {
                var record = records[place.record]
                guard let f = record.fields.firstIndex(where: { $0.0 == place.field }) else { continue }
                let before = record.fields[f].1
                let after = Self.replacingWhole(place.written, with: replacement, in: before)
                guard after != before else { continue }
                let removed = strict.output == nil && after == replacement
                if removed { record.fields.remove(at: f) } else { record.fields[f].1 = after }
                record.observables = record.observables.compactMap { o in
                    guard o.field == place.field, !o.pseudonymised else { return o }
                    if o.kind == ObservableKind(key.type), Self.normalised(o.value, key.type) == key.value {
                        guard strict.action == .pseudonymise, let out = strict.output else { return nil }
                        return SharedObservable(kind: o.kind, value: out, pseudonymised: true, field: o.field)
                    }
                    guard o.value == before else { return o }
                    if removed { return nil }
                    var changed = o
                    changed.value = after
                    changed.isIndicator = false
                    return changed
                }
                records[place.record] = record
                // The value is counted once, under the rule that won.
                if place.counted {
                    let kept = RedactionLog.Count(
                        type: key.type.rawValue, field: place.field, rule: place.rule, action: "keep", count: 0)
                    if let n = counts[kept] { counts[kept] = n > 1 ? n - 1 : nil }
                }
                count(key.type.rawValue, field: place.field, rule: strict.rule, strict.action)
                changedFields.insert(place.field)
                keptBy.insert(place.rule)
            }
            guard !changedFields.isEmpty else { continue }
            let g = Group(type: key.type, wonBy: strict.rule, action: strict.action)
            groups[g, default: (0, [], [], [])].values += 1
            groups[g]!.keptBy.formUnion(keptBy)
            groups[g]!.keptFields.formUnion(changedFields)
            groups[g]!.strictFields.insert(strict.field)
        }
        for (g, info) in groups.sorted(by: {
            ($0.key.type.rawValue, $0.key.wonBy) < ($1.key.type.rawValue, $1.key.wonBy)
        }) {
            treatmentNotes.append(
                "one value, one treatment: \(info.values) \(g.type.rawValue) value"
                    + "\(info.values == 1 ? "" : "s") kept by \(info.keptBy.sorted().joined(separator: ", ")) "
                    + "(in \(info.keptFields.sorted().joined(separator: ", "))) "
                    + "\(info.values == 1 ? "was" : "were") given \(g.action.rawValue) by \(g.wonBy) "
                    + "(in \(info.strictFields.sorted().joined(separator: ", "))) elsewhere in the package; the "
                    + "stricter rule won everywhere, so that no pseudonym sits beside its value")
        }
    }

    /// `text` with each whole occurrence of `value` replaced: not inside a longer token (`1.2.3.4` is not in
    /// `11.2.3.45` or `1.2.3.4.5`).
    static func replacingWhole(_ value: String, with replacement: String, in text: String) -> String {
        guard !value.isEmpty else { return text }
        let t = Array(text.unicodeScalars)
        let v = Array(value.unicodeScalars)
        func isWord(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < t.count {
            if i + v.count <= t.count, Array(t[i..<(i + v.count)]) == v {
                let before = i > 0 ? t[i - 1] : nil
                let after = i + v.count < t.count ? t[i + v.count] : nil
                let afterNext = i + v.count + 1 < t.count ? t[i + v.count + 1] : nil
                let joinedBefore = before.map { isWord($0) || $0 == "." || $0 == "-" || $0 == "@" } ?? false
                let joinedAfter =
                    after.map { isWord($0) || $0 == "-" || $0 == "@" || ($0 == "." && afterNext.map(isWord) == true) }
                    ?? false
                if !joinedBefore && !joinedAfter {
                    out.append(contentsOf: replacement.unicodeScalars)
                    i += v.count
                    continue
                }
            }
            out.append(t[i])
            i += 1
        }
        return String(out)
    }
}
