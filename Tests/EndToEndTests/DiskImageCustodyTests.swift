import Foundation
import Testing

/// `evidence add`, `custody verify --rehash` and `evidence audit` on a disk image: the files inside are recorded
/// in the case (partition › path, as `evidence hash` lists them), and a later audit reads the image again and
/// names the files inside it that changed, went missing or appeared. The image is built with `mke2fs -d` and
/// changed with `debugfs -w`; digests are checked against `sha256sum` of the source files.
@Suite(.serialized) struct DiskImageCustodyTests {
    static let build = """
        set -e
        mkdir -p src/docs
        printf 'invoice 1\\n' > src/docs/invoice.txt
        head -c 200000 /dev/urandom > src/photo.jpg
        printf 'keep me\\n' > src/keep.txt
        mke2fs -q -t ext4 -d src ext4.img 8M
        printf 'forged invoice\\n' > forged.txt
        printf 'planted\\n' > planted.txt
        """

    /// The image is changed inside: one file rewritten, one removed, one added.
    static let change = """
        set -e
        debugfs -w -R 'rm docs/invoice.txt' ext4.img 2>/dev/null
        debugfs -w -R 'write forged.txt docs/invoice.txt' ext4.img 2>/dev/null
        debugfs -w -R 'rm keep.txt' ext4.img 2>/dev/null
        debugfs -w -R 'write planted.txt planted.txt' ext4.img 2>/dev/null
        """

    /// The JSON Lines manifest the case stores for `item`, read with Python's sqlite3 and zlib.
    static func storedManifest(_ w: Workspace, item: String) throws -> String {
        try w.sh(
            """
            python3 - <<'PY'
            import json, sqlite3, sys, zlib
            db = sqlite3.connect("c.case")
            outputs = [json.loads(o) for (o,) in db.execute(
                "SELECT outputs FROM ledger WHERE action = 'acquired' AND items LIKE ?", ('%\(item)%',))][0]
            sha = outputs[0]["sha256"]
            storage, content = db.execute("SELECT storage, content FROM manifests WHERE sha256 = ?", (sha,)).fetchone()
            if storage == "inline":
                sys.stdout.write(bytes(content).decode())
            else:
                for (data,) in db.execute("SELECT data FROM manifest_chunks WHERE sha256 = ? ORDER BY chunk", (sha,)):
                    sys.stdout.write(zlib.decompress(data).decode())
            PY
            """)
    }

