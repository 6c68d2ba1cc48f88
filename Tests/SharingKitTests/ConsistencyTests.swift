import EvidenceKit
import Foundation
import TestSupport
import Testing

@testable import SharingKit

private let key = try! PseudonymKey(bytes: Array(repeating: 5, count: 32))

/// Runs the pipeline on inputs (paths, or text written to a scratch file) and builds the package in memory.
private func share(_ paths: [String], policy: SharingPolicy = .shippedDefault) throws -> (SharingRun, [String: String])
{
    let scanner = PersonalDataScanner(names: policy.names)
    var run = try SharingRun(policy: policy, key: key, detect: { scanner.scan($0) })
    try run.read(try paths.map { try SharingInput.load(path: $0, format: nil) })
    let request = PackageRequest(
        title: "Consistency test", senderOrganisation: "National CSIRT", recipient: "Cybercrime Unit",
        purpose: "Test", legalBasis: "Test", tlp: .amber, reviewBy: "2026-06-01",
        createdAt: Date(timeIntervalSince1970: 1_772_700_000), policyHash: policy.hash, keyID: key.id,
        records: run.records, redactionLog: run.redactionLog, inputs: run.inputs)
    let built = try SharingPackage.build(
        request, signer: Examiner(id: "t", name: "T", key: try Ed25519PrivateKey(seed: Array(1...32))))
    var members: [String: String] = [:]
    for m in built.members { members[m.name] = String(decoding: m.bytes, as: UTF8.self) }
    return (run, members)
}

/// The MISP attributes of a package's event: type, value, to_ids.
private func mispAttributes(_ members: [String: String]) throws -> [(type: String, value: String, toIDs: Bool)] {
    let text = try #require(members["misp/event.json"])
    let event = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let e = try #require(event["Event"] as? [String: Any])
    let attributes = (e["Attribute"] as? [[String: Any]]) ?? []
    return attributes.map {
        ($0["type"] as? String ?? "", $0["value"] as? String ?? "", $0["to_ids"] as? Bool ?? false)
    }
}

private func stixPatterns(_ members: [String: String]) throws -> [String] {
    let text = try #require(members["stix/bundle.json"])
    let bundle = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    return ((bundle["objects"] as? [[String: Any]]) ?? []).compactMap { $0["pattern"] as? String }
}

@Suite struct KeptURLTests {
    @Test func victimsAddressInAKeptPhishingURLIsRedactedAndNeverAnIndicator() throws {
        // CleanMX and OpenPhish events from IntelMQ's parser tests: phishing URLs with the victim's address in the
        // query, kept by the default policy's `source.url: keep`.
        let files = [
            "csirt/intelmq/parsers__cleanmx__test_parser.jsonl",
            "csirt/intelmq/parsers__openphish__test_parser_commercial.jsonl",
        ].map(RealWorldFixtures.path)
        let (_, members) = try share(files)
        for victim in ["abuse@exxonmobil.com", "xxx@t-online.de"] {
            for (name, text) in members {
                for form in leakForms(victim) where text.contains(form) {
                    Issue.record("\(name) holds \(victim) as \(form)")
                }
            }
        }
        let records = try #require(members["records/records.jsonl"])
        #expect(records.contains("http://mvptrades.xyz/ad0be/view/?email="))
        // The URLs that carried an address are not indicators; a clean phishing URL still is.
        let misp = try mispAttributes(members)
        let urls = misp.filter { $0.type == "url" }
        #expect(urls.contains { $0.value.hasPrefix("http://mvptrades.xyz/ad0be/view/?email=") && !$0.toIDs })
        #expect(urls.contains { $0.value == "http://ngutfpg.cn/" && $0.toIDs }, "\(urls)")
        let patterns = try stixPatterns(members)
        #expect(!patterns.contains { $0.contains("mvptrades.xyz/ad0be") || $0.contains("wordpress/press") })
        #expect(patterns.contains("[url:value = 'http://ngutfpg.cn/']"))
    }

