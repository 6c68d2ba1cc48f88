import EvidenceKit
import Foundation
import Testing

@testable import SharingKit

/// Collects what a reader produces.
private struct Collected: InputSink {
    var records: [InputRecord] = []
    var findings: [InputFinding] = []
    mutating func accept(_ record: InputRecord) throws { records.append(record) }
    mutating func reject(_ finding: InputFinding) throws { findings.append(finding) }
}

private func read(_ text: String, _ format: InputFormat, name: String = "in") throws -> Collected {
    try read(Array(text.utf8), format, name: name)
}

private func read(_ bytes: [UInt8], _ format: InputFormat, name: String = "in") throws -> Collected {
    var sink = Collected()
    try InputReaders.read(SharingInput(path: name, name: name, format: format, bytes: bytes), into: &sink)
    return sink
}

private func pairs(_ r: InputRecord) -> [String] { r.fields.map { "\($0.name)=\($0.value)" } }

private let key = try! PseudonymKey(bytes: Array(repeating: 9, count: 32))

private func run(_ text: String, _ format: InputFormat, policy: SharingPolicy = .shippedDefault, strict: Bool = false)
    throws -> SharingRun
{
    let scanner = PersonalDataScanner(names: policy.names)
    var run = try SharingRun(policy: policy, key: key, strict: strict, detect: { scanner.scan($0) })
    try run.read([SharingInput(path: "x", name: "x", format: format, bytes: Array(text.utf8))])
    return run
}

@Suite struct InputReaderTests {
    @Test func intelMQFlattensNestedObjectsAndKeepsOrder() throws {
        let c = try read(
            #"{"source":{"ip":"203.0.113.7","port":443},"classification.type":"phishing","extra":{"tags":["a","b"],"ok":true,"n":null}}"#
                + "\n\n" + #"{"raw":"aGk="}"# + "\r\n", .intelmq)
        #expect(c.findings.isEmpty)
        #expect(c.records.map(\.id) == ["in:1", "in:3"])
        #expect(
            pairs(c.records[0]) == [
                "source.ip=203.0.113.7", "source.port=443", "classification.type=phishing", #"extra.tags=["a","b"]"#,
                "extra.ok=true",
            ])
        #expect(c.records[0].indicatorFields == ["source.ip"])
    }

    @Test func malformedLinesAreFindingsNeverRecords() throws {
        let c = try read(
            "{\"a\":1}\n{\"a\":\n[1,2]\n{\"a\":1,\"a\":2}\n{\"source\":{\"ip\":\"1\"},\"source.ip\":\"2\"}\n{\"b\":\"\\ud800\"}\n",
            .intelmq)
        #expect(c.records.map(\.line) == [1])
        #expect(c.findings.map(\.line) == [2, 3, 4, 5, 6])
        #expect(c.findings[0].reason.hasPrefix("not valid JSON"))
        #expect(c.findings[1].reason.contains("not a JSON object"))
        #expect(c.findings[2].reason.contains("twice"))
        // A reason never quotes the input.
        let s = try read("{\"secret-ana@example.org\": }\n", .intelmq)
        #expect(!s.findings[0].reason.contains("ana"))
    }

    @Test func invalidUTF8IsAFindingInEveryLineFormat() throws {
        let bad: [UInt8] = Array("{\"ok\":1}\nana".utf8) + [0xC3, 0x28] + Array("@example.org\n".utf8)
        for format in [InputFormat.text, .intelmq] {
            let c = try read(bad, format)
            #expect(c.findings.map(\.line) == [2], "\(format)")
            #expect(c.findings[0].reason.contains("not valid UTF-8") && c.findings[0].reason.contains("column 4"))
        }
        let csv = try read(Array("a,b\n1,".utf8) + [0xFF] + Array("\n2,3\n".utf8), .csv)
        #expect(csv.findings.map(\.line) == [2] && csv.records.map(\.line) == [3])
    }

    @Test func csvQuotingSeparatorsAndMultiLineCells() throws {
        let c = try read(
            "name,\"e-mail\",note\r\n\"Marković, Marko\",m@example.org,\"line one\nline \"\"two\"\"\"\r\n,,\r\nx,y\n\"open",
            .csv)
        #expect(c.records.count == 2)
        #expect(pairs(c.records[0]) == ["name=Marković, Marko", "e-mail=m@example.org", "note=line one\nline \"two\""])
        #expect(c.records[1].fields.isEmpty && c.records[1].line == 4)
        #expect(c.findings.map(\.line) == [5, 6])
        #expect(c.findings[0].reason.contains("2 cells where the header has 3"))
        #expect(c.findings[1].reason.contains("never closed"))
        let semicolons = try read("a;b\n1;2\n", .csv)
        #expect(pairs(semicolons.records[0]) == ["a=1", "b=2"])
        #expect(CSVInputReader.uniqueNames(["a", "", "a"]) == ["a", "column 2", "a#2"])
    }

