import IProceedsBase

/// Writes `stix/bundle.json`: a STIX 2.1 bundle of the package's incident data.
///
/// Objects, in this order: the TLP 2.0 marking definition; iproceeds' own identity and the two extension
/// definitions the package's custom content needs (fixed objects, the same in every package, so unmarked);
/// the sender's identity; one incident; an observed-data per record that has observables; the
/// cyber-observables; an indicator per indicator observable that is not a pseudonym; the relationships
/// (observed-data and indicators `related-to` the incident, an indicator `based-on` each observed-data it was
/// seen in). Every other object carries the TLP marking and, but for observables, `created_by_ref` the sender.
///
/// Ids: observables are UUIDv5 in the STIX namespace over their id-contributing properties (STIX 2.1 §2.9);
/// the package's other objects are UUIDv5 in the package's namespace; timestamps are the package's creation
/// time. See `docs/sharing-package.md` for the mapping.
enum STIXBundle {
    /// iproceeds' identity, creator of the extension definitions below.
    static let toolIdentityID = "identity--efd3b402-0ed8-4460-937b-fa8e9056c235"
    /// The `new-sco` extension defining `iproceeds-observable` (`kind`, `value`; id-contributing: both).
    static let observableExtensionID = "extension-definition--9be14494-2367-45c2-8adf-5679d84418a9"
    /// The property extension flagging a value as a pseudonym (`pseudonymised`, `pseudonym_key_id`).
    static let pseudonymExtensionID = "extension-definition--8ea17983-cb80-4d23-81c0-4d30df5ada19"
    /// When the fixed objects above were defined.
    static let definitionsCreated = "2026-11-29T00:00:00.000Z"
    /// The custom observable's type.
    static let customObservableType = "iproceeds-observable"

    static func bundle(_ c: PackageContents) -> JSONValue {
        let r = c.request
        let marking = r.tlp.stixMarkingID
        let markingRefs: JSONValue = .array([.string(marking)])
        let identityID = c.id("identity", "sender")
        let incidentID = c.id("incident", "incident")
        var objects: [JSONValue] = [r.tlp.stixMarkingDefinition]

        let observableObjects = c.observables.map { observable(c, $0, markingRefs: markingRefs) }
        let usesCustom = observableObjects.contains { $0.type == customObservableType }
        let usesPseudonyms = c.observables.contains { $0.pseudonymised }
        if usesCustom || usesPseudonyms { objects.append(toolIdentity) }
        if usesCustom { objects.append(observableExtension) }
        if usesPseudonyms { objects.append(pseudonymExtension) }

        func sdo(_ type: String, _ id: String, _ properties: [(String, JSONValue?)]) -> JSONValue {
            JSONValue.members(
                [
                    ("type", .string(type)), ("spec_version", "2.1"), ("id", .string(id)),
                    ("created", .string(c.createdISO)),
                    ("modified", .string(c.createdISO)),
                ] + properties + [("object_marking_refs", markingRefs)])
        }

        objects.append(
            sdo("identity", identityID, [("name", .string(r.senderOrganisation)), ("identity_class", "organization")]))

        let categories = Array(Set(r.records.compactMap(\.category).filter { !$0.isEmpty })).sorted()
        objects.append(
            sdo(
                "incident", incidentID,
                [
                    ("created_by_ref", .string(identityID)), ("name", .string(r.title)),
                    (
                        "description",
                        .string(
                            "Shared with \(r.recipient) under \(r.tlp.label). Purpose: \(r.purpose). Legal basis: \(r.legalBasis)."
                        )
                    ),
                    ("labels", categories.isEmpty ? nil : JSONValue.strings(categories)),
                ]))

        // Observed data, one per record with observables.
        var observedIDs: [Int: String] = [:]
        var observedObjects: [JSONValue] = []
        let idOf = Dictionary(
            uniqueKeysWithValues: zip(
                c.observables.map { $0.kind.rawValue + "\u{0}" + $0.value }, observableObjects.map(\.id)))
        for (i, record) in r.records.enumerated() where !record.observables.isEmpty {
            var refs: [String] = []
            for o in record.observables {
                let ref = idOf[o.kind.rawValue + "\u{0}" + o.value]!
                if !refs.contains(ref) { refs.append(ref) }
            }
            let id = c.id("observed-data", record.id)
            observedIDs[i] = id
            let time = PackageTime.iso(milliseconds: c.recordTimes[i] ?? c.created)
            observedObjects.append(
                sdo(
                    "observed-data", id,
                    [
                        ("created_by_ref", .string(identityID)), ("first_observed", .string(time)),
                        ("last_observed", .string(time)),
                        ("number_observed", .int(1)), ("object_refs", JSONValue.strings(refs)),
                        ("labels", record.category.flatMap { $0.isEmpty ? nil : JSONValue.strings([$0]) }),
                        (
                            "external_references",
                            .array([
                                .object([("source_name", "iproceeds-record"), ("external_id", .string(record.id))])
                            ])
                        ),
                    ]))
        }
        objects += observedObjects
        objects += observableObjects.map(\.json)

        // Indicators and relationships.
        var relationships: [JSONValue] = []
        func relate(_ type: String, _ source: String, _ target: String) {
            relationships.append(
                sdo(
                    "relationship", c.id("relationship", "\(type):\(source):\(target)"),
                    [
                        ("created_by_ref", .string(identityID)), ("relationship_type", .string(type)),
                        ("source_ref", .string(source)),
                        ("target_ref", .string(target)),
                    ]))
        }
        for i in r.records.indices { if let id = observedIDs[i] { relate("related-to", id, incidentID) } }
        for (n, o) in c.observables.enumerated() where o.exportsIndicator {
            let pattern = self.pattern(observableObjects[n].type, o)
            let id = c.id("indicator", pattern)
            let recordCategories = Array(Set(o.records.compactMap { r.records[$0].category }.filter { !$0.isEmpty }))
                .sorted()
            var description = "Seen in \(o.records.count) record\(o.records.count == 1 ? "" : "s")"
            if !recordCategories.isEmpty { description += " (\(recordCategories.joined(separator: ", ")))" }
            if !o.fields.isEmpty {
                description += ", field\(o.fields.count == 1 ? "" : "s") \(o.fields.joined(separator: ", "))"
            }
            objects.append(
                sdo(
                    "indicator", id,
                    [
                        ("created_by_ref", .string(identityID)), ("name", .string("\(o.kind.label) \(o.value)")),
                        ("description", .string(description + ".")),
                        ("indicator_types", .array(["malicious-activity"])),
                        ("pattern", .string(pattern)), ("pattern_type", "stix"),
                        ("valid_from", .string(PackageTime.iso(milliseconds: o.firstSeen ?? c.created))),
                        ("labels", recordCategories.isEmpty ? nil : JSONValue.strings(recordCategories)),
                    ]))
            relate("related-to", id, incidentID)
            for record in o.records { if let od = observedIDs[record] { relate("based-on", id, od) } }
        }
        objects += relationships
        return .object([("type", "bundle"), ("id", .string("bundle--" + c.packageID)), ("objects", .array(objects))])
    }

