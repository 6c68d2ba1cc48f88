import EvidenceKit
import Foundation
import IProceedsBase
import TestSupport
import Testing

@testable import SharingKit

extension Scratch {
    /// Runs a Python script here; returns what it wrote (standard error included).
    /// - Throws: when it exits non-zero.
    @discardableResult
    fileprivate func python(_ script: String) throws -> String { try run("python3", ["-c", script]) }
}

/// A fixed examiner, so that packages are reproducible.
private func examiner() throws -> Examiner {
    Examiner(id: "csirt-07", name: "Ana Analyst", key: try Ed25519PrivateKey(seed: Array(1...32)))
}

/// A request with every observable kind, pseudonyms that do and do not fit their STIX observable, indicators,
/// and awkward values (a quote in a URL, non-ASCII text).
private func sampleRequest(tlp: TLP = .amber) -> PackageRequest {
    let records = [
        SharedRecord(
            id: "feed.jsonl:1", time: "2026-03-01T10:00:00+01:00", category: "phishing", description: "Phishing page",
            fields: [
                ("classification.type", "phishing"), ("source.url", "http://bank-login.example.net/it's/login.php?u=1"),
                ("source.fqdn", "bank-login.example.net"), ("source.ip", "203.0.113.7"),
                ("source.account", "pseud_4f1c@pseudonym.invalid"),
                ("comment", "Žrtva prijavila — ünïcödé"),
            ],
            observables: [
                SharedObservable(
                    kind: .url, value: "http://bank-login.example.net/it's/login.php?u=1", isIndicator: true,
                    field: "source.url"),
                SharedObservable(
                    kind: .domain, value: "bank-login.example.net", isIndicator: true, field: "source.fqdn"),
                SharedObservable(kind: .ipv4, value: "203.0.113.7", isIndicator: true, field: "source.ip"),
                SharedObservable(
                    kind: .email, value: "pseud_4f1c@pseudonym.invalid", pseudonymised: true, field: "source.account"),
            ]),
        SharedRecord(
            id: "feed.jsonl:2", time: "2026-03-01 11:30:05Z", category: "malware",
            fields: [("classification.type", "malware"), ("malware.hash.sha256", String(repeating: "ab", count: 32))],
            observables: [
                SharedObservable(
                    kind: .sha256, value: String(repeating: "ab", count: 32), isIndicator: true,
                    field: "malware.hash.sha256"),
                SharedObservable(
                    kind: .md5, value: "d41d8cd98f00b204e9800998ecf8427e", isIndicator: true, field: "malware.hash.md5"),
                SharedObservable(kind: .ipv6, value: "2001:db8::7", isIndicator: true, field: "destination.ip"),
                SharedObservable(kind: .ipv4, value: "ipv4-7f3a9c", pseudonymised: true, field: "destination.ip"),
                SharedObservable(kind: .ipv4, value: "203.0.113.7", isIndicator: true, field: "source.ip"),
            ]),
        SharedRecord(
            id: "fraud.csv:7", time: "2026-02-28", category: "fraud", description: "Money mule account",
            fields: [("iban", "PSEUDO-IBAN-91ab"), ("card", "PSEUDO-CARD-22cd"), ("phone", "+381 60 1234567")],
            observables: [
                SharedObservable(kind: .iban, value: "PSEUDO-IBAN-91ab", pseudonymised: true, field: "iban"),
                SharedObservable(kind: .card, value: "PSEUDO-CARD-22cd", pseudonymised: true, field: "card"),
                SharedObservable(kind: .phone, value: "+381 60 1234567", field: "phone"),
                SharedObservable(
                    kind: .bitcoinAddress, value: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", isIndicator: true,
                    field: "btc"),
                SharedObservable(
                    kind: .ethereumAddress, value: "0x52908400098527886E0F7030069857D2E4169EE7", isIndicator: true,
                    field: "eth"),
                SharedObservable(
                    kind: .ethereumAddress, value: "PSEUDO-ETH-0a0b", pseudonymised: true, field: "eth_victim"),
                SharedObservable(kind: .person, value: "PSEUDO-NAME-77aa", pseudonymised: true, field: "holder"),
                SharedObservable(kind: .person, value: "Marko Marković", field: "contact"),
                SharedObservable(kind: .jmbg, value: "PSEUDO-JMBG-1234", pseudonymised: true, field: "jmbg"),
                SharedObservable(kind: .turkishID, value: "10000000146", field: "tc"),
                SharedObservable(kind: .albanianID, value: "PSEUDO-NID-5555", pseudonymised: true, field: "nid"),
                SharedObservable(kind: .domain, value: "xn--bcher-kva.example", isIndicator: true, field: "domain"),
            ]),
        SharedRecord(id: "fraud.csv:8", category: "fraud", fields: [("note", "nothing to observe")]),
    ]
    return PackageRequest(
        title: "Phishing and mule accounts, March 2026", senderOrganisation: "National CSIRT",
        recipient: "Cybercrime Unit, Police",
        purpose: "Criminal investigation of a phishing campaign", legalBasis: "Law on Information Security, Art. 12",
        tlp: tlp,
        reviewBy: "2026-09-01", createdAt: Date(timeIntervalSince1970: 1_772_000_000.123),
        dataSubjectCategories: ["suspects", "victims"], reliability: "B2",
        policyHash: String(repeating: "c", count: 64),
        keyID: "psk-2026-01",
        pseudonymScheme: PseudonymScheme(
            description: "HMAC-SHA-256 of the value under the sender's key, first 16 hex digits",
            keyedHashFunction: "hmac-sha256"),
        records: records,
        redactionLog: RedactionLog(
            counts: [
                .init(
                    type: "email", field: "source.account", rule: "pseudonymise-contacts", action: "pseudonymise",
                    count: 1),
                .init(type: "iban", field: "iban", rule: "pseudonymise-accounts", action: "pseudonymise", count: 1),
                .init(
                    type: "email", field: "source.account", rule: "pseudonymise-contacts", action: "pseudonymise",
                    count: 2),
                .init(type: "phone", field: "comment", rule: "mask-phones", action: "mask", count: 3),
            ], recordsRead: 5, recordsDropped: 1),
        inputs: [
            (name: "feed.jsonl", sha256: String(repeating: "1", count: 64)),
            (name: "fraud.csv", sha256: String(repeating: "2", count: 64)),
        ])
}

