import Foundation
import IProceedsBase

/// What is wrong at one place in a ledger.
package struct CustodyProblem: Sendable, Equatable {
    package enum Kind: String, Sendable, CaseIterable {
        /// The entry's content no longer hashes to its `entry_hash`.
        case contentChanged = "content changed"
        /// `prev_hash` does not name the entry before it.
        case linkBroken = "link broken"
        /// The signature does not verify with the entry's public key.
        case signatureInvalid = "signature invalid"
        /// Signed by a key that was not registered in this case at that point.
        case unknownSigner = "unknown signer"
        /// Signed by a key after a `revoked` entry revoked it.
        case revokedSigner = "revoked signer"
        /// A sequence number is missing.
        case entryMissing = "entry missing"
        /// Entries are out of order (a `prev_hash` names another entry of the ledger).
        case entriesReordered = "entries reordered"
        /// The entry belongs to another case.
        case foreignEntry = "entry from another case"
        /// The ledger does not end at the head written down earlier (`--expect-head`).
        case headMismatch = "head mismatch"
        /// The evidence, or its stored manifest, no longer matches what was acquired.
        case evidenceChanged = "evidence changed"
        /// The case file's unsigned item table disagrees with the signed ledger (rows deleted, added or edited).
        case indexAltered = "item table altered"

        /// Which explanation comes first when one entry shows several: the cause before its consequences
        /// (a swapped or foreign entry also fails its own hash, since its content names another seq or case).
        var rank: Int {
            switch self {
            case .entryMissing: 0
            case .foreignEntry: 1
            case .entriesReordered: 2
            case .linkBroken: 3
            case .unknownSigner: 4
            case .revokedSigner: 5
            case .signatureInvalid: 6
            case .contentChanged: 7
            case .evidenceChanged: 8
            case .indexAltered: 9
            case .headMismatch: 10
            }
        }
    }

    package var seq: Int64
    package var kind: Kind
    package var detail: String
}

/// A key the signed ledger registered in a case, and whether a `revoked` entry revoked it.
package struct SignerKey: Sendable, Equatable {
    /// Ed25519 public key, hex.
    package var publicKey: String
    package var examinerID: String
    package var name: String
    /// The entry that registered it (1 for the examiner who opened the case).
    package var registeredSeq: Int64
    /// The entry that revoked it, and the reason it gives.
    package var revokedSeq: Int64?
    package var revocationReason: String?

    /// ``Ed25519/fingerprint(_:)`` of the key.
    package var fingerprint: String { Ed25519.fingerprint(hex: publicKey) }
}

/// The outcome of verifying a ledger.
package struct CustodyVerification: Sendable {
    package var caseID: String
    package var entries: Int
    /// The last entry's sequence number and hash: what to write on a seal form.
    package var headSeq: Int64
    package var headHash: String
    package var problems: [CustodyProblem]
    /// Items re-read with `--rehash`, with their audit counts.
    package var rehashed: [(item: String, matched: Int, differing: Int)]
    /// The keys registered by valid entries of the ledger, in the order they were registered, with revocations.
    package var keys: [SignerKey] = []

    package var intact: Bool { problems.isEmpty }
    /// The first problem by sequence number.
    package var firstProblem: CustodyProblem? { problems.min { $0.seq < $1.seq } }
}

