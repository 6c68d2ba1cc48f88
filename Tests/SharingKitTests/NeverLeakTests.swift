import EvidenceKit
import Foundation
import TestSupport
import Testing

@testable import SharingKit

// The never-leak guarantee: personal values planted in every input kind — plainly, inside IntelMQ's base64 `raw`,
// percent-encoded inside URLs and query strings, JSON-escaped, in a MIME encoded word, in a base64 run in a log
// line, in quoted CSV cells with commas and line breaks, in upper case — must not appear in any byte of any file of
// the package, in any of those encodings, when the policy says to remove them.

/// The values planted, one or more per type. All are reserved or test values (documentation IP ranges,
/// example.org, registry example IBANs, scheme test cards, checksum-valid but fictional national ids).
private enum Planted {
    static let email = "ivana.jovic@example.org"
    static let email2 = "Petar.Savic@Example.NET"
    static let ipv4 = "198.51.100.77"
    static let ipv6 = "2001:db8:abcd:12::77"
    static let iban = "RS35 2600 0560 1001 6113 79"
    static let ibanCompact = "RS35260005601001611379"
    static let iban2 = "DE89370400440532013000"
    static let card = "4012 8888 8888 1881"
    static let cardCompact = "4012888888881881"
    static let phone = "+381 60 321 6547"
    static let phoneCompact = "+381603216547"
    static let jmbg = "3112985450122"
    static let trID = "12345678950"
    static let alNID = "J05115999K"
    static let person = "Ivana Jović"
    static let person2 = "Savić, Petar"
    static let urlPath = "phish.example.net/r?u="
    static let btc = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    static let eth = "0x52908400098527886E0F7030069857D2E4169EE7"

    /// What the shipped default removes (everything but crypto addresses, which it keeps as attacker
    /// infrastructure, and names it is not told about). Names appear only where labelled in that run.
    static let removedByDefault = [
        email, email2, ipv4, ipv6, iban, ibanCompact, iban2, card, cardCompact, phone, phoneCompact, jmbg, trID, alNID,
        person, "Petar", "Savić", urlPath,
    ]
    /// The strict policy removes everything.
    static let removedByStrict = removedByDefault + [btc, eth]

    /// The surname alone, as it might survive a partial match.
    static let surname = "Jović"
}

