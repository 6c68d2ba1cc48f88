import Foundation
import TestSupport
import Testing

@testable import EvidenceKit

/// Archives are built by the tests themselves with bsdtar (libarchive-tools), zip and Python's tarfile/zipfile,
/// so every fixture is small and its expected digests come from the bytes the test wrote, not from our code.
@Suite struct ArchiveTests {
    static let content = "member content\n"
    static var contentSHA256: String { digestHex(.sha256, of: Array(content.utf8)) }

    @Test func everyFormatAndFilterIsReadByContentNotExtension() throws {
        let s = try Scratch()
        try s.write("src/a.txt", Self.content)
        try FileManager.default.createDirectory(atPath: s.path + "/out", withIntermediateDirectories: true)
        let formats = ["zip", "7zip", "cpio", "iso9660", "ar", "xar", "ustar", "pax", "gnutar"]
        for f in formats { try s.run("bsdtar", ["--format", f, "-cf", "out/\(f).bin", "-C", "src", "a.txt"]) }
        for (flag, name) in [("-z", "gz"), ("-j", "bz2"), ("-J", "xz"), ("--zstd", "zst"), ("--lz4", "lz4")] {
            try s.run("bsdtar", [flag, "-cf", "out/tar-\(name).dat", "-C", "src", "a.txt"])
        }
        try s.run("sh", ["-c", "gzip -c src/a.txt > out/lone.gz.jpg"])
        let records = try fingerprint(["out"], in: s.path)
        let archives = records.filter { $0.member.isEmpty }
        #expect(archives.count == formats.count + 6)
        for archive in archives {
            let members = records.filter { $0.path == archive.path && !$0.member.isEmpty && $0.kind == .member }
            #expect(members.count == 1, "\(archive.path): \(members.map(\.member))")
            #expect(members.first?.digests[.sha256] == Self.contentSHA256, "\(archive.path)")
            #expect(archive.error == nil, "\(archive.path): \(archive.error ?? "")")
        }
    }

