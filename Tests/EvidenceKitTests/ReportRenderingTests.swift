import Foundation
import Testing

@testable import EvidenceKit

/// The JSON value of a record (what the audit report embeds) is the manifest line the JSON Lines writer writes,
/// for records with every optional member, hostile names included.
@Suite struct ReportRenderingTests {
    static let algorithms: [DigestAlgorithm] = [.md5, .sha256]

    static var records: [FingerprintRecord] {
        let piece = PieceDigest(offset: 0, size: 4, digests: ["aa", "bb"])
        return [
            FingerprintRecord(
                path: RawName("a.txt"), kind: .file, size: 2, digests: [.md5: "00", .sha256: "11"], mtime: 1_767_225_600
            ),
            FingerprintRecord(
                path: RawName([0x62, 0xFF, 0x0A, 0x22]), member: [RawName("in\u{1}ner"), RawName([0xC3, 0x28])],
                kind: .member,
                size: 4, digests: [.sha256: "22"], pieces: [piece, piece], note: "tab\there <script>",
                error: "quote \" and backslash \\"),
            FingerprintRecord(path: RawName("link"), kind: .symlink, note: "→ target"),
            FingerprintRecord(path: RawName("d"), kind: .directory, pieces: []),
        ]
    }

    @Test func aRecordsJSONValueIsItsManifestLine() throws {
        for r in Self.records {
            #expect(
                r.jsonValue(algorithms: Self.algorithms).compact == JSONLinesWriter.line(r, algorithms: Self.algorithms)
            )
        }
    }

    @Test func theAuditJSONIsOneObjectThatFoundationReads() throws {
        let records = Self.records
        var changed = records[0]
        changed.digests[.sha256] = "99"
        let report = Auditor.compare(
            expected: records, actual: [changed] + records.dropFirst(), algorithms: Self.algorithms,
            workingDirectory: "/")
        let problems = [ManifestProblem(line: 7, reason: "not JSON")]
        let text = report.json(manifest: "m.jsonl", problems: problems)
        #expect(text.hasSuffix("}\n") && text.filter { $0 == "\n" }.count == 1)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(o["result"] as? String == "failed")
        #expect((o["unreadable_lines"] as? [[String: Any]])?.first?["line"] as? Int == 7)
        #expect((o["counts"] as? [String: Int])?["changed"] == 1)
        let items = try #require(o["items"] as? [[String: Any]])
        #expect(items.count == report.entries.count)
        for item in items where item["status"] as? String == "matched" { #expect(item["reason"] == nil) }
    }
}
