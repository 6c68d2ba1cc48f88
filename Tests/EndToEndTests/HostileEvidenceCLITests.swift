import Foundation
import Testing

/// What a user sees from `evidence hash` on evidence built to mislead or exhaust it: exit 1 and an error where a
/// check fails, memory that does not follow a size the evidence declares, and options with bounds.
@Suite struct HostileEvidenceCLITests {
    @Test func aZipMemberWithAWrongCRCMakesTheRunExitOne() throws {
        let w = try Workspace()
        try w.sh(
            """
            python3 -c '
            import zipfile
            with zipfile.ZipFile("stored.zip", "w", zipfile.ZIP_STORED) as z: z.writestr("a.txt", b"evidence content\\n" * 50)
            b = bytearray(open("stored.zip", "rb").read()); i = b.find(b"evidence"); b[i + 3] ^= 1
            open("bad.zip", "wb").write(b)
            '
            """)
        let good = try CLI.run(["evidence", "hash", "-q", "stored.zip"], in: w.path)
        #expect(good.status == 0)
        let bad = try CLI.run(["evidence", "hash", "bad.zip"], in: w.path)
        #expect(bad.status == 1)
        let member = try #require(try jsonLines(bad.stdout).first { ($0["member"] as? [String]) == ["a.txt"] })
        #expect((member["error"] as? String)?.contains("ZIP bad CRC") == true)
        #expect(member["sha256"] == nil)
        #expect(bad.stderr.contains("could not be read whole"))
    }

    @Test func aDamagedSmallXzFileMakesTheRunExitOne() throws {
        let w = try Workspace()
        try w.sh(
            """
            python3 -c '
            import lzma
            b = bytearray(lzma.compress(b"small log\\n" * 30)); b[len(b) // 2] ^= 0xFF
            open("log.xz", "wb").write(b)
            '
            """)
        let r = try CLI.run(["evidence", "hash", "-q", "log.xz"], in: w.path)
        #expect(r.status == 1)
        let record = try #require(try jsonLines(r.stdout).first)
        #expect((record["error"] as? String)?.contains("xz stream cannot be decompressed") == true, "\(record)")
    }

    @Test func aNestedZipThatUnderDeclaresItsSizeIsNotBufferedWhole() throws {
        // outer.zip (about 300 KB) holds inner.zip deflated: 300 MB of stored zeros that its headers say are
        // 1,000 bytes. Buffering by what arrives would need 300 MB or more; the child's peak resident memory,
        // measured by Python's getrusage, must stay far below that.
        let w = try Workspace()
        try w.sh(
            """
            python3 -c '
            import io, struct, zipfile
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as z: z.writestr("zeros", bytes(300_000_000))
            with zipfile.ZipFile("outer.zip", "w", zipfile.ZIP_DEFLATED) as z: z.writestr("inner.zip", inner.getvalue())
            b = bytearray(open("outer.zip", "rb").read())
            struct.pack_into("<I", b, 22, 1000)
            cd = b.find(b"PK\\x01\\x02"); struct.pack_into("<I", b, cd + 24, 1000)
            open("outer.zip", "wb").write(b)
            '
            """)
        let measured = try w.sh(
            """
            python3 -c '
            import resource, subprocess, sys
            p = subprocess.run(sys.argv[1:], stdout=open("out.jsonl", "wb"))
            print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            ' '\(CLI.binary)' evidence hash -q outer.zip
            """)
        let fields = measured.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(fields.first == "1", "exit status \(fields)")
        let maxRSSKiB = try #require(Int(fields.last ?? ""))
        #expect(maxRSSKiB < 200_000, "peak resident memory \(maxRSSKiB) KiB")
        let records = try jsonLines(try w.read("out.jsonl"))
        let zeros = try #require(records.first { ($0["member"] as? [String]) == ["inner.zip", "zeros"] })
        #expect(zeros["size"] as? Int == 300_000_000)
        let inner = try #require(records.first { ($0["member"] as? [String]) == ["inner.zip"] })
        #expect((inner["error"] as? String)?.contains("wrong size") == true)
    }

    @Test func maxDepthHasAnUpperBoundAndMaxExpandTotalIsAnOption() throws {
        let w = try Workspace()
        try w.write("a.txt", "a\n")
        let deep = try CLI.run(["evidence", "hash", "--max-depth", "8000", "a.txt"], in: w.path)
        #expect(deep.status == 64)
        #expect(deep.stderr.contains("--max-depth must be between 0 and 64"))
        let total = try CLI.run(["evidence", "hash", "-q", "--max-expand-total", "1G", "a.txt"], in: w.path)
        #expect(total.status == 0)
        let wrong = try CLI.run(["evidence", "hash", "--max-expand-total", "lots", "a.txt"], in: w.path)
        #expect(wrong.status == 64)
        let help = try CLI.run(["evidence", "hash", "--help"], in: w.path)
        #expect(help.stdout.contains("--max-expand-total"))
    }
}
