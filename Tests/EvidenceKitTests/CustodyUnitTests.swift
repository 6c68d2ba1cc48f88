import Foundation
import TestSupport
import Testing
import IProceedsBase

@testable import EvidenceKit

@Suite struct CustodyUnitTests {
    @Test func ed25519MatchesRFC8032TestVector1() throws {
        // RFC 8032 §7.1, TEST 1: the empty message.
        let key = try Ed25519PrivateKey(
            seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
        #expect(Hex.encode(key.publicKey) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let sig = key.sign([])
        #expect(
            Hex.encode(sig)
                == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        )
        #expect(Ed25519.verify(signature: sig, of: [], publicKey: key.publicKey))
        #expect(!Ed25519.verify(signature: sig, of: [0], publicKey: key.publicKey))
        #expect(!Ed25519.verify(signature: sig, of: [], publicKey: Ed25519PrivateKey().publicKey))
        // The PEM form reads back to the same key.
        let again = try Ed25519PrivateKey(pem: key.pem)
        #expect(again.publicKey == key.publicKey)
        #expect(key.pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    }

    @Test func nameBasedUUIDMatchesPython() {
        // python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'http://example.org/kb/item-EV-001'))"
        #expect(
            NameBasedUUID.v5(namespace: NameBasedUUID.urlNamespace, name: "http://example.org/kb/item-EV-001")
                == "edd4dd55-caf5-5feb-a706-adebde20fc87")
    }

    @Test func canonicalFormIsJCS() {
        let e = CustodyEntry(
            seq: 3, time: "2026-01-05T10:00:00.000Z", caseID: "C-1", examinerID: "EX-1", publicKey: "ab",
            action: "transferred", items: ["EV-001", "EV-002"], inputs: [],
            outputs: [HashReference(name: "m", sha256: "00")],
            tool: "iproceeds", toolVersion: "0.1.0", parameters: ["to": "Lab \"A\"\n", "from": "Ş"], note: "",
            prevHash: "ff", entryHash: "", signature: "")
        let expected =
            #"{"action":"transferred","case_id":"C-1","examiner_id":"EX-1","inputs":[],"items":["EV-001","EV-002"],"note":"","outputs":[{"name":"m","sha256":"00"}],"parameters":{"from":"Ş","to":"Lab \"A\"\n"},"prev_hash":"ff","public_key":"ab","seq":3,"time":"2026-01-05T10:00:00.000Z","tool":"iproceeds","tool_version":"0.1.0"}"#
        #expect(String(decoding: e.canonicalContent, as: UTF8.self) == expected)
    }

    /// The bytes an entry's hash covers, against Python's `json.dumps` (sorted keys, no white space, UTF-8): the
    /// form did not change when the entry moved onto the foundation's `JSONValue`, on awkward text too.
    @Test func canonicalFormMatchesPythonOnAwkwardText() throws {
        let awkward = "\u{00}\u{1F}\u{7F} \\ \" / é Ş € 😀 \u{2028} <b>&"
        let e = CustodyEntry(
            seq: 9_007_199_254_740_993, time: "2026-01-05T10:00:00.000Z", caseID: awkward, examinerID: "EX-1",
            publicKey: "ab", action: "note", items: [awkward, ""], inputs: [HashReference(name: awkward, sha256: "00")],
            outputs: [], tool: "iproceeds", toolVersion: "0.1.0",
            parameters: ["z": awkward, "a": "", "É": "x", "Z": "y", "ab": "1", "a\u{00}": "2"], note: awkward,
            prevHash: "ff", entryHash: "", signature: "")
        let ours = String(decoding: e.canonicalContent, as: UTF8.self)
        let s = try Scratch()
        try s.write("entry.json", ours)
        let theirs = try s.run(
            "python3",
            [
                "-c",
                "import json,sys; v=json.load(open('entry.json', encoding='utf-8')); sys.stdout.buffer.write("
                    + "json.dumps(v, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8'))",
            ])
        #expect(theirs == ours)
        #expect(ours.contains(#""seq":9007199254740993"#))
    }

    @Test func inMemoryLedgerVerifiesAndCatchesEdits() throws {
        let store = InMemoryCaseStore()
        let ana = Examiner(id: "EX-1", name: "Ana", key: Ed25519PrivateKey())
        let file = try CaseFile.create(store: store, caseID: "C-1", title: "t", examiner: ana)
        let s = try Scratch()
        try s.write("ev/a.txt", "a")
        _ = try file.addEvidence(
            itemID: "EV-1", description: "d", paths: [s.path + "/ev"], details: [:], options: FingerprintOptions(),
            by: ana)
        #expect(try store.items().first?.acquiredSeq == 2)
        let bob = Examiner(id: "EX-2", name: "Bob", key: Ed25519PrivateKey())
        let registration = try file.register(id: bob.id, name: bob.name, publicKeyHex: bob.publicKeyHex, by: ana)
        #expect(try store.examiners().last?.registeredSeq == registration.seq)
        try file.record(.sealed, items: ["EV-1"], by: bob)
        try file.record(.transferred, items: ["EV-1"], parameters: ["to": "Lab"], by: ana)
        #expect(try file.verify(rehash: true).intact)
        #expect(try file.verify().headSeq == 5)

        let mallory = Examiner(id: "EX-9", name: "Mallory", key: Ed25519PrivateKey())
        #expect(throws: EvidenceError.self) { try file.record(.note, by: mallory) }
        #expect(throws: EvidenceError.self) { try file.record(.sealed, items: ["EV-404"], by: ana) }
        #expect(try store.entries().count == 5)

        store.tamper { $0[4].parameters["to"] = "Home" }
        let result = try file.verify()
        #expect(!result.intact)
        #expect(result.firstProblem?.seq == 5)
        #expect(result.firstProblem?.kind == .contentChanged)
    }

