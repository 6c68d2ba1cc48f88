import ArgumentParser
import CaseStorePostgres
import EvidenceKit
import Foundation
import SharingKit

// `share redact` and `share build`: read incident data, apply a sharing policy, and write the redacted records
// (redact) or a signed, TLP-marked package for the police (build). Thin over SharingKit's readers, SharingRun
// and SharingPackage.

/// `--input-format`.
enum InputFormatChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, intelmq, misp, csv, text

    var format: InputFormat? { InputFormat(rawValue: rawValue) }
}

/// What `share redact` and `share build` share: how to read the inputs and which policy, key and vault to use.
struct ShareRedactionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How to read the inputs: auto (by name, then content), intelmq (JSON Lines), misp (event JSON), csv, "
                + "or text (each line a record).", valueName: "format"))
    var inputFormat: InputFormatChoice = .auto

    @Option(
        help: ArgumentHelp(
            "`default` (the shipped CSIRT-to-police policy) or a policy file.", valueName: "default|file"))
    var policy: String

    @Option(
        help: ArgumentHelp(
            "The pseudonym key (`iproceeds share keygen`); needed when the policy pseudonymises.", valueName: "file"))
    var keyFile: String?

    @Option(
        help: ArgumentHelp(
            "Add every pseudonym made, with its value, to this encrypted re-identification vault (kept by the CSIRT, never shared).",
            valueName: "file"))
    var vault: String?

    @Flag(help: "Stop at the first record that cannot be read, writing nothing (default: drop it, report it, exit 1).")
    var strict = false

    func validate() throws {
        if vault != nil, keyFile == nil {
            throw ValidationError("--vault needs --key-file: the vault is encrypted under the pseudonym key")
        }
    }

    /// Loads the policy, the key and the inputs, and redacts every record.
    /// - Parameter keepBlankLines: keep blank lines of text inputs (for writing the text back).
    func run(_ paths: [String], keepBlankLines: Bool) throws -> (run: SharingRun, key: PseudonymKey?) {
        let loaded = try reporting { () throws -> (SharingPolicy, PseudonymKey?) in
            let loaded = try SharingPolicy.named(self.policy)
            return (loaded, try keyFile.map { try PseudonymKey.load(path: $0) })
        }
        let (policy, key) = loaded
        if policy.needsPseudonymKey && key == nil {
            let types = policy.pseudonymisedTypes.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(
                "policy '\(policy.name)' pseudonymises \(types.isEmpty ? "some fields" : types): give --key-file FILE "
                    + "(make one once with `iproceeds share keygen --output FILE` and keep it)")
        }
        return try reporting {
            let inputs = try paths.map { try SharingInput.load(path: $0, format: inputFormat.format) }
            var run = try SharingRun(
                policy: policy, key: key, strict: strict, keepBlankLines: keepBlankLines,
                detect: PersonalDataScanner.detector(for: policy))
            try run.read(inputs)
            return (run, key)
        }
    }

    /// Adds the run's pseudonyms to the vault, if one was given.
    /// - Returns: a line for the summary.
    func saveVault(_ run: SharingRun, key: PseudonymKey?, package: String?) throws -> String? {
        guard let vault, let key else {
            if !run.pseudonymRecords.isEmpty {
                return "No --vault: the \(run.pseudonymRecords.count) pseudonyms made can be mapped back only by "
                    + "someone who holds the key and guesses the value."
            }
            return nil
        }
        let added = try reporting {
            try ReidentificationVault.merge(run.pseudonymRecords, into: vault, key: key, packageDirectory: package)
        }
        return "Vault \(vault): \(run.pseudonymRecords.count) pseudonyms, \(added) new."
    }
}

/// Prints findings and the counts of a run on standard error.
func printRunSummary(_ run: SharingRun, verb: String) {
    var err = ""
    for f in run.findings { err += "iproceeds: warning: \(f)\n" }
    for n in run.treatmentNotes { err += "iproceeds: note: \(n)\n" }
    let log = run.redactionLog
    var byAction: [String: Int] = [:]
    for c in log.counts { byAction[c.action, default: 0] += c.count }
    let actions = byAction.keys.sorted().map { "\($0) \(byAction[$0]!)" }.joined(separator: ", ")
    err +=
        "\(verb): \(log.recordsRead) records read, \(log.recordsDropped) dropped by the policy, "
        + "\(log.recordsMalformed) dropped as unreadable; values: \(actions.isEmpty ? "none found" : actions).\n"
    FileHandle.standardError.write(Data(err.utf8))
}