/// The fixtures: one file per input kind, each holding every planted value, in the forms that kind uses.
/// - Parameter unlabelledNames: also write names where nothing labels them (free text, comments); only a policy
///   with a `names` list can find those.
private func writeInputs(_ s: Scratch, unlabelledNames: Bool) throws -> [String] {
    let P = Planted.self
    let name = unlabelledNames ? P.person : "the victim"
    let encodedEmail = P.email.replacingOccurrences(of: "@", with: "%40")
    let rawLine =
        "2026-03-01 09:12:00,\(P.ipv4),\(P.email),\(P.phone),\(P.iban),\(P.card),\(P.jmbg),\(P.trID),\(P.alNID),"
        + "https://\(P.urlPath)\(encodedEmail),\(P.ipv6),full_name=\(P.person),\(P.btc),\(P.eth)"
    let raw = Data(rawLine.utf8).base64EncodedString()
    let escapedEmail = P.email.replacingOccurrences(of: "@", with: "\\u0040")
    let intelmq =
        [
            #"{"classification.type":"phishing","time.source":"2026-03-01T09:12:00+00:00","source.ip":"203.0.113.45","#
                + #""source.url":"https://phish.example.net/","destination.ip":"\#(P.ipv4)","destination.account":"\#(P.email)","#
                + #""extra.victim_name":"\#(P.person)","extra.url":"https://\#(P.urlPath)\#(encodedEmail)","#
                + #""comment":"victim \#(name) \#(escapedEmail) \#(P.email2.uppercased()) called from \#(P.phone), card "#
                + #"\#(P.card), IBAN \#(P.iban), JMBG \#(P.jmbg), TCKN \#(P.trID), NID \#(P.alNID), host \#(P.ipv6), paid "#
                + #"\#(P.btc) and \#(P.eth)","raw":"\#(raw)"}"#,
            #"{"classification":{"type":"infected-system"},"destination":{"ip":"\#(P.ipv6)","account":"\#(P.email2)"},"#
                + #""extra":{"owner":{"full_name":"\#(P.person)","phone":"\#(P.phoneCompact)"},"iban":"\#(P.iban2)"},"#
                + #""raw":"\#(Data("owner Petar Savić \(P.email2) \(P.iban2)".utf8).base64EncodedString())"}"#,
        ].joined(separator: "\n") + "\n"

    let misp = """
        {"Event": {"info": "Phishing against \(name), \(escapedEmail)", "uuid": "5c0e3d1e-8a4b-4c2e-9f1a-2b3c4d5e6f70",
          "date": "2026-03-01", "Orgc": {"name": "Example CERT"}, "Tag": [{"name": "tlp:amber"}],
          "Attribute": [
            {"type": "ip-dst", "category": "Network activity", "to_ids": false, "value": "\(P.ipv4)"},
            {"type": "target-email", "category": "Targeting data", "value": "\(escapedEmail)"},
            {"type": "iban", "category": "Financial fraud", "value": "\(P.ibanCompact)", "comment": "of \(name)"},
            {"type": "cc-number", "category": "Financial fraud", "value": "\(P.cardCompact)"},
            {"type": "phone-number", "category": "Person", "value": "\(P.phone)"},
            {"type": "url", "category": "Network activity", "to_ids": true, "value": "https://phish.example.net/login"},
            {"type": "btc", "category": "Financial fraud", "to_ids": true, "value": "\(P.btc)"},
            {"type": "text", "category": "Other", "value": "JMBG \(P.jmbg), TCKN \(P.trID), NID \(P.alNID), \(P.ipv6), \(P.eth)",
             "comment": "reported by \(P.email2.lowercased())"}
          ],
          "Object": [{"name": "person", "Attribute": [
            {"type": "full-name", "object_relation": "full-name", "value": "\(P.person)"},
            {"type": "text", "object_relation": "e-mail", "value": "\\u0069vana.jovic\\u0040example.org"}]}]
        }}
        """

    let csv = """
        report_id,victim_name,email,iban,note\r
        R-1,\(P.person),\(P.email),\(P.iban),"Called from \(P.phone), card \(P.card); link https://\(P.urlPath)\(encodedEmail)"\r
        R-2,"\(P.person2)",\(P.email2),\(P.iban2),"Line one, with a comma
        line two: JMBG \(P.jmbg), TCKN \(P.trID), NID \(P.alNID), ""quoted"" \(P.ipv4) \(P.ipv6) \(P.btc) \(P.eth)"\r

        """

    let mime = "=?UTF-8?B?" + Data(P.person.utf8).base64EncodedString() + "?="
    let text = """
        2026-03-01T09:15:04+00:00 mx1 postfix/smtp[2215]: to=<\(P.email)>, relay=mx.example.org[\(P.ipv4)]:25, status=sent
        2026-03-01T09:20:11+00:00 web1 nginx: \(P.ipv6) - - "GET /reset?email=\(encodedEmail)&n=\(P.phone.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: " ", with: "+")) HTTP/1.1" 200 512
        2026-03-01T09:21:30+00:00 app1 notify: {"user":"\(escapedEmail)","iban":"\(P.ibanCompact)","card":"\(P.cardCompact)"}
        2026-03-01T09:22:00+00:00 mx1 milter: X-Data: \(Data("\(P.email2) \(P.iban2) \(P.jmbg)".utf8).base64EncodedString())
        From: \(mime) <\(P.email.uppercased())>
        To: "\(P.person2)" <\(P.email2)>
        name=\(P.person) tckn=\(P.trID) nid=\(P.alNID) tel \(P.phone) \(unlabelledNames ? "met Petar Savić and " + P.person : "")
        paid to \(P.btc) and \(P.eth); see https://\(P.urlPath)\(encodedEmail)

        """
    return [
        try s.write("events.jsonl", intelmq), try s.write("event.json", misp), try s.write("reports.csv", csv),
        try s.write("mail.log", text),
    ]
}