    @Test func nestedArchivesStreamWithExactMemberChains() throws {
        let s = try Scratch()
        try s.write("w/docs/a/b.txt", Self.content)
        try s.write("w/docs/c.txt", "other\n")
        try s.run("sh", ["-c", "cd w/docs && zip -qr ../docs.zip a c.txt"])
        try s.run("bsdtar", ["--format", "7zip", "-cf", "w/inner.7z", "-C", "w", "docs.zip"])
        try s.run("bsdtar", ["-cf", "w/usb.tar", "-C", "w", "docs.zip", "inner.7z"])
        try s.run("bsdtar", ["-czf", "seized.tar.gz", "-C", "w", "usb.tar"])
        let records = try fingerprint(["seized.tar.gz"], in: s.path)
        let chains = records.map { $0.member.map(\.text) }
        // Directory entries ("a/") are not items; files are listed by member chain, outermost first.
        let expected: [[String]] = [
            [], ["usb.tar"], ["usb.tar", "docs.zip"], ["usb.tar", "docs.zip", "a/b.txt"],
            ["usb.tar", "docs.zip", "c.txt"],
            ["usb.tar", "inner.7z"], ["usb.tar", "inner.7z", "docs.zip"],
            ["usb.tar", "inner.7z", "docs.zip", "a/b.txt"],
            ["usb.tar", "inner.7z", "docs.zip", "c.txt"],
        ]
        #expect(chains == expected)
        for r in records where r.member.last?.text == "a/b.txt" { #expect(r.digests[.sha256] == Self.contentSHA256) }
        let usb = try #require(records.first { $0.member.map(\.text) == ["usb.tar"] })
        let usbBytes = try Data(contentsOf: s.url.appendingPathComponent("w/usb.tar"))
        #expect(usb.digests[.sha256] == digestHex(.sha256, of: usbBytes))
        #expect(records.allSatisfy { $0.error == nil })

        let shallow = try fingerprint(["seized.tar.gz"], in: s.path) { $0.maxDepth = 2 }
        let docs = try #require(shallow.first { $0.member.map(\.text) == ["usb.tar", "docs.zip"] })
        #expect(docs.error?.contains("--max-depth 2") == true)
        #expect(docs.digests[.sha256] != nil)
        #expect(!shallow.contains { $0.member.count > 2 })

        let plain = try fingerprint(["seized.tar.gz"], in: s.path) { $0.archives = false }
        #expect(plain.count == 1)
    }

    @Test func corruptAndTruncatedArchivesAreRecordedAndTheRunGoesOn() throws {
        let s = try Scratch()
        try s.write("src/one.bin", pseudoRandomBytes(200_000, seed: 1))
        try s.write("src/two.bin", pseudoRandomBytes(200_000, seed: 2))
        try s.write("src/log.txt", (0..<40_000).map { "line \($0) of the server log\n" }.joined())
        try FileManager.default.createDirectory(atPath: s.path + "/e", withIntermediateDirectories: true)
        try s.run("bsdtar", ["-cf", "e/whole.tar", "-C", "src", "one.bin", "two.bin"])
        try s.run("bsdtar", ["-cJf", "e/corrupt.txz", "-C", "src", "one.bin", "log.txt"])
        // Damage the xz stream inside the compressed log, and cut a tar inside its second member.
        // (xz carries a checksum that liblzma verifies; see docs/formats.md on gzip, whose CRC libarchive skips.)
        var corrupt = [UInt8](try Data(contentsOf: s.url.appendingPathComponent("e/corrupt.txz")))
        for i in (corrupt.count - 3000)..<(corrupt.count - 2936) { corrupt[i] ^= 0x5A }
        try s.write("e/corrupt.txz", corrupt)
        let whole = [UInt8](try Data(contentsOf: s.url.appendingPathComponent("e/whole.tar")))
        try s.write("e/truncated.tar", Array(whole.prefix(300_000)))
        try s.write("e/z-after.txt", "still hashed")

        let records = try fingerprint(["e"], in: s.path)
        let byChain = Dictionary(
            grouping: records, by: { "\($0.path.text)|\($0.member.map(\.text).joined(separator: "/"))" })
        let truncatedTwo = try #require(byChain["e/truncated.tar|two.bin"]?.first)
        #expect(truncatedTwo.digests.isEmpty)
        #expect(truncatedTwo.error?.contains("truncated or corrupt") == true)
        #expect(byChain["e/truncated.tar|one.bin"]?.first?.error == nil)
        #expect(byChain["e/truncated.tar|"]?.first?.error?.contains("damaged") == true)
        #expect(byChain["e/truncated.tar|"]?.first?.digests[.sha256] == digestHex(.sha256, of: whole.prefix(300_000)))
        let corruptArchive = try #require(byChain["e/corrupt.txz|"]?.first)
        #expect(corruptArchive.digests[.sha256] == digestHex(.sha256, of: corrupt))
        let corruptMembers = records.filter { $0.path.text == "e/corrupt.txz" && !$0.member.isEmpty }
        #expect(corruptArchive.error?.contains("damaged") == true)
        #expect(corruptMembers.first { $0.member.last?.text == "log.txt" }?.error?.contains("Corrupt") == true)
        #expect(byChain["e/z-after.txt|"]?.first?.digests[.sha256] != nil)
        #expect(
            byChain["e/whole.tar|two.bin"]?.first?.digests[.sha256]
                == digestHex(.sha256, of: pseudoRandomBytes(200_000, seed: 2)))
    }

    @Test func encryptedMemberIsAnErrorNotAGuess() throws {
        let s = try Scratch()
        try s.write("src/secret.txt", Self.content)
        try s.write("src/open.txt", Self.content)
        try s.run("sh", ["-c", "cd src && zip -q -P hunter2 ../enc.zip secret.txt && zip -q ../enc.zip open.txt"])
        let records = try fingerprint(["enc.zip"], in: s.path)
        let secret = try #require(records.first { $0.member.last?.text == "secret.txt" })
        #expect(secret.digests.isEmpty)
        #expect(secret.error?.contains("encrypted") == true)
        let open = try #require(records.first { $0.member.last?.text == "open.txt" })
        #expect(open.digests[.sha256] == Self.contentSHA256)
    }

