import Foundation
import Testing

/// File names with line breaks in hashdeep manifests, checked against hashdeep itself.
@Suite struct HashdeepNamesTests {
    /// hashdeep writes a name with a line feed as is, splitting its line in two; it audits the other lines. So
    /// does `evidence audit` now, reporting the broken line instead of refusing the whole manifest.
    @Test func aLineBrokenByANewlineInANameIsAFindingAndTheRestIsAudited() throws {
        let w = try Workspace()
        try w.write("t/plain.txt", "plain\n")
        try w.write("t/other.txt", "other\n")
        try w.write("t/new\nline.txt", "newline\n")
        try w.sh("hashdeep -c md5,sha256 -r t > hd.txt")
        let lines = try w.read("hd.txt").split(separator: "\n", omittingEmptySubsequences: false)
        let broken = try #require(lines.firstIndex { $0 == "line.txt" }) + 1
        let hashdeep = try CLI.exec("hashdeep", ["-a", "-vv", "-k", "hd.txt", "-r", "t"], in: w.path)
        let matchedByHashdeep = try #require(
            hashdeep.stdout.split(separator: "\n").first { $0.contains("Files matched:") })
        #expect(matchedByHashdeep.hasSuffix(": 2"), "\(hashdeep.stdout)")

        let r = try CLI.run(["evidence", "audit", "-k", "hd.txt", "t"], in: w.path)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("unreadable: hd.txt line \(broken): expected 4 fields"), "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("unreadable: "))
        #expect(r.stdout.contains("2 matched"), "\(r.stdout)")  // the two hashdeep matches too
        #expect(r.stdout.contains("1 manifest line could not be read; the rest was audited"))
        let json = try CLI.run(["evidence", "audit", "-k", "hd.txt", "--format", "json", "t"], in: w.path)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((o["unreadable_lines"] as? [[String: Any]])?.first?["line"] as? Int == broken)
        #expect(o["result"] as? String == "failed")
    }

    /// hashdeep keeps a carriage return inside a name and audits it; only one at the end of a name is lost
    /// (hashdeep strips it when reading). Names with a carriage return inside are written as hashdeep lines,
    /// which hashdeep audits, and read back by `evidence audit`.
    @Test func namesWithACarriageReturnAreWrittenTheWayHashdeepAuditsThem() throws {
        let w = try Workspace()
        try w.write("t/plain.txt", "plain\n")
        try w.write("t/car\rriage.txt", "cr\n")
        try w.write("t/a\rb\rc", "two\n")
        let made = try CLI.run(
            ["evidence", "hash", "-c", "md5,sha256", "--format", "hashdeep", "-o", "m.hd", "t"], in: w.path)
        #expect(made.status == 0, "\(made.stderr)")
        let text = try w.read("m.hd")
        #expect(
            text.split(separator: "\n").contains { $0.hasSuffix("/t/car\rriage.txt") && !$0.hasPrefix("#") }, "\(text)")
        let hashdeep = try CLI.exec("hashdeep", ["-a", "-vv", "-k", "m.hd", "-r", "t"], in: w.path)
        #expect(hashdeep.status == 0, "\(hashdeep.stdout)\(hashdeep.stderr)")
        #expect(hashdeep.stdout.contains("Audit passed"))
        #expect(
            hashdeep.stdout.split(separator: "\n").contains { $0.contains("Files matched:") && $0.hasSuffix(": 3") },
            "\(hashdeep.stdout)")
        let ours = try CLI.run(["evidence", "audit", "-k", "m.hd", "t"], in: w.path)
        #expect(ours.status == 0, "\(ours.stdout)")
        #expect(ours.stdout.contains("3 matched, 0 changed, 0 moved, 0 new, 0 missing"))
        // A trailing carriage return would be stripped by hashdeep: that name stays a comment record, read by us.
        try w.write("t/trailing\r", "t\n")
        let again = try CLI.run(["evidence", "hash", "--format", "hashdeep", "-o", "m2.hd", "t"], in: w.path)
        #expect(again.status == 0)
        #expect(
            try w.read("m2.hd").split(separator: "\n").contains {
                $0.hasPrefix("## iproceeds ") && $0.contains("trailing\\r")
            })
        #expect(try CLI.run(["evidence", "audit", "-k", "m2.hd", "t"], in: w.path).status == 0)
    }
}
