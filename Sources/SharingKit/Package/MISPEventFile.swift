import IProceedsBase

/// Writes `misp/event.json`: the package as one MISP event in the MISP core format (`{"Event": {…}}`), which a
/// MISP instance imports offline (Events → Import from… → MISP JSON) and `pymisp` loads.
///
/// One attribute per distinct observable (MISP types and categories per the table in
/// `docs/sharing-package.md`); pseudonyms are type `anonymised` and never `to_ids`; Ethereum addresses go in a
/// `coin-address` object (MISP has no Ethereum attribute type); when anything is pseudonymised, an
/// `anonymisation` object says how, naming the key id (never the key) and `describes` each pseudonym.
enum MISPEventFile {
    static let anonymisationTemplate = (uuid: "5867cffe-60ff-44f6-b097-e5f36b5de0ac", version: "2")
    static let coinAddressTemplate = (uuid: "d0e6997e-78da-4815-a6a1-cfc1c1cb8a46", version: "7")

    /// The MISP type and category of a value that is not a pseudonym.
    static func typeAndCategory(_ o: ObservableSummary) -> (type: String, category: String) {
        switch o.kind {
        case .email: return o.isIndicator ? ("email-src", "Payload delivery") : ("email", "Person")
        case .ipv4, .ipv6:
            let destination =
                !o.fields.isEmpty && o.fields.allSatisfy { $0.contains("destination") || $0.contains("dst") }
            return (destination ? "ip-dst" : "ip-src", "Network activity")
        case .url: return ("url", "Network activity")
        case .domain: return ("domain", "Network activity")
        case .iban: return ("iban", "Financial fraud")
        case .card: return ("cc-number", "Financial fraud")
        case .phone: return ("phone-number", "Person")
        case .bitcoinAddress: return ("btc", "Financial fraud")
        case .ethereumAddress: return ("text", "Financial fraud")
        case .sha256, .md5, .sha1, .sha224, .sha384, .sha512, .ssdeep, .imphash, .tlsh, .filename, .filenameMD5,
            .filenameSHA1, .filenameSHA224, .filenameSHA256, .filenameSHA384, .filenameSHA512, .filenameSSDEEP,
            .filenameImphash, .filenameTLSH:
            // The kind's name is MISP's attribute type.
            return (o.kind.rawValue, "Payload delivery")
        case .person: return ("full-name", "Person")
        case .jmbg, .turkishID, .albanianID: return ("text", "Person")
        }
    }

