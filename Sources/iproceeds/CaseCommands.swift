import ArgumentParser
import CaseStorePostgres
import EvidenceKit
import Foundation
import IProceedsBase

struct ExaminerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "examiner",
        abstract: "Create and show the examiner identity (Ed25519 key) that signs custody entries.",
        subcommands: [ExaminerInit.self, ExaminerShow.self, ExaminerProtect.self, ExaminerRevoke.self])
}

struct ExaminerInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create your examiner key pair under $IPROCEEDS_HOME (default ~/.config/iproceeds).",
        discussion: """
            The private key is written to examiner.key with mode 0600 and is never printed. Give the public key \
            (`iproceeds examiner show`) to whoever must register you in a case.

            Example:
              iproceeds examiner init --name "Ana Petrović" --id EX-017
            """)

    @Option(help: "Your name as it should appear on custody forms.")
    var name: String

    @Option(help: "Your examiner or badge number.")
    var id: String

    @Flag(help: "Replace an existing identity (its key is lost; cases it signed stay verifiable).")
    var force = false

    func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, !id.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw ValidationError("--name and --id must not be empty")
        }
    }

    func run() throws {
        try reporting {
            let store = ExaminerStore.fromEnvironment()
            let examiner = try store.create(id: id, name: name, replace: force)
            print("Created examiner \(examiner.id) (\(examiner.name))")
            print("Public key:  \(examiner.publicKeyHex)")
            print("Fingerprint: \(Ed25519.fingerprint(examiner.key.publicKey))")
            print("Private key: \(store.directory)/examiner.key (mode 0600; keep it safe, never share it)")
        }
    }
}

struct ExaminerShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print your examiner id, name and public-key fingerprint.")

    @Option(help: "Output format: text or json.")
    var format: TextOrJSON = .text

    func run() throws {
        try reporting {
            let examiner = try ExaminerStore.fromEnvironment().load()
            let fingerprint = Ed25519.fingerprint(examiner.key.publicKey)
            switch format {
            case .text:
                print("Examiner:    \(examiner.id) (\(examiner.name))")
                print("Public key:  \(examiner.publicKeyHex)")
                print("Fingerprint: \(fingerprint)")
            case .json:
                let shown = JSONValue.object([
                    ("id", .string(examiner.id)), ("name", .string(examiner.name)),
                    ("public_key", .string(examiner.publicKeyHex)), ("public_key_fingerprint", .string(fingerprint)),
                ])
                print(shown.compact)
            }
        }
    }
}

enum TextOrJSON: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--case`, defaulting from `IPROCEEDS_CASE`.
struct CaseOption: ParsableArguments {
    @Option(
        name: .customLong("case"),
        help: ArgumentHelp(
            "The case file, or a case on the unit's server: postgresql://USER@HOST[:PORT]/DB?case=ID (default: $IPROCEEDS_CASE).",
            valueName: "case"))
    var path: String?

    func resolved() throws -> String {
        if let path { return path }
        if let env = ProcessInfo.processInfo.environment["IPROCEEDS_CASE"], !env.isEmpty { return env }
        throw ValidationError("give --case FILE or --case postgresql://USER@HOST/DB?case=ID (or set IPROCEEDS_CASE)")
    }
}

struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Create a case (a file or on the unit's server), register examiners, move it between the two.",
        subcommands: [CaseInit.self, CaseAddExaminer.self, CasePush.self, CasePull.self])
}

struct CaseInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a case file (one SQLite database) whose custody ledger you open and sign.",
        discussion: """
            The case file is built in a new, randomly named file beside it and moved into place only when complete \
            (never over an existing file), so an interrupted run leaves nothing at --case and can simply be run again.

            Example:
              iproceeds case init --case 2026-014.case --id CASE-2026-014 --title "BEC fraud, supplier invoice"

            Exit status: 0 created; 64 the file exists (or usage); 74 it cannot be written; 77 no examiner key, or \
            one others can read or change.
            """)

    @OptionGroup var caseFile: CaseOption

    @Option(help: "The case identifier, as your unit writes it.")
    var id: String

    @Option(help: "A short title.")
    var title: String

    func run() throws {
        try reporting {
            let path = try caseFile.resolved()
            let examiner = try ExaminerStore.fromEnvironment().load()
            // Whole or nothing: a file built aside and moved into place, or one transaction on the server.
            let store = try CaseStores.create(path, caseID: id, notice: printNotice) {
                _ = try CaseFile.create(store: $0, caseID: id, title: title, examiner: examiner)
            }
            let head = try store.entries().last!
            print("Created case \(id) in \(CaseStores.display(path))")
            print("Opened by \(examiner.id) (\(examiner.name)); ledger head: 1:\(head.entryHash)")
        }
    }
}

struct CaseAddExaminer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-examiner",
        abstract: "Register another examiner's public key in the case (signed by you).",
        discussion: """
            Compare the fingerprint printed here with the one your colleague's `iproceeds examiner show` prints \
            (read it out by phone or in person) before anyone relies on the entries that key signs.

            Example (the colleague runs `iproceeds examiner show` and sends you the public key):
              iproceeds case add-examiner --case 2026-014.case --id EX-022 --name "Murat Yılmaz" --public-key 3b6a…
            """)

    @OptionGroup var caseFile: CaseOption

    @Option(help: "The examiner's id.")
    var id: String

    @Option(help: "The examiner's name.")
    var name: String

    @Option(help: "The examiner's Ed25519 public key, 64 hex digits.")
    var publicKey: String

    func run() throws {
        try reporting {
            let examiner = try ExaminerStore.fromEnvironment().load()
            let file = CaseFile(store: try openCaseStore(try caseFile.resolved()))
            let entry = try file.register(id: id, name: name, publicKeyHex: publicKey, by: examiner)
            print(
                "Registered \(id) (\(name)), key \(Ed25519.fingerprint(hex: publicKey)), as entry \(entry.seq); "
                    + "ledger head: \(entry.seq):\(entry.entryHash)")
        }
    }
}
