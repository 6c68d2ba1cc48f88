import Foundation
import TestSupport
import Testing

@testable import EvidenceKit

/// How the SQLite case file stores manifests (compressed chunks, read back by an independent zlib: Python's) and
/// how they verify.
@Suite struct CaseFileStorageTests {
    /// A manifest larger than one chunk (the chunk size is made small, as a 1 GB manifest would be split at the
    /// default) streams in as several zlib chunks and back out byte for byte, and verifies.
    @Test func aManifestLargerThanAChunkIsStoredInCompressedChunks() throws {
        let s = try Scratch()
        for i in 0..<120 { try s.write("ev/d\(i % 7)/file-\(i).txt", "content \(i)\n") }
        let ana = Examiner(id: "EX-1", name: "Ana", key: Ed25519PrivateKey())
        let path = s.path + "/c.case"
        let store = try SQLiteCaseStore.create(path: path, manifestChunkSize: 1000) {
            _ = try CaseFile.create(store: $0, caseID: "C-1", title: "t", examiner: ana)
        }
        let file = CaseFile(store: store)
        let (entry, summary) = try file.addEvidence(
            itemID: "EV-1", description: "d", paths: [s.path + "/ev"], details: [:], options: FingerprintOptions(),
            by: ana)
        #expect(summary.items == 120)
        let sha = entry.outputs[0].sha256
        let manifest = try #require(try store.manifest(sha256: sha))
        #expect(manifest.count > 10_000)
        #expect(digestHex(.sha256, of: manifest) == sha)
        #expect(try file.verify(rehash: true).intact)

        // Python's zlib, not ours: the chunks, inflated and joined in order, hash to what the signed entry says.
        let check = try s.run(
            "python3",
            [
                "-c",
                """
                import sqlite3, zlib, hashlib, sys
                d = sqlite3.connect(sys.argv[1])
                rows = d.execute("SELECT chunk, size, data FROM manifest_chunks WHERE sha256 = ? ORDER BY chunk", (sys.argv[2],)).fetchall()
                data = b"".join(zlib.decompress(r[2]) for r in rows)
                assert all(len(zlib.decompress(r[2])) == r[1] <= 1000 for r in rows)
                print(len(rows), len(data), hashlib.sha256(data).hexdigest())
                """, path, sha,
            ])
        let fields = check.split(separator: " ")
        #expect(Int(fields[0])! == (manifest.count + 999) / 1000)
        #expect(Int(fields[1])! == manifest.count)
        #expect(fields[2].trimmingCharacters(in: .whitespacesAndNewlines) == sha)

        // A damaged chunk is named, not a crash, and verification fails on the item.
        try s.run(
            "python3",
            [
                "-c",
                "import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute(\"UPDATE manifest_chunks SET data = x'00' WHERE chunk = 3\"); d.commit()",
                path,
            ])
        let reopened = CaseFile(store: try SQLiteCaseStore.open(path: path, readOnly: true))
        let result = try reopened.verify()
        #expect(!result.intact)
        #expect(result.firstProblem?.kind == .evidenceChanged)
        #expect(result.firstProblem?.detail.contains("EV-1") == true)
    }

    /// A JSON Lines manifest fed in pieces of any size (lines split across pieces, CRLF, no final newline) reads
    /// exactly as when parsed whole.
    @Test func aManifestParsedInPiecesEqualsOneParsedWhole() throws {
        let text = (0..<50).map {
            #"{"path":"dir/f\#($0)\n,é","kind":"file","size":\#($0),"sha256":"\#(String(repeating: "ab", count: 32))"}"#
        }
        .joined(separator: "\r\n")
        let bytes = Array(text.utf8)
        let whole = try ManifestReader.parse(bytes, name: "m")
        #expect(whole.records.count == 50)
        for size in [1, 7, 64, 1000, bytes.count] {
            let parser = ManifestReader.JSONLinesParser(name: "m")
            var offset = 0
            while offset < bytes.count {
                try parser.feed(Array(bytes[offset..<min(offset + size, bytes.count)]))
                offset += size
            }
            let pieces = try parser.finish()
            #expect(pieces.records.map(\.path) == whole.records.map(\.path), "piece size \(size)")
            #expect(pieces.records.map(\.size) == whole.records.map(\.size), "piece size \(size)")
            #expect(pieces.algorithms == [.sha256])
        }
        let bad = ManifestReader.JSONLinesParser(name: "m")
        #expect(throws: EvidenceError.self) {
            try bad.feed(Array("{\"path\":\"a\",\"kind\":\"file\"}\nnot json\n".utf8))
        }
    }
}
