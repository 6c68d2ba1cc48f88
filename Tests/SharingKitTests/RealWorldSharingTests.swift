import EvidenceKit
import Foundation
import TestSupport
import Testing

@testable import SharingKit

// Issue #12 on real CSIRT data: under the shipped default policy no IPv4 address, e-mail address or host name that
// spells an address is left in clear in any package member, and strings that are not personal data (timestamps,
// signatures, versions, component and organisation names) stay exactly as written. The values are found here with
// regular expressions written for this test, independently of the detectors (Benchmarks/leak-check.py does the
// same with Python's ipaddress and email.utils, on more files).

/// Every file of `csirt/` (see its SOURCES.md).
private let csirtFixtures = [
    "intelmq/experts__do_portal__test_expert.jsonl", "intelmq/experts__ripe__test_expert.jsonl",
    "intelmq/experts__tuency__test_expert.jsonl", "intelmq/outputs__redis__test_output_as_hierarchical_json.jsonl",
    "intelmq/outputs__templated_smtp__test_output.jsonl", "intelmq/parsers__abusech__test_parser_feodotracker.jsonl",
    "intelmq/parsers__anubisnetworks__test_parser.jsonl", "intelmq/parsers__cleanmx__test_parser.jsonl",
    "intelmq/parsers__cymru__test_cap_program.jsonl", "intelmq/parsers__cznic__test_parser_proki.jsonl",
    "intelmq/parsers__dshield__test_parser_block.jsonl", "intelmq/parsers__hibp__test_parser_callback.jsonl",
    "intelmq/parsers__key_value__test_parser.jsonl", "intelmq/parsers__microsoft__test_parser_ctip.jsonl",
    "intelmq/parsers__openphish__test_parser_commercial.jsonl", "intelmq/parsers__shadowserver__test_report_smb.jsonl",
    "intelmq/parsers__shodan__test_parser.jsonl", "intelmq/parsers__twitter__test_parser.jsonl",
    "intelmq/repo-aggregate-events.jsonl", "intelmq/repo-parsers-json-data.json", "logs/fail2ban-exim.log",
    "logs/loghub-Linux_2k.log", "logs/loghub-OpenSSH_2k.log", "misp/intelmq-misp_event.json",
    "misp/pymisp-57c4445b-c548-4654-af0b-4be3950d210f.json", "misp/pymisp-misp_event.json",
    "misp/pymisp-mispevent_testfiles__existing_event.json", "misp/pymisp-mispevent_testfiles__malware_exist.json",
    "misp/pymisp-mispevent_testfiles__shadow.json", "misp/pymisp-reportlab_testfiles__HTML_event.json",
    "misp/pymisp-reportlab_testfiles__galaxy_1.json", "misp/pymisp-reportlab_testfiles__japanese_test.json",
    "misp/pymisp-reportlab_testfiles__long_event.json", "misp/pymisp-reportlab_testfiles__mainly_objects_1.json",
    "misp/pymisp-reportlab_testfiles__sighting_1.json", "misp/pymisp-reportlab_testfiles__to_delete1.json",
]

private let shareKey = try! PseudonymKey(bytes: Array(repeating: 9, count: 32))

/// The package of `paths` under the shipped default policy, every member as text.
private func packageText(_ paths: [String]) throws -> String {
    let policy = SharingPolicy.shippedDefault
    let scanner = PersonalDataScanner(names: policy.names)
    var run = try SharingRun(policy: policy, key: shareKey, detect: { scanner.scan($0) })
    try run.read(try paths.map { try SharingInput.load(path: $0, format: nil) })
    let request = PackageRequest(
        title: "Real-world leak test", senderOrganisation: "National CSIRT", recipient: "Cybercrime Unit",
        purpose: "Test", legalBasis: "Test", tlp: .amber, reviewBy: "2026-06-01",
        createdAt: Date(timeIntervalSince1970: 1_772_700_000), policyHash: policy.hash, keyID: shareKey.id,
        records: run.records, redactionLog: run.redactionLog, inputs: run.inputs)
    let signer = Examiner(id: "csirt-07", name: "Ana Analyst", key: try Ed25519PrivateKey(seed: Array(1...32)))
    let built = try SharingPackage.build(request, signer: signer)
    return built.members.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n")
}

