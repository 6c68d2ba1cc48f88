/// Which values of a record are indicators of compromise: exported as STIX indicators and MISP attributes with
/// `to_ids` set, so that the police (and their tools) act on them.
///
/// Only the source's own structure says so — a detector cannot tell an attacker's address from a victim's — so
/// values found by scanning text (free text, `scan` fields, a decoded `raw`) are never indicators, and CSV has
/// none. A pseudonym is never exported as an indicator, whatever this rule says (it detects nothing).
///
/// - IntelMQ: when `classification.type` is one where the event's `source` is the attacker's infrastructure
///   (``attackerSourceTypes``: phishing, malware distribution, C2 servers, spam, scanners, brute force, …),
///   `source.ip`, `source.url`, `source.fqdn` and `source.reverse_dns` are indicators. When it is
///   `infected-system` (a bot report), `source` is the victim and `destination` the C2 server: `destination.ip`,
///   `destination.url` and `destination.fqdn` are indicators (the shipped default keeps them for such reports,
///   through its `classifications` rules). `malware.hash.md5`, `malware.hash.sha1` and `malware.hash.sha256` always are.
/// - MISP: the attribute's value when the attribute has `to_ids` set.
package enum IndicatorRule {
    /// IntelMQ classification types (the RSIT taxonomy as IntelMQ names it, plus its older names) whose `source`
    /// is the attacker's.
    package static let attackerSourceTypes: Set<String> = [
        "phishing", "malware-distribution", "c2-server", "malware-configuration", "spam", "scanner", "brute-force",
        "exploit", "ids-alert", "ddos", "dos", "masquerade", "blacklist", "sql-injection",
        // IntelMQ 1.x names.
        "malware", "c&c", "scanner", "brute-force", "exploit", "ddos", "spam", "phishing", "blacklist",
    ]

    /// Classification types whose `destination` is the C2 server the infected `source` talks to.
    package static let c2DestinationTypes: Set<String> = ["infected-system", "infected system", "botnet drone"]

    static let attackerSourceFields: Set<String> = ["source.ip", "source.url", "source.fqdn", "source.reverse_dns"]
    static let c2DestinationFields: Set<String> = ["destination.ip", "destination.url", "destination.fqdn"]
    static let hashFields: Set<String> = ["malware.hash.md5", "malware.hash.sha1", "malware.hash.sha256"]

    /// The indicator fields of an IntelMQ event, from its field names and its `classification.type`.
    package static func intelMQ(_ fields: [(name: String, value: String)]) -> Set<String> {
        let type = fields.first { $0.name == "classification.type" }?.value.lowercased()
        var out = Set<String>()
        for (name, _) in fields {
            if hashFields.contains(name) {
                out.insert(name)
            } else if let type, attackerSourceTypes.contains(type), attackerSourceFields.contains(name) {
                out.insert(name)
            } else if let type, c2DestinationTypes.contains(type), c2DestinationFields.contains(name) {
                out.insert(name)
            }
        }
        return out
    }
}