struct ShareRedact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Apply a sharing policy to incident data and write the redacted text or records.",
        discussion: """
            Reads each FILE as IntelMQ events (JSON Lines), a MISP event, CSV with a header row, or free text \
            (each line a record), applies the policy — field rules to the fields of structured input, type rules \
            to the personal data the detectors find in text and in `scan` fields — and writes the result: text \
            for text input, line for line; otherwise one JSON object per record, as records.jsonl in a sharing \
            package (`{"id":"events.jsonl:3","fields":{…}}`). A count of what was done (never a value) goes to \
            standard error.

            Values are found written plainly, percent-encoded (ana%40example.com), with escapes \
            (ana\\u0040example.com), in MIME encoded words, and inside base64 runs that decode to text; IntelMQ's \
            `raw` is decoded, redacted and encoded again when the policy scans it (the shipped default drops it). \
            A record that cannot be read — a malformed JSON line, a line that is not UTF-8, a CSV row with the \
            wrong number of cells — is dropped and reported, never passed through.

            Examples:
              iproceeds share redact --policy default \\
                  --key-file /secure/csirt-share.key mail.log -o mail.redacted.log
              iproceeds share redact --policy case-014.yaml \\
                  --key-file /secure/csirt-share.key --vault /secure/share.vault \\
                  events.jsonl victim-reports.csv -o redacted.jsonl
              iproceeds share redact --policy default --input-format text notes.md

            Exit status: 0 done; 1 done, but records that could not be read were dropped (listed on standard \
            error); 64 usage error (also: the policy pseudonymises and no --key-file); 65 an invalid policy, key \
            file, vault or input (or, with --strict, a record that cannot be read); 66 an input or key file does \
            not exist; 74 the output or vault cannot be written.
            """)

    @Argument(help: ArgumentHelp("The incident data to redact.", valueName: "file"))
    var files: [String] = []

    @OptionGroup var options: ShareRedactionOptions

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one FILE to redact") }
    }

    func run() throws {
        let (run, key) = try options.run(files, keepBlankLines: true)
        let textOnly = run.formats.isSubset(of: [.text])
        let bytes: [UInt8] =
            textOnly
            ? Array(run.records.map { ($0.fields.first?.1 ?? "") + "\n" }.joined().utf8)
            : SharedRecord.jsonLines(run.records.filter { !($0.fields.count == 1 && $0.fields[0].1.isEmpty) })
        let vaultLine = try options.saveVault(run, key: key, package: nil)
        try reporting {
            let out = try ReportOutput(path: output)
            out.sink.write(bytes: bytes)
            try out.commit()
        }
        printRunSummary(run, verb: "Redacted")
        if let vaultLine { FileHandle.standardError.write(Data((vaultLine + "\n").utf8)) }
        if !run.findings.isEmpty { throw ExitCode(1) }
    }
}

