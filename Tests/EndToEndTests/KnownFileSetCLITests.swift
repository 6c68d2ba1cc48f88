import Foundation
import Testing

/// `evidence hash --known / --known-bad / --skip-known`, with reference sets written by tools that share no code
/// with iproceeds: an NSRL RDS v3 database made by Python's sqlite3 after NIST's published schema (the `METADATA`
/// table, `PACKAGE_OBJECT`, `VERSION` and the `FILE` view), `sha256sum` output and hashdeep output. Which records
/// must be marked is decided from `sha256sum` of the source files, never from iproceeds' own output.
@Suite(.serialized) struct KnownFileSetCLITests {
    /// Files on disk, the same files inside a tar.gz and a zip inside the tar, and inside an ext4 image.
    static let build = """
        set -e
        mkdir -p src/sub
        printf 'installer: known good\\n' > src/known.txt
        printf 'contraband\\n' > src/sub/bad.bin
        printf 'nobody knows me\\n' > src/other.txt
        cp src/known.txt src/sub/known-copy.txt
        mkdir pack && cp src/known.txt src/sub/bad.bin pack/ && (cd pack && zip -q inner.zip bad.bin)
        tar -czf src/bundle.tgz -C pack known.txt inner.zip
        mkdir fs && cp src/known.txt fs/ && printf 'only in image\\n' > fs/image-only.txt && cp src/sub/bad.bin fs/
        mke2fs -q -t ext4 -d fs src/disk.img 4M
        """

    /// Writes an NSRL RDS v3 database holding `files` (paths whose digests Python computes) and filler rows.
    static func writeRDS(_ w: Workspace, _ name: String, files: [String], index: Bool, lowerCase: Bool = false) throws {
        try w.write(
            "rds.py",
            """
            import hashlib, sqlite3, sys
            name, index, lower, files = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1", sys.argv[4:]
            db = sqlite3.connect(name)
            # After NIST's RDS v3 schema: digests in METADATA, the RDS v2 FILE view over it.
            db.executescript('''
            CREATE TABLE PACKAGE_OBJECT (package_object_id INTEGER UNIQUE NOT NULL, package_id INTEGER NOT NULL,
                object_id INTEGER UNIQUE NOT NULL, PRIMARY KEY (package_object_id));
            CREATE TABLE METADATA (metadata_id NUMERIC UNIQUE NOT NULL, object_id INTEGER, key_hash VARCHAR NOT NULL,
                image_hash VARCHAR, path VARCHAR NOT NULL, path_b64 VARCHAR, path_coding VARCHAR,
                file_name VARCHAR NOT NULL, file_name_b64 VARCHAR, file_name_coding VARCHAR,
                extension VARCHAR DEFAULT '' NOT NULL, extension_b64 VARCHAR, extension_coding VARCHAR,
                bytes INTEGER NOT NULL, mtime TIMESTAMP, used_in_rds TIMESTAMP,
                update_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, recursion_level INTEGER,
                extractee_id INTEGER DEFAULT 0, crc32 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL,
                sha256 VARCHAR NOT NULL, PRIMARY KEY (metadata_id));
            CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL,
                build_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL, release_date TIMESTAMP NOT NULL,
                description VARCHAR NOT NULL, PRIMARY KEY (version));
            CREATE VIEW FILE AS SELECT UPPER(md.sha256) AS sha256, UPPER(md.sha1) AS sha1, UPPER(md.md5) AS md5,
                md.file_name AS file_name, md.bytes AS file_size, po.package_id
                FROM METADATA AS md, PACKAGE_OBJECT AS po WHERE md.object_id = po.object_id;
            INSERT INTO VERSION VALUES ('2024.03.1', 'modern', '2024-03-01', '2024-03-01', 'test set');
            ''')
            def row(i, data, file_name):
                digests = [hashlib.new(a, data).hexdigest() for a in ("md5", "sha1", "sha256")]
                digests = [d if lower else d.upper() for d in digests]
                db.execute("INSERT INTO PACKAGE_OBJECT VALUES (?, ?, ?)", (i, 1, i))
                db.execute("INSERT INTO METADATA (metadata_id, object_id, key_hash, path, file_name, bytes, crc32, "
                           "md5, sha1, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (i, i, digests[2], "/", file_name, len(data), "00000000", *digests))
            for i in range(1, 2001):
                row(i, b"filler %d" % i, "filler%d" % i)
            for i, f in enumerate(files):
                row(10000 + i, open(f, "rb").read(), f.split("/")[-1])
            if index:
                db.execute("CREATE INDEX idx_metadata_sha256 ON METADATA (sha256)")
            db.commit()
            """)
        try w.sh("python3 rds.py \(name) \(index ? 1 : 0) \(lowerCase ? 1 : 0) \(files.joined(separator: " "))")
    }

    static func sha256(_ w: Workspace, _ file: String) throws -> String {
        String(try w.sh("sha256sum '\(file)'").prefix(64))
    }

    static func chain(_ r: [String: Any]) -> [String] { [r["path"] as! String] + (r["member"] as? [String] ?? []) }