/// The strict policy: every type pseudonymised (URLs too), every field scanned — IntelMQ `raw` included, which is
/// decoded, redacted and encoded again.
private let strictPolicy = """
    version: 1
    name: pseudonymise-everything
    types: {email: pseudonymise, ipv4: pseudonymise, ipv6: pseudonymise, url: pseudonymise, iban: pseudonymise,
            card: pseudonymise, phone: pseudonymise, btc_address: pseudonymise, eth_address: pseudonymise,
            jmbg: pseudonymise, tr_id: pseudonymise, al_nid: pseudonymise, person: pseudonymise}
    unlisted_types: pseudonymise
    default_field_action: scan
    names: [Ivana Jović, Petar Savić]
    """

private let key = try! PseudonymKey(bytes: Array(repeating: 7, count: 32))

private func signer() throws -> Examiner {
    Examiner(id: "csirt-07", name: "Ana Analyst", key: try Ed25519PrivateKey(seed: Array(1...32)))
}

/// Runs the pipeline on `inputs` and builds the package in memory.
private func build(
    _ inputs: [String], policy: SharingPolicy, created: Date = Date(timeIntervalSince1970: 1_772_700_000)
)
    throws -> (SharingPackage.Built, SharingRun)
{
    let scanner = PersonalDataScanner(names: policy.names)
    var run = try SharingRun(policy: policy, key: key, detect: { scanner.scan($0) })
    try run.read(try inputs.map { try SharingInput.load(path: $0, format: nil) })
    let request = PackageRequest(
        title: "Never-leak test", senderOrganisation: "National CSIRT", recipient: "Cybercrime Unit",
        purpose: "Test", legalBasis: "Test", tlp: .amber, reviewBy: "2026-06-01", createdAt: created,
        policyHash: policy.hash, keyID: key.id, records: run.records, redactionLog: run.redactionLog,
        inputs: run.inputs)
    return (try SharingPackage.build(request, signer: try signer()), run)
}

/// Every form a removed value might take in a file: as written, lower and upper case, percent-encoded (every
/// non-alphanumeric byte, or all but `-._~`; lower- and upper-case hex; `+` for spaces), JSON-escaped (`\u00XX` for each non-alphanumeric
/// ASCII character, `\uXXXX` for non-ASCII, `\u0040` for `@` alone), and base64 (standard and URL-safe) at each of
/// the three byte alignments, as the characters that depend on the value alone.
func leakForms(_ value: String) -> Set<String> {
    var forms: Set<String> = [value, value.lowercased(), value.uppercased()]
    for v in [value, value.lowercased(), value.uppercased()] {
        // Every non-alphanumeric byte encoded, or (as URL and form encoders do) RFC 3986's unreserved `-._~` kept;
        // upper- and lower-case hex; `+` for a space as in form data.
        for keep in ["", "-._~"] {
            var upperHex = ""
            var lowerHex = ""
            var plus = ""
            for b in v.utf8 {
                let c = Character(Unicode.Scalar(b))
                if b < 0x80, c.isLetter || c.isNumber || keep.contains(c) {
                    upperHex.append(c)
                    lowerHex.append(c)
                    plus.append(c)
                } else {
                    upperHex += String(format: "%%%02X", b)
                    lowerHex += String(format: "%%%02x", b)
                    plus += b == 0x20 ? "+" : String(format: "%%%02X", b)
                }
            }
            forms.formUnion([upperHex, lowerHex, plus])
        }
        var allEscaped = ""
        var nonASCII = ""
        for scalar in v.unicodeScalars {
            let c = Character(scalar)
            allEscaped +=
                scalar.isASCII && (c.isLetter || c.isNumber) ? String(c) : String(format: "\\u%04x", scalar.value)
            nonASCII += scalar.isASCII ? String(c) : String(format: "\\u%04x", scalar.value)
        }
        forms.formUnion([allEscaped, allEscaped.uppercased().replacingOccurrences(of: "\\U", with: "\\u"), nonASCII])
        forms.insert(v.replacingOccurrences(of: "@", with: "\\u0040"))
    }
    // A text holding an escape keeps its backslash, which JSON output doubles.
    for form in forms where form.contains("\\") {
        forms.insert(form.replacingOccurrences(of: "\\", with: "\\\\"))
    }
    let bytes = Array(value.utf8)
    for k in 0..<3 {
        let encoded = Array(Data(Array(repeating: UInt8(0x20), count: k) + bytes).base64EncodedString())
        // Character i covers bits 6i..<6i+6; keep those entirely inside the value's bits 8k..<8(k+n).
        let first = (8 * k + 5) / 6
        let end = (8 * (k + bytes.count)) / 6
        guard end - first >= 8 else { continue }
        let standard = String(encoded[first..<end])
        forms.insert(standard)
        forms.insert(standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
    }
    return forms
}

/// Every leak of `values` in the members of `zip`, extracted with bsdtar (libarchive's own tool) and checked
/// against unzip's listing.
private func leaks(in zip: [UInt8], of values: [String], scratch s: Scratch, name: String) throws -> [String] {
    try Data(zip).write(to: URL(fileURLWithPath: s.file(name + ".zip")))
    try s.run("mkdir", ["-p", name])
    try s.run("bsdtar", ["-xf", name + ".zip", "-C", name])
    let listed = try s.run("unzip", ["-Z1", name + ".zip"]).split(separator: "\n").map(String.init)
    #expect(listed == SharingPackage.memberNames)
    var found: [String] = []
    for member in listed {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: s.file(name + "/" + member)))
        let text = String(decoding: bytes, as: UTF8.self)
        for value in values {
            for form in leakForms(value) where text.contains(form) {
                found.append("\(member): \(value) as \(form)")
            }
        }
    }
    return found
}

