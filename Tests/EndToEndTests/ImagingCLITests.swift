import Foundation
import TestSupport
import Testing

/// `evidence image` and `evidence verify-image`, checked with independent tools: coreutils digests and cmp for
/// raw images, ewfverify, ewfinfo, ewfexport (libewf's own tools) and img_stat/fls (The Sleuth Kit) for E01.
@Suite struct ImagingCLITests {
    /// The JSON acquisition log as a dictionary.
    static func log(_ ws: Workspace, _ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: ws.url.appendingPathComponent(name))
        guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("\(name) is not an object")
        }
        return o
    }

    static func digest(_ ws: Workspace, _ tool: String, _ file: String) throws -> String {
        String(try ws.sh("\(tool) '\(file)'").prefix { $0 != " " })
    }

    @Test func rawImageOfFileEqualsSourceAndLogDigestsMatchCoreutils() throws {
        let ws = try Workspace()
        // Not a multiple of the sector (512) or the block size.
        try ws.sh("head -c 3000001 /dev/urandom > src.bin")
        let r = try CLI.run(
            ["evidence", "image", "src.bin", "--output", "img", "--format", "raw", "--verify", "--piecewise", "1M"],
            in: ws.path)
        #expect(r.status == 0, "\(r.stderr)")
        try ws.sh("cmp src.bin img.raw")
        let log = try Self.log(ws, "img.log.json")
        let digests = log["digests"] as? [String: String] ?? [:]
        #expect(digests["md5"] == (try Self.digest(ws, "md5sum", "src.bin")))
        #expect(digests["sha1"] == (try Self.digest(ws, "sha1sum", "src.bin")))
        #expect(digests["sha256"] == (try Self.digest(ws, "sha256sum", "src.bin")))
        #expect(log["complete"] as? Bool == true)
        #expect(log["bytesAcquired"] as? Int == 3_000_001)
        #expect((log["verification"] as? [String: Any])?["result"] as? String == "match")
        // Piece 2 (bytes 1 MiB..2 MiB) against dd + sha256sum.
        let pieces = log["pieces"] as? [[String: Any]] ?? []
        #expect(pieces.count == 3)
        let second = try ws.sh("dd if=src.bin bs=1M skip=1 count=1 status=none | sha256sum").prefix(64)
        #expect((pieces.dropFirst().first?["digests"] as? [String: String])?["sha256"] == String(second))
        #expect(try ws.read("img.log.txt").hasPrefix("ACQUISITION COMPLETE"))
        let v = try CLI.run(["evidence", "verify-image", "img.raw"], in: ws.path)
        #expect(v.status == 0 && v.stdout.contains("VERIFIED"), "\(v.stdout)\(v.stderr)")
    }

    /// `verify-image --json`: one object, keys sorted, that Python reads with the digests sha256sum gives; a log
    /// that gives the `sha256` key twice (one of them false) is refused with 65 instead of being read one way.
    @Test func verifyImageJSONAndDoubledKeyLog() throws {
        let ws = try Workspace()
        try ws.sh("head -c 1000000 /dev/urandom > src.bin")
        let r = try CLI.run(["evidence", "image", "src.bin", "-o", "j", "--format", "raw", "-q"], in: ws.path)
        #expect(r.status == 0, "\(r.stderr)")
        let v = try CLI.run(["evidence", "verify-image", "j.raw", "--json"], in: ws.path)
        #expect(v.status == 0, "\(v.stderr)")
        try ws.write("v.json", v.stdout)
        let sha = try Self.digest(ws, "sha256sum", "src.bin")
        let check = try ws.sh(
            "python3 -c \"import json; t = open('v.json').read(); o = json.loads(t); "
                + "assert t == json.dumps(o, indent=2, sort_keys=True) + '\\\\n'; "
                + "print(o['digests']['sha256'], o['verified'], o['bytes'], o['files'], o['log'], o['checksumErrors'])\""
        )
        #expect(check == "\(sha) True 1000000 ['j.raw'] j.log.json []\n", "\(check)")
        // The doubled key, first with a false value: Foundation's JSONDecoder took the first (verify-image said NOT
        // VERIFIED, 1), Python's json the last (the true one); the two readers must not disagree on one log.
        try ws.sh(
            "python3 -c \"t = open('j.log.json').read(); k = '\\\"sha256\\\": \\\"\(sha)\\\"'; assert k in t; "
                + "open('j.log.json', 'w').write(t.replace(k, '\\\"sha256\\\": \\\"' + '0' * 64 + '\\\", ' + k, 1))\"")
        let refused = try CLI.run(["evidence", "verify-image", "j.raw", "--json"], in: ws.path)
        #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("\"sha256\" is given twice"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
    }

    @Test func splitRawFromStandardInput() throws {
        let ws = try Workspace()
        try ws.sh("head -c 2621440 /dev/urandom > src.bin")
        try ws.sh("cat src.bin | '\(CLI.binary)' evidence image - --output s --format raw --segment-size 1M -q")
        #expect(try ws.sh("ls s.*").split(separator: "\n") == ["s.001", "s.002", "s.003", "s.log.json", "s.log.txt"])
        #expect(try ws.sh("stat -c %s s.001 s.002 s.003") == "1048576\n1048576\n524288\n")
        #expect(try ws.sh("cat s.001 s.002 s.003 | sha256sum") == (try ws.sh("sha256sum < src.bin")))
        let log = try Self.log(ws, "s.log.json")
        #expect((log["source"] as? [String: Any])?["kind"] as? String == "stream")
        let segments = log["segments"] as? [[String: Any]] ?? []
        #expect(
            segments.map { $0["sha256"] as? String }
                == (try ["s.001", "s.002", "s.003"].map { try Self.digest(ws, "sha256sum", $0) }))
        // A changed byte in the second file: verify-image names it.
        // (Each bit of it flipped: a fixed replacement would leave the file unchanged when random data already held it.)
        try ws.sh(
            "python3 -c \"f = open('s.002', 'r+b'); f.seek(1000); b = f.read(1)[0]; "
                + "f.seek(1000); f.write(bytes([b ^ 0xFF]))\"")
        let v = try CLI.run(["evidence", "verify-image", "s.001"], in: ws.path)
        #expect(v.status == 1)
        #expect(v.stdout.contains("s.002: sha256"), "\(v.stdout)")
    }

    @Test func e01IsAcceptedByLibewfToolsAndTheSleuthKit() throws {
        let ws = try Workspace()
        // 3 MiB + 77 bytes: not a multiple of the sector nor of the 32 KiB chunk.
        try ws.sh("head -c 3145805 /dev/urandom > src.bin")
        let r = try CLI.run(
            [
                "evidence", "image", "src.bin", "--output", "ev", "--case-number", "2026-042", "--evidence-number",
                "USB-1",
                "--examiner-name", "Jo Example", "--description", "seized stick", "--notes", "bag 7", "--segment-size",
                "1M",
                "--verify",
            ], in: ws.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try ws.sh("ls ev.E0*").split(separator: "\n").count >= 3)
        let verify = try ws.sh("ewfverify -q ev.E01")
        #expect(verify.contains("ewfverify: SUCCESS"), "\(verify)")
        let info = try ws.sh("ewfinfo ev.E01")
        for text in ["2026-042", "USB-1", "Jo Example", "seized stick", "bag 7", "iproceeds"] {
            #expect(info.contains(text), "\(text) not in \(info)")
        }
        try ws.sh("ewfexport -q -u -f raw -t back ev.E01 > /dev/null")
        // The E01 holds the source padded with zeros to whole sectors: the first 3145805 bytes are the source.
        #expect(try ws.sh("head -c 3145805 back.raw | sha256sum") == (try ws.sh("sha256sum < src.bin")))
        #expect(try ws.sh("tail -c +3145806 back.raw | tr -d '\\0' | wc -c") == "0\n")
        #expect(try ws.sh("stat -c %s back.raw") == "3146240\n")
        let log = try Self.log(ws, "ev.log.json")
        let ewf = log["ewf"] as? [String: Any] ?? [:]
        #expect(ewf["mediaSize"] as? Int == 3_146_240)
        #expect(ewf["storedMD5"] as? String == (try Self.digest(ws, "md5sum", "back.raw")))
        #expect((log["digests"] as? [String: String])?["md5"] == (try Self.digest(ws, "md5sum", "src.bin")))
        #expect(info.contains(ewf["storedMD5"] as? String ?? "-"))
        let stat = try ws.sh("img_stat ev.E01")
        #expect(stat.contains("ewf") && stat.contains("3146240"), "\(stat)")
        let v = try CLI.run(["evidence", "verify-image", "ev.E01"], in: ws.path)
        #expect(v.status == 0 && v.stdout.contains("VERIFIED"), "\(v.stdout)\(v.stderr)")
    }

    @Test func e01OfZerosIsSmallAndOfAFileSystemIsReadByFls() throws {
        let ws = try Workspace()
        try ws.sh("head -c 33554432 /dev/zero > zeros.bin")
        #expect(try CLI.run(["evidence", "image", "zeros.bin", "-o", "z", "-q"], in: ws.path).status == 0)
        #expect(Int(try ws.sh("stat -c %s z.E01").trimmingCharacters(in: .whitespacesAndNewlines))! < 1_048_576)
        #expect(try ws.sh("ewfverify -q z.E01").contains("SUCCESS"))
        // An ext4 file system holding one known file: The Sleuth Kit lists it from the E01.
        try ws.sh(
            "mkdir tree && echo evidence > tree/found.txt && truncate -s 8M fs.img && mkfs.ext4 -q -d tree fs.img")
        #expect(
            try CLI.run(["evidence", "image", "fs.img", "-o", "fs", "-q", "--compression", "best"], in: ws.path).status
                == 0)
        #expect(try ws.sh("fls -r fs.E01").contains("found.txt"))
        #expect(try ws.sh("ewfverify -q fs.E01").contains("SUCCESS"))
    }

    @Test func corruptE01ChunkIsReportedByOffset() throws {
        let ws = try Workspace()
        try ws.sh("head -c 1048576 /dev/urandom > src.bin")
        #expect(
            try CLI.run(["evidence", "image", "src.bin", "-o", "c", "--compression", "none", "-q"], in: ws.path).status
                == 0)
        // Uncompressed chunks follow the headers: a byte in the middle of the file is chunk data.
        // Every bit flipped, so that the byte changes whatever the random data held there.
        try ws.sh(
            "python3 -c \"f = open('c.E01', 'r+b'); f.seek(600000); b = f.read(1)[0]; "
                + "f.seek(600000); f.write(bytes([b ^ 0xFF]))\"")
        let independent = try CLI.exec("ewfverify", ["-q", "c.E01"], in: ws.path)
        #expect(independent.status != 0)
        let v = try CLI.run(["evidence", "verify-image", "c.E01"], in: ws.path)
        #expect(v.status == 1)
        #expect(v.stdout.contains("chunk checksum error at offset"), "\(v.stdout)")
    }

    /// A damaged compressed chunk (verify-image inflates chunks itself, on every core): reported by offset, and
    /// ewfverify agrees the image is damaged.
    @Test func corruptCompressedE01ChunkIsReportedByOffset() throws {
        let ws = try Workspace()
        // 32 chunks of text, each of which deflates to a few hundred bytes.
        try ws.sh("yes 'transfer 1234.56 EUR to DE89370400440532013000' | head -c 1048576 > src.bin")
        #expect(try CLI.run(["evidence", "image", "src.bin", "-o", "z", "-q"], in: ws.path).status == 0)
        // The first chunk follows the "sectors" section's 76-byte descriptor: its 101st byte, every bit flipped.
        try ws.sh(
            "python3 -c \"d = open('z.E01', 'rb').read(); i = d.find(b'sectors') + 76 + 100; f = open('z.E01', 'r+b'); "
                + "f.seek(i); f.write(bytes([d[i] ^ 0xFF]))\"")
        #expect(try CLI.exec("ewfverify", ["-q", "z.E01"], in: ws.path).status != 0)
        let v = try CLI.run(["evidence", "verify-image", "z.E01"], in: ws.path)
        #expect(v.status == 1)
        #expect(v.stdout.contains("chunk checksum error at offset 0, 32768 bytes"), "\(v.stdout)")
    }

    @Test func existingOutputMissingSourceAndFullDisk() throws {
        let ws = try Workspace()
        try ws.sh("head -c 4194304 /dev/urandom > src.bin")
        #expect(
            try CLI.run(["evidence", "image", "src.bin", "-o", "a", "--format", "raw", "-q"], in: ws.path).status == 0)
        let again = try CLI.run(["evidence", "image", "src.bin", "-o", "a", "--format", "raw", "-q"], in: ws.path)
        #expect(again.status == 74)
        #expect(again.stderr.contains("already exists") && again.stderr.contains("--replace"), "\(again.stderr)")
        #expect(
            try CLI.run(["evidence", "image", "src.bin", "-o", "a", "--format", "raw", "-q", "--replace"], in: ws.path)
                .status == 0)
        let missing = try CLI.run(["evidence", "image", "no-such-disk", "-o", "m", "--format", "raw"], in: ws.path)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no-such-disk"))
        // A 2 MiB tmpfs cannot hold a 4 MiB image: exit 74, a partial image and a log that says so.
        try ws.sh("mkdir small && mount -t tmpfs -o size=2m tmpfs small")
        defer { _ = try? ws.sh("umount small") }
        let full = try CLI.run(["evidence", "image", "src.bin", "-o", "small/f", "--format", "raw"], in: ws.path)
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("No space left") || full.stderr.contains("no space left"), "\(full.stderr)")
        #expect(try ws.sh("ls small") == "f.partial.log.json\nf.partial.log.txt\nf.partial.raw\n")
        let log = try Self.log(ws, "small/f.partial.log.json")
        #expect(log["complete"] as? Bool == false)
        #expect((log["incompleteReason"] as? String)?.contains("could not be written") == true)
        #expect(
            log["bytesAcquired"] as? Int
                == Int(try ws.sh("stat -c %s small/f.partial.raw").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try ws.sh("cmp -n $(stat -c %s small/f.partial.raw) src.bin small/f.partial.raw; echo $?") == "0\n")
    }

    @Test func ctrlCLeavesAnIncompleteImage() throws {
        let ws = try Workspace()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["evidence", "image", "-", "-o", "cut", "--format", "raw", "-q"]
        p.currentDirectoryURL = ws.url
        let input = Pipe()
        p.standardInput = input
        p.standardError = FileHandle.nullDevice
        try p.run()
        let first = Data((0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        input.fileHandleForWriting.write(first)
        // Wait until the first MiB is in the partial image, then interrupt.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: ws.path + "/cut.partial.raw")[.size] as? Int) ?? 0
            if size == 1_048_576 { break }
            usleep(20_000)
        }
        p.interrupt()
        usleep(200_000)
        // The reader sees the signal once its blocked read returns: give it one more block, keep the pipe open.
        input.fileHandleForWriting.write(Data(repeating: 7, count: 4096))
        p.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(p.terminationStatus == 130)
        #expect(!FileManager.default.fileExists(atPath: ws.path + "/cut.raw"))
        let log = try Self.log(ws, "cut.partial.log.json")
        #expect(log["complete"] as? Bool == false)
        let size = (try FileManager.default.attributesOfItem(atPath: ws.path + "/cut.partial.raw")[.size] as? Int) ?? -1
        #expect(log["bytesAcquired"] as? Int == size)
        #expect(try ws.read("cut.partial.log.txt").hasPrefix("INCOMPLETE"))
    }

    @Test func imagedCustodyEntryNamesTheLogAndTheImage() throws {
        let ws = try Workspace()
        let env = ["IPROCEEDS_HOME": ws.path + "/home"]
        try ws.sh("mkdir seized && head -c 1500000 /dev/urandom > seized/stick.dd")
        #expect(
            try CLI.run(
                ["examiner", "init", "--name", "Ana Petrović", "--id", "EX-017"], in: ws.path, environment: env
            ).status == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "CASE-14", "--title", "imaging"], in: ws.path,
                environment: env
            ).status == 0)
        #expect(
            try CLI.run(
                ["evidence", "add", "--case", "c.case", "--item", "EV-001", "--description", "USB stick", "seized"],
                in: ws.path, environment: env
            ).status == 0)
        let r = try CLI.run(
            ["evidence", "image", "seized/stick.dd", "-o", "ev1", "--case", "c.case", "--item", "EV-001", "-q"],
            in: ws.path, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("imaged for EV-001"), "\(r.stderr)")
        #expect(try CLI.run(["custody", "verify", "--case", "c.case"], in: ws.path, environment: env).status == 0)
        let entries = try CLI.run(
            ["custody", "log", "--case", "c.case", "--item", "EV-001", "--format", "json"], in: ws.path,
            environment: env)
        #expect(entries.stdout.contains("imaged"), "\(entries.stdout)")
        #expect(entries.stdout.contains(try Self.digest(ws, "sha256sum", "ev1.log.json")))
        #expect(entries.stdout.contains(try Self.digest(ws, "sha256sum", "ev1.E01")))
        #expect(entries.stdout.contains(try Self.digest(ws, "sha256sum", "seized/stick.dd")))
        // An unknown item: the image is made, the entry refused with the case's items listed.
        let unknown = try CLI.run(
            ["evidence", "image", "seized/stick.dd", "-o", "ev2", "--case", "c.case", "--item", "EV-404", "-q"],
            in: ws.path, environment: env)
        #expect(unknown.status == 64, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("EV-404"))
    }
}