    /// The STIX type, id and JSON of one observable.
    struct Observable {
        var type: String
        var id: String
        var json: JSONValue
    }

    static func observable(_ c: PackageContents, _ o: ObservableSummary, markingRefs: JSONValue) -> Observable {
        var extensions: [(String, JSONValue)] = []
        let standard: (type: String, contributing: [(String, JSONValue)])?
        if STIXValueSyntax.fits(o.kind, o.value) {
            switch o.kind {
            case .email: standard = ("email-addr", [("value", .string(o.value))])
            case .ipv4: standard = ("ipv4-addr", [("value", .string(o.value))])
            case .ipv6: standard = ("ipv6-addr", [("value", .string(o.value))])
            case .url: standard = ("url", [("value", .string(o.value))])
            case .domain: standard = ("domain-name", [("value", .string(o.value))])
            case .filename: standard = ("file", [("name", .string(o.value))])
            default:
                if let file = fileParts(o) {
                    var contributing: [(String, JSONValue)] = [
                        ("hashes", .object([(file.algorithm, .string(file.digest))]))
                    ]
                    if let name = file.name { contributing.append(("name", .string(name))) }
                    standard = ("file", contributing)
                } else {
                    standard = nil
                }
            }
        } else {
            standard = nil
        }
        let type = standard?.type ?? customObservableType
        let contributing = standard?.contributing ?? [("kind", .string(o.kind.rawValue)), ("value", .string(o.value))]
        if standard == nil { extensions.append((observableExtensionID, .object([("extension_type", "new-sco")]))) }
        if o.pseudonymised {
            extensions.append(
                (
                    pseudonymExtensionID,
                    .object([
                        ("extension_type", "property-extension"), ("pseudonymised", .bool(true)),
                        ("pseudonym_key_id", .string(c.request.keyID)),
                    ])
                ))
        }
        let id = PackageIDs.observable(type: type, contributing: .object(contributing))
        let json = JSONValue.members(
            [("type", .string(type)), ("spec_version", "2.1"), ("id", .string(id))]
                + contributing.map { ($0.0, Optional($0.1)) }
                + [
                    ("extensions", extensions.isEmpty ? nil : .object(extensions)),
                    ("object_marking_refs", markingRefs),
                ])
        return Observable(type: type, id: id, json: json)
    }