@Suite struct PackageTests {
    // MARK: TLP

    @Test func tlpMarkingIDsArePinned() {
        // OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0 (and the STIX 2.1 spec §7.2.1.4
        // for the TLP 1.0 ids).
        #expect(TLP.clear.stixMarkingID == "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487")
        #expect(TLP.green.stixMarkingID == "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb")
        #expect(TLP.amber.stixMarkingID == "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421")
        #expect(TLP.amberStrict.stixMarkingID == "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003")
        #expect(TLP.red.stixMarkingID == "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1")
        #expect(TLP.stixExtensionID == "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d")
        #expect(TLP.clear.stixTLP1MarkingID == "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9")
        #expect(TLP.green.stixTLP1MarkingID == "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da")
        #expect(TLP.amber.stixTLP1MarkingID == "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82")
        #expect(TLP.red.stixTLP1MarkingID == "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed")
        // The OASIS example object for AMBER+STRICT, byte for byte in canonical form.
        #expect(
            TLP.amberStrict.stixMarkingDefinition.canonical
                == #"{"created":"2022-10-01T00:00:00.000Z","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"amber+strict"}},"id":"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003","name":"TLP:AMBER+STRICT","spec_version":"2.1","type":"marking-definition"}"#
        )
        #expect(TLP.allCases.map(\.mispTag) == ["tlp:clear", "tlp:green", "tlp:amber", "tlp:amber+strict", "tlp:red"])
        #expect(TLP(rawValue: "amber+strict") == .amberStrict)
    }

    // MARK: Pieces

    @Test func observableIDsFollowSTIX() throws {
        // STIX 2.1 §2.9: UUIDv5 in 00abedb4-… over the JCS form of the id-contributing properties; the expected
        // value is Python's uuid.uuid5 over json.dumps(sort_keys=True, separators=(",", ":")).
        #expect(
            PackageIDs.observable(type: "ipv4-addr", contributing: .object([("value", "198.51.100.3")]))
                == "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4")
    }

    @Test func stixValueSyntax() {
        #expect(STIXValueSyntax.isIPv4("203.0.113.7") && STIXValueSyntax.isIPv4("10.0.0.0/8"))
        #expect(
            !STIXValueSyntax.isIPv4("010.0.0.1") && !STIXValueSyntax.isIPv4("256.1.1.1")
                && !STIXValueSyntax.isIPv4("ipv4-7f3a9c"))
        #expect(
            STIXValueSyntax.isIPv6("2001:db8::7") && !STIXValueSyntax.isIPv6("::ffff:1.2.3.4")
                && !STIXValueSyntax.isIPv6("fe80::1%eth0"))
        #expect(STIXValueSyntax.isURI("http://a.example/it's?q=1#f") && STIXValueSyntax.isURI("http://[::1]:80/x"))
        #expect(
            !STIXValueSyntax.isURI("http://a.example/a b") && !STIXValueSyntax.isURI("http://ex.com/%zz")
                && !STIXValueSyntax.isURI("no-scheme"))
        #expect(
            !STIXValueSyntax.isURI("http://a.com/?q=1#f#g") && !STIXValueSyntax.isURI("http://a.com:8o/")
                && !STIXValueSyntax.isURI("http://a.com/ü"))
        #expect(
            STIXValueSyntax.isHostname("Example.com.") && !STIXValueSyntax.isHostname("ex_ample.com")
                && !STIXValueSyntax.isHostname("ab--c.com"))
        #expect(!STIXValueSyntax.isHostname("xn--bcher-kva.example") && !STIXValueSyntax.isHostname("-a.com"))
        #expect(
            STIXValueSyntax.isEmail("a@b") && !STIXValueSyntax.isEmail("a b@c") && !STIXValueSyntax.isEmail("x@y@z"))
    }

    @Test func timesParse() {
        func ms(_ text: String) -> Int64? {
            PackageRequest.time(parsing: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        }
        #expect(ms("2026-03-01T10:00:00+01:00") == 1_772_355_600_000)
        #expect(ms("2026-03-01 09:00:00.5Z") == 1_772_355_600_500)
        #expect(ms("2026-03-01") == 1_772_323_200_000)
        #expect(ms("2026-03-01T09:00:00+0000") == 1_772_355_600_000)
        #expect(ms("01/03/2026") == nil && ms("2026-03-01T09:00:00 junk") == nil)
        #expect(PackageTime.iso(milliseconds: 1_772_355_600_500) == "2026-03-01T09:00:00.500Z")
        #expect(PackageTime.isDay("2026-02-28") && !PackageTime.isDay("2026-02-30"))
    }

    /// A day the month does not have is refused, as everywhere else in the toolkit. SharingKit had a date grammar
    /// of its own that read 31 February 2026 as 3 March (and 29 February 2025 as 1 March) without a word.
    @Test func daysTheCalendarDoesNotHaveAreRefused() throws {
        #expect(PackageRequest.time(parsing: "2026-02-31T10:00:00Z") == nil)
        #expect(PackageRequest.time(parsing: "2025-02-29") == nil)
        #expect(PackageRequest.time(parsing: "2026-04-31 08:00:00") == nil)
        #expect(PackageRequest.time(parsing: "2024-02-29T10:00:00Z") != nil)
        // A record whose time field is such a day gets no time from it (the field itself is shared as written).
        let scanner = PersonalDataScanner(names: SharingPolicy.shippedDefault.names)
        var run = try SharingRun(
            policy: .shippedDefault, key: try PseudonymKey(bytes: Array(repeating: 9, count: 32)),
            detect: { scanner.scan($0) })
        let jsonl = """
            {"time.source": "2026-02-31T10:00:00Z", "classification.type": "phishing"}
            {"time.source": "2026-02-28T10:00:00Z", "classification.type": "phishing"}

            """
        try run.read([SharingInput(path: "x", name: "x", format: .intelmq, bytes: Array(jsonl.utf8))])
        #expect(run.records.map(\.time) == [nil, "2026-02-28T10:00:00Z"])
    }

    @Test func badRequestsAreRefused() throws {
        var r = sampleRequest()
        r.reviewBy = "next year"
        #expect(throws: SharingError.self) { try SharingPackage.build(r, signer: try examiner()) }
        r = sampleRequest()
        r.reliability = "G9"
        #expect(throws: SharingError.self) { try SharingPackage.build(r, signer: try examiner()) }
        r = sampleRequest()
        r.records.append(r.records[0])
        #expect(throws: SharingError.self) { try SharingPackage.build(r, signer: try examiner()) }
        r = sampleRequest()
        r.recipient = " "
        #expect(throws: SharingError.self) { try SharingPackage.build(r, signer: try examiner()) }
    }

    // MARK: The package

    @Test func buildsAreByteIdentical() throws {
        let s = try Scratch()
        let a = try SharingPackage.write(sampleRequest(), to: s.file("a.zip"), signer: try examiner())
        let b = try SharingPackage.write(sampleRequest(), to: s.file("b.zip"), signer: try examiner())
        #expect(a.sha256 == b.sha256)
        #expect(
            FileManager.default.contents(atPath: s.file("a.zip"))
                == FileManager.default.contents(atPath: s.file("b.zip")))
        #expect(a.files == SharingPackage.memberNames)
        #expect(!FileManager.default.fileExists(atPath: s.file("a.zip.partial")))
        // Another creation time or recipient is another package.
        var other = sampleRequest()
        other.createdAt = other.createdAt.addingTimeInterval(1)
        #expect(try SharingPackage.build(other, signer: try examiner()).packageID != a.packageID)
        // An existing output is not replaced unless asked.
        #expect(throws: SharingError.self) {
            try SharingPackage.write(sampleRequest(), to: s.file("a.zip"), signer: try examiner())
        }
        try SharingPackage.write(sampleRequest(), to: s.file("a.zip"), signer: try examiner(), replace: true)
    }

    @Test func unzipsWithIndependentTools() throws {
        let s = try Scratch()
        try SharingPackage.write(sampleRequest(), to: s.file("p.zip"), signer: try examiner())
        let listing = try s.run("unzip", ["-Z1", "p.zip"]).split(separator: "\n").map(String.init)
        #expect(listing == SharingPackage.memberNames)
        try s.run("unzip", ["-tq", "p.zip"])
        try s.run("mkdir", ["x"])
        try s.run("bsdtar", ["-xf", "p.zip", "-C", "x"])
        // Every listed file's SHA-256 as sha256sum computes it, against the manifest.
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.file("x/manifest.json"))))
                as? [String: Any])
        let files = try #require(manifest["files"] as? [[String: Any]])
        #expect(
            files.map { $0["name"] as! String } == [
                "SHA256SUMS", "misp/event.json", "records/records.jsonl", "redaction-log.json", "stix/bundle.json",
                "summary.html",
            ])
        for f in files {
            let out = try s.run("sha256sum", ["x/" + (f["name"] as! String)])
            #expect(out.prefix(64) == (f["sha256"] as! String)[...])
        }
        let check = try s.run("sh", ["-c", "cd x && sha256sum -c SHA256SUMS"])
        #expect(check.split(separator: "\n").count == 5 && !check.contains("FAILED"))
        // Fixed metadata: mode 0644, the creation time (UTC) in the MS-DOS field.
        let meta = try s.python(
            """
            import zipfile
            for i in zipfile.ZipFile('p.zip').infolist():
                print(i.filename, oct(i.external_attr >> 16), i.date_time, i.compress_type)
            """
        )
        for line in meta.split(separator: "\n") { #expect(line.hasSuffix("0o100644 (2026, 2, 25, 6, 13, 20) 0")) }
        // The records file holds the redacted records in source field order.
        let records = try String(contentsOfFile: s.file("x/records/records.jsonl"), encoding: .utf8)
        #expect(records.split(separator: "\n").count == 4)
        #expect(
            records.hasPrefix(
                #"{"id":"feed.jsonl:1","time":"2026-03-01T10:00:00+01:00","category":"phishing","description":"Phishing page","fields":{"classification.type":"phishing","#
            ))
        // The redaction log and the cover sheet carry no record value.
        for name in ["x/redaction-log.json", "x/summary.html"] {
            let text = try String(contentsOfFile: s.file(name), encoding: .utf8)
            for secret in ["203.0.113.7", "pseud_4f1c", "Marko", "PSEUDO-IBAN", "+381 60"] {
                #expect(!text.contains(secret), "\(name) holds \(secret)")
            }
        }
        let summary = try String(contentsOfFile: s.file("x/summary.html"), encoding: .utf8)
        #expect(
            !summary.lowercased().contains("<script") && !summary.contains("http://") && !summary.contains("https://"))
        #expect(
            summary.contains("TLP:AMBER") && summary.contains("#FFC000") && summary.contains("2026-09-01")
                && summary.contains("Cybercrime Unit, Police"))
        let log = try String(contentsOfFile: s.file("x/redaction-log.json"), encoding: .utf8)
        #expect(log.contains(#""count": 3,"#) && log.contains(#""pseudonymise": 4"#))
    }

    @Test func stixBundlePassesTheValidator() throws {
        let s = try Scratch()
        for tlp in TLP.allCases {
            try SharingPackage.write(sampleRequest(tlp: tlp), to: s.file("\(tlp.rawValue).zip"), signer: try examiner())
            try s.run("unzip", ["-q", "-o", "\(tlp.rawValue).zip", "stix/bundle.json", "-d", tlp.rawValue])
            let result = try s.exec("stix2_validator", ["\(tlp.rawValue)/stix/bundle.json"])
            #expect(result.status == 0, "\(result.stdout)")
            #expect(result.stdout.contains("STIX JSON: Valid"), "\(result.stdout)")
            #expect(!result.stdout.contains("[X]"), "\(result.stdout)")
        }
        // The content: observables and their ids, indicators, markings, relationships.
        let check = try s.python(
            """
            import json, uuid
            b = json.load(open('amber/stix/bundle.json'))
            objs = b['objects']
            by = {}
            for o in objs: by.setdefault(o['type'], []).append(o)
            ns = uuid.UUID('00abedb4-aa42-466c-9c01-fed23315a9b7')
            for t in ['ipv4-addr', 'ipv6-addr', 'email-addr', 'url', 'domain-name']:
                for o in by.get(t, []):
                    want = t + '--' + str(uuid.uuid5(ns, json.dumps({'value': o['value']}, sort_keys=True, separators=(',', ':'), ensure_ascii=False)))
                    assert o['id'] == want, (o['id'], want)
            for o in by['file']:
                want = 'file--' + str(uuid.uuid5(ns, json.dumps({'hashes': o['hashes']}, sort_keys=True, separators=(',', ':'))))
                assert o['id'] == want
            for o in by['iproceeds-observable']:
                want = 'iproceeds-observable--' + str(uuid.uuid5(ns, json.dumps({'kind': o['kind'], 'value': o['value']}, sort_keys=True, separators=(',', ':'), ensure_ascii=False)))
                assert o['id'] == want
            marking = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
            fixed = {'identity--efd3b402-0ed8-4460-937b-fa8e9056c235', 'extension-definition--9be14494-2367-45c2-8adf-5679d84418a9', 'extension-definition--8ea17983-cb80-4d23-81c0-4d30df5ada19'}
            for o in objs:
                if o['type'] != 'marking-definition' and o['id'] not in fixed:
                    assert o['object_marking_refs'] == [marking], o['id']
            ids = {o['id'] for o in objs}
            for o in objs:
                for k in ('created_by_ref', 'source_ref', 'target_ref'):
                    if k in o: assert o[k] in ids, (o['id'], k)
                for r in o.get('object_refs', []): assert r in ids
            pseud = [o for o in objs if '8ea17983' in json.dumps(o.get('extensions', {}))]
            print('counts', {t: len(v) for t, v in sorted(by.items())})
            print('pseudonyms', len(pseud))
            print('patterns', sorted(o['pattern'] for o in by['indicator']))
            print('rels', sorted(set(o['relationship_type'] for o in by['relationship'])))
            """
        )
        #expect(check.contains("'indicator': 9"), "\(check)")
        #expect(
            check.contains("'observed-data': 3") && check.contains("'incident': 1") && check.contains("'identity': 2"),
            "\(check)")
        #expect(check.contains("pseudonyms 8"), "\(check)")
        #expect(check.contains(#"[url:value = 'http://bank-login.example.net/it\\'s/login.php?u=1']"#), "\(check)")
        #expect(check.contains("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"), "\(check)")
        #expect(
            check.contains(
                "[iproceeds-observable:kind = 'eth_address' AND iproceeds-observable:value = '0x52908400098527886E0F7030069857D2E4169EE7']"
            ), "\(check)")
        #expect(check.contains("rels ['based-on', 'related-to']"), "\(check)")
    }

    @Test func mispEventLoadsInPyMISP() throws {
        let s = try Scratch()
        try SharingPackage.write(sampleRequest(), to: s.file("p.zip"), signer: try examiner())
        try s.run("unzip", ["-q", "p.zip", "misp/event.json"])
        let out = try s.python(
            """
            import warnings; warnings.simplefilter('ignore')
            from pymisp import MISPEvent
            e = MISPEvent()
            e.load_file('misp/event.json')
            print('info', e.info)
            print('tags', [t.name for t in e.tags])
            print('published', e.published, 'distribution', e.distribution, 'date', e.date)
            print('orgc', e.Orgc.name)
            print('attributes', len(e.attributes))
            print('types', sorted((a.type, a.category, a.to_ids) for a in e.attributes))
            print('objects', sorted(o.name for o in e.objects))
            anon = [o for o in e.objects if o.name == 'anonymisation'][0]
            print('anon', sorted(a.object_relation for a in anon.attributes), len(anon.references))
            print('uuid', e.uuid)
            """
        )
        #expect(out.contains("info Phishing and mule accounts, March 2026"), "\(out)")
        #expect(out.contains("tags ['tlp:amber']"), "\(out)")
        #expect(out.contains("published False distribution 0 date 2026-02-25"), "\(out)")
        #expect(out.contains("orgc National CSIRT"), "\(out)")
        #expect(out.contains("attributes 19"), "\(out)")
        for expected in [
            "('url', 'Network activity', True)", "('ip-src', 'Network activity', True)",
            "('ip-dst', 'Network activity', True)",
            "('domain', 'Network activity', True)", "('sha256', 'Payload delivery', True)",
            "('md5', 'Payload delivery', True)",
            "('btc', 'Financial fraud', True)", "('phone-number', 'Person', False)", "('full-name', 'Person', False)",
            "('text', 'Person', False)", "('anonymised', 'Financial fraud', False)", "('anonymised', 'Person', False)",
            "('anonymised', 'Network activity', False)",
        ] { #expect(out.contains(expected), "\(expected) in \(out)") }
        #expect(out.contains("objects ['anonymisation', 'coin-address']"), "\(out)")
        #expect(out.contains("anon ['description', 'keyed-hash-function', 'level-of-knowledge', 'method'] 8"), "\(out)")
    }

    @Test func emptyPackageIsStillValid() throws {
        let s = try Scratch()
        var r = sampleRequest(tlp: .red)
        r.records = []
        r.pseudonymScheme = nil
        try SharingPackage.write(r, to: s.file("p.zip"), signer: try examiner())
        try s.run("unzip", ["-q", "p.zip"])
        let stix = try s.exec("stix2_validator", ["stix/bundle.json"])
        #expect(
            stix.status == 0 && stix.stdout.contains("STIX JSON: Valid") && !stix.stdout.contains("[X]"),
            "\(stix.stdout)")
        let misp = try s.python(
            "from pymisp import MISPEvent; e = MISPEvent(); e.load_file('misp/event.json'); "
                + "print(len(e.attributes), len(e.objects), [t.name for t in e.tags])"
        )
        #expect(misp.contains("0 0 ['tlp:red']"), "\(misp)")
        #expect(try PackageVerifier.verify(path: s.file("p.zip")).intact)
    }

    // MARK: Signature and verification

    @Test func signatureVerifiesIndependently() throws {
        let s = try Scratch()
        let signer = try examiner()
        try SharingPackage.write(sampleRequest(), to: s.file("p.zip"), signer: signer)
        let out = try s.python(
            """
            import zipfile, base64
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            z = zipfile.ZipFile('p.zip')
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex('\(signer.publicKeyHex)'))
            key.verify(base64.b64decode(z.read('manifest.sig')), z.read('manifest.json'))
            print('verified')
            """
        )
        #expect(out.contains("verified"))
        // The manual method on the cover sheet: base64 -d, then openssl pkeyutl with the PEM key.
        try s.run("unzip", ["-q", "p.zip", "-d", "x"])
        let summary = try String(contentsOfFile: s.file("x/summary.html"), encoding: .utf8)
        let pemStart = try #require(summary.range(of: "-----BEGIN PUBLIC KEY-----"))
        let pemEnd = try #require(summary.range(of: "-----END PUBLIC KEY-----"))
        try (String(summary[pemStart.lowerBound..<pemEnd.upperBound]) + "\n").write(
            toFile: s.file("sender.pem"), atomically: true, encoding: .utf8)
        #expect(
            PackageVerifier.publicKey(from: try String(contentsOfFile: s.file("sender.pem"), encoding: .utf8))
                == signer.key.publicKey)
        let openssl = try s.run(
            "sh",
            [
                "-c",
                "cd x && base64 -d manifest.sig > ../sig.bin && openssl pkeyutl -verify -pubin -inkey ../sender.pem -rawin -in manifest.json -sigfile ../sig.bin",
            ])
        #expect(openssl.contains("Signature Verified Successfully"))
    }

    @Test func verifierAcceptsAnIntactPackage() throws {
        let s = try Scratch()
        let signer = try examiner()
        try SharingPackage.write(sampleRequest(), to: s.file("p.zip"), signer: signer)
        let withKey = try PackageVerifier.verify(path: s.file("p.zip"), publicKey: signer.key.publicKey)
        #expect(withKey.intact && withKey.keySource == .given, "\(withKey.problems)")
        #expect(withKey.verifiedFiles.count == 6)
        let withoutKey = try PackageVerifier.verify(path: s.file("p.zip"))
        #expect(withoutKey.intact && withoutKey.keySource == .manifest)
        let stranger = try PackageVerifier.verify(path: s.file("p.zip"), publicKey: Ed25519PrivateKey().publicKey)
        #expect(!stranger.intact)
        #expect(
            stranger.problems.contains { $0.file == "manifest.sig" }
                && stranger.problems.contains { $0.file == "manifest.json" })
        #expect(PackageVerifier.publicKey(from: signer.publicKeyHex + "\n") == signer.key.publicKey)
        #expect(
            PackageVerifier.publicKey(from: #"{"id":"x","public_key":"\#(signer.publicKeyHex)"}"#)
                == signer.key.publicKey)
        #expect(PackageVerifier.publicKey(from: "not a key") == nil)
    }

    @Test func verifierReportsTampering() throws {
        let s = try Scratch()
        let signer = try examiner()
        try SharingPackage.write(sampleRequest(), to: s.file("p.zip"), signer: signer)
        // Each case rebuilds the zip with Python's zipfile, changing one thing.
        let cases: [(name: String, python: String, file: String?, reason: String)] = [
            (
                "byte", "data['stix/bundle.json'] = data['stix/bundle.json'].replace(b'203.0.113.7', b'203.0.113.8')",
                "stix/bundle.json", "SHA-256 is"
            ),
            ("added", "data['extra.txt'] = b'hello'", "extra.txt", "not listed in the manifest"),
            ("removed", "del data['misp/event.json']", "misp/event.json", "missing from the package"),
            (
                "manifest",
                "data['manifest.json'] = data['manifest.json'].replace(b'Cybercrime Unit', b'Cybercrime Unix')",
                "manifest.sig", "does not verify"
            ),
            (
                "signature",
                "import base64; data['manifest.sig'] = base64.b64encode(bytes(64)) + b'\\n'",
                "manifest.sig", "does not verify"
            ),
            ("unsigned", "del data['manifest.sig']", "manifest.sig", "missing"),
            ("traversal", "data['../evil.txt'] = b'x'", "../evil.txt", "climbs out"),
            ("duplicate", "dup = ('summary.html', b'<p>other</p>')", "summary.html", "appears 2 times"),
        ]
        for c in cases {
            try s.python(
                """
                import zipfile, warnings
                warnings.simplefilter('ignore')
                z = zipfile.ZipFile('p.zip')
                data = {n: z.read(n) for n in z.namelist()}
                dup = None
                \(c.python)
                with zipfile.ZipFile('\(c.name).zip', 'w') as out:
                    for n in sorted(data): out.writestr(n, data[n])
                    if dup: out.writestr(*dup)
                """)
            let v = try PackageVerifier.verify(path: s.file("\(c.name).zip"), publicKey: signer.key.publicKey)
            #expect(!v.intact, "\(c.name)")
            #expect(v.unreadable == nil, "\(c.name): \(v.unreadable ?? "")")
            #expect(
                v.problems.contains { $0.file == c.file && $0.reason.contains(c.reason) }, "\(c.name): \(v.problems)")
        }
        // The untouched files still check out in the one-byte case.
        let byte = try PackageVerifier.verify(path: s.file("byte.zip"), publicKey: signer.key.publicKey)
        #expect(byte.problems.count == 1 && byte.signatureValid && byte.verifiedFiles.count == 5)
        // Not a package at all.
        try "plain text".write(toFile: s.file("text.zip"), atomically: true, encoding: .utf8)
        #expect(try PackageVerifier.verify(path: s.file("text.zip")).unreadable != nil)
        try s.python("import zipfile\nwith zipfile.ZipFile('nomanifest.zip', 'w') as z: z.writestr('a.txt', 'a')")
        #expect(
            try PackageVerifier.verify(path: s.file("nomanifest.zip")).unreadable?.contains("no manifest.json") == true)
        #expect(throws: SharingError.self) { try PackageVerifier.verify(path: s.file("absent.zip")) }
    }

    /// A manifest that names a key twice is refused even when its signature is valid: two readers of the same
    /// signed bytes (one keeping the first `"tlp"`, one the last) would see two different packages.
    @Test func verifierRefusesAManifestWithAKeyGivenTwice() throws {
        let s = try Scratch()
        let signer = try examiner()
        try SharingPackage.write(sampleRequest(tlp: .red), to: s.file("p.zip"), signer: signer)
        let manifest = try s.python(
            "import zipfile, sys; sys.stdout.write(zipfile.ZipFile('p.zip').read('manifest.json').decode())")
        #expect(manifest.hasPrefix("{") && manifest.contains("TLP:RED"))
        let doubled = Array(("{\"tlp\": {\"label\": \"TLP:CLEAR\"}, " + manifest.dropFirst()).utf8)
        try Data(doubled).write(to: URL(fileURLWithPath: s.file("manifest.json")))
        try Data((Data(signer.key.sign(doubled)).base64EncodedString() + "\n").utf8)
            .write(to: URL(fileURLWithPath: s.file("manifest.sig")))
        try s.python(
            """
            import zipfile
            z = zipfile.ZipFile('p.zip')
            data = {n: z.read(n) for n in z.namelist()}
            data['manifest.json'] = open('manifest.json', 'rb').read()
            data['manifest.sig'] = open('manifest.sig', 'rb').read()
            with zipfile.ZipFile('doubled.zip', 'w') as out:
                for n in sorted(data): out.writestr(n, data[n])
            """)
        // Python's json keeps the last "tlp": the doubled key is really there, and the signature really verifies.
        #expect(
            try s.python(
                "import zipfile, json; print(json.loads(zipfile.ZipFile('doubled.zip').read('manifest.json'))['tlp'])"
            )
            .contains("TLP:RED"))
        #expect(Ed25519.verify(signature: signer.key.sign(doubled), of: doubled, publicKey: signer.key.publicKey))
        let v = try PackageVerifier.verify(path: s.file("doubled.zip"), publicKey: signer.key.publicKey)
        #expect(!v.intact && v.tlp == nil)
        #expect(v.unreadable?.contains("a key appears twice") == true, "\(v.unreadable ?? "")")
    }

    // MARK: Custody

    @Test func custodyEntryLogsTheTransmission() throws {
        let s = try Scratch()
        let signer = try examiner()
        let file = try CaseFile.create(
            store: try SQLiteCaseStore.create(path: s.file("c.case")), caseID: "CASE-1", title: "t", examiner: signer)
        let head = try #require(try file.store.entries().last)
        let written = try SharingPackage.write(
            sampleRequest(), to: s.file("p.zip"), signer: signer, custody: PackageCustody(caseFile: file))
        let entry = try #require(written.custodyEntry)
        #expect(entry.action == "shared" && entry.seq == 2)
        #expect(entry.outputs.first == HashReference(name: "p.zip", sha256: written.sha256))
        #expect(entry.parameters["recipient"] == "Cybercrime Unit, Police" && entry.parameters["tlp"] == "TLP:AMBER")
        #expect(entry.parameters["purpose"] == "Criminal investigation of a phishing campaign")
        #expect(
            entry.inputs.contains(HashReference(name: "redaction policy", sha256: String(repeating: "c", count: 64))))
        let built = try SharingPackage.build(sampleRequest(), signer: signer, custodyHead: head)
        let manifest = String(decoding: built.manifest, as: UTF8.self)
        #expect(manifest.contains(#""custody_head":{"case_id":"CASE-1","entry_hash":"\#(head.entryHash)","seq":1}"#))
        #expect(built.zip == [UInt8](try Data(contentsOf: URL(fileURLWithPath: s.file("p.zip")))))
        // An examiner the case does not know: nothing written, no partial file.
        let stranger = Examiner(id: "x", name: "X", key: Ed25519PrivateKey())
        #expect(throws: SharingError.self) {
            try SharingPackage.write(
                sampleRequest(), to: s.file("q.zip"), signer: stranger, custody: PackageCustody(caseFile: file))
        }
        #expect(
            !FileManager.default.fileExists(atPath: s.file("q.zip"))
                && !FileManager.default.fileExists(atPath: s.file("q.zip.partial")))
        #expect(try file.store.entries().count == 2)
    }
}
