import EvidenceKit
import Foundation
import Testing

@testable import SharingKit

private func parseJSON(_ text: String) throws -> SharingPolicy {
    try SharingPolicy.parse(Array(text.utf8), format: .json, source: "test.json")
}

private func parseYAML(_ text: String) throws -> SharingPolicy {
    try SharingPolicy.parse(Array(text.utf8), format: .yaml, source: "test.yaml")
}

/// The message of the policy error `body` throws.
private func problem(_ body: () throws -> SharingPolicy) -> String {
    do {
        _ = try body()
        return "(no error)"
    } catch let e as SharingError {
        return e.code == .policy ? e.message : "(wrong code \(e.code))"
    } catch {
        return "(not a SharingError: \(error))"
    }
}

@Suite struct PolicyTests {
    @Test func minimalPolicyGetsDefaults() throws {
        let p = try parseJSON(#"{"version": 1, "name": "minimal"}"#)
        #expect(p.types.isEmpty && p.fields.isEmpty && p.names.isEmpty)
        #expect(p.unlistedTypes == .drop)
        #expect(p.defaultFieldAction == .scan)
        #expect(p.action(for: .email) == .drop)
        #expect(p.rule(forField: "anything").action == .scan)
    }

    @Test func unknownTopLevelKey() {
        let m = problem { try parseJSON(#"{"version": 1, "name": "x", "type": {}}"#) }
        #expect(m.contains("type: unknown key; allowed: version, name, description, types, fields"))
    }

    @Test func unknownType() {
        let m = problem { try parseYAML("version: 1\nname: x\ntypes:\n  emial: drop\n") }
        #expect(m.contains("types.emial: unknown type; known types: email, ipv4"))
    }

    @Test func unknownAction() {
        let m = problem { try parseYAML("version: 1\nname: x\ntypes:\n  email: {action: hash}\n") }
        #expect(
            m.contains(
                "types.email.action: unknown action 'hash'; allowed for email: keep, drop, mask, generalise, pseudonymise"
            ))
        let us = problem { try parseYAML("version: 1\nname: x\ntypes:\n  email: pseudonymize\n") }
        #expect(us.contains("spells it with -ise"))
    }

    @Test func actionNotDefinedForType() {
        let m = problem { try parseYAML("version: 1\nname: x\ntypes:\n  card: generalise\n") }
        #expect(
            m.contains("types.card.action: generalise is not defined for card; allowed: keep, drop, mask, pseudonymise")
        )
        let scan = problem { try parseYAML("version: 1\nname: x\ntypes:\n  card: scan\n") }
        #expect(scan.contains("scan applies to fields only"))
    }

    @Test func badPrefix() {
        let m = problem { try parseYAML("version: 1\nname: x\ntypes:\n  ipv4: {action: generalise, prefix: 33}\n") }
        #expect(m.contains("types.ipv4.prefix: 33 is out of range; allowed 0...32"))
        let v6 = problem { try parseYAML("version: 1\nname: x\ntypes:\n  ipv6: {action: generalise, prefix: 48}\n") }
        #expect(v6.contains("types.ipv6.prefix: unknown parameter for generalise on ipv6; allowed: prefix_v6"))
        let quoted = problem {
            try parseYAML("version: 1\nname: x\ntypes:\n  ipv4: {action: generalise, prefix: \"24\"}\n")
        }
        #expect(quoted.contains("types.ipv4.prefix: must be an integer in 0...32, not a string"))
    }

    @Test func unknownParameterAndBadMaskCharacter() {
        let m = problem { try parseJSON(#"{"version":1,"name":"x","types":{"card":{"action":"mask","keep_lst":4}}}"#) }
        #expect(
            m.contains(
                "types.card.keep_lst: unknown parameter for mask on card; allowed: keep_first, keep_last, mask_char"))
        let c = problem {
            try parseJSON(#"{"version":1,"name":"x","types":{"card":{"action":"mask","mask_char":"**"}}}"#)
        }
        #expect(c.contains("types.card.mask_char: must be one visible character"))
    }

    @Test func fieldRuleErrors() {
        let wildcard = problem { try parseYAML("version: 1\nname: x\nfields:\n  source.*.ip: keep\n") }
        #expect(wildcard.contains("fields.source.*.ip: `*` is allowed only as a final `.*`"))
        let kind = problem { try parseYAML("version: 1\nname: x\nfields:\n  a: {action: pseudonymise, as: ip}\n") }
        #expect(kind.contains("fields.a.as: unknown kind; allowed: email, ipv4"))
        let time = problem { try parseYAML("version: 1\nname: x\nfields:\n  t: {action: pseudonymise, as: time}\n") }
        #expect(time.contains("fields.t.action: pseudonymise is not defined for time; allowed: keep, drop, generalise"))
        let scanAs = problem { try parseYAML("version: 1\nname: x\nfields:\n  c: {action: scan, as: email}\n") }
        #expect(scanAs.contains("fields.c.as: scan finds the kinds itself; remove `as`"))
        let typeAs = problem { try parseYAML("version: 1\nname: x\ntypes:\n  email: {action: drop, as: url}\n") }
        #expect(typeAs.contains("types.email.as: only field rules take `as`"))
    }

    @Test func versionNameAndSimpleActions() {
        #expect(problem { try parseJSON(#"{"version": 2, "name": "x"}"#) }.contains("version: 2 is not supported"))
        #expect(problem { try parseJSON(#"{"name": "x"}"#) }.contains("version: missing"))
        #expect(problem { try parseJSON(#"{"version": 1}"#) }.contains("name: missing"))
        #expect(
            problem { try parseJSON(#"{"version": 1, "name": "x", "unlisted_types": "mask"}"#) }
                .contains("unlisted_types: unknown action 'mask'; allowed: drop, pseudonymise, keep"))
        #expect(
            problem { try parseJSON(#"{"version": 1, "name": "x", "default_field_action": "generalise"}"#) }
                .contains("default_field_action: unknown action 'generalise'; allowed: scan, drop, keep"))
    }

    @Test func everyProblemIsListedNamingTheFile() {
        let m = problem {
            try parseYAML(
                "version: 1\nname: x\ntypes:\n  emial: drop\n  card: {action: mask, keep_last: -1}\nextra: 1\n")
        }
        #expect(m.hasPrefix("policy test.yaml is invalid (3 problems):"))
    }

    @Test func syntaxErrorsAndDuplicateKeys() throws {
        #expect(problem { try parseJSON(#"{"version": 1, "name": "x",}"#) }.contains("test.json is not valid JSON"))
        #expect(
            problem { try parseJSON("{\"version\": 1,\n \"name\": \"x\",\n \"name\": \"y\"}") }
                .contains("key \"name\" appears twice (line 3, column 2)"))
        #expect(problem { try parseYAML("version: 1\nname: x\nname: y\n") }.contains("test.yaml is not valid YAML"))
        // An alias is plain YAML: it gives the same policy as writing the value out.
        let aliased = try parseYAML("version: 1\nname: x\ntypes:\n  email: &d drop\n  phone: *d\n")
        #expect(aliased == (try parseYAML("version: 1\nname: x\ntypes:\n  email: drop\n  phone: drop\n")))
    }

    @Test func missingPolicyFile() throws {
        let e = try #require(throws: SharingError.self) { try SharingPolicy.load(path: "/nonexistent/policy.yaml") }
        #expect(e.code == .policyUnreadable && e.message.contains("does not exist"))
    }

    @Test func jsonAndYAMLOfOnePolicyHashEqually() throws {
        let json = try parseJSON(
            #"""
            {"version": 1, "name": "same", "description": "Both syntaxes",
             "types": {"email": "pseudonymise", "card": {"action": "mask", "keep_last": 4},
                       "ipv4": {"action": "generalise", "prefix": 24}},
             "fields": {"raw": {"action": "drop"}, "time.observation": {"action": "generalise", "to": "hour"}},
             "names": ["Ana Petrović", "Marko Marković"]}
            """#)
        let yaml = try parseYAML(
            """
            # Comments do not change the policy or its hash.
            version: 1
            name: same
            description: Both syntaxes
            types:
              ipv4: {action: generalise}      # the default prefix is 24
              card: {action: mask, keep_first: 0, keep_last: 4, mask_char: "*"}
              email: {action: pseudonymise}
            fields:
              time.observation: {action: generalise, to: hour}
              raw: drop
            unlisted_types: drop
            default_field_action: scan
            names: [Marko Marković, Ana Petrović]
            """)
        #expect(json == yaml)
        #expect(json.canonicalJSON == yaml.canonicalJSON)
        #expect(json.hash == yaml.hash)
        #expect(json.hash.count == 64)
        // The hash is over the canonical form, which is plain RFC 8785 JSON.
        #expect(json.hash == digestHex(.sha256, of: Array(json.canonicalJSON.utf8)))
        #expect(
            json.canonicalJSON.hasPrefix(
                #"{"default_field_action":"scan","description":"Both syntaxes","fields":{"raw":{"action":"drop"},"#))
    }

    @Test func aChangedRuleChangesTheHash() throws {
        let a = try parseYAML("version: 1\nname: x\ntypes:\n  ipv4: {action: generalise, prefix: 24}\n")
        let b = try parseYAML("version: 1\nname: x\ntypes:\n  ipv4: {action: generalise, prefix: 16}\n")
        #expect(a.hash != b.hash)
    }

    @Test func canonicalFormParsesBackToTheSamePolicy() throws {
        let p = SharingPolicy.shippedDefault
        #expect(try parseJSON(p.canonicalJSON) == p)
        #expect(try parseJSON(p.prettyJSON) == p)
    }

    @Test func fieldRuleResolutionLongestPrefixWins() throws {
        let p = try parseYAML(
            "version: 1\nname: x\ndefault_field_action: drop\nfields:\n  a.*: keep\n  a.b.*: {action: mask}\n  a.b.c: scan\n"
        )
        #expect(p.rule(forField: "a.x").action == .keep)
        #expect(p.rule(forField: "a.b.x").action.name == .mask)
        #expect(p.rule(forField: "a.b.c").action == .scan)
        #expect(p.rule(forField: "ab").action == .drop)
        #expect(p.rule(forField: "a").action == .drop)
    }

    @Test func shippedDefaultEqualsTheSampleFile() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples/policies/default.yaml")
        let text = try String(contentsOf: sample, encoding: .utf8)
        #expect(text == DefaultPolicy.yaml)
        #expect(try SharingPolicy.load(path: sample.path) == SharingPolicy.named("default"))
    }

    @Test func shippedDefaultProtectsVictimsAndKeepsIOCs() {
        let p = SharingPolicy.shippedDefault
        #expect(p.name == "csirt-to-police")
        for t in [PersonalDataType.email, .ipv4, .ipv6, .iban, .phone, .jmbg, .turkishID, .albanianID, .person] {
            #expect(p.action(for: t).name == .pseudonymise, "\(t)")
        }
        #expect(p.action(for: .ipv4) == .pseudonymise(PseudonymiseRule(ipScheme: .reserved)))
        #expect(p.action(for: .card) == .mask(MaskRule(keepFirst: 0, keepLast: 4)))
        #expect(p.action(for: .url).name == .generalise)
        #expect(p.action(for: .bitcoinAddress) == .keep)
        #expect(p.unlistedTypes == .drop)
        #expect(p.rule(forField: "raw").action == .drop)
        #expect(p.rule(forField: "source.ip").action == .keep)
        #expect(p.rule(forField: "destination.ip").action.name == .pseudonymise)
        #expect(p.rule(forField: "time.source").action == .keep)
        #expect(p.rule(forField: "extra.note").action == .scan)
        #expect(p.needsPseudonymKey)
    }
}

/// Policy files that would exhaust the reader: refused with a clear error before they can.
@Suite struct PolicyLimitTests {
    /// The classic "billion laughs": nine levels of nine aliases, 558 bytes that expand to 9⁹ strings.
    static let billionLaughs: String = {
        var lines = ["version: 1", "name: lol", #"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        let names = Array("abcdefghi")
        for i in 1..<names.count {
            let previous = "*\(names[i - 1])"
            lines.append(
                "\(names[i]): &\(names[i]) [" + Array(repeating: previous, count: 9).joined(separator: ",") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func aliasBombIsRefused() {
        #expect(Self.billionLaughs.utf8.count < 600)
        let error = #expect(throws: SharingError.self) { try parseYAML(Self.billionLaughs) }
        #expect(error?.code == .policy)
        #expect(error?.message.contains("more than 16 YAML aliases") == true, "\(String(describing: error))")
    }

    @Test func aFewAliasesStillWork() throws {
        let policy = try parseYAML(
            """
            version: 1
            name: aliased
            types:
              ipv4: &reserved {action: pseudonymise, scheme: reserved}
              ipv6: *reserved
            """)
        #expect(policy.types[.ipv6] == policy.types[.ipv4])
    }

    @Test func deepNestingIsRefused() {
        let deepJSON = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let json = #expect(throws: SharingError.self) { try parseJSON(#"{"version": 1, "names": "# + deepJSON + "}") }
        #expect(json?.message.contains("nested more than 64 deep") == true, "\(String(describing: json))")

        let flow = #expect(throws: SharingError.self) { try parseYAML("names: " + deepJSON + "\n") }
        #expect(flow?.message.contains("nested more than 64 deep") == true, "\(String(describing: flow))")

        var block = "version: 1\n"
        for depth in 0..<70 { block += String(repeating: "  ", count: depth) + "k\(depth):\n" }
        let blockError = #expect(throws: SharingError.self) { try parseYAML(block) }
        #expect(blockError?.message.contains("nested more than 64 deep") == true, "\(String(describing: blockError))")

        let sequences = "names:\n" + String(repeating: "- ", count: 70) + "x\n"
        let sequenceError = #expect(throws: SharingError.self) { try parseYAML(sequences) }
        #expect(sequenceError?.message.contains("nested more than 64 deep") == true)
    }
}
