import ArgumentParser
import EvidenceKit
import IProceedsBase

@main
struct IProceeds: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iproceeds",
        abstract: "Fingerprint evidence, keep its chain of custody, trace proceeds, and share incident data lawfully.",
        discussion: """
            New here? `iproceeds demo` runs a whole sample case, narrated; `iproceeds samples list` shows the \
            training cases. Start with `iproceeds evidence hash --help`. Exit status: 0 success; 1 the run completed but found \
            problems (unreadable items, audit mismatches); 64 usage error; 65 an input cannot be used; 66 an input \
            cannot be read; 70 an internal fault (a bug to report); 74 an output cannot be written; 77 your examiner \
            key is missing or not registered. docs/exit-codes.md lists them with the error codes behind each.
            """,
        version: ToolIdentity.version,
        subcommands: [
            ExaminerCommand.self, CaseCommand.self, Evidence.self, Custody.self, Trace.self, Share.self, Samples.self,
            Demo.self,
        ]
    )
}

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fingerprint seized files, trees and archive members, audit them, and add them to a case.",
        subcommands: [
            EvidenceHash.self, EvidenceAudit.self, EvidenceAdd.self, EvidenceImage.self, EvidenceVerifyImage.self,
        ]
    )
}