/// The values a reader sees, by regular expressions of this test: dotted quads of octets 0–255 (not a product
/// version such as `Firefox/2.0.0.4` or `rv:1.8.1.4`), e-mail addresses, and host names holding four octets joined
/// by `-` (`93-143-146-237.adsl.net.t-com.hr`).
private func visibleValues(_ text: String) -> Set<String> {
    var out = Set<String>()
    let ns = text as NSString
    let patterns = [
        #"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)"#,
        #"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"#,
        #"(?<![\w.-])[A-Za-z0-9-]*?\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}[A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])"#,
    ]
    for (n, pattern) in patterns.enumerated() {
        let re = try! NSRegularExpression(pattern: pattern)
        for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let value = ns.substring(with: m.range)
            if n == 0 {
                guard value.split(separator: ".").allSatisfy({ Int($0)! <= 255 }) else { continue }
                let before = ns.substring(
                    with: NSRange(location: max(0, m.range.location - 24), length: min(24, m.range.location)))
                let after = ns.substring(
                    with: NSRange(
                        location: m.range.location + m.range.length,
                        length: min(1, ns.length - m.range.location - m.range.length)))
                if after != "/",
                    before.range(of: #"(?:(?<![\w.-])[A-Z][a-z]+/|\brv:)$"#, options: .regularExpression) != nil
                {
                    continue
                }
            }
            if n == 2, !value.split(separator: "-").contains(where: { $0.contains(".") || Int($0) == nil }) { continue }
            out.insert(value)
        }
    }
    return out
}

/// (field, text) pairs of a JSON input: IntelMQ keys (nested ones joined with dots), MISP attributes by type.
private func jsonFields(_ node: Any, _ path: [String] = [], into out: inout [(String, String)]) {
    if let d = node as? [String: Any] {
        if let type = d["type"] as? String, let value = d["value"], !(value is [Any]), !(value is [String: Any]) {
            out.append((type, "\(value)"))
        }
        for (k, v) in d where !(k == "value" && d["type"] is String) { jsonFields(v, path + [k], into: &out) }
    } else if let a = node as? [Any] {
        for v in a { jsonFields(v, path, into: &out) }
    } else if let s = node as? String {
        out.append((path.joined(separator: "."), s))
    }
}

/// The values of `path` the policy may leave in clear: those in a field it keeps as written (IntelMQ's
/// `source.ip`, MISP's `ip-src`: the attacker's infrastructure; for an infected-system report, the C2 server in
/// `destination.*`, by the policy's per-classification rules), and those it must not.
private func valuesByTreatment(_ path: String) throws -> (kept: Set<String>, removed: Set<String>) {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let text = String(decoding: data, as: UTF8.self)
    // (field, value, the record's classification.type)
    var fields: [(String, String, String?)] = []
    func add(_ doc: Any) {
        var pairs: [(String, String)] = []
        jsonFields(doc, into: &pairs)
        let d = doc as? [String: Any]
        let classification =
            (d?["classification.type"] as? String) ?? ((d?["classification"] as? [String: Any])?["type"] as? String)
        fields += pairs.map { ($0.0, $0.1, classification) }
    }
    if path.hasSuffix(".json"), let doc = try? JSONSerialization.jsonObject(with: data) {
        add(doc)
    } else if path.hasSuffix(".jsonl") || path.hasSuffix(".json") {  // JSON Lines, whatever the extension
        for line in text.split(separator: "\n") {
            if let doc = try? JSONSerialization.jsonObject(with: Data(line.utf8)) { add(doc) }
        }
    } else {
        fields = [("", text, nil)]
    }
    let policy = SharingPolicy.shippedDefault
    var kept = Set<String>()
    var all = Set<String>()
    for (field, value, classification) in fields {
        let found = visibleValues(value)
        all.formUnion(found)
        if !field.isEmpty, policy.ruleAndName(forField: field, classification: classification).0.action.name == .keep {
            kept.formUnion(found)
        }
    }
    return (kept, all.subtracting(kept))
}

@Suite struct RealWorldSharingTests {
    @Test(arguments: csirtFixtures)
    func noAddressLeftInClearUnderTheDefaultPolicy(_ fixture: String) throws {
        let path = RealWorldFixtures.url("csirt/" + fixture).path
        #expect(FileManager.default.fileExists(atPath: path), "missing fixture \(path)")
        let (_, removed) = try valuesByTreatment(path)
        let package = try packageText([path])
        let lower = package.lowercased()
        let leaks = removed.filter { value in
            let v = value.lowercased()
            guard let r = lower.range(of: v) else { return false }
            // A whole value, not the tail of a longer number (1.2.3.45 holds 1.2.3.4).
            var at = r
            while true {
                let after = lower[at.upperBound...].first
                let before = at.lowerBound > lower.startIndex ? lower[lower.index(before: at.lowerBound)] : nil
                if !(after?.isNumber ?? false), !(before?.isNumber ?? false) { return true }
                guard let next = lower.range(of: v, range: at.upperBound..<lower.endIndex) else { return false }
                at = next
            }
        }
        #expect(leaks.isEmpty, "\(fixture): left in clear: \(leaks.sorted().prefix(10))")
    }

