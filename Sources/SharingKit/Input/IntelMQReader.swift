import IProceedsBase

/// Reads IntelMQ events: one JSON object a line (the IntelMQ file output and the API's JSON Lines).
///
/// Field names are IntelMQ's dotted keys (`source.ip`, `classification.type`); an event written with nested
/// objects (`{"source": {"ip": …}}`) is flattened to the same dotted keys. A list is kept as its compact JSON text,
/// a number as written, a boolean as `true`/`false`; `null` is left out. `raw` stays base64 as IntelMQ writes it:
/// the policy's rule for `raw` decides (the shipped default drops it; `scan` decodes it, redacts the text and
/// encodes it again). A line that is not a JSON object, not UTF-8, or names one field twice is a finding and the
/// record is dropped; blank lines are skipped.
package enum IntelMQReader: SharingInputReader {
    package static let format = InputFormat.intelmq

    package static func read<S: InputSink>(_ input: SharingInput, into sink: inout S) throws {
        for (number, bytes) in InputLines.split(input.bytes) where !InputLines.isBlank(bytes) {
            guard InputLines.text(bytes) != nil else {
                try sink.reject(InputLines.notUTF8(input.name, number, bytes))
                continue
            }
            let json: JSONValue
            do {
                json = try InputJSON.parse(bytes)
            } catch {
                try sink.reject(InputFinding(input: input.name, line: number, reason: error.reason))
                continue
            }
            guard case .object(let members) = json else {
                try sink.reject(
                    InputFinding(input: input.name, line: number, reason: "not a JSON object (an IntelMQ event is one)")
                )
                continue
            }
            var fields: [(name: String, value: String)] = []
            var seen = Set<String>()
            var duplicate = false
            flatten(members, prefix: "", into: &fields, seen: &seen, duplicate: &duplicate)
            if duplicate {
                try sink.reject(
                    InputFinding(
                        input: input.name, line: number,
                        reason: "a field is given twice (once flat, once nested); the record is dropped"))
                continue
            }
            try sink.accept(
                InputRecord(
                    id: "\(input.name):\(number)", input: input.name, line: number, format: .intelmq, fields: fields,
                    kinds: kinds(fields), indicatorFields: IndicatorRule.intelMQ(fields)))
        }
    }

    private static func flatten(
        _ members: [(String, JSONValue)], prefix: String, into fields: inout [(name: String, value: String)],
        seen: inout Set<String>, duplicate: inout Bool
    ) {
        for (key, value) in members {
            let name = prefix + key
            if case .object(let inner) = value {
                flatten(inner, prefix: name + ".", into: &fields, seen: &seen, duplicate: &duplicate)
                continue
            }
            guard let text = value.fieldText else { continue }
            if !seen.insert(name).inserted { duplicate = true }
            fields.append((name, text))
        }
    }

    /// What IntelMQ's key names say a value is.
    static func kinds(_ fields: [(name: String, value: String)]) -> [String: ObservableKind] {
        var out: [String: ObservableKind] = [:]
        for (name, _) in fields {
            if name.hasSuffix(".fqdn") || name.hasSuffix(".reverse_dns") {
                out[name] = .domain
            } else if name.hasSuffix(".url") {
                out[name] = .url
            } else if name == "malware.hash.sha256" {
                out[name] = .sha256
            } else if name == "malware.hash.md5" {
                out[name] = .md5
            } else if name == "malware.hash.sha1" {
                out[name] = .sha1
            }
        }
        return out
    }
}