    @Test func addressesInQueryFragmentPathAndUserinfoAreFound() throws {
        let urls = [
            "https://login.example.net/verify?email=ana%40example.org&step=2",
            "https://login.example.net/secure/#YW5hQGV4YW1wbGUub3Jn",
            "https://login.example.net/u/ana@example.org/index.php",
            "https://ana%40example.org@login.example.net/",
        ]
        let lines = urls.enumerated().map { i, url in
            #"{"classification.type": "phishing", "source.url": "\#(url)", "time.source": "2026-03-0\#(i + 1)T10:00:00+00:00"}"#
        }
        let path = try temporaryFile("openphish.jsonl", lines.joined(separator: "\n") + "\n")
        let (run, members) = try share([path])
        for (name, text) in members {
            for form in leakForms("ana@example.org") where text.contains(form) {
                Issue.record("\(name) holds the victim's address as \(form)")
            }
        }
        #expect(run.records.count == 4)
        for record in run.records {
            let url = try #require(record.fields.first { $0.0 == "source.url" }?.1)
            #expect(url.hasPrefix("https://") && url.contains("login.example.net"), "\(url)")
            #expect(record.observables.allSatisfy { !$0.isIndicator }, "\(record.observables)")
        }
        #expect(try mispAttributes(members).allSatisfy { !$0.toIDs })
        #expect(try stixPatterns(members).isEmpty)
        #expect(
            run.redactionLog.counts.contains {
                $0.type == "email" && $0.field == "source.url" && $0.action == "pseudonymise"
            })
    }
}

@Suite struct OneTreatmentTests {
    @Test func anAddressKeptInOneFieldAndPseudonymisedInAnotherGetsThePseudonymEverywhere() throws {
        // CleanMX: source.ip 198.38.90.108 (kept by fields.source.ip) is also the whole of extra.review, which is
        // scanned, and the ipv4 type rule pseudonymises it.
        let (run, members) = try share([RealWorldFixtures.path("csirt/intelmq/parsers__cleanmx__test_parser.jsonl")])
        let records = try #require(members["records/records.jsonl"])
        for address in ["198.38.90.108", "27.121.64.179"] {
            #expect(!records.contains(address), "\(address) left in clear beside its pseudonym")
            let pseudonym = try #require(run.pseudonymRecords.first { $0.value == address }?.pseudonym)
            let record = try #require(
                run.records.first { r in r.fields.contains { $0.0 == "extra.review" && $0.1 == pseudonym } })
            #expect(record.fields.first { $0.0 == "source.ip" }?.1 == pseudonym)
        }
        #expect(run.findings.isEmpty)
        let note = try #require(run.treatmentNotes.first { $0.hasPrefix("one value, one treatment") })
        #expect(note.contains("ipv4 values kept by fields.source.ip (in source.ip)"), "\(note)")
        #expect(note.contains("pseudonymise by types.ipv4 (in extra.review)"), "\(note)")
        #expect(!note.contains("198.38"))
        #expect(members["redaction-log.json"]?.contains("one value, one treatment: 2 ipv4 values") == true)
        #expect(!members.values.contains { $0.contains("198.38.90.108") })
    }

    @Test func aKeptURLWhoseHostIsAPseudonymisedAddressCarriesThePseudonym() throws {
        // MISP: a kept url on an address host, and the same address as ip-dst (pseudonymised by the default).
        let event = """
            {"Event": {"info": "Phishing", "Attribute": [
              {"type": "url", "category": "Network activity", "to_ids": true, "value": "http://198.51.100.23/login.php"},
              {"type": "ip-dst", "category": "Network activity", "to_ids": false, "value": "198.51.100.23"},
              {"type": "url", "category": "Network activity", "to_ids": true, "value": "http://198.51.100.230/x"}
            ]}}
            """
        let (run, members) = try share([try temporaryFile("event.json", event)])
        let pseudonym = try #require(run.pseudonymRecords.first { $0.value == "198.51.100.23" }?.pseudonym)
        let urls = run.records.compactMap { r in r.fields.first { $0.0 == "url" }?.1 }
        #expect(urls == ["http://\(pseudonym)/login.php", "http://198.51.100.230/x"], "\(urls)")
        let misp = try mispAttributes(members)
        #expect(misp.contains { $0.type == "url" && $0.value == "http://\(pseudonym)/login.php" && !$0.toIDs })
        #expect(misp.contains { $0.type == "url" && $0.value == "http://198.51.100.230/x" && $0.toIDs })
        #expect(!members.values.contains { $0.contains("198.51.100.23/") || $0.contains("\"198.51.100.23\"") })
    }
}

