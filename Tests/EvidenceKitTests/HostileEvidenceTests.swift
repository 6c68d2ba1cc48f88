import Foundation
import TestSupport
import Testing

@testable import EvidenceKit

/// Evidence built to make a result look sound when it is not: damaged checksums, files swapped or growing while
/// they are read, archives that lie about their sizes. Every input is made here by bsdtar, zip, 7z, zstd or
/// Python's zipfile/tarfile/lzma/gzip and then damaged by one byte; sound members are checked against Python's
/// hashlib digest of the bytes the test wrote.
@Suite struct HostileEvidenceTests {
    /// 64 KiB of random bytes: every compressor stores them as they are (stored deflate blocks, uncompressed
    /// LZMA2 and zstd blocks, raw lz4 blocks), so flipping one byte of the archive changes the member's content
    /// without breaking the decoder, and only the format's own checksum can notice.
    static let payload = pseudoRandomBytes(64 << 10, seed: 11)

    /// Flips one byte in the middle of the stored payload (found by searching for a run of it), so the damage is
    /// in a member's data, not in a header.
    static func damageMiddle(_ bytes: inout [UInt8], file: String) throws {
        let probe = Array(payload[30_000..<30_032])
        guard let at = find(probe, in: bytes) else { throw TestFailure("payload not stored verbatim in \(file)") }
        bytes[at + 5] ^= 0x01
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count)
        where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }

    @Test func everyFormatsOwnChecksumFailureIsAnErrorOnTheMember() throws {
        let s = try Scratch()
        try s.write("src/a.bin", Self.payload)
        try s.write("src/ok.txt", "sound member\n")
        let made: [(String, [String])] = [
            ("stored.zip", ["sh", "-c", "cd src && zip -q -0 ../stored.zip a.bin ok.txt"]),
            ("deflated.zip", ["sh", "-c", "cd src && zip -q -1 ../deflated.zip a.bin ok.txt"]),
            (
                "store.7z",
                [
                    "bsdtar", "--format", "7zip", "--options", "7zip:compression=store", "-cf", "store.7z", "-C", "src",
                    "a.bin", "ok.txt",
                ]
            ),
            ("a.tar.xz", ["bsdtar", "-cJf", "a.tar.xz", "-C", "src", "a.bin", "ok.txt"]),
            ("a.tar.lz4", ["bsdtar", "--lz4", "-cf", "a.tar.lz4", "-C", "src", "a.bin", "ok.txt"]),
            ("a.tar.zst", ["sh", "-c", "bsdtar -cf - -C src a.bin ok.txt | zstd -q --check > a.tar.zst"]),
            ("a.bin.bz2", ["sh", "-c", "bzip2 -c src/a.bin > a.bin.bz2"]),
            // Level 0: stored deflate blocks, so the flipped byte decodes and only the CRC-32 can notice.
            (
                "a.tar.gz",
                [
                    "sh", "-c",
                    "bsdtar -cf - -C src a.bin ok.txt | python3 -c 'import gzip, sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read(), compresslevel=0))' > a.tar.gz",
                ]
            ),
        ]
        for (_, command) in made { try s.run(command[0], Array(command.dropFirst())) }
        // A gzip with its payload damaged, on disk and nested inside a tar (libarchive checks neither CRC).
        try s.run("sh", ["-c", "gzip -1 -c src/a.bin > a.bin.gz"])
        var names = made.map(\.0) + ["a.bin.gz"]
        for name in names {
            var bytes = [UInt8](try Data(contentsOf: s.url.appendingPathComponent(name)))
            if name != "a.bin.bz2" { try Self.damageMiddle(&bytes, file: name) } else { bytes[bytes.count / 2] ^= 0x01 }
            try s.write("bad/\(name)", bytes)
        }
        try s.run("bsdtar", ["-cf", "bad/nested-gz.tar", "-C", "bad", "a.bin.gz"])
        names.append("nested-gz.tar")
        // A tar whose second header fails its checksum.
        try s.run("bsdtar", ["--format", "ustar", "-cf", "t.tar", "-C", "src", "ok.txt", "a.bin"])
        var tar = [UInt8](try Data(contentsOf: s.url.appendingPathComponent("t.tar")))
        let second = try #require(Self.find(Array("a.bin".utf8) + [0], in: tar))
        tar[second + 100] ^= 0x01  // the mode field of a.bin's header
        try s.write("bad/hdr.tar", tar)
        names.append("hdr.tar")

        let records = try fingerprint(["bad"], in: s.path)
        let okDigest = digestHex(.sha256, of: Array("sound member\n".utf8))
        for name in names {
            let mine = records.filter { $0.path.text == "bad/\(name)" }
            let errors = mine.filter { $0.error != nil }
            #expect(!errors.isEmpty, "\(name): no error in \(mine.map { ($0.member.map(\.text), $0.note ?? "") })")
            // No record of the damaged payload carries a digest, under any name.
            let payloadDigest = digestHex(.sha256, of: Self.payload)
            #expect(!mine.contains { $0.digests[.sha256] == payloadDigest }, "\(name)")
            for r in mine where r.member.last?.text == "ok.txt" && r.error == nil {
                #expect(r.digests[.sha256] == okDigest, "\(name)")
            }
        }
        func member(_ file: String, _ chain: [String]) -> FingerprintRecord? {
            records.first { $0.path.text == "bad/\(file)" && $0.member.map(\.text) == chain }
        }
        // Stored and deflated zip, 7z: the CRC-32 mismatch, with libarchive's words, on a.bin itself; the sound
        // member beside it keeps its digest.
        for zip in ["stored.zip", "deflated.zip"] {
            let a = try #require(member(zip, ["a.bin"]))
            #expect(a.error?.contains("ZIP bad CRC") == true, "\(zip): \(a.error ?? "")")
            #expect(a.digests.isEmpty)
            #expect(member(zip, ["ok.txt"])?.digests[.sha256] == okDigest)
            #expect(member(zip, ["ok.txt"])?.error == nil)
        }
        let seven = try #require(member("store.7z", ["a.bin"]))
        #expect(seven.error?.contains("7-Zip bad CRC") == true, "\(seven.error ?? "")")
        #expect(member("store.7z", ["ok.txt"])?.digests[.sha256] == okDigest)
        // xz, lz4, zstd, bzip2, gzip: the stream's checksum (which covers the whole stream) fails: an error on the
        // archive naming the check, and every member decompressed from it has an error and no digest.
        for (file, check) in [
            ("a.tar.xz", "Lzma"), ("a.tar.lz4", "lz4 stream checksum"), ("a.tar.zst", "checksum"),
            ("a.bin.bz2", "bzip"), ("a.tar.gz", "incorrect data check"),
        ] {
            let archive = try #require(member(file, []))
            #expect(archive.error?.contains(check) == true, "\(file): \(archive.error ?? "")")
            for r in records where r.path.text == "bad/\(file)" && !r.member.isEmpty {
                #expect(r.error != nil && r.digests.isEmpty, "\(file) \(r.member.map(\.text))")
            }
        }
        // gzip on disk and nested: the CRC-32 error on the gzip itself, and its lone member has no digest.
        #expect(member("a.bin.gz", [])?.error?.contains("incorrect data check") == true)
        #expect(member("a.bin.gz", ["a.bin"])?.digests.isEmpty == true)
        #expect(member("nested-gz.tar", ["a.bin.gz"])?.error?.contains("incorrect data check") == true)
        #expect(member("nested-gz.tar", ["a.bin.gz"])?.digests[.sha256] != nil)
        #expect(
            member("nested-gz.tar", ["a.bin.gz", "a.bin"])?.error?.contains("gzip stream that fails its check") == true)
        #expect(member("nested-gz.tar", ["a.bin.gz", "a.bin"])?.digests.isEmpty == true)
        // tar: one record for the damaged header (however many blocks libarchive skipped), then the run goes on.
        let hdr = records.filter { $0.path.text == "bad/hdr.tar" && !$0.member.isEmpty }
        #expect(hdr.filter { $0.error?.contains("Damaged tar archive") == true }.count == 1, "\(hdr.map(\.error))")
        #expect(hdr.first { $0.member.last?.text == "ok.txt" }?.digests[.sha256] == okDigest)
    }

    @Test func soundArchivesOfTheSameFormatsStaySound() throws {
        // The same makers without damage: no error, and a.bin's digest is hashlib's.
        let s = try Scratch()
        try s.write("src/a.bin", Self.payload)
        try s.run("sh", ["-c", "mkdir -p s && cd src && zip -q -0 ../s/stored.zip a.bin"])
        try s.run("bsdtar", ["--format", "7zip", "-cf", "s/a.7z", "-C", "src", "a.bin"])
        try s.run(
            "sh", ["-c", "bsdtar -cf - -C src a.bin | zstd -q --check > s/a.tar.zst && gzip -c src/a.bin > s/a.gz"])
        try s.run("bsdtar", ["-cf", "s/gz.tar", "-C", "s", "a.gz"])
        let records = try fingerprint(["s"], in: s.path)
        let expected = try s.run(
            "python3", ["-c", "import hashlib;print(hashlib.sha256(open('src/a.bin','rb').read()).hexdigest())"]
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(records.allSatisfy { $0.error == nil }, "\(records.compactMap(\.error))")
        let members = records.filter { $0.member.last?.text == "a.bin" }
        #expect(members.count == 5, "\(members.map { $0.member })")
        #expect(members.allSatisfy { $0.digests[.sha256] == expected })
    }

    @Test func damagedSmallCompressedFilesAreErrorsNotPlainFiles() throws {
        let s = try Scratch()
        try s.run(
            "python3",
            [
                "-c",
                """
                import bz2, gzip, lzma, subprocess
                data = b'small log line\\n' * 40
                files = {'a.xz': lzma.compress(data), 'a.bz2': bz2.compress(data), 'a.gz': gzip.compress(data),
                         'a.zst': subprocess.run(['zstd', '-q', '-c'], input=data, capture_output=True, check=True).stdout}
                import os
                os.makedirs('d', exist_ok=True)
                for name, b in files.items():
                    b = bytearray(b); b[len(b) // 2] ^= 0x10; b[len(b) // 2 + 1] ^= 0xFF
                    open('d/' + name, 'wb').write(b)
                """,
            ])
        let records = try fingerprint(["d"], in: s.path)
        for name in ["a.bz2", "a.gz", "a.xz", "a.zst"] {
            let mine = records.filter { $0.path.text == "d/\(name)" }
            #expect(
                mine.contains { $0.error != nil }, "\(name): \(mine.map { ($0.member.map(\.text), $0.note ?? "") })")
            #expect(!mine.contains { $0.note?.contains("could not be opened") == true }, "\(name)")
        }
    }

    @Test func encryptedMembersAndArchivesAreErrorsNotDigestsOfNothing() throws {
        let s = try Scratch()
        try s.write("src/secret.txt", "the plan\n")
        try s.run(
            "bsdtar",
            [
                "--format", "zip", "--options", "zip:encryption=aes256", "--passphrase", "pw", "-cf", "aes.zip", "-C",
                "src", "secret.txt",
            ])
        try s.run(
            "bsdtar",
            [
                "--format", "zip", "--options", "zip:encryption=zipcrypt", "--passphrase", "pw", "-cf", "zc.zip", "-C",
                "src", "secret.txt",
            ])
        try s.run(
            "sh",
            [
                "-c",
                "cd src && 7z a -bd -bso0 -ppw -mhe=off ../data.7z secret.txt && 7z a -bd -bso0 -ppw -mhe=on ../head.7z secret.txt",
            ])
        let records = try fingerprint(["aes.zip", "zc.zip", "data.7z", "head.7z"], in: s.path)
        for file in ["aes.zip", "zc.zip", "data.7z", "head.7z"] {
            let mine = records.filter { $0.path.text == file }
            let errors = mine.compactMap(\.error)
            #expect(errors.contains { $0.contains("encrypted") }, "\(file): \(errors) \(mine.map { $0.note ?? "" })")
            #expect(!mine.contains { !$0.member.isEmpty && !$0.digests.isEmpty }, "\(file)")
        }
    }

    @Test func aDirectorySwappedForASymlinkDuringTheWalkIsNeverFollowed() throws {
        let s = try Scratch()
        try s.write("seized/a.txt", "inside\n")
        try s.write("seized/sub/b.txt", "inside too\n")
        try s.write("seized/c.txt", "inside three\n")
        try s.write("outside/b.txt", "OUTSIDE SECRET\n")
        try s.write("outside/c.txt", "OUTSIDE SECRET\n")
        let root = s.path
        var fingerprinter = Fingerprinter(options: FingerprintOptions())
        // Between the walk's check (fstatat) and its open, swap the directory and a file for symbolic links that
        // lead out of the seized tree: the race, made deterministic.
        fingerprinter.hooks.beforeOpen = { path in
            let fm = FileManager.default
            if path.text == root + "/seized/sub" {
                try? fm.moveItem(atPath: root + "/seized/sub", toPath: root + "/moved-sub")
                try? fm.createSymbolicLink(atPath: root + "/seized/sub", withDestinationPath: root + "/outside")
            }
            if path.text == root + "/seized/c.txt" {
                try? fm.removeItem(atPath: root + "/seized/c.txt")
                try? fm.createSymbolicLink(atPath: root + "/seized/c.txt", withDestinationPath: root + "/outside/c.txt")
            }
        }
        var records: [FingerprintRecord] = []
        let summary = try fingerprinter.run([RawName(root + "/seized")]) { records.append($0) }
        let outside = digestHex(.sha256, of: Array("OUTSIDE SECRET\n".utf8))
        #expect(
            !records.contains { $0.digests[.sha256] == outside }, "\(records.map { ($0.path.text, $0.error ?? "") })")
        let sub = try #require(records.first { $0.path.text == root + "/seized/sub" })
        #expect(sub.error?.contains("replaced") == true)
        let c = try #require(records.first { $0.path.text == root + "/seized/c.txt" })
        #expect(c.error?.contains("symbolic link") == true && c.digests.isEmpty)
        #expect(
            records.first { $0.path.text == root + "/seized/a.txt" }?.digests[.sha256]
                == digestHex(.sha256, of: Array("inside\n".utf8)))
        #expect(summary.errors == 2)
    }

    @Test func aFileThatChangesWhileHashedIsAnErrorWithoutADigest() throws {
        let s = try Scratch()
        try s.write("f/grows.bin", pseudoRandomBytes(3 << 20, seed: 3))
        try s.write("f/rewritten.bin", pseudoRandomBytes(3 << 20, seed: 4))
        try s.write("f/quiet.bin", pseudoRandomBytes(3 << 20, seed: 5))
        let root = s.path
        var fingerprinter = Fingerprinter(options: FingerprintOptions())
        fingerprinter.hooks.afterFirstBlock = { path in
            if path.text.hasSuffix("grows.bin"), let h = FileHandle(forWritingAtPath: path.text) {
                h.seekToEndOfFile()
                h.write(Data(repeating: 0x41, count: 1000))
                h.closeFile()
            }
            if path.text.hasSuffix("rewritten.bin"), let h = FileHandle(forWritingAtPath: path.text) {
                // Same size, a byte changed behind the reader, and a new modification time.
                h.write(Data([0xFF]))
                h.closeFile()
                var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
                _ = utimensat(AT_FDCWD, path.text, &times, 0)
            }
        }
        var records: [FingerprintRecord] = []
        let summary = try fingerprinter.run([RawName(root + "/f")]) { records.append($0) }
        let byName = Dictionary(
            uniqueKeysWithValues: records.map { ($0.path.text.split(separator: "/").last.map(String.init) ?? "", $0) })
        #expect(byName["grows.bin"]?.error?.contains("changed while being read") == true)
        #expect(byName["grows.bin"]?.digests.isEmpty == true)
        #expect(byName["rewritten.bin"]?.error?.contains("modification time changed") == true)
        #expect(byName["rewritten.bin"]?.digests.isEmpty == true)
        #expect(byName["quiet.bin"]?.digests[.sha256] == digestHex(.sha256, of: pseudoRandomBytes(3 << 20, seed: 5)))
        #expect(summary.errors == 2)
    }

    /// Large files are hashed from mappings of the page cache: a file truncated under its mapping must give an
    /// error without a digest, not kill the run with SIGBUS (which would lose every record not yet written).
    @Test(arguments: [1, 2]) func aFileTruncatedUnderItsMappingIsAnErrorAndTheRunGoesOn(threads: Int) throws {
        let s = try Scratch()
        // shrinks.bin is truncated after its first block, inside the first mapped window; big.bin (at least
        // FileHasher.pipelineThreshold, two digests) is hashed through the ring of windows and truncated too.
        try s.run(
            "sh",
            [
                "-c",
                "mkdir t && head -c 20971520 /dev/urandom > t/a-shrinks.bin"
                    + " && head -c 71303168 /dev/urandom > t/b-big.bin && head -c 3145728 /dev/urandom > t/c-quiet.bin",
            ])
        let quiet = try s.run("sha256sum", ["t/c-quiet.bin"]).prefix(64)
        var options = FingerprintOptions()
        options.threads = threads
        options.algorithms = [.md5, .sha256]
        var fingerprinter = Fingerprinter(options: options)
        fingerprinter.hooks.afterFirstBlock = { path in
            if path.text.hasSuffix("a-shrinks.bin") { _ = truncate(path.text, (2 << 20) + 123) }
            if path.text.hasSuffix("b-big.bin") { _ = truncate(path.text, 30 << 20) }
        }
        var records: [FingerprintRecord] = []
        let summary = try fingerprinter.run([RawName(s.path + "/t")]) { records.append($0) }
        #expect(records.count == 3)
        for name in ["a-shrinks.bin", "b-big.bin"] {
            let r = try #require(records.first { $0.path.text.hasSuffix(name) })
            // "truncated to": the fault was caught in the mapping (a read would have seen a short file instead).
            #expect(
                r.error?.contains("changed while being read (truncated to") == true, "\(name): \(r.error ?? "no error")"
            )
            #expect(r.digests.isEmpty, "\(name)")
        }
        #expect(records.last?.digests[.sha256].map { $0[...] } == quiet)
        #expect(summary.errors == 2)
    }

    @Test(.timeLimit(.minutes(1))) func followedSymlinkMazeWalksEachDirectoryOnce() throws {
        // 31 directories and about 60 links between them: without a visited set the paths through them are exponential.
        let s = try Scratch()
        for i in 0..<31 { try s.write("maze/d\(i)/f.txt", "file \(i)\n") }
        for i in 0..<31 {
            for j in Set([(i + 1) % 31, (i * 7 + 3) % 31]) {
                try FileManager.default.createSymbolicLink(
                    atPath: s.path + "/maze/d\(i)/to\(j)", withDestinationPath: "../d\(j)")
            }
        }
        let records = try fingerprint(["maze"], in: s.path) { $0.followSymlinks = true }
        let files = records.filter { $0.kind == .file }
        #expect(files.count == 31, "\(files.count) files hashed")
        #expect(Set(files.compactMap { $0.digests[.sha256] }).count == 31)
        #expect(records.contains { $0.note?.contains("already walked") == true })
        #expect(records.allSatisfy { $0.error == nil })
    }

    @Test func theRunWideExpansionLimitStopsManyArchivesEachUnderTheirOwn() throws {
        let s = try Scratch()
        try s.run(
            "sh",
            [
                "-c",
                "mkdir -p z && head -c 3000000 /dev/zero > zeros && for i in 1 2 3; do zip -q -9 z/$i.zip zeros; done",
            ])
        let records = try fingerprint(["z"], in: s.path) {
            $0.threads = 1
            $0.maxExpand = 10 << 20
            $0.maxExpandTotal = 5 << 20
        }
        let errors = records.compactMap(\.error)
        #expect(errors.contains { $0.contains("--max-expand-total") }, "\(errors)")
        #expect(!errors.contains { $0.contains("(--max-expand)") })
        // The first archive is read whole; the run stops in the second.
        #expect(records.first { $0.path.text == "z/1.zip" && !$0.member.isEmpty }?.error == nil)
    }

    @Test func junkAfterTheTarInACompressedStreamCountsAgainstTheExpansionLimit() throws {
        // A small tar, then 60 MB of zeros, all in one gzip stream: the stream is decompressed to its end (to reach
        // its CRC), and what follows the tar's end marker must still be charged to --max-expand.
        let s = try Scratch()
        try s.write("src/a.txt", "a\n")
        try s.run("sh", ["-c", "(bsdtar -cf - -C src a.txt; head -c 60000000 /dev/zero) | gzip -1 > padded.tar.gz"])
        let records = try fingerprint(["padded.tar.gz"], in: s.path) { $0.maxExpand = 10 << 20 }
        let archive = try #require(records.first { $0.member.isEmpty })
        #expect(archive.error?.contains("--max-expand") == true, "\(archive.error ?? "")")
        #expect(
            records.first { $0.member.map(\.text) == ["a.txt"] }?.digests[.sha256]
                == digestHex(.sha256, of: Array("a\n".utf8)))
    }

    @Test func underDeclaredNestedZipIsStreamedNotBufferedWhole() throws {
        // inner.zip (90 MB of stored zeros, more than the 64 MiB in-memory allowance) sits deflated in outer.zip,
        // whose headers say inner.zip is 1,000 bytes. It must be read as a stream, and its members still listed.
        let s = try Scratch()
        try s.run("python3", ["-c", Self.underDeclaredZip(innerBytes: 90_000_000)])
        let records = try fingerprint(["outer.zip"], in: s.path)
        let inner = try #require(records.first { $0.member.map(\.text) == ["inner.zip"] })
        #expect(inner.note?.contains("read as a stream") == true, "\(inner.note ?? "")")
        // The lie about the size is itself an integrity error on inner.zip.
        #expect(inner.error?.contains("wrong size") == true, "\(inner.error ?? "")")
        let zeros = try #require(records.first { $0.member.map(\.text) == ["inner.zip", "zeros"] })
        #expect(zeros.size == 90_000_000)
        #expect(zeros.digests[.sha256] == digestHex(.sha256, of: [UInt8](repeating: 0, count: 90_000_000)))
    }

    /// Python that writes outer.zip: inner.zip (stored zeros) deflated, its declared sizes patched to 1,000.
    static func underDeclaredZip(innerBytes: Int) -> String {
        """
        import io, struct, zipfile, zlib
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, 'w', zipfile.ZIP_STORED) as z:
            z.writestr('zeros', bytes(\(innerBytes)))
        with zipfile.ZipFile('outer.zip', 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('inner.zip', inner.getvalue())
        b = bytearray(open('outer.zip', 'rb').read())
        struct.pack_into('<I', b, 22, 1000)                     # local header: uncompressed size
        cd = b.find(b'PK\\x01\\x02'); struct.pack_into('<I', b, cd + 24, 1000)   # central directory
        open('outer.zip', 'wb').write(b)
        """
    }

    @Test func zipsNestedDeeperThanTheDepthLimitDoNotOverflowTheStack() throws {
        let s = try Scratch()
        try s.run(
            "python3",
            [
                "-c",
                """
                import io, zipfile
                data = b'core\\n'
                for i in range(200):
                    buf = io.BytesIO()
                    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
                        z.writestr('l%d.zip' % i if i else 'core.txt', data)
                    data = buf.getvalue()
                open('deep.zip', 'wb').write(data)
                """,
            ])
        let records = try fingerprint(["deep.zip"], in: s.path) { $0.maxDepth = 100_000 }
        let deepest = records.map(\.member.count).max() ?? 0
        #expect(deepest == FingerprintOptions.maxDepthLimit)
        #expect(records.contains { $0.error?.contains("--max-depth \(FingerprintOptions.maxDepthLimit)") == true })
    }

    @Test func kernelPseudoFilesAreReadToTheirEndButNoFurtherThanTheCap() throws {
        #if os(Linux)
            let records = try fingerprint(["/proc/self/status", "/proc/self/pagemap"], in: "")
            let status = try #require(records.first { $0.path.text.hasSuffix("status") })
            #expect(status.error == nil && status.digests[.sha256] != nil && (status.size ?? 0) > 0)
            #expect(status.note?.contains("pseudo-file") == true)
            let pagemap = try #require(records.first { $0.path.text.hasSuffix("pagemap") })
            #expect(
                pagemap.error?.contains("longer than \(FingerprintOptions.pseudoFileLimit) bytes") == true, "\(pagemap)"
            )
            #expect(pagemap.digests.isEmpty)
        #endif
    }
}
