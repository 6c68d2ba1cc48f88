import ArgumentParser
import EvidenceImages
import EvidenceKit
import Foundation

struct EvidenceAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Re-hash evidence and compare it with a manifest: matched, changed, moved, new, missing.",
        discussion: """
            Reads a manifest written by `iproceeds evidence hash` (jsonl or hashdeep format) or by hashdeep, \
            fingerprints PATH again with the manifest's algorithms, and classifies every item. Run it from the \
            directory the manifest was made in, with the same PATH arguments (relative paths are compared as \
            absolute paths against the current directory). Without PATH, the files the manifest lists are \
            re-read (new files cannot then be found).

            An item at a path the manifest lists is compared with that entry first, so identical files and \
            empty files are never reported as "moved" from each other (hashdeep does). Only content at a new \
            path that equals an entry whose path is gone counts as moved.

            A manifest line that cannot be read (in hashdeep's own manifests, a file name with a line break splits \
            its line in two) is reported as "unreadable: MANIFEST line N: reason" and the rest is audited, as \
            hashdeep does; the audit then fails.

            When the manifest lists files inside disk images (records with an `fs` object, from `evidence hash` \
            or `evidence add`), the images are read again and the files inside them audited too (changed, \
            missing, new), deleted files included when the manifest lists some.

            Examples:
              iproceeds evidence audit --manifest seized.jsonl seized/
              iproceeds evidence audit --manifest seized.hashdeep --format json seized/ | jq .counts

            Exit status: 0 everything matched; 1 something changed, moved, appeared or went missing, or a \
            manifest line could not be read; \
            64 usage error; 66 the manifest cannot be read.
            """
    )

    @Option(
        name: [.customShort("k"), .long],
        help: ArgumentHelp("The manifest to compare with (jsonl or hashdeep).", valueName: "file"))
    var manifest: String

    @Argument(
        help: ArgumentHelp(
            "Files or directories to re-hash (default: the files the manifest lists).", valueName: "path"))
    var paths: [String] = []

    @Option(help: "Report format: text or json.")
    var format: AuditFormat = .text

    @Flag(name: [.customShort("v"), .long], help: "In text output, list matched items too.")
    var verbose = false

    @Option(name: [.customShort("j"), .long], help: "Files read at once (default: the number of cores).")
    var threads: Int = FingerprintOptions.defaultThreads

    @Option(help: ArgumentHelp("Skip items whose path or name matches this glob (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: [.customShort("q"), .long], help: "No progress line on standard error.")
    var quiet = false

    enum AuditFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let passed = try reporting { () throws -> Bool in
            let known = try ManifestReader.read(path: manifest)
            guard !known.algorithms.isEmpty else {
                throw CLIError.cannotRead(path: manifest, reason: "it lists no digests of an algorithm iproceeds knows")
            }
            var options = FingerprintOptions()
            options.algorithms = known.algorithms
            options.threads = threads
            options.excludes = exclude
            options.archives = known.records.contains { !$0.member.isEmpty }
            let roots: [RawName]
            if paths.isEmpty {
                var seen = Set<RawName>()
                roots = known.records.filter { $0.member.isEmpty && $0.kind != .directory }.map(\.path).filter {
                    seen.insert($0).inserted
                }
            } else {
                roots = paths.map { RawName($0) }
            }
            var actual: [FingerprintRecord] = []
            let progress = FingerprintProgress()
            let line = !quiet && isTerminal(STDERR_FILENO) ? ProgressLine(progress: progress) : nil
            var fingerprinter = Fingerprinter(options: options)
            // Files inside disk images are read again when the manifest lists some (as archives are), deleted
            // files too when it lists deleted ones.
            if known.records.contains(where: { $0.filesystem != nil }) {
                fingerprinter.containers = DiskImageReader(
                    deleted: known.records.contains { $0.filesystem?.deleted == true })
            }
            _ = try fingerprinter.run(roots, progress: progress) { actual.append($0) }
            line?.finish()
            let auditReport = Auditor.compare(
                expected: known.records, actual: actual, algorithms: known.algorithms,
                workingDirectory: FileManager.default.currentDirectoryPath)
            let out = try ReportOutput(path: output)
            switch format {
            case .text: out.sink.write(auditReport.text(manifest: manifest, problems: known.problems, verbose: verbose))
            case .json: out.sink.write(auditReport.json(manifest: manifest, problems: known.problems))
            }
            try out.commit()
            return auditReport.passed(problems: known.problems)
        }
        if !passed { throw ExitCode(1) }
    }
}