    /// A STIX pattern matching the observable: `[url:value = '…']`, `[file:hashes.'SHA-256' = '…']`, or both
    /// properties of the custom observable.
    static func pattern(_ type: String, _ o: ObservableSummary) -> String {
        let v = quotePattern(o.value)
        switch type {
        case "file":
            guard let file = fileParts(o) else { return "[file:name = \(v)]" }
            // A hash name that is not a plain identifier (SHA-256) is quoted in a STIX object path.
            let plain = file.algorithm.utf8.allSatisfy {
                $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
            }
            let key = plain ? file.algorithm : quotePattern(file.algorithm)
            let hash = "file:hashes.\(key) = \(quotePattern(file.digest))"
            guard let name = file.name else { return "[\(hash)]" }
            return "[file:name = \(quotePattern(name)) AND \(hash)]"
        case customObservableType:
            return "[\(type):kind = \(quotePattern(o.kind.rawValue)) AND \(type):value = \(v)]"
        default: return "[\(type):value = \(v)]"
        }
    }

    /// STIX 2.1's hash algorithm names (the `hash-algorithm-ov` vocabulary) for the digests MISP types; the
    /// others keep MISP's name as a custom key, which the specification allows.
    static func hashAlgorithm(_ digest: ObservableKind) -> String {
        switch digest {
        case .md5: "MD5"
        case .sha1: "SHA-1"
        case .sha256: "SHA-256"
        case .sha512: "SHA-512"
        case .ssdeep: "SSDEEP"
        case .tlsh: "TLSH"
        case .sha224: "SHA-224"
        case .sha384: "SHA-384"
        default: digest.rawValue
        }
    }

    /// A file observable's name (for `filename|…`), digest and STIX algorithm name, when it carries a digest.
    static func fileParts(_ o: ObservableSummary) -> (name: String?, algorithm: String, digest: String)? {
        guard let digest = o.kind.digestOfFile else { return nil }
        guard o.kind.isFilenameAndDigest else { return (nil, hashAlgorithm(digest), o.value) }
        guard let bar = o.value.lastIndex(of: "|") else { return nil }
        return (
            String(o.value[..<bar]), hashAlgorithm(digest), String(o.value[o.value.index(after: bar)...])
        )
    }

    /// A STIX patterning string literal: single quotes, with `\` and `'` escaped by a backslash.
    static func quotePattern(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    // MARK: The fixed objects

    static let toolIdentity: JSONValue = .object([
        ("type", "identity"), ("spec_version", "2.1"), ("id", .string(toolIdentityID)),
        ("created", .string(definitionsCreated)),
        ("modified", .string(definitionsCreated)), ("name", "iproceeds"), ("identity_class", "system"),
        ("description", "The iproceeds toolkit, which defines the STIX extensions its sharing packages use."),
    ])

    static let observableExtension: JSONValue = .object([
        ("type", "extension-definition"), ("spec_version", "2.1"), ("id", .string(observableExtensionID)),
        ("created_by_ref", .string(toolIdentityID)), ("created", .string(definitionsCreated)),
        ("modified", .string(definitionsCreated)),
        ("name", "iproceeds-observable"),
        (
            "description",
            "A value STIX 2.1 has no cyber-observable for (IBAN, payment card, phone number, crypto-currency address, national identity number, person's name), or a pseudonym that no longer fits its standard observable. Properties: kind (the iproceeds type name, e.g. iban, card, phone, btc_address, eth_address, jmbg, tr_id, al_nid, person, or email, ipv4, ipv6, url, domain, sha256, md5 for a pseudonym) and value. ID contributing properties: kind, value."
        ),
        ("schema", "iproceeds docs/sharing-package.md, section \"STIX mapping\""), ("version", "1.0.0"),
        ("extension_types", .array(["new-sco"])),
    ])

    static let pseudonymExtension: JSONValue = .object([
        ("type", "extension-definition"), ("spec_version", "2.1"), ("id", .string(pseudonymExtensionID)),
        ("created_by_ref", .string(toolIdentityID)), ("created", .string(definitionsCreated)),
        ("modified", .string(definitionsCreated)),
        ("name", "iproceeds-pseudonym"),
        (
            "description",
            "Marks an observable whose value is a pseudonym made by the sender under a secret key: equal pseudonyms stand for equal originals within the key; only the sender can map a pseudonym back. Properties: pseudonymised (true), pseudonym_key_id (the key's identifier, never the key)."
        ),
        ("schema", "iproceeds docs/sharing-package.md, section \"STIX mapping\""), ("version", "1.0.0"),
        ("extension_types", .array(["property-extension"])),
    ])
}
