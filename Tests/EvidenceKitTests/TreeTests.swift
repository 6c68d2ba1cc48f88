import Foundation
import TestSupport
import Testing
import IProceedsBase

@testable import EvidenceKit

@Suite struct TreeTests {
    @Test func digestsMatchSha256sumAndOrderIsTreeOrder() throws {
        let s = try Scratch()
        try s.write("t/b.txt", "bee\n")
        try s.write("t/a/z.bin", pseudoRandomBytes(3 << 20, seed: 1))
        try s.write("t/a.txt", "")
        try s.write("t/a/b/c/d/e/f/g/deep.txt", "deep")
        let records = try fingerprint(["t"], in: s.path)
        #expect(records.map(\.path.text) == ["t/a/b/c/d/e/f/g/deep.txt", "t/a/z.bin", "t/a.txt", "t/b.txt"])
        let sums = try s.run("sha256sum", records.map(\.path.text))
        for r in records {
            #expect(sums.contains("\(r.digests[.sha256]!)  \(r.path.text)\n"))
        }
        #expect(records.first { $0.path.text == "t/a.txt" }?.size == 0)
        #expect(records.allSatisfy { $0.kind == .file && $0.error == nil && $0.mtime != nil })
    }

    /// Sizes around the first block (read) and the mapped windows after it, one file past the size at which the
    /// algorithms run on their own queues, several digests and pieces that straddle windows: every digest against
    /// coreutils' and Python's.
    @Test(arguments: [1, 2]) func digestsAcrossReadAndMappedWindowsMatchCoreutils(threads: Int) throws {
        let s = try Scratch()
        let sizes = [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 9 << 20, (9 << 20) + 4097, (17 << 20) - 1, 69 << 20]
        try s.run(
            "sh",
            ["-c", "mkdir w && " + sizes.map { "head -c \($0) /dev/urandom > w/f\($0).bin" }.joined(separator: " && ")])
        let records = try fingerprint(["w"], in: s.path) {
            $0.threads = threads
            $0.algorithms = [.md5, .sha1, .sha256]
            $0.pieceSize = 3 << 20
        }
        #expect(records.count == sizes.count)
        let names = records.map(\.path.text)
        let md5 = try s.run("md5sum", names)
        let sha1 = try s.run("sha1sum", names)
        let sha256 = try s.run("sha256sum", names)
        let pieces = try s.run(
            "python3",
            [
                "-c",
                """
                import hashlib, sys
                for name in sys.argv[1:]:
                    data = open(name, "rb").read()
                    for at in range(0, len(data), 3 << 20):
                        print(name, at, hashlib.sha256(data[at:at + (3 << 20)]).hexdigest())
                """,
            ] + names)
        var ours = ""
        for r in records {
            #expect(r.error == nil, "\(r.path.text): \(r.error ?? "")")
            #expect(md5.contains("\(r.digests[.md5] ?? "-")  \(r.path.text)\n"), "\(r.path.text)")
            #expect(sha1.contains("\(r.digests[.sha1] ?? "-")  \(r.path.text)\n"), "\(r.path.text)")
            #expect(sha256.contains("\(r.digests[.sha256] ?? "-")  \(r.path.text)\n"), "\(r.path.text)")
            for p in r.pieces ?? [] { ours += "\(r.path.text) \(p.offset) \(p.digests[2])\n" }
        }
        #expect(ours == pieces)
    }

    @Test func unicodeNonUTF8AndNewlineNamesAreKeptExactly() throws {
        let s = try Scratch()
        let names = ["ë.txt", "ç", "ş", "ğ", "İstanbul", "Приштина.doc", "line\nbreak.txt", "tab\there"]
        for (i, n) in names.enumerated() { try s.write("u/\(n)", "file \(i)") }
        // A Latin-1 name that is not valid UTF-8.
        let latin1: [UInt8] = Array("u/caf".utf8) + [0xE9] + Array(".txt".utf8)
        // Create it through the raw bytes, since a Swift String cannot hold them.
        let raw = Array(s.path.utf8) + [UInt8(ascii: "/")] + latin1 + [0]
        let fd2 = raw.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd2 >= 0)
        close(fd2)
        let records = try fingerprint(["u"], in: s.path)
        let byBytes = Dictionary(uniqueKeysWithValues: records.map { ($0.path.bytes, $0) })
        for n in names { #expect(byBytes[Array("u/\(n)".utf8)] != nil, "\(n)") }
        let odd = try #require(byBytes[latin1])
        #expect(!odd.path.isValidUTF8)
        // The JSON line carries the exact bytes in hex and reads back to the same bytes.
        let line = jsonl([odd])
        #expect(line.contains("\"path_bytes\":\"\(Hex.encode(latin1))\""))
        let back = try ManifestReader.parse(Array(jsonl(records).utf8), name: "m")
        #expect(back.records.map(\.path) == records.map(\.path))
        #expect(back.records.map(\.digests) == records.map(\.digests))
    }

