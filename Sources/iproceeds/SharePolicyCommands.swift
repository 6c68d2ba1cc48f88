import ArgumentParser
import EvidenceKit
import Foundation
import SharingKit

// `share keygen`, `share reidentify` and `share policy`: thin wrappers over SharingKit's PseudonymKey,
// ReidentificationVault and SharingPolicy, registered in the `share` group (ShareCommands.swift).

struct ShareKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make the CSIRT's pseudonym key: 32 random bytes in a new file only you can read.",
        discussion: """
            The same key gives the same value the same pseudonym in every record and every package, so make it \
            once and keep it: a new key gives every value new pseudonyms and cannot open the old vault. Packages \
            and logs record the key's id (printed here), never the key. The file is created with mode 0600 and an \
            existing file is never replaced.

            Example:
              iproceeds share keygen --output /secure/csirt-share.key

            Exit status: 0 written; 74 the file exists or cannot be written.
            """)

    @Option(help: ArgumentHelp("The new key file.", valueName: "file"))
    var output: String

    func run() throws {
        let key = try reporting { () throws -> PseudonymKey in
            let key = try PseudonymKey.generate()
            try key.write(to: output)
            return key
        }
        print(key.id)
        FileHandle.standardError.write(
            Data(
                "Wrote pseudonym key \(key.id) to \(output) (mode 0600). Back it up where only the CSIRT can reach it.\n"
                    .utf8))
    }
}

struct ShareReidentify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reidentify",
        abstract: "Look pseudonyms up in the CSIRT's re-identification vault, to answer a lawful request.",
        discussion: """
            Prints one line per value a pseudonym stands for: the pseudonym, its type and the original value, \
            separated by tabs; or the pseudonym and "not in vault". Letter case does not matter.

            Example:
              iproceeds share reidentify --key-file /secure/csirt-share.key --vault /secure/share.vault \\
                  p-ydpp5ufegl5vjmak@pseudonym.invalid 240.17.3.9

            Exit status: 0 every pseudonym found; 1 some not in the vault; 65 the vault was made with another key \
            or has been altered; 66 no such key file or vault.
            """)

    @Option(help: ArgumentHelp("The pseudonym key the vault was made with.", valueName: "file"))
    var keyFile: String

    @Option(help: ArgumentHelp("The re-identification vault.", valueName: "file"))
    var vault: String

    @Argument(help: ArgumentHelp("Pseudonyms as they appear in shared data.", valueName: "pseudonym"))
    var pseudonyms: [String]

    func validate() throws {
        guard !pseudonyms.isEmpty else { throw ValidationError("give at least one PSEUDONYM") }
    }

    func run() throws {
        let table = try reporting { () throws -> ReidentificationVault in
            let key = try PseudonymKey.load(path: keyFile)
            return try ReidentificationVault.openExisting(path: vault, key: key)
        }
        var missing = 0
        for pseudonym in pseudonyms {
            let found = table.lookup(pseudonym)
            if found.isEmpty {
                print("\(pseudonym)\tnot in vault")
                missing += 1
            }
            for record in found { print("\(record.pseudonym)\t\(record.type.rawValue)\t\(record.value)") }
        }
        if missing > 0 { throw ExitCode(1) }
    }
}

struct SharePolicyCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate a sharing policy and show it in normal form with its hash.",
        discussion: """
            Prints the policy as JSON with every default written out, then (on standard error) its name and hash: \
            SHA-256 of its canonical JSON, which logs and packages record, and which is the same for a JSON and a \
            YAML file that say the same thing. `--policy default` is the shipped CSIRT-to-police policy \
            (Samples/policies/default.yaml); docs/sharing-policy.md describes the format.

            Example:
              iproceeds share policy --policy my-case.yaml

            Exit status: 0 valid; 65 invalid (every problem is listed); 66 no such file.
            """)

    @Option(help: ArgumentHelp("`default` or a policy file (JSON or YAML).", valueName: "default|file"))
    var policy = "default"

    @Flag(help: "Print only the hash.")
    var hash = false

    func run() throws {
        let loaded = try reporting { try SharingPolicy.named(policy) }
        if hash {
            print(loaded.hash)
            return
        }
        print(loaded.prettyJSON)
        FileHandle.standardError.write(Data("policy '\(loaded.name)' is valid; sha256 \(loaded.hash)\n".utf8))
    }
}
