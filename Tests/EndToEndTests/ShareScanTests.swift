import Foundation
import Testing

@Suite struct ShareScanTests {
    static let log = """
        user=alice@example.com src=192.168.1.10 ver=1.2.3.4.5
        {"source.account": "jdoe", "source.url": "https://evil.example.com/a?u=bob@example.org&x=1"}
        iban RS35 2600 0560 1001 6113 79 tel +381 64 123 4567 ts 2024-03-12 10:15:30
        jmbg 0101990710008 Ana Marković

        """

    @Test func printsOneJSONObjectPerHitWithByteOffsets() throws {
        let w = try Workspace()
        try w.write("events.log", Self.log)
        let r = try CLI.run(["share", "scan", "events.log"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout == """
                {"type":"email","start":5,"end":22}
                {"type":"ipv4","start":27,"end":39}
                {"type":"person","start":74,"end":78}
                {"type":"url","start":96,"end":144}
                {"type":"iban","start":152,"end":179}
                {"type":"phone","start":184,"end":200}
                {"type":"jmbg","start":229,"end":242}

                """)
    }

    @Test func showValuesTypesAndNames() throws {
        let w = try Workspace()
        try w.write("events.log", Self.log)
        try w.write("names.txt", "# suspects\nAna Marković\n")
        let r = try CLI.run(
            ["share", "scan", "--show-values", "--types", "person,phone", "--names-file", "names.txt", "events.log"],
            in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout == """
                {"type":"person","start":74,"end":78,"value":"jdoe"}
                {"type":"phone","start":184,"end":200,"value":"+381 64 123 4567"}
                {"type":"person","start":243,"end":256,"value":"Ana Marković"}

                """)
    }

    @Test func severalFilesAndStandardInput() throws {
        let w = try Workspace()
        try w.write("a.log", "mail alice@example.com\n")
        try w.write("b.log", "ip 10.0.0.1\n")
        let r = try CLI.run(["share", "scan", "a.log", "b.log"], in: w.path)
        #expect(
            r.stdout == """
                {"type":"email","start":5,"end":22,"file":"a.log"}
                {"type":"ipv4","start":3,"end":11,"file":"b.log"}

                """)
        let piped = try w.sh("cat a.log | '\(CLI.binary)' share scan --show-values")
        #expect(piped == "{\"type\":\"email\",\"start\":5,\"end\":22,\"value\":\"alice@example.com\"}\n")
        let dash = try w.sh("printf 'x 2001:db8::1' | '\(CLI.binary)' share scan - -o hits.jsonl && cat hits.jsonl")
        #expect(dash == "{\"type\":\"ipv6\",\"start\":2,\"end\":13}\n")
    }

    @Test func noHitsIsSuccess() throws {
        let w = try Workspace()
        try w.write("clean.log", "nothing personal here, version 1.2.3.4.5\n")
        let r = try CLI.run(["share", "scan", "clean.log"], in: w.path)
        #expect(r.status == 0)
        #expect(r.stdout == "")
    }

    @Test func exitStatuses() throws {
        let w = try Workspace()
        let missing = try CLI.run(["share", "scan", "missing.log"], in: w.path)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read missing.log"))
        let badType = try CLI.run(["share", "scan", "--types", "email,passport", "x"], in: w.path)
        #expect(badType.status == 64)
        #expect(badType.stderr.contains("unknown type 'passport'"))
        let badNames = try CLI.run(["share", "scan", "--names-file", "nope.txt", "-"], in: w.path)
        #expect(badNames.status == 66)
    }

    @Test func helpTeaches() throws {
        let w = try Workspace()
        let r = try CLI.run(["share", "scan", "--help"], in: w.path)
        #expect(r.status == 0)
        #expect(r.stdout.contains("{\"type\":\"email\",\"start\":123,\"end\":145}"))
        #expect(r.stdout.contains("Exit status: 0 the files were scanned"))
        let group = try CLI.run(["share", "--help"], in: w.path)
        #expect(group.stdout.contains("scan"))
    }
}
