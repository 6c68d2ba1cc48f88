import ArgumentParser
import EvidenceKit
import Foundation
import SharingKit

struct Share: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Share incident data with the police: find personal data, redact it by policy, package, verify.",
        discussion: """
            A national CSIRT may pass incident data (logs, IntelMQ events, MISP events, CSV exports) to the \
            police only with the personal data it is not allowed to share taken out. The workflow:

              iproceeds share keygen --output /secure/csirt-share.key     # once: the pseudonym key
              iproceeds share policy --policy default                      # read the shipped policy (or write your own)
              iproceeds share scan mail.log                                # what personal data is there, and where
              iproceeds share redact --policy default --key-file /secure/csirt-share.key mail.log
              iproceeds share build --input ... --policy default --key-file ... --tlp amber ... --output PKG.zip
              iproceeds share verify PKG.zip --public-key sender.pem       # the recipient's check
              iproceeds share reidentify --key-file ... --vault ... PSEUDONYM   # answer a lawful request

            docs/sharing-guide-csirt.md and docs/sharing-guide-investigator.md walk through it.
            """,
        subcommands: [
            ShareScan.self, SharePolicyCheck.self, ShareKeygen.self, ShareRedact.self, ShareBuild.self,
            ShareVerify.self,
            ShareReidentify.self,
        ]
    )
}

struct ShareScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "List the personal data in files: one JSON object per hit, with exact byte offsets.",
        discussion: """
            Reads each FILE (or standard input for `-` or no FILE) as bytes, in 4 MiB chunks, so a file of any \
            size is scanned whole in constant memory; invalid UTF-8 is read past, never a reason to stop. Each \
            hit is a line such as

              {"type":"email","start":123,"end":145}

            where start and end are offsets of UTF-8 bytes from the start of the file (start inclusive, end \
            exclusive), "file" is added when more than one FILE is given and "value" with --show-values. Hits \
            are in order of start and never overlap.

            Types: email, ipv4, ipv6, url, iban, card, phone, btc_address, eth_address, jmbg (Serbia, Bosnia \
            and Herzegovina, Montenegro, North Macedonia), tr_id (T.C. Kimlik No), al_nid (Albanian NID), \
            person (names from --names-file, and labelled fields: name=, "full_name":, From: display names, \
            IntelMQ source.account). Every value is validated: checksums (IBAN mod-97, Luhn, Base58Check, \
            Bech32, EIP-55, JMBG, T.C. Kimlik, NID), lengths and dates. When values overlap, the outer one \
            wins (a URL holding an e-mail address is one URL; a phone-like run inside an IPv4 address, IBAN \
            or card number is not a phone number); docs/sharing-detectors.md gives every rule.

            Examples:
              iproceeds share scan events.jsonl
              iproceeds share scan --types email,phone --show-values maillog.txt
              zcat big.log.gz | iproceeds share scan --names-file suspects.txt - -o hits.jsonl

            Exit status: 0 the files were scanned (with or without hits); 64 usage error; 66 an input cannot \
            be read; 74 the output cannot be written.
            """
    )

    @Argument(help: ArgumentHelp("Files to scan; - or none for standard input.", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Add each hit's text as \"value\" (the output then holds the personal data itself).")
    var showValues = false

    @Option(help: ArgumentHelp("Report only these types, comma-separated (default: all).", valueName: "types"))
    var types: String?

    @Option(
        help: ArgumentHelp(
            "A file of person names to find, one per line (UTF-8; # starts a comment).", valueName: "file"))
    var namesFile: String?

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the hits here instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: [.customShort("q"), .long], help: "No progress line on standard error.")
    var quiet = false

    func validate() throws {
        _ = try selectedTypes()
    }

    func selectedTypes() throws -> Set<PersonalDataType> {
        guard let types else { return Set(PersonalDataType.allCases) }
        var set = Set<PersonalDataType>()
        for raw in types.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard let t = PersonalDataType(rawValue: name) else {
                throw ValidationError(
                    "unknown type '\(raw)'; choose from \(PersonalDataType.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            set.insert(t)
        }
        guard !set.isEmpty else { throw ValidationError("--types lists no type") }
        return set
    }

    func run() throws {
        try reporting {
            var names: [String] = []
            if let namesFile {
                guard let data = FileManager.default.contents(atPath: namesFile) else {
                    throw CLIError.cannotRead(path: namesFile, reason: String(cString: strerror(errno)))
                }
                names = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            }
            let scanner = PersonalDataScanner(types: try selectedTypes(), names: names)
            let inputs = files.isEmpty ? ["-"] : files
            // Open every input first, so an unreadable one stops the run before any output is written.
            var descriptors: [Int32] = []
            defer { for fd in descriptors where fd != STDIN_FILENO { close(fd) } }
            for path in inputs {
                if path == "-" {
                    descriptors.append(STDIN_FILENO)
                    continue
                }
                var st = stat()
                if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
                    throw CLIError.cannotRead(path: path, reason: "it is a directory")
                }
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw CLIError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
                descriptors.append(fd)
            }
            let out = try ReportOutput(path: output)
            let progress = FingerprintProgress()
            let progressLine = !quiet && isTerminal(STDERR_FILENO) ? ProgressLine(progress: progress) : nil
            defer { progressLine?.finish() }
            var done: UInt64 = 0
            var lines = HitLineWriter()
            for (path, fd) in zip(inputs, descriptors) {
                var st = stat()
                if fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
                    progress.bytesFound.add(UInt64(st.st_size), ordering: .relaxed)
                }
                progress.filesFound.add(1, ordering: .relaxed)
                let fileField = HitLineWriter.fileField(path, severalFiles: inputs.count > 1)
                let valueReader = showValues ? try HitValueReader(path: path, fd: fd) : nil
                do {
                    try scanner.scan(
                        fileDescriptor: valueReader?.scanDescriptor ?? fd, name: path,
                        progress: { progress.bytesDone.store(done + UInt64($0), ordering: .relaxed) }
                    ) { hit in
                        out.sink.write(bytes: lines.line(hit, fileField: fileField, value: valueReader?.text(hit)))
                        try out.sink.flushIfNeeded()
                    }
                } catch let e as SharingError where e.code == .inputUnreadable {
                    throw CLIError.cannotRead(path: path, reason: e.message)
                }
                var st2 = stat()
                if fstat(fd, &st2) == 0, st2.st_mode & S_IFMT == S_IFREG { done += UInt64(st2.st_size) }
                progress.filesDone.add(1, ordering: .relaxed)
            }
            progress.walkFinished.store(true, ordering: .relaxed)
            try out.commit()
        }
    }
}