    /// A CSV saved with classic Mac line ends: each lone CR ends a row. SharingKit's own row parser ended rows
    /// only at LF, so such a file was one header row and every record in it vanished without a finding.
    @Test func csvRowsEndAtALoneCarriageReturn() throws {
        let c = try read("name,email\rAna,ana@example.org\rMarko,m@example.org\r", .csv)
        #expect(c.findings.isEmpty)
        #expect(c.records.map(\.line) == [2, 3])
        #expect(pairs(c.records[0]) == ["name=Ana", "email=ana@example.org"])
    }

    /// A quoted cell with bytes that are not UTF-8 across lines: one finding at the line the record starts on,
    /// with the column of the bad byte in the record; the rows after it are read.
    @Test func csvRecordThatIsNotUTF8IsAFindingByItsFirstLine() throws {
        let bytes = Array("a,b\n1,\"x\ny".utf8) + [0xE9] + Array("\"\n2,3\n".utf8)
        let c = try read(bytes, .csv)
        #expect(c.findings.map(\.line) == [2] && c.records.map(\.line) == [4])
        #expect(c.findings[0].reason.contains("not valid UTF-8") && c.findings[0].reason.contains("column 7"))
    }

    /// A header row that cannot be read drops the file: the next row must never become the header, which would
    /// name every later field by that row's values (an e-mail address, a reporter's name) and let no field rule meet
    /// its column.
    @Test func csvHeaderThatCannotBeReadDropsTheWholeFile() throws {
        let latin2Header = Array("Adres".utf8) + [0xE3] + Array(",reporter\n".utf8)
        let rows = "Strada 1,Marko Petrovi\u{107}\nStrada 2,Ana Kova\u{10D}\n"
        for bytes in [
            latin2Header + Array(rows.utf8),
            Array("\"address,reporter\n".utf8) + Array(rows.utf8),
            Array("\"address\"x,reporter\n".utf8) + Array(rows.utf8),
        ] {
            let c = try read(bytes, .csv)
            #expect(c.records.isEmpty, "no row may be read without the header")
            #expect(c.findings.count == 1 && c.findings[0].line == 1)
            #expect(c.findings[0].reason.contains("the whole file is dropped"))
            let r = try run(String(decoding: bytes, as: UTF8.self), .csv)
            #expect(!r.records.contains { $0.fields.contains { $0.0.contains("Marko") || $0.0.contains("Strada") } })
        }
        let c = try read(latin2Header + Array(rows.utf8), .csv)
        #expect(c.findings[0].reason.contains("not valid UTF-8 (first bad byte at column 6)"))
        #expect(c.findings[0].reason.contains("iconv"))
    }

    @Test func mispEventsAttributesAndObjects() throws {
        let c = try read(
            """
            {"response": [{"Event": {"info": "Campaign", "uuid": "e-1", "Tag": [{"name": "tlp:amber"}],
              "Attribute": [{"type": "ip-dst", "value": "198.51.100.7", "to_ids": "1", "timestamp": "1772356320",
                             "category": "Network activity", "data": "c2VjcmV0"},
                            {"type": "comment", "value": ""}],
              "Object": [{"name": "person", "Attribute": [{"type": "full-name", "object_relation": "full-name",
                                                          "value": "Ana Petrović"}]}]}}]}
            """, .misp)
        #expect(c.records.map(\.id) == ["in:e1", "in:e1:a1", "in:e1:o1:a1"])
        #expect(pairs(c.records[0]) == ["event.info=Campaign", "event.uuid=e-1", "event.tags=tlp:amber"])
        #expect(
            pairs(c.records[1]) == [
                "ip-dst=198.51.100.7", "attribute.category=Network activity", "attribute.to_ids=true",
                "attribute.timestamp=2026-03-01T09:12:00Z", "event.uuid=e-1",
            ])
        #expect(c.records[1].indicatorFields == ["ip-dst"] && c.records[1].kinds["ip-dst"] == .ipv4)
        #expect(pairs(c.records[2]).contains("object.relation=full-name"))
        #expect(c.findings.count == 1 && c.findings[0].reason.contains("without a type or a value"))
        let broken = try read("{\"Event\": {\"info\": \"x\",", .misp)
        #expect(broken.records.isEmpty && broken.findings.count == 1)
    }

    @Test func formatsAreDetectedByNameThenContent() {
        func detect(_ path: String, _ text: String) -> InputFormat {
            InputReaders.detect(path: path, bytes: Array(text.utf8))
        }
        #expect(detect("a.jsonl", "x") == .intelmq && detect("a.csv", "{") == .csv && detect("a.log", "{}") == .text)
        #expect(detect("a.json", "{\n  \"Event\": {\"info\": \"x\"}\n}") == .misp)
        #expect(detect("a.json", "{\"source.ip\":\"1\"}\n{\"source.ip\":\"2\"}\n") == .intelmq)
        #expect(detect("export", "{\"Event\":{\"Attribute\":[]}}") == .misp)
        #expect(detect("export", "plain text") == .text)
    }

    @Test func emptyAndMissingInputsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("iproceeds-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.jsonl").path
        try Data(" \n\n".utf8).write(to: URL(fileURLWithPath: empty))
        #expect { try SharingInput.load(path: empty, format: nil) } throws: {
            ($0 as? SharingError)?.code == .sharingInput && "\($0)".contains("empty")
        }
        #expect { try SharingInput.load(path: dir.appendingPathComponent("nope").path, format: nil) } throws: {
            ($0 as? SharingError)?.code == .inputUnreadable
        }
    }
}