struct ShareBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a signed, TLP-marked sharing package of redacted incident data for the police.",
        discussion: """
            Reads the inputs (IntelMQ JSON Lines, MISP event JSON, CSV, free text/logs), applies the sharing \
            policy (docs/sharing-policy.md) and writes one zip: the redacted records, a STIX 2.1 bundle, a MISP \
            event, the redaction log (counts, never values), a cover sheet, and a manifest of every file's SHA-256 \
            signed with your examiner key ($IPROCEEDS_HOME, `iproceeds examiner init`). docs/sharing-package.md \
            describes every file. The package is written to a new, randomly named .PKG.zip.*.partial file beside it and \
            renamed only when complete; on any error nothing is left at PKG.zip.

            Who, when, to whom and why (LED Art. 25) go into the manifest and the cover sheet: --recipient, \
            --purpose, --legal-basis, --tlp, the signing examiner and --created. With --case, a `shared` custody \
            entry logs the transmission in the case's ledger as well. The same inputs, policy, key, examiner and \
            --created give a byte-identical package.

            Indicators (STIX indicators, MISP to_ids): only what the source marks — an IntelMQ event's source \
            address, URL and host name when its classification says the source is the attacker's (phishing, \
            malware distribution, C2, spam, scanner, …), the C2 destination of an infected-system report, malware \
            hashes, and MISP attributes with to_ids. Values found in free text never are; pseudonyms never are.

            Examples:
              iproceeds share keygen --output /secure/csirt-share.key
              iproceeds share build \\
                  --input events.jsonl misp-event.json reports.csv mail.log \\
                  --policy default --key-file /secure/csirt-share.key \\
                  --vault /secure/share.vault --organisation "National CSIRT" \\
                  --recipient "Cybercrime Unit, Police" --tlp amber \\
                  --purpose "Investigation of phishing campaign 2026-03" \\
                  --legal-basis "Law on Information Security, Art. 12" \\
                  --output phishing-2026-03.zip
              iproceeds share verify phishing-2026-03.zip

            Exit status: 0 written; 1 written, but records that could not be read were dropped (listed on \
            standard error and in redaction-log.json); 64 usage error; 65 an invalid policy, key file, vault or \
            input, no record to share, or (with --strict) a record that cannot be read; 66 an input, key or case \
            file does not exist; 74 the package or vault cannot be written, or PKG.zip exists (use --replace); \
            77 no examiner key, or the examiner is not registered in the case.
            """)

    @Option(parsing: .upToNextOption, help: ArgumentHelp("The incident data to share.", valueName: "file"))
    var input: [String] = []

    @OptionGroup var options: ShareRedactionOptions

    @Option(help: ArgumentHelp("The marking: clear, green, amber, amber+strict or red (TLP 2.0).", valueName: "label"))
    var tlp: String

    @Option(help: ArgumentHelp("Why the data is shared (LED Art. 25).", valueName: "text"))
    var purpose: String

    @Option(help: ArgumentHelp("The legal basis for the transmission.", valueName: "text"))
    var legalBasis: String

    @Option(help: ArgumentHelp("Who receives it: unit and organisation.", valueName: "text"))
    var recipient: String

    @Option(help: ArgumentHelp("The sending organisation (default: $IPROCEEDS_ORGANISATION).", valueName: "text"))
    var organisation: String?

    @Option(help: ArgumentHelp("A one-line title (default: the purpose).", valueName: "text"))
    var title: String?

    @Option(
        help: ArgumentHelp(
            "When the recipient should review whether it still needs the data, YYYY-MM-DD (default: 90 days after creation).",
            valueName: "date"))
    var reviewBy: String?

    @Option(
        help: ArgumentHelp(
            "The creation time every time in the package derives from, ISO 8601 (default: now). Give it to rebuild a package byte for byte.",
            valueName: "time"))
    var created: String?

    @Option(
        help: ArgumentHelp(
            "Categories of data subjects, comma-separated: suspects,victims,witnesses,… (LED Art. 6).",
            valueName: "list"))
    var dataSubjects: String?

    @Option(
        help: ArgumentHelp(
            "Source reliability and information credibility as an Admiralty grade, A1–F6 (LED Art. 7).",
            valueName: "grade"))
    var reliability: String?

    @Option(
        name: .customLong("case"),
        help: ArgumentHelp(
            "Log the transmission as a `shared` custody entry in this case file (default: $IPROCEEDS_CASE if --item is given).",
            valueName: "file"))
    var casePath: String?

    @Option(
        name: .customLong("item"),
        help: ArgumentHelp("The case item(s) the data belongs to (repeatable).", valueName: "id"))
    var items: [String] = []

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The package to write (.zip).", valueName: "file"))
    var output: String

    @Flag(help: "Replace an existing package at --output.")
    var replace = false

    var tlpValue: TLP? { TLP(rawValue: tlp.lowercased()) }

    var createdAt: Date? { created.map { PackageRequest.time(parsing: $0) } ?? Date() }

    var sender: String? {
        if let organisation { return organisation }
        let env = ProcessInfo.processInfo.environment["IPROCEEDS_ORGANISATION"]
        return env?.isEmpty == false ? env : nil
    }

    var subjects: [String] {
        (dataSubjects ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("give the data to share with --input FILE...") }
        guard tlpValue != nil else {
            throw ValidationError("--tlp '\(tlp)': use clear, green, amber, amber+strict or red")
        }
        guard options.keyFile != nil else {
            throw ValidationError(
                "give --key-file FILE: a package records the id of the pseudonym key its pseudonyms were made with "
                    + "(make one once with `iproceeds share keygen --output FILE`)")
        }
        guard sender != nil else {
            throw ValidationError("give --organisation TEXT (the sending organisation), or set IPROCEEDS_ORGANISATION")
        }
        for (name, value) in [("--purpose", purpose), ("--legal-basis", legalBasis), ("--recipient", recipient)]
        where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("\(name) must not be empty")
        }
        if let created, PackageRequest.time(parsing: created) == nil {
            throw ValidationError(
                "--created '\(created)' is not an ISO 8601 time on a day the calendar has (2026-03-01T10:00:00Z)")
        }
        if let reviewBy, !PackageRequest.isDay(reviewBy) {
            throw ValidationError("--review-by '\(reviewBy)' is not a date YYYY-MM-DD that the calendar has")
        }
        if let reliability, !PackageRequest.isReliabilityGrade(reliability) {
            throw ValidationError(
                "--reliability '\(reliability)' is not an Admiralty grade: source A–F and information 1–6, such as B2")
        }
        if !items.isEmpty, casePath == nil, ProcessInfo.processInfo.environment["IPROCEEDS_CASE"]?.isEmpty ?? true {
            throw ValidationError("--item names items of a case: give --case FILE (or set IPROCEEDS_CASE)")
        }
        if let vault = options.vault,
            URL(fileURLWithPath: vault).standardized == URL(fileURLWithPath: output).standardized
        {
            throw ValidationError("--vault and --output are the same file; the vault stays with the CSIRT")
        }
    }

    func run() throws {
        try reporting {
            if !replace, FileManager.default.fileExists(atPath: output) {
                throw CLIError(.outputExists, "\(output) exists; choose another --output or give --replace")
            }
            let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: folder) else {
                throw CLIError(
                    .cannotWrite, "cannot write \(output): its folder \(folder) does not exist or is not writable")
            }
        }
        let signer = try reporting { try ExaminerStore.fromEnvironment().load() }
        let custodyPath = casePath ?? (items.isEmpty ? nil : ProcessInfo.processInfo.environment["IPROCEEDS_CASE"])
        let custody = try reporting { () throws -> PackageCustody? in
            guard let custodyPath else { return nil }
            return PackageCustody(caseFile: CaseFile(store: try openCaseStore(custodyPath)), items: items)
        }

        let (run, key) = try options.run(input, keepBlankLines: false)
        guard let key else { throw ValidationError("give --key-file FILE") }
        guard !run.records.isEmpty else {
            printRunSummary(run, verb: "Nothing to share")
            try reporting { throw CLIError(.unusableInput, "no record could be shared; no package was written") }
            return
        }
        let createdAt = self.createdAt!
        let request = PackageRequest(
            title: title ?? String(purpose.split(separator: "\n").first ?? Substring(purpose)),
            senderOrganisation: sender!, recipient: recipient, purpose: purpose, legalBasis: legalBasis,
            tlp: tlpValue!, reviewBy: reviewBy ?? PackageRequest.day(createdAt.addingTimeInterval(90 * 86_400)),
            createdAt: createdAt, dataSubjectCategories: subjects, reliability: reliability,
            policyHash: run.policy.hash, keyID: key.id,
            pseudonymScheme: run.pseudonymRecords.isEmpty
                ? nil
                : PseudonymScheme(
                    description:
                        "keyed HMAC-SHA-256 of type and value under the sender's pseudonym key, rendered per type "
                        + "(e-mail p-…@pseudonym.invalid, IBAN XX…PSEUDO…, phone +999…, IDs PSEUDO-…); IP addresses by "
                        + "Crypto-PAn, prefix-preserving (reserved scheme: 240.0.0.0/4 and 2001:db8::/32)",
                    keyedHashFunction: "hmac-sha256"),
            records: run.records, redactionLog: run.redactionLog, inputs: run.inputs)
        let vaultLine = try options.saveVault(run, key: key, package: output)
        let written = try reporting {
            try SharingPackage.write(request, to: output, signer: signer, custody: custody, replace: replace)
        }
        printRunSummary(run, verb: "Shared")
        var out = "Wrote \(written.path): \(written.files.count) files, \(written.size) bytes\n"
        out += "Package \(written.packageID), SHA-256 \(written.sha256)\n"
        out +=
            "\(request.tlp.label) to \(request.recipient); review by \(request.reviewBy); \(run.records.count) records\n"
        if let entry = written.custodyEntry {
            out +=
                "Custody: entry \(entry.seq) (shared) in \(CaseStores.display(custodyPath!)); ledger head \(entry.seq):\(entry.entryHash)\n"
        }
        if let vaultLine { out += vaultLine + "\n" }
        print(out, terminator: "")
        if !run.findings.isEmpty { throw ExitCode(1) }
    }
}