    @Test func symlinksAreRecordedNotFollowedAndLoopsAreCaught() throws {
        let s = try Scratch()
        try s.write("l/real/file.txt", "content")
        try FileManager.default.createSymbolicLink(
            atPath: s.path + "/l/link-to-file", withDestinationPath: "real/file.txt")
        try FileManager.default.createSymbolicLink(atPath: s.path + "/l/real/loop", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: s.path + "/l/dangling", withDestinationPath: "nowhere")
        let plain = try fingerprint(["l"], in: s.path)
        #expect(plain.map(\.kind) == [.symlink, .symlink, .file, .symlink])
        #expect(plain[1].note == "symlink to real/file.txt")
        #expect(plain[1].digests.isEmpty)

        let followed = try fingerprint(["l"], in: s.path) { $0.followSymlinks = true }
        let byPath = Dictionary(uniqueKeysWithValues: followed.map { ($0.path.text, $0) })
        #expect(byPath["l/link-to-file"]?.kind == .file)
        #expect(byPath["l/link-to-file"]?.digests[.sha256] == byPath["l/real/file.txt"]?.digests[.sha256])
        #expect(byPath["l/real/loop"]?.note?.contains("loop") == true)
        #expect(byPath["l/dangling"]?.note?.contains("not followed") == true)
    }

    @Test(.timeLimit(.minutes(1))) func namedPipeIsRecordedAndDoesNotHang() throws {
        let s = try Scratch()
        try s.write("p/a.txt", "a")
        #expect(mkfifo(s.path + "/p/pipe", 0o644) == 0)
        let records = try fingerprint(["p"], in: s.path)
        let pipe = try #require(records.first { $0.path.text == "p/pipe" })
        #expect(pipe.kind == .special)
        #expect(pipe.note?.contains("FIFO") == true)
        #expect(pipe.error == nil)
    }

    @Test func missingPathIsARecordedErrorAndTheRunGoesOn() throws {
        let s = try Scratch()
        try s.write("ok.txt", "ok")
        let records = try fingerprint(["ok.txt", "gone.txt"], in: s.path)
        #expect(records.map(\.path.text) == ["gone.txt", "ok.txt"])
        #expect(records[0].error == "no such file or directory")
        #expect(records[1].error == nil)
    }

    @Test func threadCountDoesNotChangeTheOutput() throws {
        let s = try Scratch()
        for i in 0..<300 {
            try s.write("many/d\(i % 17)/f\(i).bin", pseudoRandomBytes(i * 97 % 50_000, seed: UInt64(i)))
        }
        try s.write("many/big.bin", pseudoRandomBytes(70 << 20, seed: 99))
        try s.run("tar", ["-cf", "many/inner.tar", "-C", "many", "d1", "d2"])
        let one = try jsonl(
            fingerprint(["many"], in: s.path) {
                $0.threads = 1; $0.algorithms = [.md5, .sha256]
            }, [.md5, .sha256])
        let four = try jsonl(
            fingerprint(["many"], in: s.path) {
                $0.threads = 4; $0.algorithms = [.md5, .sha256]
            }, [.md5, .sha256])
        #expect(one == four)
        let members = (0..<300).filter { $0 % 17 == 1 || $0 % 17 == 2 }.count
        #expect(one.split(separator: "\n").count == 300 + 2 + members)
    }

    @Test func excludeSkipsByNameOrPath() throws {
        let s = try Scratch()
        try s.write("e/keep.txt", "k")
        try s.write("e/skip.tmp", "s")
        try s.write("e/cache/x.txt", "x")
        let records = try fingerprint(["e"], in: s.path) { $0.excludes = ["*.tmp", "*/e/cache"] }
        #expect(records.map(\.path.text) == ["e/keep.txt"])
    }

    @Test func largeFileWithSeveralAlgorithmsUsesThePipelineAndAgreesWithOneShot() throws {
        let s = try Scratch()
        let data = pseudoRandomBytes(80 << 20, seed: 3)
        try s.write("big.bin", data)
        let r = try fingerprint(["big.bin"], in: s.path) {
            $0.algorithms = [.md5, .sha1, .sha256]
            $0.pieceSize = 16 << 20
        }
        #expect(r[0].digests[.md5] == digestHex(.md5, of: data))
        #expect(r[0].digests[.sha1] == digestHex(.sha1, of: data))
        #expect(r[0].digests[.sha256] == digestHex(.sha256, of: data))
        #expect(r[0].pieces?.count == 5)
        #expect(r[0].pieces?[4].digests[2] == digestHex(.sha256, of: data[(64 << 20)...]))
    }

    @Test func progressCountsEveryByteOnce() throws {
        let s = try Scratch()
        try s.write("p/small.bin", pseudoRandomBytes(10_000, seed: 1))
        try s.write("p/medium.bin", pseudoRandomBytes(5 << 20, seed: 2))  // several 1 MiB reads
        try s.write("p/large.bin", pseudoRandomBytes(70 << 20, seed: 3))  // the read ring
        let progress = FingerprintProgress()
        _ = try Fingerprinter(options: FingerprintOptions()).run([RawName(s.path + "/p")], progress: progress) { _ in }
        let expected = UInt64(10_000 + (5 << 20) + (70 << 20))
        #expect(progress.bytesFound.load(ordering: .relaxed) == expected)
        #expect(progress.bytesDone.load(ordering: .relaxed) == expected)
        #expect(progress.filesDone.load(ordering: .relaxed) == 3)
    }
}
