import EvidenceKit
import Foundation

/// Moves a case between stores (a field laptop's case file and the unit's server) without re-signing anything:
/// each entry is appended exactly as signed, with the rows it describes (the case, a registered examiner, an item
/// and its manifest), so the ledger head and every signature stay valid on the other side.
package enum CaseTransfer {
    /// What a transfer did.
    package struct Outcome: Sendable, Equatable {
        /// Entries copied (0 when the destination already had them all).
        package var copied: Int
        /// The head both sides now have: `SEQ:HASH`.
        package var head: String
    }

    /// Copies into `destination` the entries of `source` it lacks. The destination must hold a prefix of the
    /// source's ledger (nothing, or the same first entries, byte for byte).
    /// - Throws: ``EvidenceError`` `.caseFile` when the destination has moved on (entries the source does not
    ///   have, or different ones), naming both heads; nothing is written then.
    @discardableResult
    package static func copy(
        from source: any CaseStore, to destination: any CaseStore, sourceName: String, destinationName: String
    )
        throws -> Outcome
    {
        let entries = try source.entries()
        guard let info = try source.caseInfo(), let sourceHead = entries.last else {
            throw EvidenceError(.caseFile, "\(sourceName) holds no case to copy")
        }
        let existing = try destination.entries()
        let common = zip(existing, entries).prefix { $0.entryHash == $1.entryHash && $0.seq == $1.seq }.count
        let otherCase = existing.isEmpty ? false : try destination.caseInfo()?.caseID != info.caseID
        if common < existing.count || otherCase {
            let theirs = existing.last.map(head) ?? "none"
            throw EvidenceError(
                .caseFile,
                "\(destinationName) has moved on from \(sourceName): its head is \(theirs), the copy's head is "
                    + "\(head(sourceHead)) (they agree up to entry \(common)); nothing was copied. Bring the other side "
                    + "up to date first, or copy to a new case")
        }
        let examiners = try source.examiners()
        let items = try source.items()
        for entry in entries.dropFirst(existing.count) {
            var changes = StoreChanges()
            if entry.seq == 1 { changes.caseInfo = info }
            changes.examiner = examiners.first { $0.registeredSeq == entry.seq }
            if let item = items.first(where: { $0.acquiredSeq == entry.seq }) {
                changes.item = item
                changes.manifest = try manifest(item.manifestSHA256, from: source, name: sourceName)
            }
            try destination.append(changes: changes) { last in
                guard last?.entryHash ?? CustodyEntry.genesisPrevHash == entry.prevHash,
                    (last?.seq ?? 0) + 1 == entry.seq
                else {
                    throw EvidenceError(
                        .caseFile,
                        "\(destinationName) moved on while the case was being copied (its head is now "
                            + "\(last.map(head) ?? "none")); copy again")
                }
                return entry
            }
        }
        return Outcome(copied: entries.count - existing.count, head: head(sourceHead))
    }

    /// Copies the case `source` names into `destination` (a case file path or a server URL), creating it there
    /// when it does not exist: a new case file whole or not at all; on a server, entry by entry (an interrupted
    /// copy leaves a valid prefix, which the next run completes).
    package static func copy(_ source: String, to destination: String, notice: @escaping (String) -> Void = { _ in })
        throws
        -> Outcome
    {
        let from = try CaseStores.open(source, readOnly: true, notice: notice)
        guard let info = try from.caseInfo() else {
            throw EvidenceError(.caseFile, "\(CaseStores.display(source)) holds no case")
        }
        let sourceName = CaseStores.display(source)
        let destinationName = CaseStores.display(destination)
        var outcome: Outcome?
        if PostgresCaseURL.isServerURL(destination) {
            var url = try PostgresCaseURL(destination)
            if let named = url.caseID, named != info.caseID {
                throw EvidenceError(
                    .invalidArgument,
                    "\(sourceName) holds case \(info.caseID), but the URL names case \(named); make them the same")
            }
            url.caseID = info.caseID
            if try PostgresCaseStore.caseExists(url, notice: notice) {
                let to = try PostgresCaseStore.open(url, notice: notice)
                return try copy(from: from, to: to, sourceName: sourceName, destinationName: url.description)
            }
            _ = try PostgresCaseStore.create(url, caseID: info.caseID, notice: notice) {
                outcome = try copy(from: from, to: $0, sourceName: sourceName, destinationName: url.description)
            }
        } else if FileManager.default.fileExists(atPath: destination) {
            return try copy(
                from: from, to: try SQLiteCaseStore.open(path: destination), sourceName: sourceName,
                destinationName: destinationName)
        } else {
            _ = try SQLiteCaseStore.create(path: destination) {
                outcome = try copy(from: from, to: $0, sourceName: sourceName, destinationName: destinationName)
            }
        }
        return outcome!
    }

    /// `SEQ:HASH`, as verification prints a head.
    static func head(_ e: CustodyEntry) -> String { "\(e.seq):\(e.entryHash)" }

    /// The manifest, spooled to a temporary file rather than memory (a manifest can be very large).
    private static func manifest(_ sha256: String, from source: any CaseStore, name: String) throws -> ManifestBlob {
        let spool = try ManifestSpool()
        let sink = ByteSink(fileDescriptor: spool.fileDescriptor, name: "manifest spool")
        let found = try source.readManifest(sha256: sha256) {
            sink.write(bytes: $0)
            try sink.flushIfNeeded()
        }
        guard found else {
            throw EvidenceError(
                .caseFile, "\(name) lacks the manifest \(sha256.prefix(16))… that one of its items names")
        }
        try sink.flush()
        let blob = try ManifestBlob(format: "jsonl", spool: spool)
        guard blob.sha256 == sha256 else {
            throw EvidenceError(
                .caseFile,
                "the manifest \(sha256.prefix(16))… stored in \(name) is altered; run `iproceeds custody verify` on it")
        }
        return blob
    }
}
