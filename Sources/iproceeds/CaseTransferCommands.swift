import ArgumentParser
import CaseStorePostgres
import EvidenceKit
import Foundation

/// `case push` and `case pull`: one copy, each entry exactly as signed.
struct CaseTransferCommand {
    static func run(from source: String, to destination: String, verb: String) throws {
        try reporting {
            let outcome = try CaseTransfer.copy(source, to: destination, notice: printNotice)
            let to = CaseStores.display(destination)
            if outcome.copied == 0 {
                print("Nothing to \(verb): \(to) already has every entry; head: \(outcome.head)")
            } else {
                print("Copied \(outcome.copied) entries to \(to); head: \(outcome.head)")
            }
        }
    }
}

struct CasePush: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Copy a case file's case onto the unit's server (entries exactly as signed, manifests, examiners).",
        discussion: """
            Creates the case on the server when it is not there; otherwise appends the entries the server lacks. \
            Nothing is re-signed, so the head and every signature are the same on both sides. A server copy that \
            has moved on (entries the file does not have) is refused, naming both heads: pull it into a new file \
            and reconcile by hand.

            Example:
              iproceeds case push 2026-014.case 'postgresql://ana@custody.unit.local/custody?case=CASE-2026-014'

            Exit status: 0 copied (or nothing to copy); 65 the server's copy has moved on, or a case is unusable; \
            69 the server cannot be reached; 77 the server refused the login.
            """)

    @Argument(help: ArgumentHelp("The case file.", valueName: "casefile"))
    var caseFile: String

    @Argument(help: ArgumentHelp("postgresql://USER@HOST[:PORT]/DB[?case=ID]", valueName: "url"))
    var url: String

    func run() throws { try CaseTransferCommand.run(from: caseFile, to: url, verb: "push") }
}

struct CasePull: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Copy a case from the unit's server into a case file (a new one, or one it extends).",
        discussion: """
            Writes a new case file whole or not at all, or appends to an existing copy the entries it lacks. \
            Nothing is re-signed: `custody verify --expect-head` gives the same head on both.

            Example:
              iproceeds case pull 'postgresql://ana@custody.unit.local/custody?case=CASE-2026-014' field.case

            Exit status: 0 copied (or nothing to copy); 65 the file has moved on, or a case is unusable; 69 the \
            server cannot be reached; 77 the server refused the login.
            """)

    @Argument(help: ArgumentHelp("postgresql://USER@HOST[:PORT]/DB?case=ID", valueName: "url"))
    var url: String

    @Argument(help: ArgumentHelp("The case file to write or extend.", valueName: "casefile"))
    var caseFile: String

    func run() throws { try CaseTransferCommand.run(from: url, to: caseFile, verb: "pull") }
}