@Suite(.serialized) struct NeverLeakTests {
    @Test func theFormsAreTheOnesAToolWouldWrite() {
        let forms = leakForms("ana@example.org")
        #expect(forms.contains("ana%40example.org") && forms.contains("ana\\u0040example.org"))
        #expect(forms.contains("YW5hQGV4YW1wbGUub3Jn"))  // base64 at alignment 0, padding dropped
        #expect(forms.contains(where: { "IGFuYUBleGFtcGxlLm9yZw==".contains($0) && $0.count > 12 }))  // " ana@…"
        #expect(forms.contains(where: { "ICBhbmFAZXhhbXBsZS5vcmc=".contains($0) && $0.count > 12 }))  // "  ana@…"
        #expect(leakForms("Jović").contains("Jovi\\u0107") && leakForms("Jović").contains("Jovi%C4%87"))
    }

    @Test func theCheckFindsEveryPlantedValueWhenNothingIsRemoved() throws {
        // The same inputs under a policy that keeps everything: every planted value must be found, and in the
        // encodings planted, so that an empty result above means something.
        let s = try Scratch()
        let inputs = try writeInputs(s, unlabelledNames: true)
        let keepAll = try SharingPolicy.parse(
            Array(
                "{version: 1, name: keep-all, unlisted_types: keep, default_field_action: keep, types: {url: keep}}"
                    .utf8),
            format: .yaml, source: "keep-all")
        let (built, _) = try build(inputs, policy: keepAll)
        let found = try leaks(in: built.zip, of: Planted.removedByStrict, scratch: s, name: "keep")
        for value in Planted.removedByStrict {
            #expect(found.contains { $0.contains(": \(value) as ") }, "\(value) not found at all")
        }
        func seen(_ value: String, as form: String) -> Bool {
            found.contains("records/records.jsonl: \(value) as \(form)")
        }
        func seenInBase64(_ value: String) -> Bool {
            found.contains {
                $0.hasPrefix("records/records.jsonl: \(value) as ")
                    && $0.split(separator: " ").last!.allSatisfy { $0.isLetter || $0.isNumber || "+/-_".contains($0) }
                    && !$0.hasSuffix(" as " + value)
            }
        }
        #expect(seen(Planted.email, as: "ivana.jovic%40example.org"))
        #expect(seen(Planted.email, as: #"ivana.jovic\\u0040example.org"#))
        #expect(seenInBase64(Planted.email))  // in `raw` and in the X-Data line
        #expect(seen(Planted.person, as: "SXZhbmEgSm92acSH"))  // the MIME encoded word
        #expect(seen(Planted.email2, as: Planted.email2.uppercased()))
    }