    @Test func hostileMemberNamesAreRecordedExactlyAndNothingIsWritten() throws {
        let s = try Scratch()
        try s.run(
            "python3",
            [
                "-c",
                """
                import io, tarfile, zipfile
                t = tarfile.open('evil.tar', 'w', format=tarfile.GNU_FORMAT, encoding='utf-8', errors='surrogateescape')
                for name in ['../../etc/passwd', '/abs/olute.txt', 'ok/../../x', 'caf\\udce9.txt', 'new\\nline']:
                    data = b'pwned ' + name.encode('utf-8', 'surrogateescape')
                    info = tarfile.TarInfo(name); info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
                t.close()
                """,
            ])
        let before = try FileManager.default.contentsOfDirectory(atPath: s.path).sorted()
        let records = try fingerprint(["evil.tar"], in: s.path)
        let names = records.compactMap { $0.member.first?.bytes }
        let expected: [[UInt8]] = [
            Array("../../etc/passwd".utf8), Array("/abs/olute.txt".utf8),
            Array("caf".utf8) + [0xE9] + Array(".txt".utf8),
            Array("new\nline".utf8), Array("ok/../../x".utf8),
        ]
        #expect(names == expected.sorted { $0.lexicographicallyPrecedes($1) })
        for r in records where !r.member.isEmpty {
            #expect(r.digests[.sha256] == digestHex(.sha256, of: Array("pwned ".utf8) + r.member[0].bytes))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path).sorted() == before)
        #expect(jsonl(records).contains("\"member_bytes\":[\"636166e92e747874\"]"))
    }

    @Test func zipBombStopsAtTheExpansionLimit() throws {
        let s = try Scratch()
        try s.run(
            "sh",
            [
                "-c",
                "head -c 200000000 /dev/zero > zeros && zip -q -9 bomb.zip zeros && rm zeros && zip -q -0 outer.zip bomb.zip",
            ])
        let records = try fingerprint(["outer.zip"], in: s.path) { $0.maxExpand = 10 << 20 }
        let outer = try #require(records.first { $0.member.isEmpty })
        #expect(outer.error?.contains("expansion limit") == true)
        #expect(outer.digests[.sha256] != nil)
        let zeros = try #require(records.first { $0.member.last?.text == "zeros" })
        #expect(zeros.digests.isEmpty)
        #expect(zeros.error?.contains("expansion limit") == true)
    }

    @Test func gzipDamageThatLibarchiveDecodesSilentlyIsCaughtByTheCRC() throws {
        let s = try Scratch()
        try s.write("log.txt", (0..<20_000).map { "GET /index.php?id=\($0) 200\n" }.joined())
        try s.run("sh", ["-c", "gzip -k log.txt && cat log.txt.gz log.txt.gz > two.gz"])
        var bytes = [UInt8](try Data(contentsOf: s.url.appendingPathComponent("log.txt.gz")))
        bytes[bytes.count - 6] ^= 0xFF  // the CRC-32 trailer
        try s.write("badcrc.gz", bytes)
        let records = try fingerprint(["badcrc.gz", "log.txt.gz", "two.gz"], in: s.path)
        let archives = Dictionary(uniqueKeysWithValues: records.filter { $0.member.isEmpty }.map { ($0.path.text, $0) })
        #expect(archives["badcrc.gz"]?.error?.contains("incorrect data check") == true)
        #expect(archives["log.txt.gz"]?.error == nil)
        #expect(archives["two.gz"]?.error == nil)
    }

    @Test func unicodeMemberNamesInZipAndTarSurvive() throws {
        let s = try Scratch()
        let names = ["ë.txt", "ç/ş/ğ.txt", "İzmir.doc", "Приштина.txt", "Podgorica/račun.pdf"]
        try s.run(
            "python3",
            [
                "-c",
                """
                import sys, tarfile, zipfile, io
                names = sys.argv[1:]
                with zipfile.ZipFile('u.zip', 'w') as z:
                    for n in names: z.writestr(n, n.encode())
                with tarfile.open('u.tar', 'w', format=tarfile.PAX_FORMAT) as t:
                    for n in names:
                        i = tarfile.TarInfo(n); i.size = len(n.encode()); t.addfile(i, io.BytesIO(n.encode()))
                """,
            ] + names)
        let records = try fingerprint(["u.tar", "u.zip"], in: s.path)
        for archive in ["u.tar", "u.zip"] {
            let members = records.filter { $0.path.text == archive && !$0.member.isEmpty }
            #expect(Set(members.map { $0.member[0].text }) == Set(names), "\(archive)")
            for m in members { #expect(m.digests[.sha256] == digestHex(.sha256, of: m.member[0].bytes)) }
        }
    }

    @Test func randomBytesThatStartLikeAnArchiveAreJustAFile() throws {
        // Found by the benchmark: of 20,000 random files two began with 1F 8B (gzip's magic) and were read as
        // raw streams nested eight deep. A chance magic must give a plain file record: no members, no error.
        let s = try Scratch()
        for (i, prefix) in [
            [0x1F, 0x8B, 0x9B], [0x1F, 0x8B, 0x08, 0xFF], [0x1F, 0x9D, 0x00], [0xC7, 0x71], [0x71, 0xC7, 0, 0],
        ].enumerated() {
            try s.write("r/\(i).bin", prefix.map(UInt8.init) + pseudoRandomBytes(50_000, seed: UInt64(i)))
        }
        let records = try fingerprint(["r"], in: s.path)
        #expect(records.count == 5, "\(records.map { $0.member })")
        #expect(records.allSatisfy { $0.member.isEmpty && $0.error == nil && $0.digests[.sha256] != nil })
    }
}
