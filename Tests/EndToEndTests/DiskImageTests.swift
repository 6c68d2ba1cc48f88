import Foundation
import Testing

/// Disk images as input to `evidence hash`: images are built here without mounting anything (mke2fs -d, mkfs.fat
/// + mcopy, mkntfs + ntfscp, sfdisk on a file, ewfacquire, split), and every digest is checked against tools that
/// share no code with iproceeds: sha256sum of the source files, The Sleuth Kit's `icat`, and fiwalk.
@Suite(.serialized) struct DiskImageTests {
    /// Source files, an ext4 image, an NTFS image (with an alternate data stream), a FAT image and an MBR disk
    /// holding the ext4 and NTFS file systems in two partitions.
    static let build = """
        set -e
        mkdir -p src/sub src/deep/er
        printf 'hello\\n' > src/a.txt
        head -c 3000000 /dev/urandom > src/sub/big.bin
        printf 'x' > src/sub/x
        : > src/empty
        for i in $(seq 1 40); do printf 'file %s\\n' $i > src/deep/er/f$i.txt; done
        ln -s a.txt src/link
        printf 'hidden stream\\n' > ads.txt
        mke2fs -q -t ext4 -d src ext4.img 16M
        truncate -s 32M ntfs.img && mkntfs -q -F -f ntfs.img
        ntfscp -f ntfs.img src/a.txt a.txt >/dev/null && ntfscp -f ntfs.img src/sub/big.bin big.bin >/dev/null
        ntfscp -f -N secret ntfs.img ads.txt a.txt >/dev/null
        mkfs.fat -C fat.img 4096 >/dev/null && mmd -i fat.img ::/D
        mcopy -i fat.img src/a.txt ::/ && mcopy -i fat.img src/sub/big.bin ::/D/
        truncate -s 80M disk.img
        printf 'label: dos\\nstart=2048, size=32768, type=83\\nstart=36864, size=65536, type=7\\n' | sfdisk -q disk.img
        dd if=ext4.img of=disk.img bs=512 seek=2048 conv=notrunc status=none
        dd if=ntfs.img of=disk.img bs=512 seek=36864 conv=notrunc status=none
        """

    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func records(_ stdout: String) throws -> [[String: Any]] { try jsonLines(stdout) }

    static func member(_ r: [String: Any]) -> [String] { r["member"] as? [String] ?? [] }

    static func fs(_ r: [String: Any]) -> [String: Any] { r["fs"] as? [String: Any] ?? [:] }