    /// Every record's `known` (or `alert`) is exactly "is its sha256 one of `digests`".
    static func expectMarks(_ records: [[String: Any]], key: String, set: String, digests: Set<String>) {
        for r in records {
            let inSet = (r["sha256"] as? String).map(digests.contains) ?? false
            #expect((r[key] as? String) == (inSet ? set : nil), "\(chain(r)): \(r[key] ?? "nil")")
        }
    }

    @Test func nsrlRDS3MarksKnownFilesOnDiskInArchivesAndInDiskImages() throws {
        let w = try Workspace()
        try w.sh(Self.build)
        try Self.writeRDS(w, "RDS_test.db", files: ["src/known.txt"], index: true)
        let known = try Self.sha256(w, "src/known.txt")
        let r = try CLI.run(
            ["evidence", "hash", "-q", "-c", "md5,sha256", "--known", "RDS_test.db", "src"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let records = try jsonLines(r.stdout)
        Self.expectMarks(records, key: "known", set: "RDS_test.db", digests: [known])
        let marked = Set(records.filter { $0["known"] != nil }.map(Self.chain))
        #expect(
            marked == [
                ["src/known.txt"], ["src/sub/known-copy.txt"], ["src/bundle.tgz", "known.txt"],
                ["src/disk.img", "known.txt"],
            ])
        #expect(!records.contains { $0["alert"] != nil })
        // The same marks without the index on sha256 (the set is then read once into a sorted index), looked up by
        // MD5 alone, in a set whose digests are stored in lower case.
        try Self.writeRDS(w, "RDS_noindex.db", files: ["src/known.txt"], index: false, lowerCase: true)
        let md5Run = try CLI.run(
            ["evidence", "hash", "-q", "-c", "md5", "--known", "RDS_noindex.db", "src"], in: w.path)
        #expect(md5Run.status == 0, "\(md5Run.stderr)")
        let md5Marked = Set(try jsonLines(md5Run.stdout).filter { $0["known"] != nil }.map(Self.chain))
        #expect(md5Marked == marked)
    }

    @Test func sha256sumKnownBadRaisesAlertsWithoutChangingTheExitStatus() throws {
        let w = try Workspace()
        try w.sh(Self.build + "\nsha256sum src/sub/bad.bin > bad.sha256")
        let bad = try Self.sha256(w, "src/sub/bad.bin")
        let r = try CLI.run(["evidence", "hash", "--known-bad", "bad.sha256", "src"], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let records = try jsonLines(r.stdout)
        Self.expectMarks(records, key: "alert", set: "bad.sha256", digests: [bad])
        let alerted = Set(records.filter { $0["alert"] != nil }.map(Self.chain))
        #expect(
            alerted == [
                ["src/sub/bad.bin"], ["src/bundle.tgz", "inner.zip", "bad.bin"], ["src/disk.img", "bad.bin"],
            ])
        // Alerts are told on standard error even when it is not a terminal, with their count.
        #expect(r.stderr.contains("3 ALERTS"), "\(r.stderr)")
    }

    @Test func hashdeepKnownSetWithSkipKnownLeavesKnownFilesOutButKeepsAlerts() throws {
        let w = try Workspace()
        try w.sh(Self.build + "\nhashdeep -c md5,sha256 src/known.txt src/sub/bad.bin > known.hashdeep")
        try w.sh("sha256sum src/sub/bad.bin > bad.sha256")
        let all = try jsonLines(try CLI.run(["evidence", "hash", "-q", "src"], in: w.path).stdout)
        let r = try CLI.run(
            ["evidence", "hash", "--known", "known.hashdeep", "--known-bad", "bad.sha256", "--skip-known", "src"],
            in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let kept = try jsonLines(r.stdout)
        let knownDigests: Set = [try Self.sha256(w, "src/known.txt"), try Self.sha256(w, "src/sub/bad.bin")]
        let bad = try Self.sha256(w, "src/sub/bad.bin")
        // Left out: every known file that is not also known-bad. Kept: everything else, in the same order.
        let expected = all.filter { r in
            guard let d = r["sha256"] as? String else { return true }
            return !knownDigests.contains(d) || d == bad
        }
        #expect(kept.map(Self.chain) == expected.map(Self.chain))
        #expect(kept.filter { $0["known"] != nil }.allSatisfy { $0["alert"] as? String == "bad.sha256" })
        let skipped = all.count - expected.count
        #expect(skipped == 4)
        #expect(r.stderr.contains("known (\(skipped) left out by --skip-known)"), "\(r.stderr)")
    }

    @Test func marksAreTheSameWhateverTheThreadCountAndInEveryFormat() throws {
        let w = try Workspace()
        try w.sh(Self.build + "\nsha256sum src/known.txt > known.sha256 && sha256sum src/sub/bad.bin > bad.sha256")
        let args = ["evidence", "hash", "-q", "--known", "known.sha256", "--known-bad", "bad.sha256"]
        let one = try CLI.run(args + ["-j", "1", "src"], in: w.path)
        let four = try CLI.run(args + ["-j", "4", "src"], in: w.path)
        #expect(one.status == 0 && one.stdout == four.stdout)
        let csv = try CLI.run(args + ["--format", "csv", "src"], in: w.path)
        let header = csv.stdout.split(separator: "\r\n").first ?? ""
        #expect(header.hasSuffix(",known,alert"))
        #expect(csv.stdout.contains(",known.sha256,\r\n") && csv.stdout.contains(",,bad.sha256\r\n"))
        let dfxml = try CLI.run(args + ["--format", "dfxml", "src"], in: w.path)
        #expect(dfxml.stdout.contains("<iproceeds:known>known.sha256</iproceeds:known>"))
        #expect(dfxml.stdout.contains("<iproceeds:alert>bad.sha256</iproceeds:alert>"))
        try w.write("marks.dfxml", dfxml.stdout)
        let valid = try DFXMLSchemaTests.validate("marks.dfxml", in: w)
        #expect(valid.status == 0, "\(valid.stderr)")
        let hashdeep = try CLI.run(args + ["--format", "hashdeep", "src"], in: w.path)
        #expect(hashdeep.stdout.contains("\"known\":\"known.sha256\""))
        // Without sets, the CSV has no such columns (manifests made before are unchanged).
        let plain = try CLI.run(["evidence", "hash", "-q", "--format", "csv", "src"], in: w.path)
        #expect(!(plain.stdout.split(separator: "\r\n").first ?? "").contains("known"))
    }

    @Test func unusableSetsStopTheRunWithTheirFileAndLine() throws {
        let w = try Workspace()
        try w.sh(Self.build + "\nsha256sum src/known.txt src/other.txt > good.sha256")
        try w.write("broken.sha256", try w.read("good.sha256") + "this is not a checksum line\n")
        let broken = try CLI.run(
            ["evidence", "hash", "-q", "--known", "broken.sha256", "-o", "out.jsonl", "src"], in: w.path)
        #expect(broken.status == 65, "\(broken.stderr)")
        #expect(broken.stderr.contains("broken.sha256 line 3"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: w.path + "/out.jsonl"))
        let missing = try CLI.run(["evidence", "hash", "-q", "--known-bad", "nope.sha256", "src"], in: w.path)
        #expect(missing.status == 66, "\(missing.stderr)")
        try w.sh("head -c 5000 /dev/urandom > noise.bin")
        let noise = try CLI.run(["evidence", "hash", "-q", "--known", "noise.bin", "src"], in: w.path)
        #expect(noise.status == 65, "\(noise.stderr)")
        try w.sh("sqlite3 other.db 'CREATE TABLE t(x)'")
        let foreign = try CLI.run(["evidence", "hash", "-q", "--known", "other.db", "src"], in: w.path)
        #expect(foreign.status == 65 && foreign.stderr.contains("not an NSRL RDS"), "\(foreign.stderr)")
        let wrongAlgorithm = try CLI.run(
            ["evidence", "hash", "-q", "-c", "md5", "--known", "good.sha256", "src"], in: w.path)
        #expect(wrongAlgorithm.status == 64 && wrongAlgorithm.stderr.contains("-c"), "\(wrongAlgorithm.stderr)")
        let skipAlone = try CLI.run(["evidence", "hash", "-q", "--skip-known", "src"], in: w.path)
        #expect(skipAlone.status == 64)
    }

    @Test func evidenceAddNamesEachSetWithItsSHA256InTheAcquiredEntry() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        try w.sh(Self.build + "\nsha256sum src/known.txt > known.sha256 && sha256sum src/sub/bad.bin > bad.sha256")
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana", "--id", "EX-1"], in: w.path, environment: env).status == 0
        )
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "C-1", "--title", "t"], in: w.path, environment: env
            )
            .status == 0)
        let add = try CLI.run(
            [
                "evidence", "add", "--case", "c.case", "--item", "EV-001", "--description", "server copy", "--known",
                "known.sha256", "--known-bad", "bad.sha256", "--skip-known", "src",
            ], in: w.path, environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        let log = try CLI.run(["custody", "log", "--case", "c.case", "--format", "json"], in: w.path, environment: env)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let acquired = try #require(entries.first { $0["action"] as? String == "acquired" })
        let parameters = try #require(acquired["parameters"] as? [String: String])
        let sets = try #require(
            try JSONSerialization.jsonObject(with: Data((parameters["hash_sets"] ?? "").utf8)) as? [[String: String]])
        #expect(
            sets == [
                [
                    "role": "known", "name": "known.sha256", "format": "checksum-list", "algorithm": "sha256",
                    "sha256": try Self.sha256(w, "known.sha256"),
                ],
                [
                    "role": "known-bad", "name": "bad.sha256", "format": "checksum-list", "algorithm": "sha256",
                    "sha256": try Self.sha256(w, "bad.sha256"),
                ],
            ])
        // As `evidence hash`: bad.bin on disk, in the zip in the tar and in src/disk.img; known.txt on disk, its copy,
        // in the tar and in src/disk.img.
        #expect(parameters["alerts"] == "3" && parameters["items_known_left_out"] == "4", "\(parameters)")
        #expect(try CLI.run(["custody", "verify", "--case", "c.case"], in: w.path, environment: env).status == 0)
    }
}