@Suite struct DefaultByClassificationTests {
    @Test func infectedSystemReportsProtectTheVictimAndKeepTheC2() throws {
        // Bot reports from IntelMQ's parser tests: Microsoft CTIP (victim 224.0.5.8 talking to C2 198.18.18.18)
        // and AnubisNetworks (victim 203.0.113.2 in Vienna, with coordinates).
        let files = [
            "csirt/intelmq/parsers__microsoft__test_parser_ctip.jsonl",
            "csirt/intelmq/parsers__anubisnetworks__test_parser.jsonl",
        ].map(RealWorldFixtures.path)
        let (run, members) = try share(files)
        let records = try #require(members["records/records.jsonl"])
        for victim in ["224.0.5.8", "203.0.113.2\"", "203.0.113.0/24"] {
            #expect(!records.contains(victim), "\(victim) left in clear")
        }
        let bot = try #require(
            run.records.first { r in r.fields.contains { $0 == ("destination.ip", "198.18.18.18") } })
        let victim = try #require(bot.fields.first { $0.0 == "source.ip" }?.1)
        #expect(victim.hasPrefix("24") || victim.hasPrefix("25"), "\(victim) is not a reserved-range pseudonym")
        #expect(try mispAttributes(members).contains { $0.value == "198.18.18.18" && $0.toIDs })
        #expect(
            run.redactionLog.counts.contains {
                $0.field == "source.ip" && $0.rule == "classifications.infected-system.source.ip"
                    && $0.action == "pseudonymise"
            })
        let anubis = try #require(run.records.first { $0.id.hasPrefix("parsers__anubisnetworks") })
        #expect(anubis.fields.contains { $0 == ("source.geolocation.cc", "AT") })
        for dropped in ["source.geolocation.city", "source.geolocation.latitude", "source.network"] {
            #expect(!anubis.fields.contains { $0.0 == dropped }, "\(dropped)")
        }
    }

    @Test func phishingReportsStillKeepTheirSource() throws {
        let (run, _) = try share([
            RealWorldFixtures.path("csirt/intelmq/parsers__openphish__test_parser_commercial.jsonl")
        ])
        #expect(run.records.contains { r in r.fields.contains { $0 == ("source.ip", "213.123.230.105") } })
    }

    @Test func classificationRulesAreValidatedAndHashedOnlyWhenGiven() throws {
        let base = "version: 1\nname: c\nfields:\n  source.ip: keep\n"
        let plain = try SharingPolicy.parse(Array(base.utf8), format: .yaml, source: "p.yaml")
        #expect(!plain.canonicalJSON.contains("classifications"))
        let with = try SharingPolicy.parse(
            Array((base + "classifications:\n  - types: [Infected-System]\n    fields: {source.ip: drop}\n").utf8),
            format: .yaml, source: "p.yaml")
        #expect(with.rule(forField: "source.ip", classification: "infected-system").action == .drop)
        #expect(with.rule(forField: "source.ip", classification: "phishing").action == .keep)
        #expect(
            with.canonicalJSON.contains(
                #""classifications":[{"fields":{"source.ip":{"action":"drop"}},"types":["infected-system"]}]"#))
        let bad = #expect(throws: SharingError.self) {
            try SharingPolicy.parse(
                Array((base + "classifications:\n  - types: []\n    fields: {source.ip: shred}\n    when: x\n").utf8),
                format: .yaml, source: "p.yaml")
        }
        let message = bad?.message ?? ""
        #expect(message.contains("classifications[0].types: missing or empty"), "\(message)")
        #expect(message.contains("classifications[0].when: unknown key"), "\(message)")
        #expect(message.contains("classifications[0].fields.source.ip"), "\(message)")
    }
}