    /// The reverse-DNS name of exim's test log (`H=93-143-146-237.adsl.net.t-com.hr … [93.143.146.237]`) sat in
    /// clear beside the pseudonym of the same address.
    @Test func reverseDNSNameOfTheEximLogIsNotLeft() throws {
        let package = try packageText([RealWorldFixtures.url("csirt/logs/fail2ban-exim.log").path])
        #expect(!package.contains("93-143-146-237"))
        #expect(!package.contains("93.143.146.237"))
        let linux = try packageText([RealWorldFixtures.url("csirt/logs/loghub-Linux_2k.log").path])
        #expect(!linux.contains("211-76-104-65"))
        #expect(!linux.contains("host129.206.196.21"))
    }

    /// A Snort rule in a MISP event and breach names in Have I Been Pwned events are not personal data.
    @Test func signaturesAndBreachNamesStayAsWritten() throws {
        let misp = try packageText([
            RealWorldFixtures.url("csirt/misp/pymisp-reportlab_testfiles__long_event.json").path
        ])
        #expect(misp.contains("|01 00 00 01 00 00 00 00 00 00|"))
        let hibp = try packageText([
            RealWorldFixtures.url("csirt/intelmq/parsers__hibp__test_parser_callback.jsonl").path
        ])
        // Two breaches are a JSON text inside `extra.breach` (their quotes escaped in the records), one a field.
        for name in ["Adobe", "BattlefieldHeroes"] {
            #expect(hibp.contains(#"\"Name\":\"\#(name)\""#), "\(name)")
        }
        #expect(hibp.contains(#""extra.breach.Name":"Wanelo""#))
        let galaxy = try packageText([
            RealWorldFixtures.url("csirt/misp/pymisp-reportlab_testfiles__galaxy_1.json").path
        ])
        #expect(galaxy.contains("\"event.orgc\":\"CIRCL\""))
    }
}

/// Lines of public logs (loghub's Mac, Android, OpenStack and Thunderbird samples, fail2ban's asterisk test log)
/// that the detectors once changed; each is quoted as written.
@Suite struct RealLogLineTests {
    private func scan(_ line: String) -> [String] {
        let bytes = Array(line.utf8)
        return PersonalDataScanner().scan(bytes).map {
            "\($0.type.rawValue):" + String(decoding: bytes[$0.start..<$0.end], as: UTF8.self)
        }
    }

    @Test func timestampsAndStampsAreNotPhoneNumbers() {
        #expect(scan("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute") == [])
        #expect(scan("[0701/114930:WARNING:dns_config_service_posix.cc(306)] Failed to read DnsConfig.") == [])
        #expect(scan("Copyright (C) 2000-2002 Hewlett-Packard Co") == [])
        #expect(scan("Oct 27 2015 12:35:40 Mac-mini screensharingd[1234]: Authentication") == [])
        #expect(scan("081110 010354 5184 INFO dfs.DataNode$PacketResponder: Received block") == [])
        #expect(scan("081110 004657 17337 INFO dfs.DataNode$DataXceiver: Receiving block") == [])
        #expect(scan("Task attempt_1445144423722 progress 0.37551183 and 0.4256971 done") == [])
    }

    @Test func signatureBytesAreNotPhoneNumbers() {
        #expect(scan(#"alert udp any any -> any 53 (content:"|01 00 00 01 00 00 00 00 00 00|"; sid:1;)"#) == [])
        #expect(scan("content:\"|01 00 00 01 00|\"") == [])
        // A French number in pairs is still one.
        #expect(scan("tel 06 12 34 56 78") == ["phone:06 12 34 56 78"])
    }