    static func event(_ c: PackageContents) -> JSONValue {
        let r = c.request
        let timestamp = JSONValue.string(String(c.created / 1000))
        var attributes: [JSONValue] = []
        var objects: [JSONValue] = []
        var pseudonymUUIDs: [String] = []

        func attribute(
            uuid: String, type: String, category: String, value: String, toIDs: Bool, comment: String,
            relation: String? = nil
        ) -> JSONValue {
            JSONValue.members([
                ("uuid", .string(uuid)), ("type", .string(type)), ("category", .string(category)),
                ("object_relation", relation.map { .string($0) }), ("value", .string(value)), ("to_ids", .bool(toIDs)),
                ("distribution", "5"), ("timestamp", timestamp), ("comment", .string(comment)),
                ("disable_correlation", .bool(false)),
            ])
        }

        for o in c.observables {
            let uuid = c.uuid("misp-attribute:\(o.kind.rawValue):\(o.value)")
            var comment = o.kind.label
            if !o.fields.isEmpty {
                comment += "; field\(o.fields.count == 1 ? "" : "s") " + o.fields.joined(separator: ", ")
            }
            comment += "; \(o.records.count) record\(o.records.count == 1 ? "" : "s")"
            let mapped = typeAndCategory(o)
            if o.pseudonymised {
                pseudonymUUIDs.append(uuid)
                attributes.append(
                    attribute(
                        uuid: uuid, type: "anonymised", category: mapped.category, value: o.value, toIDs: false,
                        comment: "Pseudonym: \(comment); pseudonym key \(r.keyID)"))
            } else if o.kind == .ethereumAddress {
                let objectUUID = c.uuid("misp-object:coin-address:\(o.value)")
                objects.append(
                    .object([
                        ("uuid", .string(objectUUID)), ("name", "coin-address"), ("meta-category", "financial"),
                        ("description", "An address used in a cryptocurrency"),
                        ("template_uuid", .string(coinAddressTemplate.uuid)),
                        ("template_version", .string(coinAddressTemplate.version)),
                        ("distribution", "5"), ("timestamp", timestamp), ("comment", .string(comment)),
                        (
                            "Attribute",
                            .array([
                                attribute(
                                    uuid: uuid, type: "text", category: "Financial fraud", value: o.value,
                                    toIDs: o.isIndicator,
                                    comment: comment, relation: "address-crypto"),
                                attribute(
                                    uuid: c.uuid("misp-attribute:coin-address-symbol:\(o.value)"), type: "text",
                                    category: "Financial fraud", value: "ETH", toIDs: false, comment: "",
                                    relation: "symbol"),
                            ])
                        ),
                    ]))
            } else {
                attributes.append(
                    attribute(
                        uuid: uuid, type: mapped.type, category: mapped.category, value: o.value, toIDs: o.isIndicator,
                        comment: comment))
            }
        }

        if !pseudonymUUIDs.isEmpty {
            let objectUUID = c.uuid("misp-object:anonymisation")
            var description = "Values of type anonymised in this event are pseudonyms made by the sender with iproceeds"
            if let scheme = r.pseudonymScheme { description += ": " + scheme.description }
            description +=
                ". Pseudonym key id \(r.keyID); redaction policy SHA-256 \(r.policyHash). Only the sender can map a pseudonym back."
            var members: [JSONValue] = [
                attribute(
                    uuid: c.uuid("misp-attribute:anonymisation:description"), type: "text", category: "Other",
                    value: description,
                    toIDs: false, comment: "", relation: "description"),
                attribute(
                    uuid: c.uuid("misp-attribute:anonymisation:level-of-knowledge"), type: "text", category: "Other",
                    value: "Deanonymised data is known", toIDs: false, comment: "The sender holds the originals.",
                    relation: "level-of-knowledge"),
            ]
            if let function = r.pseudonymScheme?.keyedHashFunction {
                members.append(
                    attribute(
                        uuid: c.uuid("misp-attribute:anonymisation:method"), type: "text", category: "Other",
                        value:
                            "hash - A hash function maps each attribute to a new (not necessarily unique) attribute.",
                        toIDs: false,
                        comment: "", relation: "method"))
                members.append(
                    attribute(
                        uuid: c.uuid("misp-attribute:anonymisation:keyed-hash-function"), type: "text",
                        category: "Other",
                        value: function, toIDs: false, comment: "", relation: "keyed-hash-function"))
            }
            let references: [JSONValue] = pseudonymUUIDs.map { target in
                .object([
                    ("uuid", .string(c.uuid("misp-reference:anonymisation:\(target)"))),
                    ("object_uuid", .string(objectUUID)),
                    ("referenced_uuid", .string(target)), ("relationship_type", "describes"), ("timestamp", timestamp),
                ])
            }
            objects.append(
                .object([
                    ("uuid", .string(objectUUID)), ("name", "anonymisation"), ("meta-category", "misc"),
                    (
                        "description",
                        "Anonymisation object describing an anonymisation technique used to encode MISP attribute values."
                    ),
                    ("template_uuid", .string(anonymisationTemplate.uuid)),
                    ("template_version", .string(anonymisationTemplate.version)),
                    ("distribution", "5"), ("timestamp", timestamp), ("comment", ""), ("Attribute", .array(members)),
                    ("ObjectReference", .array(references)),
                ]))
        }

        let event = JSONValue.object([
            ("uuid", .string(c.uuid("misp-event"))),
            ("info", .string(r.title)),
            ("date", .string(PackageTime.day(milliseconds: c.created))),
            ("timestamp", timestamp),
            ("publish_timestamp", "0"),
            ("published", .bool(false)),
            ("distribution", .string(String(r.tlp.mispDistribution))),
            ("threat_level_id", "4"),
            ("analysis", "0"),
            (
                "Orgc",
                .object([
                    ("name", .string(r.senderOrganisation)),
                    ("uuid", .string(PackageIDs.organisation(r.senderOrganisation))),
                ])
            ),
            (
                "Tag",
                .array([
                    .object([
                        ("name", .string(r.tlp.mispTag)), ("colour", .string(r.tlp.colour)),
                        ("exportable", .bool(true)),
                    ])
                ])
            ),
            ("Attribute", .array(attributes)),
            ("Object", .array(objects)),
        ])
        return .object([("Event", event)])
    }
}