    static func setUpCase(_ w: Workspace) throws -> [String: String] {
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana", "--id", "EX-1"], in: w.path, environment: env).status == 0
        )
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "C-1", "--title", "t"], in: w.path, environment: env
            )
            .status == 0)
        return env
    }

    @Test func evidenceAddRecordsTheFilesInsideAnImageAndAuditsFindWhatChangedInside() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        let env = try Self.setUpCase(w)
        let add = try CLI.run(
            ["evidence", "add", "--case", "c.case", "--item", "EV-1", "--description", "disk", "-q", "ext4.img"],
            in: w.path, environment: env)
        #expect(add.status == 0, "\(add.stderr)")

        // The stored manifest holds every source file inside the image, with sha256sum's digest.
        let manifest = try Self.storedManifest(w, item: "EV-1")
        try w.write("m.jsonl", manifest)
        let records = try jsonLines(manifest)
        let truth = try w.sh("cd src && sha256sum docs/invoice.txt photo.jpg keep.txt")
        for line in truth.split(separator: "\n") {
            let digest = String(line.prefix(64))
            let name = String(line.dropFirst(66))
            let rec = records.first { $0["path"] as? String == "ext4.img" && $0["member"] as? [String] == [name] }
            #expect(rec?["sha256"] as? String == digest, "\(name)")
            #expect((rec?["fs"] as? [String: Any])?["type"] as? String == "ext4", "\(name)")
        }
        // The acquired entry says how the image was read, for the rehash to read it the same way.
        let parameters = try w.sh(
            """
            python3 - <<'PY'
            import sqlite3
            db = sqlite3.connect("c.case")
            print(db.execute("SELECT parameters FROM ledger WHERE action = 'acquired'").fetchone()[0])
            PY
            """)
        let p = try JSONSerialization.jsonObject(with: Data(parameters.utf8)) as? [String: Any]
        #expect(p?["images"] as? String == "yes" && p?["deleted"] as? String == "no", "\(parameters)")

        let members = records.filter { $0["kind"] as? String == "member" }.count
        #expect(members == 3)  // docs/invoice.txt, photo.jpg, keep.txt (directories are not records)
        let clean = try CLI.run(["custody", "verify", "--case", "c.case", "--rehash"], in: w.path, environment: env)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("Evidence EV-1: \(records.count) items matched, 0 differ"), "\(clean.stdout)")
        let auditClean = try CLI.run(["evidence", "audit", "-q", "-k", "m.jsonl", "ext4.img"], in: w.path)
        #expect(auditClean.status == 0, "\(auditClean.stdout)\(auditClean.stderr)")

        try w.sh(Self.change)
        let rehash = try CLI.run(["custody", "verify", "--case", "c.case", "--rehash"], in: w.path, environment: env)
        #expect(rehash.status == 1, "\(rehash.stdout)")
        // The image file itself and the rewritten file changed, one file went missing, one appeared.
        #expect(rehash.stdout.contains("EV-1: 2 changed, 0 moved, 1 new, 1 missing"), "\(rehash.stdout)")

        let audit = try CLI.run(["evidence", "audit", "-q", "-k", "m.jsonl", "ext4.img"], in: w.path)
        #expect(audit.status == 1)
        #expect(audit.stdout.contains("changed: ext4.img » docs/invoice.txt (sha256 was"), "\(audit.stdout)")
        #expect(audit.stdout.contains("missing: ext4.img » keep.txt"), "\(audit.stdout)")
        #expect(audit.stdout.contains("new: ext4.img » planted.txt"), "\(audit.stdout)")
        #expect(!audit.stdout.contains("ext4.img » photo.jpg"), "\(audit.stdout)")
    }

    /// An E01's stored MD5 and SHA-1 are checked against its media: md5sum and sha1sum of the raw image it was
    /// made from are the truth; a byte changed inside a chunk is a finding on the image's record, exit 1.
    @Test func anE01sStoredDigestsAreCheckedAndAMismatchIsAFinding() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        try w.sh("ewfacquire -u -t ev -c none -d sha1 ext4.img >/dev/null && cp ev.E01 bad.E01")
        let md5 = String(try w.sh("md5sum ext4.img").prefix(32))
        let sha1 = String(try w.sh("sha1sum ext4.img").prefix(40))
        let good = try CLI.run(["evidence", "hash", "-q", "ev.E01"], in: w.path)
        #expect(good.status == 0, "\(good.stderr)")
        let own = try jsonLines(good.stdout).first { ($0["member"] as? [String] ?? []).isEmpty }
        let note = own?["note"] as? String ?? ""
        #expect(note.contains("stored MD5 \(md5) matches the media"), "\(note)")
        #expect(note.contains("stored SHA1 \(sha1) matches the media"), "\(note)")
        #expect(own?["error"] == nil)
        let skipped = try CLI.run(["evidence", "hash", "-q", "--no-verify-images", "ev.E01"], in: w.path)
        #expect(skipped.status == 0)
        #expect(skipped.stdout.contains("stored MD5 and SHA-1 not checked (--no-verify-images)"))

        // One byte of a file's content changed where the E01 stores it (chunks stored uncompressed, -c none).
        try w.sh(
            """
            python3 - <<'PY'
            data = bytearray(open("bad.E01", "rb").read())
            at = data.find(b"invoice 1")
            assert at > 0 and data.find(b"invoice 1", at + 1) < 0
            data[at + 8] = ord("9")
            open("bad.E01", "wb").write(data)
            PY
            """)
        let bad = try CLI.run(["evidence", "hash", "-q", "bad.E01"], in: w.path)
        #expect(bad.status == 1, "\(bad.stdout)")
        let badOwn = try jsonLines(bad.stdout).first { ($0["member"] as? [String] ?? []).isEmpty }
        let error = badOwn?["error"] as? String ?? ""
        #expect(error.contains("stored MD5 \(md5) but the media reads as"), "\(error)")
    }

    @Test func noImagesIsRecordedAndTheRehashHashesTheImageFileOnly() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        let env = try Self.setUpCase(w)
        let add = try CLI.run(
            [
                "evidence", "add", "--case", "c.case", "--item", "EV-1", "--description", "disk", "-q", "--no-images",
                "ext4.img",
            ], in: w.path, environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        let records = try jsonLines(try Self.storedManifest(w, item: "EV-1"))
        #expect(records.count == 1)
        #expect(records.first?["sha256"] as? String == String(try w.sh("sha256sum ext4.img").prefix(64)))
        let clean = try CLI.run(["custody", "verify", "--case", "c.case", "--rehash"], in: w.path, environment: env)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("Evidence EV-1: 1 items matched, 0 differ"), "\(clean.stdout)")
    }
}