    @Test func theDefaultPolicyRemovesEveryPlantedValue() throws {
        let s = try Scratch()
        let inputs = try writeInputs(s, unlabelledNames: false)
        let (built, run) = try build(inputs, policy: .shippedDefault)
        #expect(run.findings.isEmpty, "\(run.findings)")
        #expect(run.records.count > 10)
        let found = try leaks(in: built.zip, of: Planted.removedByDefault, scratch: s, name: "default")
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
        // What the default keeps is there: crypto addresses and the phishing host.
        let records = String(decoding: built.members.first { $0.name == "records/records.jsonl" }!.bytes, as: UTF8.self)
        #expect(records.contains(Planted.btc) && records.contains("https://phish.example.net/"))
        // The pseudonyms made are for the vault, with their originals; none of them is an original.
        #expect(run.pseudonymRecords.contains { $0.value == Planted.email && $0.type == .email })
        #expect(run.pseudonymRecords.allSatisfy { $0.pseudonym != $0.value })
    }

    @Test func theStrictPolicyRemovesEveryPlantedValueIncludingRaw() throws {
        let s = try Scratch()
        let inputs = try writeInputs(s, unlabelledNames: true)
        let policy = try SharingPolicy.parse(Array(strictPolicy.utf8), format: .yaml, source: "strict")
        let (built, run) = try build(inputs, policy: policy)
        #expect(run.findings.isEmpty, "\(run.findings)")
        var removed = Planted.removedByStrict
        removed.append(Planted.surname)
        let found = try leaks(in: built.zip, of: removed, scratch: s, name: "strict")
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
        // `raw` was scanned, not dropped: it is in the records, base64 of redacted text.
        let records = String(decoding: built.members.first { $0.name == "records/records.jsonl" }!.bytes, as: UTF8.self)
        let line = try #require(records.split(separator: "\n").first { $0.contains("\"events.jsonl:1\"") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let raw = try #require((object["fields"] as? [String: String])?["raw"])
        let decoded = String(decoding: try #require(Data(base64Encoded: raw)), as: UTF8.self)
        #expect(decoded.hasPrefix("2026-03-01 09:12:00,") && decoded.contains("@pseudonym.invalid"))
        #expect(!decoded.contains(Planted.email) && !decoded.contains(Planted.btc))
    }

    @Test func theSampleExportLeaksNothingUnderItsCasePolicy() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples/sharing-basic").path
        let s = try Scratch()
        let policy = try SharingPolicy.load(path: root + "/case-policy.yaml")
        let inputs = ["intelmq-events.jsonl", "misp-event.json", "victim-reports.csv", "mail.log"].map {
            root + "/" + $0
        }
        let (built, run) = try build(inputs, policy: policy)
        // The phishing host's address is kept in source.ip and ip-src but pseudonymised in mail.log's text: one
        // value, one treatment makes it the pseudonym everywhere, and says so.
        #expect(run.findings.isEmpty && run.malformedRecords == 0)
        #expect(
            run.treatmentNotes == [
                "one value, one treatment: 1 ipv4 value kept by fields.ip-src, fields.source.ip (in ip-src, source.ip) "
                    + "was given pseudonymise by types.ipv4 (in text) elsewhere in the package; the stricter rule won "
                    + "everywhere, so that no pseudonym sits beside its value"
            ])
        let removed = [
            "ana.petrovic@example.org", "marko.markovic@example.com", "jovana.ilic@example.com", "Ana Petrović",
            "Marko Marković", "Jovana Ilić", "Petrović", "+381 60 123 4567", "+381 60 765 4321", "+381 60 555 0101",
            "4111 1111 1111 1111", "4111-1111-1111-1111", "5555 5555 5555 4444", "RS35 2600 0560 1001 6113 79",
            "RS35260005601001611379", "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "ME25505000012345678951",
            "ME25 5050 0001 2345 6789 51", "0101990710008", "1505965800016", "10000000146", "J00101999W",
            "198.51.100.77", "192.0.2.10", "192.0.2.200", "2001:db8:1::25", "verify.php?user",
        ]
        let found = try leaks(in: built.zip, of: removed, scratch: s, name: "sample")
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    @Test func theSamePackageTwiceIsTheSameBytes() throws {
        let s = try Scratch()
        let inputs = try writeInputs(s, unlabelledNames: true)
        let (a, _) = try build(inputs, policy: .shippedDefault)
        let (b, _) = try build(inputs, policy: .shippedDefault)
        #expect(a.zip == b.zip)
        let (c, _) = try build(inputs, policy: .shippedDefault, created: Date(timeIntervalSince1970: 1_772_700_001))
        #expect(c.zip != a.zip)
    }
}
