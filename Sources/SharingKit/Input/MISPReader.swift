import Foundation
import IProceedsBase

/// Reads MISP events in the core JSON format: `{"Event": {…}}`, a list of such, or a `restSearch` response
/// (`{"response": [{"Event": {…}}, …]}`).
///
/// Each event gives one record for itself — `event.info`, `event.uuid`, `event.date`, `event.orgc`, `event.tags`
/// — and one per attribute in `Event.Attribute` and in each `Event.Object[].Attribute`: the field named by the
/// attribute's MISP type holds its value (`ip-dst: 198.51.100.7`), followed by `attribute.category`,
/// `attribute.comment`, `attribute.to_ids`, `attribute.uuid`, `attribute.timestamp` (ISO 8601, UTC),
/// `attribute.tags`, for object attributes `object.name` and `object.relation`, and `event.uuid`. The policy's
/// field rules apply by those names (`ip-dst: pseudonymise`). An attribute's `data` (a malware sample or an
/// attachment, base64) is not read: a package carries no files. An attribute without a type or a value is a
/// finding and is dropped; a file that is not one JSON value is refused whole.
package enum MISPReader: SharingInputReader {
    package static let format = InputFormat.misp

    package static func read<S: InputSink>(_ input: SharingInput, into sink: inout S) throws {
        guard String(validating: input.bytes, as: UTF8.self) != nil else {
            try sink.reject(InputLines.notUTF8(input.name, 0, input.bytes[...]))
            return
        }
        let json: JSONValue
        do {
            json = try InputJSON.parse(input.bytes[...])
        } catch {
            try sink.reject(InputFinding(input: input.name, line: 0, reason: error.reason + "; the file is not read"))
            return
        }
        let events = self.events(json)
        guard !events.isEmpty else {
            try sink.reject(
                InputFinding(
                    input: input.name, line: 0,
                    reason: "no MISP event in it (expected {\"Event\": {…}}, a list of them, or a restSearch response)")
            )
            return
        }
        for (e, event) in events.enumerated() {
            try readEvent(event, number: e + 1, input: input, into: &sink)
        }
    }

    static func events(_ json: JSONValue) -> [JSONValue] {
        switch json {
        case .array(let items):
            return items.flatMap(events)
        case .object:
            if let event = json["Event"] { return [event] }
            if let response = json["response"] { return events(response) }
            if json["Attribute"] != nil || json["info"] != nil { return [json] }
            return []
        default:
            return []
        }
    }

    private static func readEvent<S: InputSink>(
        _ event: JSONValue, number: Int, input: SharingInput, into sink: inout S
    ) throws {
        let prefix = "\(input.name):e\(number)"
        let eventUUID = event["uuid"]?.fieldText
        var fields: [(name: String, value: String)] = []
        func add(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { fields.append((name, value)) }
        }
        add("event.info", event["info"]?.fieldText)
        add("event.uuid", eventUUID)
        add("event.date", event["date"]?.fieldText)
        add("event.orgc", event["Orgc"]?["name"]?.fieldText)
        add("event.tags", tags(event["Tag"]))
        try sink.accept(InputRecord(id: prefix, input: input.name, line: 0, format: .misp, fields: fields))

        if case .array(let attributes)? = event["Attribute"] {
            for (i, attribute) in attributes.enumerated() {
                try readAttribute(
                    attribute, id: "\(prefix):a\(i + 1)", object: nil, eventUUID: eventUUID, input: input, into: &sink)
            }
        }
        if case .array(let objects)? = event["Object"] {
            for (o, object) in objects.enumerated() {
                guard case .array(let attributes)? = object["Attribute"] else { continue }
                for (i, attribute) in attributes.enumerated() {
                    try readAttribute(
                        attribute, id: "\(prefix):o\(o + 1):a\(i + 1)", object: object, eventUUID: eventUUID,
                        input: input, into: &sink)
                }
            }
        }
    }

    private static func readAttribute<S: InputSink>(
        _ a: JSONValue, id: String, object: JSONValue?, eventUUID: String?, input: SharingInput, into sink: inout S
    ) throws {
        guard let type = a["type"]?.string, !type.isEmpty, let value = a["value"]?.fieldText, !value.isEmpty else {
            try sink.reject(
                InputFinding(
                    input: input.name, line: 0,
                    reason: "\(id.dropFirst(input.name.count + 1)): an attribute without a type or a value"))
            return
        }
        var fields: [(name: String, value: String)] = [(type, value)]
        func add(_ name: String, _ v: String?) {
            if let v, !v.isEmpty, !fields.contains(where: { $0.name == name }) { fields.append((name, v)) }
        }
        add("attribute.category", a["category"]?.fieldText)
        add("attribute.comment", a["comment"]?.fieldText)
        let toIDs = isTrue(a["to_ids"])
        add("attribute.to_ids", toIDs ? "true" : "false")
        add("attribute.uuid", a["uuid"]?.fieldText)
        add("attribute.timestamp", a["timestamp"]?.fieldText.flatMap(isoTime))
        add("attribute.tags", tags(a["Tag"]))
        if let object {
            add("object.name", object["name"]?.fieldText)
            add("object.relation", a["object_relation"]?.fieldText)
        }
        add("event.uuid", eventUUID)
        var kinds: [String: ObservableKind] = [:]
        if let kind = kind(ofType: type, value: value) { kinds[type] = kind }
        try sink.accept(
            InputRecord(
                id: id, input: input.name, line: 0, format: .misp, fields: fields, kinds: kinds,
                indicatorFields: toIDs ? [type] : []))
    }

    private static func isTrue(_ v: JSONValue?) -> Bool {
        switch v {
        case .bool(let b)?: b
        case .number(let n)?: n != "0"
        case .string(let s)?: ["1", "true"].contains(s.lowercased())
        default: false
        }
    }

    private static func tags(_ v: JSONValue?) -> String? {
        guard case .array(let list)? = v else { return nil }
        let names = list.compactMap { $0["name"]?.fieldText }
        return names.isEmpty ? nil : names.joined(separator: ", ")
    }

    /// A MISP timestamp (epoch seconds, as a string or a number) as ISO 8601 UTC.
    private static func isoTime(_ text: String) -> String? {
        guard let seconds = Int64(text), seconds >= 0 else { return text }
        return String(PackageTime.iso(milliseconds: seconds * 1000).prefix(19)) + "Z"
    }

    /// The kind a MISP attribute type names, when it names one.
    static func kind(ofType type: String, value: String) -> ObservableKind? {
        switch type {
        case "ip-src", "ip-dst":
            switch ValueKind.recognise(value) {
            case .personalData(.ipv4)?: return .ipv4
            case .personalData(.ipv6)?: return .ipv6
            default: return nil
            }
        case "domain", "hostname": return .domain
        case "url", "uri", "link": return .url
        case "email", "email-src", "email-dst", "target-email", "whois-registrant-email", "email-reply-to":
            return .email
        case "iban": return .iban
        case "cc-number": return .card
        case "phone-number", "whois-registrant-phone": return .phone
        case "btc": return .bitcoinAddress
        case "sha256", "md5", "sha1", "sha224", "sha384", "sha512", "ssdeep", "imphash", "tlsh", "filename",
            "filename|md5", "filename|sha1", "filename|sha224", "filename|sha256", "filename|sha384",
            "filename|sha512", "filename|ssdeep", "filename|imphash", "filename|tlsh":
            return ObservableKind(rawValue: type)
        case "full-name", "first-name", "last-name", "whois-registrant-name": return .person
        default: return nil
        }
    }
}