@Suite struct SharingRunTests {
    @Test func strictStopsAtTheFirstUnreadableRecord() throws {
        let lenient = try run("{\"comment\":\"a\"}\nnot json\n{\"comment\":\"b\"}\n", .intelmq)
        #expect(lenient.records.count == 2 && lenient.malformedRecords == 1)
        #expect(lenient.redactionLog.recordsRead == 3 && lenient.redactionLog.findings.map(\.line) == [2])
        #expect(throws: SharingError.self) { try run("{\"comment\":\"a\"}\nnot json\n", .intelmq, strict: true) }
    }

    @Test func fieldRulesAndTypeRulesWithCountsNotValues() throws {
        let r = try run(
            #"{"classification.type":"phishing","source.ip":"203.0.113.7","destination.ip":"198.51.100.9","destination.fqdn":"pc.example.org","comment":"mail ana@example.org","raw":"YW5hQGV4YW1wbGUub3Jn"}"#,
            .intelmq)
        let record = try #require(r.records.first)
        let fields = Dictionary(uniqueKeysWithValues: record.fields)
        #expect(fields["source.ip"] == "203.0.113.7" && fields["raw"] == nil && fields["destination.fqdn"] == nil)
        #expect(fields["destination.ip"]!.hasPrefix("24") || fields["destination.ip"]!.hasPrefix("25"))
        #expect(fields["comment"]!.hasPrefix("mail p-") && fields["comment"]!.hasSuffix("@pseudonym.invalid"))
        let log = r.redactionLog
        #expect(log.counts.contains { $0.field == "raw" && $0.rule == "fields.raw" && $0.action == "drop" })
        #expect(
            log.counts.contains { $0.field == "comment" && $0.rule == "types.email" && $0.action == "pseudonymise" })
        #expect(
            log.counts.contains { $0.field == "destination.ip" && $0.type == "ipv4" && $0.action == "pseudonymise" })
        // Observables: the kept attacker address is an indicator, the pseudonymised victim address is not.
        #expect(record.observables.contains { $0.value == "203.0.113.7" && $0.isIndicator && !$0.pseudonymised })
        #expect(record.observables.contains { $0.kind == .ipv4 && $0.pseudonymised && !$0.isIndicator })
        #expect(r.pseudonymRecords.map(\.value).sorted() == ["198.51.100.9", "ana@example.org"])
    }

    /// A URL in free text is generalised to its origin by the default policy; an address as its host would then
    /// leave in clear (nginx and Spark logs, feeds: issue #12's leak check). The host gets the address's own rule
    /// and the same pseudonym the address gets elsewhere; a host name stays (it is the indicator).
    @Test func aURLGeneralisedToAnAddressHostDoesNotKeepTheAddress() throws {
        let scanner = PersonalDataScanner()
        let redactor = try Redactor(policy: .shippedDefault, key: key)
        let t = TextRedactor(redactor: redactor, detect: { scanner.scan($0) })
        let address = t.redact("client 93.143.146.237 connected").text
        let pseudonym = String(address.dropFirst("client ".count).dropLast(" connected".count))
        #expect(pseudonym != "93.143.146.237" && !pseudonym.isEmpty)
        let line = t.redact("referer: http://93.143.146.237:8080/admin/login.php?u=1 done").text
        #expect(!line.contains("93.143.146.237"), "\(line)")
        #expect(line == "referer: http://\(pseudonym):8080/ done", "\(line)")
        let v6 = t.redact("see https://[2a02:8070:1:2::5]/x").text
        #expect(!v6.lowercased().contains("2a02:8070:1:2::5") && v6.hasPrefix("see https://["), "\(v6)")
        #expect(t.redact("see http://phish.example.net/login?x=1").text == "see http://phish.example.net/")
    }

    /// Base64 wrapped over lines (a MIME body, 76 characters a line; here 20, so that the address crosses two line
    /// breaks) is decoded as one run: line by line, no line held the whole address and it went out in clear.
    @Test func base64WrappedOverLinesIsDecodedWhole() throws {
        let scanner = PersonalDataScanner()
        let redactor = try Redactor(policy: .shippedDefault, key: key)
        let t = TextRedactor(redactor: redactor, detect: { scanner.scan($0) })
        let plain = t.redact("ana.petrovic@example.org").text
        let encoded = Data("Report from ana.petrovic@example.org about the phishing mail".utf8).base64EncodedString()
        for lineBreak in ["\n", "\r\n"] {
            let lines = stride(from: 0, to: encoded.count, by: 20).map {
                String(Array(encoded)[$0..<min($0 + 20, encoded.count)])
            }
            let body =
                "Content-Transfer-Encoding: base64\(lineBreak)\(lineBreak)" + lines.joined(separator: lineBreak)
                + "\(lineBreak)--boundary--"
            let out = t.redact(body).text
            let outLines = out.components(separatedBy: lineBreak)
            let wrapped = outLines.dropFirst(2).dropLast()
            #expect(wrapped.dropLast().allSatisfy { $0.count == 20 } && wrapped.count > 1, "\(out)")
            let decoded = String(decoding: Data(base64Encoded: wrapped.joined())!, as: UTF8.self)
            #expect(decoded == "Report from \(plain) about the phishing mail", "\(decoded)")
            #expect(outLines.first == "Content-Transfer-Encoding: base64" && outLines.last == "--boundary--")
        }
    }

    @Test func encodedValuesAreFoundAndTransformedAsTheyDecode() throws {
        let scanner = PersonalDataScanner()
        let redactor = try Redactor(policy: .shippedDefault, key: key)
        let t = TextRedactor(redactor: redactor, detect: { scanner.scan($0) })
        let plain = t.redact("ana@example.org").text
        #expect(t.redact("GET /r?e=ana%40example.org HTTP/1.1").text == "GET /r?e=\(plain) HTTP/1.1")
        #expect(t.redact(#"{"u":"ana\u0040example.org"}"#).text == #"{"u":"\#(plain)"}"#)
        let b64 = Data("mail ana@example.org".utf8).base64EncodedString()
        let out = t.redact("X-Data: \(b64)").text
        let decoded = String(decoding: Data(base64Encoded: String(out.dropFirst(8)))!, as: UTF8.self)
        #expect(decoded == "mail \(plain)")
        let word = "=?UTF-8?B?" + Data("Ana Petrović".utf8).base64EncodedString() + "?="
        let from = t.redact("From: \(word) <ana@example.org>").text
        #expect(from.hasPrefix("From: Person-") && !from.contains(word))
        // A name field's whole value is the name, commas and all.
        #expect(t.redact("Petrović, Ana", label: "victim_name").text.hasPrefix("Person-"))
        #expect(!t.redact("Petrović, Ana", label: "victim_name").text.contains("Ana"))
    }

    @Test func aFieldNameHoldingPersonalDataIsDroppedWithItsValue() throws {
        let r = try run("ana@example.org,2026\nx,y\n", .csv)
        #expect(r.records.count == 1 && r.records[0].fields.map(\.0) == ["2026"])
        #expect(r.findings.count == 1 && r.findings[0].reason.contains("field name holds personal data (email)"))
        #expect(!r.redactionLog.counts.contains { $0.field.contains("ana") })
    }

    @Test func inputNamesAreRedactedAndUnique() throws {
        let scanner = PersonalDataScanner()
        var r = try SharingRun(policy: .shippedDefault, key: key, detect: { scanner.scan($0) })
        let bytes = Array("hello\n".utf8)
        try r.read([
            SharingInput(path: "/a/ana@example.org.log", name: "ana@example.org.log", format: .text, bytes: bytes),
            SharingInput(path: "/a/x.log", name: "x.log", format: .text, bytes: bytes),
            SharingInput(path: "/b/x.log", name: "x.log", format: .text, bytes: bytes),
        ])
        #expect(r.inputs.map(\.name)[1...] == ["x.log", "x.log#2"])
        #expect(r.inputs[0].name.contains("@pseudonym.invalid") && r.records.map(\.id).last == "x.log#2:1")
    }
}
