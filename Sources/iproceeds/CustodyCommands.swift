import ArgumentParser
import EvidenceImages
import EvidenceKit
import Foundation

struct EvidenceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Fingerprint a seized item into a case file and record its acquisition in the custody ledger.",
        discussion: """
            Fingerprints PATH exactly as `evidence hash` does, stores the full manifest in the case file, and \
            appends a signed `acquired` entry that names the manifest's SHA-256. Nothing is written to the case \
            file unless the whole run completes. Disk images (E01, raw, split raw) are read as by `evidence hash`: \
            every file of every file system inside is a record (partition › path), --deleted adds deleted files, \
            --no-images hashes the image file only; the entry records `images` and `deleted`, and `custody verify \
            --rehash` reads the image again the same way. With --known, --known-bad or --skip-known (as for `evidence \
            hash`), the entry's `hash_sets` parameter names each set with its role, format and SHA-256.

            Example:
              iproceeds evidence add --case 2026-014.case --item EV-001 --description "USB stick, black, 32 GB" \\
                  --seized-at 2026-01-05T10:30:00Z --seized-by "Insp. Kovač" --location "Office 3, Main St 5" seized/usb.tar

            Exit status: 0 recorded and every item read whole; 1 recorded, but some records carry an "error"; \
            64 usage; 65 not a usable case file; 66 no such case file; 77 you are not registered in the case.
            """)

    @OptionGroup var caseFile: CaseOption

    @Option(help: "The item's exhibit number, unique in the case (e.g. EV-001).")
    var item: String

    @Option(help: "What the item is, as on the seizure record.")
    var description: String

    @Option(help: "When it was seized (ISO 8601).")
    var seizedAt: String?

    @Option(help: "Who seized it.")
    var seizedBy: String?

    @Option(help: "Where it was seized.")
    var location: String?

    @Option(name: [.customShort("c"), .long], help: "Digests: md5, sha1, sha256, sha512, sha3-256, blake2b-512.")
    var algorithms = "sha256"

    @Option(name: [.customShort("j"), .long], help: "Files read at once (1 for spinning disks).")
    var threads: Int = FingerprintOptions.defaultThreads

    @Flag(name: .customLong("no-archives"), help: "Hash archives as plain files only.")
    var noArchives = false

    @Flag(name: .customLong("no-images"), help: "Hash disk images as plain files only; do not read their file systems.")
    var noImages = false

    @Flag(help: "In disk images, also list deleted files and hash what their file system still maps.")
    var deleted = false

    @Flag(
        name: .customLong("no-verify-images"),
        help: "Do not check an E01's stored MD5 and SHA-1 against its media (which reads the media once more).")
    var noVerifyImages = false

    @Option(
        help: ArgumentHelp(
            "Mark records whose digest is in this hash set as known (repeatable; as for `evidence hash`).",
            valueName: "set"))
    var known: [String] = []

    @Option(
        name: .customLong("known-bad"),
        help: ArgumentHelp("Raise an alert on records whose digest is in this hash set (repeatable).", valueName: "set")
    )
    var knownBad: [String] = []

    @Flag(name: .customLong("skip-known"), help: "Leave files found in a --known set out of the manifest.")
    var skipKnown = false

    @Argument(help: ArgumentHelp("The seized files or folders.", valueName: "path"))
    var paths: [String]

    @Flag(name: [.customShort("q"), .long], help: "No progress line.")
    var quiet = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one PATH") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if deleted && noImages { throw ValidationError("--deleted reads disk images: it cannot go with --no-images") }
        if skipKnown && known.isEmpty {
            throw ValidationError("--skip-known leaves out files found in a --known set: give one with --known SET")
        }
        do { _ = try DigestAlgorithm.parseList(algorithms) } catch let e as EvidenceError {
            throw ValidationError(e.message)
        }
    }

    func run() throws {
        let summary = try reporting { () throws -> FingerprintSummary in
            let path = try caseFile.resolved()
            let examiner = try ExaminerStore.fromEnvironment().load()
            let file = CaseFile(store: try openCaseStore(path))
            var options = FingerprintOptions()
            options.algorithms = try DigestAlgorithm.parseList(algorithms)
            options.threads = threads
            options.archives = !noArchives
            let knownFiles =
                known.isEmpty && knownBad.isEmpty
                ? nil
                : try KnownFileSets(
                    known: known, knownBad: knownBad, skipKnown: skipKnown, algorithms: options.algorithms)
            var details: [String: String] = [:]
            details["seized_at"] = seizedAt
            details["seized_by"] = seizedBy
            details["location"] = location
            details["images"] = noImages ? "no" : "yes"
            details["deleted"] = deleted ? "yes" : "no"
            details["verify_images"] = noVerifyImages ? "no" : "yes"
            let progress = FingerprintProgress()
            let line = !quiet && isTerminal(STDERR_FILENO) ? ProgressLine(progress: progress) : nil
            let result = try file.addEvidence(
                itemID: item, description: description, paths: paths, details: details, options: options, by: examiner,
                progress: progress, knownFiles: knownFiles,
                containers: noImages ? nil : DiskImageReader(deleted: deleted, verifyStoredDigests: !noVerifyImages))
            line?.finish()
            print(result.summary.acquisitionText(item: item, entry: result.entry), terminator: "")
            return result.summary
        }
        if summary.errors > 0 { throw ExitCode(1) }
    }
}

struct Custody: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record, verify, list and export the signed, hash-chained chain of custody of a case.",
        subcommands: [CustodyRecord.self, CustodyVerify.self, CustodyLog.self, CustodyExport.self])
}