    @Test func filesInsideRawImagesMatchTheSourceFilesAndIcat() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        let r = try CLI.run(
            ["evidence", "hash", "-q", "-c", "md5,sha1,sha256", "ext4.img", "fat.img", "ntfs.img", "disk.img"],
            in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let records = try Self.records(r.stdout)
        // The images themselves, hashed as files and recognised by content.
        for image in ["ext4.img", "fat.img", "ntfs.img", "disk.img"] {
            let own = records.first { $0["path"] as? String == image && Self.member($0).isEmpty }
            #expect(
                own?["kind"] as? String == "file" && (own?["note"] as? String ?? "").contains("raw disk image"),
                "\(image)")
        }
        // Every regular file inside an ext4 image, against sha256sum of the source files.
        let sources = try w.sh("cd src && find . -type f -printf '%P\\n' | sort | xargs sha256sum")
        var expected: [String: String] = [:]
        for line in sources.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            expected[String(parts[1]).trimmingCharacters(in: .whitespaces)] = String(parts[0])
        }
        #expect(expected.count == 44)
        for (prefix, image) in [([], "ext4.img"), (["partition 1 (Linux (0x83), offset 1048576)"], "disk.img")] {
            let inside = records.filter { $0["path"] as? String == image && $0["kind"] as? String == "member" }
            var got: [String: String] = [:]
            for rec in inside where Array(Self.member(rec).dropLast()) == prefix {
                got[Self.member(rec).last!] = rec["sha256"] as? String
            }
            #expect(got == expected, "\(image)")
        }
        let link = records.first { $0["path"] as? String == "ext4.img" && Self.member($0) == ["link"] }
        #expect(link?["kind"] as? String == "symlink" && link?["note"] as? String == "symlink to a.txt")

        // Every digest against icat (The Sleuth Kit's own command-line tool): by inode, partition offset in
        // sectors, and NTFS attribute id for a stream.
        var checked = 0
        for rec in records where rec["kind"] as? String == "member" {
            let f = Self.fs(rec)
            let image = rec["path"] as! String
            let inode = f["inode"] as! Int
            let offset = (f["partition_offset"] as? Int).map { " -o \($0 / 512)" } ?? ""
            var address = "\(inode)"
            if f["type"] as? String == "ntfs" {
                // By attribute: icat's default for a file with named streams may be one of them ($Secure:$SDS).
                let name = f["stream"] as? String ?? "N/A"
                let line = try w.sh(
                    "istat\(offset) \(image) \(inode) | grep -F '$DATA (' | grep -F 'Name: \(name) ' | head -1")
                if line.isEmpty {  // no $DATA at all ($Extend/$ObjId holds only indexes): an empty file
                    #expect(
                        rec["size"] as? Int == 0 && rec["sha256"] as? String == Self.emptySHA256, "\(Self.member(rec))")
                    continue
                }
                if (rec["note"] as? String ?? "").contains("initialised size") {
                    // $BadClus:$Bad: never written, read as zeros by NTFS; icat gives nothing for such bytes.
                    let zeros = try w.sh("head -c \(rec["size"] as! Int) /dev/zero | sha256sum")
                    #expect(rec["sha256"] as? String == String(zeros.prefix(64)))
                    continue
                }
                let id = line.split(separator: "(")[1].split(separator: ")")[0]  // "Type: $DATA (128-3)   Name: …"
                address += "-\(id)"
            }
            let out = try w.sh("icat\(offset) \(image) \(address) | sha256sum")
            #expect(String(out.prefix(64)) == rec["sha256"] as? String, "\(image) \(Self.member(rec)) \(address)")
            checked += 1
        }
        #expect(checked > 80)
        let ads = records.first { $0["path"] as? String == "ntfs.img" && Self.member($0) == ["a.txt:secret"] }
        #expect(Self.fs(ads ?? [:])["stream"] as? String == "secret")
        #expect(ads?["sha256"] as? String == String(try w.sh("sha256sum ads.txt").prefix(64)))
        let part = records.first {
            Self.member($0) == ["partition 2 (NTFS / exFAT (0x07), offset 18874368)", "big.bin"]
        }
        #expect(part?["sha256"] as? String == expected["sub/big.bin"])
        #expect(Self.fs(part ?? [:])["partition"] as? Int == 2 && Self.fs(part ?? [:])["type"] as? String == "ntfs")
    }

    @Test func fiwalkAgreesOnEveryMD5AndSHA1() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        let r = try CLI.run(["evidence", "hash", "-q", "-c", "md5,sha1", "disk.img"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        // fiwalk (The Sleuth Kit's Debian package) lists the same image; compare (partition, name) → digests for
        // the regular files it hashed (its directories, '.' entries and virtual files are not ours to list).
        let fiwalk = try w.sh(
            """
            fiwalk -x disk.img 2>/dev/null | python3 -c '
            import sys, xml.etree.ElementTree as ET
            for o in ET.parse(sys.stdin).getroot().iter():
                if not o.tag.endswith("fileobject"): continue
                d = {c.tag.split("}")[-1]: c for c in o}
                if d.get("name_type") is None or d["name_type"].text != "r" or d.get("alloc") is None: continue
                h = {c.get("type"): c.text for c in o if c.tag.endswith("hashdigest")}
                if "md5" in h: print(d["partition"].text, d["filename"].text, h["md5"], h["sha1"])
            '
            """)
        var theirs: [String: String] = [:]
        for line in fiwalk.split(separator: "\n") {
            let p = line.split(separator: " ")
            theirs["\(p[0]) \(p[1])"] = "\(p[2]) \(p[3])"
        }
        #expect(theirs.count > 50, "fiwalk listed \(theirs.count) files")
        var ours: [String: String] = [:]
        for rec in try Self.records(r.stdout) where rec["kind"] as? String == "member" && Self.fs(rec)["stream"] == nil
        {
            ours["\(Self.fs(rec)["partition"]!) \(Self.member(rec).last!)"] = "\(rec["md5"]!) \(rec["sha1"]!)"
        }
        var compared = 0
        // fiwalk hashes The Sleuth Kit's default attribute, which for an NTFS metadata file with a named stream is
        // that stream ($Secure is hashed as its $SDS): those are compared through icat above, not here.
        for (key, digests) in theirs where !key.split(separator: " ")[1].hasPrefix("$") {
            #expect(ours[key] == digests, "\(key)")
            compared += 1
        }
        // 43 non-empty files in partition 1 (fiwalk gives no digest for an empty one), a.txt and big.bin in 2.
        #expect(compared == 45)
    }

    @Test func e01AndSplitRawGiveTheSameRecordsAsTheRawImage() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        try w.sh(
            """
            set -e
            ewfacquire -u -t ev -c fast disk.img >/dev/null
            mkdir split && split -b 30M -a 3 --numeric-suffixes=1 disk.img split/disk.
            """)
        func inside(_ path: String) throws -> [String] {
            let r = try CLI.run(["evidence", "hash", "-q", "-c", "sha256", path], in: w.path)
            #expect(r.status == 0, "\(path): \(r.stderr)")
            return try Self.records(r.stdout).filter { $0["kind"] as? String != "file" }.map { rec in
                "\(Self.member(rec)) \(rec["sha256"] ?? "-") \(Self.fs(rec)["inode"]!)"
            }
        }
        let raw = try inside("disk.img")
        #expect(raw.count > 60)
        #expect(try inside("ev.E01") == raw)
        #expect(try inside("split/disk.001") == raw)
        let split = try CLI.run(["evidence", "hash", "-q", "split"], in: w.path)
        let first = try Self.records(split.stdout).first { $0["path"] as? String == "split/disk.001" }
        #expect((first?["note"] as? String ?? "").contains("in 3 segments (disk.001, disk.002, disk.003)"))
        // --no-images: the image is one file, as before.
        let plain = try CLI.run(["evidence", "hash", "-q", "--no-images", "ev.E01", "disk.img"], in: w.path)
        #expect(try Self.records(plain.stdout).count == 2)
    }

    @Test func gptPartitionsAreListedByNumberNameAndOffset() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        try w.sh(
            """
            set -e
            truncate -s 64M gpt.img
            sgdisk -n 1:2048:+16M -t 1:8300 -c 1:root -n 2:0:+32M -t 2:0700 gpt.img >/dev/null
            dd if=ext4.img of=gpt.img bs=512 seek=2048 conv=notrunc status=none
            dd if=fat.img of=gpt.img bs=512 seek=34816 conv=notrunc status=none
            """)
        let r = try CLI.run(["evidence", "hash", "-q", "gpt.img"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let records = try Self.records(r.stdout)
        #expect((records.first?["note"] as? String ?? "").contains("gpt partition table, 2 partitions"))
        let big = String(try w.sh("sha256sum src/sub/big.bin").prefix(64))
        let inExt4 = records.first { Self.member($0) == ["partition 1 (root, offset 1048576)", "sub/big.bin"] }
        let inFAT = records.first { Self.member($0) == ["partition 2 (unnamed, offset 17825792)", "D/big.bin"] }
        #expect(inExt4?["sha256"] as? String == big && inFAT?["sha256"] as? String == big)
        #expect(
            Self.fs(inFAT ?? [:])["type"] as? String == "fat16" || Self.fs(inFAT ?? [:])["type"] as? String == "fat12")
    }

    @Test func archivesInsideAnImageAreOpenedLikeArchivesOnDisk() throws {
        let w = try Workspace()
        try w.sh(
            """
            set -e
            mkdir mail && printf '%%PDF-1.4 invoice\\n' > mail/invoice.pdf && printf 'notes\\n' > mail/notes.txt
            (cd mail && zip -q ../mail.zip invoice.pdf notes.txt && tar -czf ../inner.tgz notes.txt)
            (cd mail && cp ../inner.tgz . && zip -q ../outer.zip inner.tgz)
            truncate -s 32M ntfs.img && mkntfs -q -F -f ntfs.img
            ntfscp -f ntfs.img mail.zip mail.zip >/dev/null && ntfscp -f ntfs.img outer.zip outer.zip >/dev/null
            ewfacquire -u -t ev -c fast ntfs.img >/dev/null
            """)
        let r = try CLI.run(["evidence", "hash", "-q", "ev.E01"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let records = try Self.records(r.stdout)
        func digest(_ chain: [String]) -> String? { records.first { Self.member($0) == chain }?["sha256"] as? String }
        let pdf = String(try w.sh("sha256sum mail/invoice.pdf").prefix(64))
        let notes = String(try w.sh("sha256sum mail/notes.txt").prefix(64))
        // E01 › NTFS › mail.zip › invoice.pdf, and a tar.gz inside a zip inside the image.
        #expect(digest(["mail.zip"]) == String(try w.sh("sha256sum mail.zip").prefix(64)))
        #expect(digest(["mail.zip", "invoice.pdf"]) == pdf)
        #expect(digest(["mail.zip", "notes.txt"]) == notes)
        #expect(digest(["outer.zip", "inner.tgz", "notes.txt"]) == notes)
        // Members follow their archive, in member order, as they do for archives on disk.
        let order = records.map { Self.member($0) }
        let zipAt = try #require(order.firstIndex(of: ["mail.zip"]))
        #expect(
            Array(order[zipAt...].prefix(3)) == [
                ["mail.zip"], ["mail.zip", "invoice.pdf"], ["mail.zip", "notes.txt"],
            ])
        let plain = try CLI.run(["evidence", "hash", "-q", "--no-archives", "ev.E01"], in: w.path)
        #expect(!plain.stdout.contains("invoice.pdf") && plain.stdout.contains("mail.zip"))
    }

    @Test func outputIsTheSameWhateverTheThreadCount() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        let one = try CLI.run(["evidence", "hash", "-q", "-j", "1", "-c", "md5,sha256", "."], in: w.path)
        let four = try CLI.run(["evidence", "hash", "-q", "-j", "4", "-c", "md5,sha256", "."], in: w.path)
        #expect(one.status == 0 && four.status == 0, "\(one.stderr) \(four.stderr)")
        #expect(one.stdout == four.stdout)
        #expect(one.stdout.split(separator: "\n").count > 150)
    }

    @Test func deletedFilesAreMarkedAndHashedWhereStillMapped() throws {
        let w = try Workspace()
        try w.sh(
            """
            set -e
            mkdir src && printf 'keep\\n' > src/keep.txt && printf 'delete me\\n' > src/gone.txt
            mke2fs -q -t ext4 -d src ext4.img 8M
            debugfs -w -R 'rm gone.txt' ext4.img 2>/dev/null
            head -c 20000 /dev/urandom > r1 && head -c 20000 /dev/urandom > r2 && head -c 30000 /dev/urandom > r3
            mkfs.fat -C fat.img 2048 >/dev/null && mmd -i fat.img ::/D ::/E
            mcopy -i fat.img r1 ::/D/intact.bin && mcopy -i fat.img r2 ::/E/reused.bin
            mdel -i fat.img ::/E/reused.bin && mcopy -i fat.img r3 ::/new.bin
            mdel -i fat.img ::/D/intact.bin
            """)
        let without = try CLI.run(["evidence", "hash", "-q", "ext4.img", "fat.img"], in: w.path)
        #expect(without.status == 0 && !without.stdout.contains("\"alloc\":false"), "\(without.stderr)")
        let r = try CLI.run(["evidence", "hash", "-q", "--deleted", "ext4.img", "fat.img"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let records = try Self.records(r.stdout)
        let deleted = records.filter { Self.fs($0)["alloc"] as? Bool == false }
        // debugfs rm leaves the inode's extents: the content is still there, and matches the file that was written.
        let gone = deleted.first { Self.member($0) == ["gone.txt"] }
        #expect(gone?["sha256"] as? String == String(try w.sh("printf 'delete me\\n' | sha256sum").prefix(64)))
        #expect(Self.fs(gone ?? [:])["possibly_overwritten"] == nil)
        // FAT loses a deleted name's first character; the clusters of D/_ntact.bin are free and intact.
        let intact = deleted.first { Self.member($0) == ["D/_ntact.bin"] }
        #expect(intact?["sha256"] as? String == String(try w.sh("sha256sum r1").prefix(64)))
        // E/_eused.bin's clusters went to new.bin: marked, and not passed off as its content.
        let reused = deleted.first { Self.member($0) == ["E/_eused.bin"] }
        #expect(Self.fs(reused ?? [:])["possibly_overwritten"] as? Bool == true)
        #expect(reused?["sha256"] as? String != String(try w.sh("sha256sum r2").prefix(64)))
        #expect(records.contains { Self.member($0) == ["keep.txt"] && Self.fs($0)["alloc"] as? Bool == true })
    }

    @Test(.timeLimit(.minutes(2))) func damagedImagesGiveErrorsNotCrashes() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        try w.sh(
            """
            set -e
            head -c 20M disk.img > truncated.img
            cp disk.img pastend.img
            # partition 2's length (entry 2, bytes 474 to 477) set to 900000 sectors: past the end of the 80 MiB image
            printf '\\xa0\\xbb\\x0d\\x00' | dd of=pastend.img bs=1 seek=474 conv=notrunc status=none
            cp ext4.img corrupt.img && dd if=/dev/urandom of=corrupt.img bs=1024 seek=2 count=30 conv=notrunc status=none
            ewfacquire -u -t ev -c fast disk.img >/dev/null && head -c 1000000 ev.E01 > cut.E01
            """)
        for (image, expected) in [
            ("truncated.img", "extends past the end of the image"),
            ("pastend.img", "extends past the end of the image"),
            ("corrupt.img", "could not be listed whole"),
            ("cut.E01", "no partition table or file system could be read"),
        ] {
            let r = try CLI.run(["evidence", "hash", "-q", image], in: w.path)
            #expect(r.status == 1, "\(image): \(r.status) \(r.stderr)")
            let own = try Self.records(r.stdout).first { Self.member($0).isEmpty }
            #expect((own?["error"] as? String ?? "").contains(expected), "\(image): \(own ?? [:])")
            #expect(own?["sha256"] != nil, "\(image): the image's own bytes are still hashed")
        }
    }

    @Test func dfxmlCarriesPartitionInodeAndAllocationAndValidates() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        let r = try CLI.run(
            ["evidence", "hash", "-q", "--format", "dfxml", "-c", "md5,sha1", "-o", "m.xml", "disk.img"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let v = try DFXMLSchemaTests.validate("m.xml", in: w)
        #expect(v.status == 0 && v.stderr.contains("m.xml validates"), "\(v.stderr)")
        let check = try w.sh(
            """
            python3 - <<'PY'
            import xml.etree.ElementTree as ET
            ns = {"d": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML", "i": "urn:iproceeds:dfxml:1"}
            for o in ET.parse("m.xml").getroot().iter("{%s}fileobject" % ns["d"]):
                if o.find("d:filename", ns).text == "sub/big.bin":
                    print(o.find("d:partition", ns).text, o.find("d:inode", ns).text, o.find("d:alloc", ns).text,
                          o.find("i:file_system", ns).text)
            PY
            """)
        let inode = try w.sh("ifind -o 2048 -n sub/big.bin disk.img")
        #expect(check == "1 \(inode.trimmingCharacters(in: .whitespacesAndNewlines)) 1 ext4\n", "\(check)")
    }
}
