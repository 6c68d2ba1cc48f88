import EvidenceKit
import Foundation
import IProceedsBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the transmission is logged: a case file, the items the shared data belongs to, and the time of the
/// `shared` entry (the wall clock by default; it is not part of the package).
///
/// Not `Sendable`: it holds a ``CaseFile``, which belongs to one thread.
package struct PackageCustody {
    package var caseFile: CaseFile
    package var items: [String]
    package var now: Date

    package init(caseFile: CaseFile, items: [String] = [], now: Date = Date()) {
        self.caseFile = caseFile
        self.items = items
        self.now = now
    }
}

/// What ``SharingPackage/write(_:to:signer:custody:replace:)`` produced.
package struct WrittenPackage: Sendable {
    package var path: String
    package var packageID: String
    /// SHA-256 of the zip file, hex.
    package var sha256: String
    package var size: Int
    /// SHA-256 of `manifest.json`, hex.
    package var manifestSHA256: String
    /// The members of the zip, in order.
    package var files: [String]
    /// The `shared` custody entry, when a case file was given.
    package var custodyEntry: CustodyEntry?
}

/// Builds and writes sharing packages: a zip of redacted records, a STIX 2.1 bundle, a MISP event, a redaction
/// log and a cover sheet, with a manifest of every file's SHA-256 signed by the sender's examiner key.
/// See `docs/sharing-package.md`.
package enum SharingPackage {
    /// The members of every package, in the order they are stored (byte order of their names).
    package static let memberNames = [
        "SHA256SUMS", "manifest.json", "manifest.sig", "misp/event.json", "records/records.jsonl", "redaction-log.json",
        "stix/bundle.json", "summary.html",
    ]

    /// A package in memory: the zip's bytes and what went into it.
    package struct Built: Sendable {
        package var packageID: String
        package var zip: [UInt8]
        /// Every member by name, in stored order.
        package var members: [(name: String, bytes: [UInt8])]
        package var manifest: [UInt8] { members.first { $0.name == "manifest.json" }!.bytes }
    }

    /// Builds the package in memory.
    /// - Parameter custodyHead: the case's last ledger entry, named in the manifest.
    /// - Throws: ``SharingError`` (code `sharing-package`) when the request is incomplete or inconsistent.
    package static func build(_ request: PackageRequest, signer: Examiner, custodyHead: CustodyEntry? = nil) throws
        -> Built
    {
        let contents = try PackageContents(
            request: request, signer: signer, custodyHead: custodyHead.map { ($0.caseID, $0.seq, $0.entryHash) })
        let bundle = STIXBundle.bundle(contents)
        let event = MISPEventFile.event(contents)
        var stixCount = 0
        if case .object(let top) = bundle, case .array(let objects)? = top.first(where: { $0.0 == "objects" })?.1 {
            stixCount = objects.count
        }
        let mispAttributes = contents.observables.filter { $0.pseudonymised || $0.kind != .ethereumAddress }.count
        let data: [(name: String, bytes: [UInt8])] = [
            ("misp/event.json", Array(event.pretty(sortedKeys: true).utf8)),
            ("records/records.jsonl", contents.recordsJSONL),
            ("redaction-log.json", Array(PackageManifest.redactionLog(contents).pretty(sortedKeys: true).utf8)),
            ("stix/bundle.json", Array(bundle.pretty(sortedKeys: true).utf8)),
        ]
        let summary = SummaryHTML.document(
            contents, contentFiles: data, stixObjects: stixCount, mispAttributes: mispAttributes)
        let content = data + [("summary.html", Array(summary.utf8))]
        let sums = PackageManifest.sha256sums(content)
        let listed = ([("SHA256SUMS", sums)] + content).sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let manifest = Array(PackageManifest.manifest(contents, files: listed).canonical.utf8)
        let signature = Array((Data(signer.key.sign(manifest)).base64EncodedString() + "\n").utf8)
        let members = (listed + [("manifest.json", manifest), ("manifest.sig", signature)])
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let zip: [UInt8]
        do {
            zip = try StoredZip.archive(members, modified: contents.created / 1000)
        } catch {
            throw SharingError(
                .sharingPackage, "a sharing package is a zip without zip64, and this one would not fit: \(error)")
        }
        return Built(packageID: contents.packageID, zip: zip, members: members)
    }

    /// Builds the package and writes it to `path`: first to `path.partial`, flushed to disk, then renamed, so a
    /// file at `path` is always a complete package. With `custody`, the case's ledger head goes into the manifest
    /// and a `shared` entry logs the transmission (who, when, to whom, why; the package's hash) before the rename;
    /// if that entry cannot be written, no package is left behind.
    /// - Parameters:
    ///   - replace: overwrite an existing file at `path` (otherwise that is an error).
    /// - Throws: ``SharingError`` when the request is incomplete, the examiner or an item is unknown to the
    ///   case, or the file cannot be written.
    @discardableResult
    package static func write(
        _ request: PackageRequest, to path: String, signer: Examiner, custody: PackageCustody? = nil,
        replace: Bool = false
    ) throws -> WrittenPackage {
        if !replace, FileManager.default.fileExists(atPath: path) {
            throw SharingError(
                .invalidArgument, "\(path) exists; choose another output or remove it first", path: path)
        }
        var head: CustodyEntry?
        var caseID = ""
        if let custody {
            let store = custody.caseFile.store
            caseID = try custody.caseFile.info().caseID
            guard try store.examiners().contains(where: { $0.publicKey == signer.publicKeyHex }) else {
                throw SharingError(
                    .examiner,
                    "examiner \(signer.id) (key \(Ed25519.fingerprint(signer.key.publicKey))) is not registered in case \(caseID); "
                        + "a registered examiner can add you with `iproceeds case add-examiner`")
            }
            let known = Set(try store.items().map(\.itemID))
            if let unknown = custody.items.first(where: { !known.contains($0) }) {
                throw SharingError(.invalidArgument, "unknown item \(unknown) in case \(caseID)")
            }
            head = try store.entries().last
        }
        let built = try build(request, signer: signer, custodyHead: head)
        // A fresh, randomly named file beside PATH (O_EXCL|O_NOFOLLOW), renamed into place only once the custody
        // entry is written: a planted .partial link cannot redirect it, and two builds cannot mix.
        let output = try SharingError.writing { try OutputFile(path: path, existing: replace ? .replace : .refuse) }
        try SharingError.writing { try output.write(built.zip) }
        var entry: CustodyEntry?
        let sha = digestHex(.sha256, of: built.zip)
        let manifestSHA = digestHex(.sha256, of: built.manifest)
        do {
            if let custody {
                var parameters: [String: String] = [
                    "command": "share build", "package_id": built.packageID, "recipient": request.recipient,
                    "purpose": request.purpose,
                    "legal_basis": request.legalBasis, "tlp": request.tlp.label, "review_by": request.reviewBy,
                    "sender_organisation": request.senderOrganisation, "records": String(request.records.count),
                    "policy_sha256": request.policyHash, "pseudonym_key_id": request.keyID,
                    "created": PackageTime.iso(milliseconds: PackageTime.milliseconds(request.createdAt)),
                ]
                if !request.dataSubjectCategories.isEmpty {
                    parameters["data_subject_categories"] = request.dataSubjectCategories.joined(separator: ", ")
                }
                if let grade = request.reliability { parameters["reliability"] = grade }
                let inputs =
                    request.inputs.map { HashReference(name: $0.name, sha256: $0.sha256) }
                    + [HashReference(name: "redaction policy", sha256: request.policyHash)]
                let outputs = [
                    HashReference(name: (path as NSString).lastPathComponent, sha256: sha),
                    HashReference(name: "manifest.json", sha256: manifestSHA),
                ]
                entry = try custody.caseFile.record(
                    .shared, items: custody.items, inputs: inputs, outputs: outputs, parameters: parameters,
                    note: "Sharing package \(built.packageID) to \(request.recipient) under \(request.tlp.label)",
                    by: signer,
                    now: custody.now)
            }
            do { try output.commit() } catch let e as OutputFileError {
                throw SharingError(
                    .io,
                    e.message
                        + (entry.map { "; custody entry \($0.seq) records a package that is not in place" } ?? ""),
                    path: path, function: e.function, systemCode: e.systemCode)
            }
        } catch {
            output.discard()
            throw error
        }
        return WrittenPackage(
            path: path, packageID: built.packageID, sha256: sha, size: built.zip.count, manifestSHA256: manifestSHA,
            files: built.members.map(\.name), custodyEntry: entry)
    }
}
