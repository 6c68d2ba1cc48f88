import Foundation
import IProceedsBase

/// A case: its custody ledger and registered items, over a ``CaseStore``.
///
/// Every change is one appended, hash-chained, signed ledger entry, written atomically with the rows it
/// describes (an item, its manifest, an examiner).
package final class CaseFile {
    package let store: any CaseStore

    package init(store: any CaseStore) { self.store = store }

    /// Opens a new case: the first entry (`opened`) is signed by `examiner`, who is thereby registered.
    package static func create(
        store: any CaseStore, caseID: String, title: String, examiner: Examiner, now: Date = Date()
    )
        throws -> CaseFile
    {
        let file = CaseFile(store: store)
        let time = Self.timestamp(now)
        var changes = StoreChanges()
        changes.caseInfo = CaseInfo(caseID: caseID, title: title, created: time)
        changes.examiner = RegisteredExaminer(
            examinerID: examiner.id, name: examiner.name, publicKey: examiner.publicKeyHex, registeredSeq: 1)
        try store.append(changes: changes) { last in
            guard last == nil else { throw EvidenceError(.caseFile, "the case file already has a ledger") }
            return Self.sign(
                CustodyEntry(
                    seq: 1, time: time, caseID: caseID, examinerID: examiner.id, publicKey: examiner.publicKeyHex,
                    action: CustodyAction.opened.rawValue, items: [], inputs: [], outputs: [], tool: ToolIdentity.name,
                    toolVersion: ToolIdentity.version, parameters: ["title": title, "examiner_name": examiner.name],
                    note: "", prevHash: CustodyEntry.genesisPrevHash, entryHash: "", signature: ""),
                with: examiner)
        }
        return file
    }

    package func info() throws -> CaseInfo {
        guard let info = try store.caseInfo() else {
            throw EvidenceError(.caseFile, "the case file has no case record")
        }
        return info
    }

    /// Appends a signed entry.
    /// - Throws: ``EvidenceError`` when the examiner is not registered in this case, or an item is unknown —
    ///   and then nothing is written.
    @discardableResult
    package func record(
        _ action: CustodyAction, items: [String] = [], inputs: [HashReference] = [], outputs: [HashReference] = [],
        parameters: [String: String] = [:], note: String = "", by examiner: Examiner,
        changes: StoreChanges = StoreChanges(),
        now: Date = Date()
    ) throws -> CustodyEntry {
        let info = try self.info()
        try requireRegistered(examiner, caseID: info.caseID)
        if changes.item == nil {
            let known = Set(try store.items().map(\.itemID))
            if let unknown = items.first(where: { !known.contains($0) }) {
                let list =
                    known.isEmpty
                    ? "none yet (add one with `iproceeds evidence add`)" : known.sorted().joined(separator: ", ")
                throw EvidenceError(.invalidArgument, "unknown item \(unknown) in case \(info.caseID); items: \(list)")
            }
        }
        let time = Self.timestamp(now)
        return try store.append(changes: changes) { last in
            guard let last else { throw EvidenceError(.caseFile, "the case file has no ledger") }
            return Self.sign(
                CustodyEntry(
                    seq: last.seq + 1, time: time, caseID: info.caseID, examinerID: examiner.id,
                    publicKey: examiner.publicKeyHex,
                    action: action.rawValue, items: items, inputs: inputs, outputs: outputs, tool: ToolIdentity.name,
                    toolVersion: ToolIdentity.version, parameters: parameters, note: note, prevHash: last.entryHash,
                    entryHash: "", signature: ""),
                with: examiner)
        }
    }

    private func requireRegistered(_ examiner: Examiner, caseID: String) throws {
        guard try store.examiners().contains(where: { $0.publicKey == examiner.publicKeyHex }) else {
            throw EvidenceError(
                .examiner,
                "examiner \(examiner.id) (key \(Ed25519.fingerprint(examiner.key.publicKey))) is not registered in case \(caseID); "
                    + "a registered examiner can add you with `iproceeds case add-examiner`")
        }
        // Checked here too (the store checks again under its lock), so that a revoked key hashes nothing.
        try KeyRevocation.refuse(
            CustodyEntry(
                seq: 0, time: "", caseID: caseID, examinerID: examiner.id, publicKey: examiner.publicKeyHex, action: "",
                items: [], inputs: [], outputs: [], tool: "", toolVersion: "", parameters: [:], note: "",
                prevHash: "", entryHash: "", signature: ""),
            revoked: try store.revocations())
    }

    /// The registered examiner `reference` names: a public key (64 hex digits), a key fingerprint
    /// (`SHA256:…`, as ``Ed25519/fingerprint(_:)`` prints it) or an examiner id with one key in the case.
    /// - Throws: ``EvidenceError`` `.invalidArgument` listing the registered keys when none or several match.
    package func registeredExaminer(_ reference: String) throws -> RegisteredExaminer {
        let all = try store.examiners()
        let wanted = reference.trimmingCharacters(in: .whitespaces)
        let fingerprint = wanted.lowercased().hasPrefix("sha256:") ? "SHA256:" + wanted.dropFirst(7).lowercased() : nil
        let found = all.filter {
            $0.publicKey == wanted.lowercased() || Ed25519.fingerprint(hex: $0.publicKey) == fingerprint
                || $0.examinerID == wanted
        }
        if found.count == 1 { return found[0] }
        let list = all.map { "\($0.examinerID) (\($0.name)) \(Ed25519.fingerprint(hex: $0.publicKey))" }
            .joined(separator: "; ")
        throw EvidenceError(
            .invalidArgument,
            found.isEmpty
                ? "no examiner registered in case \(try info().caseID) has the key or id \(wanted); registered: \(list)"
                : "\(found.count) keys of examiner \(wanted) are registered; name the key by its fingerprint: \(list)")
    }

    /// Revokes a registered key (lost, stolen, compromised) with a signed `revoked` entry by `examiner`: another
    /// registered examiner, or the key's own holder. From that entry on the key signs nothing in this case (every
    /// store refuses it, and verification reports an entry it signed); what it signed before stays valid.
    /// - Throws: ``EvidenceError``: `.invalidArgument` when the key is not registered, already revoked, or the
    ///   last key that could still sign in the case (register a new one first); `.examiner` when `examiner` is
    ///   not registered or revoked.
    @discardableResult
    package func revoke(_ revokedKey: RegisteredExaminer, reason: String, by examiner: Examiner) throws -> CustodyEntry
    {
        let caseID = try info().caseID
        let key = revokedKey.publicKey.lowercased()
        let fingerprint = Ed25519.fingerprint(hex: key)
        let registered = try store.examiners()
        guard registered.contains(where: { $0.publicKey == key }) else {
            throw EvidenceError(.invalidArgument, "the key \(fingerprint) is not registered in case \(caseID)")
        }
        let revoked = try store.revocations()
        if let seq = revoked[key] {
            throw EvidenceError(
                .invalidArgument,
                "the key \(fingerprint) of \(revokedKey.examinerID) was already revoked in entry \(seq)")
        }
        if !registered.contains(where: { $0.publicKey != key && revoked[$0.publicKey] == nil }) {
            throw EvidenceError(
                .invalidArgument,
                "the key \(fingerprint) is the last one that can sign in case \(caseID); revoking it would close the case "
                    + "for good. Register the new key first (`iproceeds case add-examiner`), then revoke this one")
        }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw EvidenceError(.invalidArgument, "say why the key is revoked (--reason), as the ledger will show it")
        }
        return try record(
            .revoked,
            parameters: [
                "public_key": key, "examiner_id": revokedKey.examinerID, "examiner_name": revokedKey.name,
                "reason": reason,
            ],
            by: examiner)
    }

    /// Registers another examiner's public key, signed by `examiner` (who must be registered).
    @discardableResult
    package func register(id: String, name: String, publicKeyHex: String, by examiner: Examiner) throws -> CustodyEntry
    {
        guard let key = Hex.decode(publicKeyHex), key.count == 32 else {
            throw EvidenceError(.invalidArgument, "a public key is 64 hex digits (as `iproceeds examiner show` prints)")
        }
        if try store.examiners().contains(where: { $0.publicKey == publicKeyHex.lowercased() }) {
            throw EvidenceError(.invalidArgument, "that key is already registered in this case")
        }
        var changes = StoreChanges()
        changes.examiner = RegisteredExaminer(
            examinerID: id, name: name, publicKey: publicKeyHex.lowercased(), registeredSeq: 0)
        return try record(
            .examinerRegistered,
            parameters: ["examiner_id": id, "examiner_name": name, "public_key": publicKeyHex.lowercased()],
            by: examiner, changes: changes)
    }

    /// Fingerprints `paths` and registers them as item `itemID` with an `acquired` entry naming the manifest's hash.
    /// The manifest (JSON Lines) is stored in the case file; nothing is written unless the whole run succeeds.
    ///
    /// The item id is reserved in the case file before anything is hashed, so a second run adding the same item
    /// stops at once with who holds it, instead of hashing everything and failing at the end. The manifest is
    /// spooled to a temporary file, not memory, and streamed into the case file.
    ///
    /// With `knownFiles`, records are marked `known` and `alert` as `evidence hash` marks them, and the entry's
    /// `hash_sets` parameter names every set with its role, format and SHA-256, so the ledger says which
    /// reference data the manifest was made against.
    ///
    /// With `containers` (disk images), the files inside are records too; the caller records in `details` how
    /// they were read (`images`, `deleted`), for ``verify(expectHead:rehash:threads:containers:)`` to read them
    /// again the same way.
    package func addEvidence(
        itemID: String, description: String, paths: [String], details: [String: String], options: FingerprintOptions,
        by examiner: Examiner, workingDirectory: String = FileManager.default.currentDirectoryPath,
        progress: FingerprintProgress? = nil, knownFiles: KnownFileSets? = nil, containers: (any ContainerReader)? = nil
    ) throws -> (entry: CustodyEntry, summary: FingerprintSummary) {
        _ = try self.info()
        // Checked again by record(); here too, so that an unregistered examiner hashes nothing.
        try requireRegistered(examiner, caseID: try info().caseID)
        try store.reserveItem(itemID, examinerID: examiner.id, time: Self.timestamp(Date()))
        defer { store.releaseItem(itemID) }
        let spool = try ManifestSpool()
        let sink = ByteSink(fileDescriptor: spool.fileDescriptor, name: "manifest spool")
        let writer = JSONLinesWriter(context: ManifestContext(algorithms: options.algorithms), sink: sink)
        var fingerprinter = Fingerprinter(options: options)
        fingerprinter.knownFiles = knownFiles
        fingerprinter.containers = containers
        let summary = try fingerprinter.run(paths.map { RawName($0) }, progress: progress) {
            try writer.write($0)
        }
        try writer.finish()
        let manifest = try ManifestBlob(format: "jsonl", spool: spool)
        let manifestHash = manifest.sha256
        var parameters = details
        parameters["description"] = description
        parameters["paths"] = JSONValue.strings(paths).canonical
        parameters["working_directory"] = workingDirectory
        parameters["algorithms"] = options.algorithms.map(\.rawValue).joined(separator: ",")
        parameters["archives"] = options.archives ? "yes" : "no"
        parameters["items_recorded"] = String(summary.items)
        parameters["items_with_errors"] = String(summary.errors)
        parameters["bytes_hashed"] = String(summary.bytes)
        if let knownFiles, !knownFiles.isEmpty {
            parameters["hash_sets"] = try knownFiles.custodyDescription().canonical
            parameters["items_known"] = String(summary.known)
            parameters["items_known_left_out"] = String(summary.knownSkipped)
            parameters["alerts"] = String(summary.alerts)
        }
        var changes = StoreChanges()
        changes.manifest = manifest
        changes.item = CustodyItem(
            itemID: itemID, description: description, acquiredSeq: 0, manifestSHA256: manifestHash)
        let entry = try record(
            .acquired, items: [itemID],
            outputs: [HashReference(name: "manifest \(itemID).jsonl", sha256: manifestHash)],
            parameters: parameters, by: examiner, changes: changes)
        return (entry, summary)
    }

    /// The items acquired in this case, read from the signed ledger alone (never from the unsigned `items`
    /// table): each `acquired` entry's items, with the description and the manifest hash it signed.
    package func acquisitions(in entries: [CustodyEntry]) -> [Acquisition] {
        entries.filter { $0.action == CustodyAction.acquired.rawValue }.flatMap { e in
            e.items.map { item in
                let manifest = e.outputs.first { $0.name == "manifest \(item).jsonl" } ?? e.outputs.first
                return Acquisition(
                    itemID: item, description: e.parameters["description"] ?? "", entry: e,
                    manifestSHA256: manifest?.sha256)
            }
        }
    }

    /// One row per item, from its first signed `acquired` entry, in item order: what exports and forms list.
    package func signedItems(in entries: [CustodyEntry]) -> [CustodyItem] {
        var seen = Set<String>()
        return acquisitions(in: entries).filter { seen.insert($0.itemID).inserted }.map {
            CustodyItem(
                itemID: $0.itemID, description: $0.description, acquiredSeq: $0.entry.seq,
                manifestSHA256: $0.manifestSHA256 ?? "")
        }.sorted { $0.itemID < $1.itemID }
    }

    // MARK: Signing

    static func sign(_ unsigned: CustodyEntry, with examiner: Examiner) -> CustodyEntry {
        var e = unsigned
        e.entryHash = e.computedHash
        e.signature = Hex.encode(examiner.key.sign(Hex.decode(e.entryHash)!))
        return e
    }

    /// UTC with milliseconds: `2026-01-02T03:04:05.678Z`.
    static func timestamp(_ date: Date) -> String {
        ISO8601.format(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), fraction: .milliseconds)
    }
}

/// An item as its signed `acquired` entry records it.
package struct Acquisition: Sendable {
    package var itemID: String
    package var description: String
    /// The signed entry.
    package var entry: CustodyEntry
    /// The SHA-256 of the manifest the entry names, if it names one.
    package var manifestSHA256: String?
}