extension CaseFile {
    /// Verifies every hash link and signature, that each signer was registered at that point (registration is
    /// read from the signed ledger itself, never from a side table), optionally the head, that every item a
    /// signed `acquired` entry names has its manifest stored under the hash that entry signed, and with `rehash`
    /// the evidence against those manifests. The unsigned `items` table is only checked against the ledger.
    /// - Parameters:
    ///   - expectHead: a head hash (or `SEQ:HASH`) written down earlier; a ledger that ends elsewhere fails.
    ///   - rehash: re-read the evidence from the paths recorded at acquisition and compare with the manifests.
    ///   - containers: the container reader (disk images) for an `acquired` entry's parameters, `nil` for none.
    package func verify(
        expectHead: String? = nil, rehash: Bool = false, threads: Int = FingerprintOptions.defaultThreads,
        containers: (@Sendable ([String: String]) -> (any ContainerReader)?)? = nil
    )
        throws -> CustodyVerification
    {
        let info = try self.info()
        let entries = try store.entries()
        var problems: [CustodyProblem] = []
        let hashes = Set(entries.map(\.entryHash))
        var registered = Set<String>()
        // Revoked keys, with the entry that revoked them: from then on they are not trusted.
        var revoked: [String: Int64] = [:]
        var keys: [SignerKey] = []
        var expectedSeq: Int64 = 1
        var previous: CustodyEntry?

        for e in entries {
            if e.seq != expectedSeq {
                if e.seq > expectedSeq {
                    let missing = expectedSeq == e.seq - 1 ? "\(expectedSeq)" : "\(expectedSeq)–\(e.seq - 1)"
                    problems.append(
                        CustodyProblem(seq: expectedSeq, kind: .entryMissing, detail: "no entry \(missing): deleted"))
                }
                expectedSeq = e.seq
            }
            expectedSeq += 1
            let wantPrev = previous?.entryHash ?? CustodyEntry.genesisPrevHash
            if e.caseID != info.caseID {
                problems.append(
                    CustodyProblem(
                        seq: e.seq, kind: .foreignEntry, detail: "belongs to case \(e.caseID), not \(info.caseID)"))
            } else if e.prevHash != wantPrev && (previous == nil || previous!.seq == e.seq - 1) {
                if hashes.contains(e.prevHash) && e.prevHash != e.entryHash {
                    problems.append(
                        CustodyProblem(
                            seq: e.seq, kind: .entriesReordered,
                            detail: "prev_hash names another entry of this ledger, not entry \(e.seq - 1)"))
                } else {
                    problems.append(
                        CustodyProblem(
                            seq: e.seq, kind: .linkBroken,
                            detail: "prev_hash \(e.prevHash.prefix(16))… does not match entry \(e.seq - 1)"))
                }
            }
            if e.computedHash != e.entryHash {
                problems.append(
                    CustodyProblem(seq: e.seq, kind: .contentChanged, detail: "content does not hash to its entry_hash")
                )
            }
            let signatureOK =
                Hex.decode(e.signature).flatMap { sig in
                    Hex.decode(e.entryHash).flatMap { msg in
                        Hex.decode(e.publicKey).map { Ed25519.verify(signature: sig, of: msg, publicKey: $0) }
                    }
                } ?? false
            if !signatureOK {
                problems.append(
                    CustodyProblem(seq: e.seq, kind: .signatureInvalid, detail: "Ed25519 signature does not verify"))
            }
            let isGenesis = e.seq == 1 && e.action == CustodyAction.opened.rawValue && previous == nil
            if isGenesis {
                registered.insert(e.publicKey)
                keys.append(
                    SignerKey(
                        publicKey: e.publicKey, examinerID: e.examinerID, name: e.parameters["examiner_name"] ?? "",
                        registeredSeq: e.seq))
                if e.parameters["title"] != info.title {
                    problems.append(
                        CustodyProblem(
                            seq: e.seq, kind: .contentChanged,
                            detail: "the case title differs from the one signed when the case was opened"))
                }
            } else if !registered.contains(e.publicKey) {
                problems.append(
                    CustodyProblem(
                        seq: e.seq, kind: .unknownSigner,
                        detail:
                            "signed by key \(Ed25519.fingerprint(hex: e.publicKey)), not registered in this case at that point"
                    ))
            } else if let at = revoked[e.publicKey] {
                let holder = keys.first { $0.publicKey == e.publicKey }?.examinerID ?? e.examinerID
                problems.append(
                    CustodyProblem(
                        seq: e.seq, kind: .revokedSigner,
                        detail:
                            "signed by key \(Ed25519.fingerprint(hex: e.publicKey)) of \(holder), revoked in entry \(at)"
                    ))
            }
            // Only a registered key that is not revoked registers or revokes keys (a revoked key's earlier
            // registrations and revocations stand).
            let trusted = registered.contains(e.publicKey) && revoked[e.publicKey] == nil
            if e.action == CustodyAction.examinerRegistered.rawValue, let key = e.parameters["public_key"], trusted {
                if registered.insert(key).inserted {
                    keys.append(
                        SignerKey(
                            publicKey: key, examinerID: e.parameters["examiner_id"] ?? "",
                            name: e.parameters["examiner_name"] ?? "", registeredSeq: e.seq))
                }
            }
            if let key = e.revokedKey, trusted, revoked[key] == nil {
                revoked[key] = e.seq
                if let i = keys.firstIndex(where: { $0.publicKey == key }) {
                    keys[i].revokedSeq = e.seq
                    keys[i].revocationReason = e.parameters["reason"] ?? ""
                }
            }
            previous = e
        }
        if entries.isEmpty {
            problems.append(CustodyProblem(seq: 1, kind: .entryMissing, detail: "the ledger is empty"))
        }
        let head = entries.last
        if let expectHead {
            let parts = expectHead.split(separator: ":")
            let wantHash = String(parts.last ?? "").lowercased()
            let wantSeq = parts.count > 1 ? Int64(parts[0]) : nil
            if head?.entryHash != wantHash || (wantSeq != nil && head?.seq != wantSeq) {
                if let found = entries.first(where: { $0.entryHash == wantHash }) {
                    problems.append(
                        CustodyProblem(
                            seq: found.seq, kind: .headMismatch,
                            detail:
                                "the expected head is entry \(found.seq), but the ledger goes on to entry \(head?.seq ?? 0): entries were added since"
                        ))
                } else {
                    problems.append(
                        CustodyProblem(
                            seq: (head?.seq ?? 0) + 1, kind: .headMismatch,
                            detail:
                                "the expected head \(wantHash.prefix(16))… is not in the ledger, which ends at entry \(head?.seq ?? 0): its tail was truncated or rewritten"
                        ))
                }
            }
        }

        // Items and their manifests come from the signed `acquired` entries alone. The `items` table is an unsigned
        // index: it is only compared with the ledger, never trusted, so deleting or editing its rows cannot hide
        // an item from verification.
        var rehashed: [(String, Int, Int)] = []
        let acquisitions = acquisitions(in: entries)
        var seen: [String: Int64] = [:]
        for a in acquisitions {
            if let first = seen[a.itemID] {
                problems.append(
                    CustodyProblem(
                        seq: a.entry.seq, kind: .evidenceChanged,
                        detail: "item \(a.itemID) is acquired again, after entry \(first)"))
            }
            seen[a.itemID] = seen[a.itemID] ?? a.entry.seq
        }
        let index = Dictionary(try store.items().map { ($0.itemID, $0) }, uniquingKeysWith: { a, _ in a })
        for a in acquisitions where seen[a.itemID] == a.entry.seq {
            if let row = index[a.itemID] {
                if row.acquiredSeq != a.entry.seq || row.manifestSHA256 != a.manifestSHA256 {
                    problems.append(
                        CustodyProblem(
                            seq: a.entry.seq, kind: .indexAltered,
                            detail: "the case file's item table does not match entry \(a.entry.seq) for \(a.itemID)"))
                }
            } else {
                problems.append(
                    CustodyProblem(
                        seq: a.entry.seq, kind: .indexAltered,
                        detail:
                            "item \(a.itemID), acquired in entry \(a.entry.seq), is missing from the case file's item table"
                    ))
            }
        }
        for row in index.values.sorted(by: { $0.itemID < $1.itemID }) where seen[row.itemID] == nil {
            problems.append(
                CustodyProblem(
                    seq: row.acquiredSeq, kind: .indexAltered,
                    detail: "item \(row.itemID) is in the item table but no signed entry acquired it"))
        }
        for a in acquisitions where seen[a.itemID] == a.entry.seq {
            let acquired = a.entry
            guard let sha = a.manifestSHA256 else {
                problems.append(
                    CustodyProblem(
                        seq: acquired.seq, kind: .evidenceChanged,
                        detail: "\(a.itemID): entry \(acquired.seq) names no manifest"))
                continue
            }
            // The manifest is found by the hash the signed entry carries, and must hash to it.
            // Hashed and (for --rehash) parsed as the pieces stream out: the manifest's bytes are never held whole.
            let digester = Digester(.sha256)
            let parser = ManifestReader.JSONLinesParser(name: "manifest of \(a.itemID)")
            var unparsable: EvidenceError?
            let found: Bool
            do {
                found = try store.readManifest(sha256: sha) {
                    digester.update($0)
                    if rehash && unparsable == nil {
                        do { try parser.feed($0) } catch let e as EvidenceError { unparsable = e }
                    }
                }
            } catch let e as EvidenceError {
                problems.append(
                    CustodyProblem(seq: acquired.seq, kind: .evidenceChanged, detail: "\(a.itemID): \(e.message)"))
                continue
            }
            guard found else {
                problems.append(
                    CustodyProblem(
                        seq: acquired.seq, kind: .evidenceChanged,
                        detail:
                            "the stored manifest of \(a.itemID) is missing (entry \(acquired.seq) names sha256 \(sha.prefix(16))…)"
                    ))
                continue
            }
            guard digester.finalizeHex() == sha else {
                problems.append(
                    CustodyProblem(
                        seq: acquired.seq, kind: .evidenceChanged,
                        detail:
                            "the stored manifest of \(a.itemID) is altered (it no longer hashes to \(sha.prefix(16))…, as entry \(acquired.seq) signed)"
                    ))
                continue
            }
            guard rehash else { continue }
            if let unparsable { throw unparsable }
            let known = try parser.finish()
            var options = FingerprintOptions()
            options.algorithms = known.algorithms.isEmpty ? [.sha256] : known.algorithms
            options.archives = acquired.parameters["archives"] != "no"
            options.threads = threads
            let wd = acquired.parameters["working_directory"] ?? "/"
            let listed = (try? JSONValue.parse(Array((acquired.parameters["paths"] ?? "[]").utf8)))?.items ?? []
            let paths = listed.compactMap(\.string).count == listed.count ? listed.compactMap(\.string) : []
            var actual: [FingerprintRecord] = []
            let roots = paths.map { RawName($0).absolute(in: wd) }
            var fingerprinter = Fingerprinter(options: options)
            fingerprinter.containers = containers?(acquired.parameters)
            _ = try fingerprinter.run(roots) { actual.append($0) }
            let expected = known.records.map { r -> FingerprintRecord in
                var r = r
                r.path = r.path.absolute(in: wd)
                return r
            }
            let report = Auditor.compare(
                expected: expected, actual: actual, algorithms: options.algorithms, workingDirectory: wd)
            let counts = report.counts
            let differing = report.entries.count - counts[.matched]!
            rehashed.append((a.itemID, counts[.matched]!, differing))
            if differing > 0 {
                let first = report.entries.first { $0.status != .matched }!
                problems.append(
                    CustodyProblem(
                        seq: acquired.seq, kind: .evidenceChanged,
                        detail:
                            "\(a.itemID): \(counts[.changed]!) changed, \(counts[.moved]!) moved, \(counts[.new]!) new, \(counts[.missing]!) missing (first: \(first.status.rawValue) \(first.key))"
                    ))
            }
        }
        problems.sort { ($0.seq, $0.kind.rank) < ($1.seq, $1.kind.rank) }
        return CustodyVerification(
            caseID: info.caseID, entries: entries.count, headSeq: head?.seq ?? 0, headHash: head?.entryHash ?? "",
            problems: problems, rehashed: rehashed, keys: keys)
    }
}