struct CustodyRecord: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Append a signed custody entry: a transfer, check-out, check-in, seal, examination, return…",
        discussion: """
            Actions: \(CustodyAction.recordable.map(\.rawValue).joined(separator: ", ")).

            Examples:
              iproceeds custody record --case 2026-014.case --item EV-001 --action sealed --note "bag 44812"
              iproceeds custody record --case 2026-014.case --item EV-001 --action transferred --to "Forensic lab"
            """)

    @OptionGroup var caseFile: CaseOption

    @Option(help: "Item(s) the action concerns (repeatable).")
    var item: [String] = []

    @Option(help: "What was done.")
    var action: RecordableAction

    @Option(help: "To whom or where (transfers, returns).")
    var to: String?

    @Option(help: "From whom or where.")
    var from: String?

    @Option(help: "Where it happened or where the item now is.")
    var location: String?

    @Option(help: "Free text.")
    var note: String?

    func validate() throws {
        if action.value != .note && item.isEmpty {
            throw ValidationError("give --item for action \(action.value.rawValue)")
        }
    }

    func run() throws {
        try reporting {
            let examiner = try ExaminerStore.fromEnvironment().load()
            let file = CaseFile(store: try openCaseStore(try caseFile.resolved()))
            var parameters: [String: String] = [:]
            parameters["to"] = to
            parameters["from"] = from
            parameters["location"] = location
            let entry = try file.record(
                action.value, items: item, parameters: parameters, note: note ?? "", by: examiner)
            print("Recorded entry \(entry.seq) (\(entry.action)); ledger head: \(entry.seq):\(entry.entryHash)")
        }
    }
}

struct RecordableAction: ExpressibleByArgument {
    let value: CustodyAction
    init?(argument: String) {
        guard let v = CustodyAction(rawValue: argument.lowercased()), CustodyAction.recordable.contains(v) else {
            return nil
        }
        value = v
    }
    static var allValueStrings: [String] { CustodyAction.recordable.map(\.rawValue) }
}

struct CustodyVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every hash link and signature of the ledger, and optionally the evidence itself.",
        discussion: """
            Checks that entries are numbered without gaps, each names the one before it, each hashes to its \
            entry_hash, each signature verifies, each signer was registered in the case at that point, and every \
            item a signed `acquired` entry names has its manifest stored under the hash that entry signed (the \
            case file's item table is only compared with the ledger, never trusted). --rehash also re-reads the \
            evidence from the paths recorded at acquisition and compares it with those manifests. The case file is \
            opened read-only (immutable on read-only media), so a write-protected copy can be verified where it is. Prints the head (sequence number and hash) to write on a seal form; \
            --expect-head with a head written down earlier also catches a truncated or extended ledger.

            Example:
              iproceeds custody verify --case 2026-014.case --rehash --expect-head 7:4f1c…

            Exit status: 0 intact; 1 not intact (the first bad entry and what is wrong are printed); 65/66 the case \
            file is unusable or missing.
            """)

    @OptionGroup var caseFile: CaseOption

    @Flag(help: "Re-read the evidence and compare it with the stored manifests.")
    var rehash = false

    @Option(help: ArgumentHelp("The head written down earlier: HASH or SEQ:HASH.", valueName: "head"))
    var expectHead: String?

    @Option(help: "Output format: text or json.")
    var format: TextOrJSON = .text

    func run() throws {
        let result = try reporting {
            let file = CaseFile(store: try openCaseStore(try caseFile.resolved(), readOnly: true))
            return try file.verify(expectHead: expectHead, rehash: rehash, containers: DiskImageReader.forAcquisition)
        }
        switch format {
        case .text: print(CustodyReport.text(result, rehash: rehash), terminator: "")
        case .json: print(CustodyReport.json(result, rehash: rehash), terminator: "")
        }
        if !result.intact { throw ExitCode(1) }
    }
}

struct CustodyLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "List the custody entries, all or for one item.")

    @OptionGroup var caseFile: CaseOption

    @Option(help: "Only entries that concern this item.")
    var item: String?

    @Option(help: "Output format: table or json.")
    var format: TableOrJSON = .table

    enum TableOrJSON: String, ExpressibleByArgument, CaseIterable { case table, json }

    func run() throws {
        try reporting {
            let file = CaseFile(store: try openCaseStore(try caseFile.resolved(), readOnly: true))
            var entries = try file.store.entries()
            if let item { entries = entries.filter { $0.items.contains(item) } }
            let sink = ByteSink(fileDescriptor: STDOUT_FILENO, name: "standard output")
            switch format {
            case .json: sink.write(CustodyReport.json(entries))
            case .table: sink.write(CustodyReport.table(entries))
            }
            try sink.flush()
        }
    }
}

struct CustodyExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the chain of custody: CASE/UCO JSON-LD, JSON, or printable HTML forms.",
        discussion: """
            case-uco: a CASE/UCO JSON-LD graph (investigative actions, provenance records, hashes, the tool, the \
            performers) that passes `case_validate`. html: a self-contained, printable chain-of-custody record: \
            the entries about the case as a whole (opened, analysed, shared), then one form per item, with the \
            head hash and a verification statement. json: the ledger entries as stored.

            Example:
              iproceeds custody export --case 2026-014.case --format html --output custody.html
            """)

    @OptionGroup var caseFile: CaseOption

    @Option(help: "case-uco, json or html.")
    var format: ExportFormat

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Where to write it.", valueName: "file"))
    var output: String

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case caseUCO = "case-uco"
        case json, html
    }

    func run() throws {
        try reporting {
            let file = CaseFile(store: try openCaseStore(try caseFile.resolved(), readOnly: true))
            let out = try ReportOutput(path: output)
            switch format {
            case .json: out.sink.write(CustodyReport.json(try file.store.entries()))
            case .caseUCO: out.sink.write(try CASEExport.document(file))
            case .html: out.sink.write(try CustodyForm.html(file))
            }
            try out.commit()
        }
    }
}
