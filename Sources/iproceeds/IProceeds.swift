import ArgumentParser
import EvidenceKit

@main
struct IProceeds: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iproceeds",
        abstract: "Fingerprint evidence, keep its chain of custody, trace proceeds, and share incident data lawfully.",
        discussion: """
            Start with `iproceeds evidence hash --help`. Exit status: 0 success; 1 the run completed but found \
            problems (unreadable items, audit mismatches); 64 usage error; 66 an input cannot be read; \
            74 an output cannot be written.
            """,
        version: EvidenceKitInfo.version,
        subcommands: [Evidence.self]
    )
}

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fingerprint seized files, trees and archive members, and audit them later.",
        subcommands: [EvidenceHash.self, EvidenceAudit.self]
    )
}