    @Test func versionsAndComponentsAreNotAddressesOrURLs() {
        #expect(scan("Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4") == [])
        #expect(
            scan("START u0 {act=android.intent.action.MAIN cmp=com.android.settings/.Settings} from uid 1000") == [])
        #expect(scan("Displayed com.tencent.mm/.plugin.base.stub.WXEntryActivity: +120ms") == [])
        #expect(scan("read /Applications/Google Chrome.app/Contents/Info.plist failed") == [])
        #expect(scan("client 192.0.2.7#53: query (cache) 'ricreig.com/NS/IN' denied") == ["ipv4:192.0.2.7"])
        #expect(scan("client 192.0.2.7#53: query (cache) 'simmarket.com.ua/IN' denied") == ["ipv4:192.0.2.7"])
    }

    @Test func bareNameFieldsAreNotPersons() {
        #expect(scan("Surface(name=SurfaceView - com.x/com.x.Main)") == [])
        #expect(scan("Name: OneStats") == [])
        #expect(scan(#"{"Name":"Adobe","Title":"Adobe"}"#) == [])
        #expect(scan(#"{"Orgc": {"id": "1", "name": "CIRCL"}}"#) == [])
        #expect(scan("from owner: com.apple.SystemUIServer.agent") == [])
        // Still names: a person's name after name=, and "name" inside an object for a person.
        #expect(scan("name=Ana Marković age=30") == ["person:Ana Marković"])
        #expect(scan(#"{"user": {"id": 7, "name": "Adobe"}}"#) == ["person:Adobe"])
    }

    @Test func addressAfterProtocolTokens() {
        let line =
            #"SecurityEvent="InvalidPassword",LocalAddress="IPV4/UDP/10.0.0.5/5060",RemoteAddress="IPV4/UDP/141.255.164.106/5084""#
        #expect(scan(line) == ["ipv4:10.0.0.5", "ipv4:141.255.164.106"])
        #expect(scan("peer TCP/192.0.2.1 and 198.51.100.2/24") == ["ipv4:192.0.2.1", "ipv4:198.51.100.2"])
        // portsentry's `address/address`, Java's `host/address` (Hadoop), haproxy's IPv6 address and port.
        #expect(scan("Host: 192.168.56.1/192.168.56.1 Port: 1") == ["ipv4:192.168.56.1", "ipv4:192.168.56.1"])
        #expect(scan("from  MININT-FNANLI5/127.0.0.1 to msra-sa-41:9000") == ["ipv4:127.0.0.1"])
        #expect(scan("haproxy[760]: 2001:db8::1234:58430 [14/Nov/2015:22:45:11.608]") == ["ipv6:2001:db8::1234"])
        #expect(scan("Chrome/120.0.0.0 Safari/537.36") == [])
    }

    @Test func hostNamesThatSpellAnAddress() {
        #expect(scan("H=93-143-146-237.adsl.net.t-com.hr (x)") == ["ipv4:93-143-146-237.adsl.net.t-com.hr"])
        #expect(scan("rhost=220-135-151-1.hinet-ip.hinet.net") == ["ipv4:220-135-151-1.hinet-ip.hinet.net"])
        #expect(scan("rhost=host129.206.196.21.maximumasp.com") == ["ipv4:host129.206.196.21.maximumasp.com"])
        #expect(scan("PTR 4.3.2.1.in-addr.arpa.") == ["ipv4:4.3.2.1.in-addr.arpa"])
        #expect(scan("Jul  6 14:17:00 calvisitor-10-105-162-178 kernel[0]: x") == ["ipv4:calvisitor-10-105-162-178"])
        #expect(scan("Jul  8 03:32:46 airbears2-10-142-108-38 kernel[0]: x") == ["ipv4:airbears2-10-142-108-38"])
        let ptr6 = "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa"
        #expect(scan("q \(ptr6) x") == ["ipv6:" + ptr6])
        // A file name or a version with hyphens is no host name.
        #expect(scan("kernel-2-6-18-8.el5.x86_64 and 1-2-3-4 alone") == [])
    }

    @Test func evasions() {
        #expect(scan("ip 141.255\u{200B}.164.106 x") == ["ipv4:141.255\u{200B}.164.106"])
        #expect(scan("ip 141.255\u{AD}.164.106 x") == ["ipv4:141.255\u{AD}.164.106"])
        #expect(
            scan("mail a&#64;example.com b&#x40;example.org") == [
                "email:a&#64;example.com", "email:b&#x40;example.org",
            ])
        #expect(scan("iban rs35260005601001611379 x") == ["iban:rs35260005601001611379"])
        #expect(scan("card 4111.1111.1111.1111 x") == ["card:4111.1111.1111.1111"])
        #expect(
            scan("call ++441772285411 or 00 44 1772 285411") == ["phone:++441772285411", "phone:00 44 1772 285411"])
        // Dialled through a PBX with a carrier-select digit (fail2ban's asterisk log).
        #expect(scan("to extension '001447441452805' rejected") == ["phone:001447441452805"])
        // A mixed-case IBAN-like token and a HealthApp counter are not values.
        #expect(scan("rS35260005601001611379 5015 150454 240") == [])
    }
}