    /// The fingerprint the docs show for RFC 8032's test key (computed there with Python's hashlib) is the one
    /// ``Ed25519/fingerprint(_:)`` gives, from bytes and from hex alike.
    @Test func theDocumentedFingerprintIsTheOneEveryOutputShows() throws {
        let doc = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/custody-model.md"), encoding: .utf8)
        let key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        let shown = try #require(
            doc.split(separator: "\n").first { $0.hasPrefix("    SHA256:") }?.trimmingCharacters(in: .whitespaces))
        #expect(doc.contains(key))
        #expect(Ed25519.fingerprint(Hex.decode(key)!) == shown)
        #expect(Ed25519.fingerprint(hex: key.uppercased()) == shown)
        #expect(Ed25519.fingerprint(hex: "zz").hasPrefix("(not a key"))
    }

    @Test func aRevokedKeyIsRefusedByTheStoreAndReportedByVerification() throws {
        let store = InMemoryCaseStore()
        let ana = Examiner(id: "EX-1", name: "Ana", key: Ed25519PrivateKey())
        let bob = Examiner(id: "EX-2", name: "Bob", key: Ed25519PrivateKey())
        let file = try CaseFile.create(store: store, caseID: "C-1", title: "t", examiner: ana)
        try file.register(id: bob.id, name: bob.name, publicKeyHex: bob.publicKeyHex, by: ana)
        try file.record(.note, note: "before", by: bob)
        // Bob still holds his key but it was copied: he revokes it himself, after registering Carol.
        let carol = Examiner(id: "EX-3", name: "Carol", key: Ed25519PrivateKey())
        try file.register(id: carol.id, name: carol.name, publicKeyHex: carol.publicKeyHex, by: bob)
        let revocation = try file.revoke(try file.registeredExaminer("EX-2"), reason: "copied", by: bob)
        #expect(revocation.seq == 5 && revocation.revokedKey == bob.publicKeyHex)
        #expect(try store.revocations() == [bob.publicKeyHex: 5])
        #expect(throws: EvidenceError.self) { try file.record(.note, by: bob) }
        // The store itself refuses it, under its lock, whoever calls it.
        #expect(throws: EvidenceError.self) {
            try store.append(changes: StoreChanges()) { last in
                CaseFile.sign(
                    CustodyEntry(
                        seq: last!.seq + 1, time: "2026-01-01T00:00:00.000Z", caseID: "C-1", examinerID: bob.id,
                        publicKey: bob.publicKeyHex, action: "note", items: [], inputs: [], outputs: [], tool: "x",
                        toolVersion: "1", parameters: [:], note: "", prevHash: last!.entryHash, entryHash: "",
                        signature: ""),
                    with: bob)
            }
        }
        // Carol, registered by Bob before the revocation, still signs; the ledger is intact.
        try file.record(.note, note: "after", by: carol)
        let ok = try file.verify()
        #expect(ok.intact, "\(ok.problems)")
        #expect(ok.keys.map(\.examinerID) == ["EX-1", "EX-2", "EX-3"])
        #expect(ok.keys[1].revokedSeq == 5 && ok.keys[1].revocationReason == "copied")
        #expect(ok.keys.allSatisfy { $0.fingerprint == Ed25519.fingerprint(Hex.decode($0.publicKey)!) })
        // Carol may revoke Ana's key; then hers is the last one that can sign, and cannot be revoked.
        try file.revoke(try file.registeredExaminer(Ed25519.fingerprint(ana.key.publicKey)), reason: "left", by: carol)
        #expect(throws: EvidenceError.self) {
            try file.revoke(try file.registeredExaminer("EX-3"), reason: "x", by: carol)
        }

        // Entries forged with the revoked key behind the store's back: reported; a revocation it signs counts not.
        store.tamper { entries in
            var prev = entries.last!
            for action in ["note", "revoked"] {
                let forged = CaseFile.sign(
                    CustodyEntry(
                        seq: prev.seq + 1, time: "2026-01-01T00:00:00.000Z", caseID: "C-1", examinerID: bob.id,
                        publicKey: bob.publicKeyHex, action: action, items: [], inputs: [], outputs: [], tool: "x",
                        toolVersion: "1", parameters: action == "revoked" ? ["public_key": carol.publicKeyHex] : [:],
                        note: "", prevHash: prev.entryHash, entryHash: "", signature: ""),
                    with: bob)
                entries.append(forged)
                prev = forged
            }
        }
        let bad = try file.verify()
        #expect(bad.problems.map(\.kind) == [.revokedSigner, .revokedSigner])
        #expect(bad.problems.map(\.seq) == [8, 9])
        #expect(bad.problems[0].detail.contains(Ed25519.fingerprint(bob.key.publicKey)))
        #expect(bad.keys[2].revokedSeq == nil)
    }
}
