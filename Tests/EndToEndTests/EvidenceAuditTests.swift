import Foundation
import Testing

@Suite struct EvidenceAuditTests {
    @Test func newlineInAFileNameSurvivesAHashdeepRoundTripThroughAudit() throws {
        let w = try Workspace()
        try w.write("case/line\nbreak.txt", "two lines in the name\n")
        try w.write("case/plain.txt", "plain\n")
        let made = try CLI.run(["evidence", "hash", "--format", "hashdeep", "-o", "m.hd", "case"], in: w.path)
        #expect(made.status == 0)
        let passed = try CLI.run(["evidence", "audit", "-k", "m.hd", "case"], in: w.path)
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        #expect(passed.stdout.contains("2 matched, 0 changed, 0 moved, 0 new, 0 missing"))
        try w.write("case/line\nbreak.txt", "changed\n")
        let failed = try CLI.run(["evidence", "audit", "-k", "m.hd", "--format", "json", "case"], in: w.path)
        #expect(failed.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as! [String: Any]
        let items = report["items"] as! [[String: Any]]
        let changed = items.filter { $0["status"] as? String == "changed" }
        #expect(changed.count == 1)
        #expect((changed.first?["actual"] as? [String: Any])?["path"] as? String == "case/line\nbreak.txt")
    }

    @Test func duplicatesAndEmptyFilesMatchInPlaceWhereHashdeepSaysMoved() throws {
        let w = try Workspace()
        try w.write("case/a/copy1.txt", "identical\n")
        try w.write("case/b/copy2.txt", "identical\n")
        try w.write("case/empty1", "")
        try w.write("case/z/empty2", "")
        #expect(try CLI.run(["evidence", "hash", "-o", "m.jsonl", "case"], in: w.path).status == 0)
        let audit = try CLI.run(["evidence", "audit", "-k", "m.jsonl", "-v", "case"], in: w.path)
        #expect(audit.status == 0)
        #expect(audit.stdout.contains("4 matched, 0 changed, 0 moved, 0 new, 0 missing"))

        // Moving one copy away and adding a third copy: one moved, one new, nothing missing.
        try w.sh("mv case/b/copy2.txt case/copy2-renamed.txt && cp case/a/copy1.txt case/copy3.txt && rm case/z/empty2")
        let after = try CLI.run(["evidence", "audit", "-k", "m.jsonl", "case"], in: w.path)
        #expect(after.status == 1)
        #expect(after.stdout.contains("moved: case/copy2-renamed.txt (moved from case/b/copy2.txt)"))
        #expect(after.stdout.contains("new: case/copy3.txt"))
        #expect(after.stdout.contains("missing: case/z/empty2"))
        #expect(after.stdout.contains("2 matched, 0 changed, 1 moved, 1 new, 1 missing"))
    }

    @Test func auditComparesArchiveMembersToo() throws {
        let w = try Workspace()
        try w.write("src/a.txt", "alpha\n")
        try w.write("src/b.txt", "beta\n")
        try w.sh("mkdir case && tar -cf case/x.tar -C src a.txt b.txt")
        #expect(try CLI.run(["evidence", "hash", "-o", "m.jsonl", "case"], in: w.path).status == 0)
        #expect(try CLI.run(["evidence", "audit", "-k", "m.jsonl", "case"], in: w.path).status == 0)
        try w.write("src/b.txt", "BETA\n")
        try w.sh("tar -cf case/x.tar -C src a.txt b.txt")
        let after = try CLI.run(["evidence", "audit", "-k", "m.jsonl", "case"], in: w.path)
        #expect(after.status == 1)
        #expect(after.stdout.contains("changed: case/x.tar (sha256 was"))
        #expect(after.stdout.contains("changed: case/x.tar » b.txt"))
        #expect(!after.stdout.contains("changed: case/x.tar » a.txt"))
    }

    @Test func hashdeepsOwnManifestCanBeAudited() throws {
        let w = try Workspace()
        try w.write("case/one.txt", "one\n")
        try w.write("case/two.txt", "two\n")
        try w.sh("hashdeep -c md5,sha256 -r case > hd.txt")
        let r = try CLI.run(["evidence", "audit", "-k", "hd.txt", "case"], in: w.path)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("2 matched"))
    }

    @Test func unreadableManifestIsAClearError() throws {
        let w = try Workspace()
        let missing = try CLI.run(["evidence", "audit", "-k", "nope.jsonl", "."], in: w.path)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read manifest nope.jsonl"))
        try w.write("garbage.jsonl", "{\"path\": \"x\"\n")
        let garbage = try CLI.run(["evidence", "audit", "-k", "garbage.jsonl", "."], in: w.path)
        #expect(garbage.status == 66)
        #expect(garbage.stderr.contains("garbage.jsonl line 1"))
    }
}
