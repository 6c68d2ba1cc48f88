import ArgumentParser
import EvidenceKit
import Foundation
import SharingKit
import IProceedsBase

/// `iproceeds share verify PKG.zip`: the receiving side's check of a sharing package.
struct ShareVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a sharing package: its signature, every file's SHA-256, nothing missing or added.",
        discussion: """
            Give the sender's key with --public-key (64 hex digits, a PEM public key, or an examiner.json): then a \
            valid signature shows who signed. Without it the key named inside the package is used, which shows only \
            that nothing changed since someone holding that key signed it; compare its fingerprint with one the \
            sender gave you by another channel. The zip itself is checked too: every local header must agree with \
            the central directory and no bytes may hide between members, so that every zip reader sees the same \
            files; members are streamed, within limits, never held in memory. What the package says is printed with \
            control characters escaped (\\x1b). Exit status: 0 intact; 1 not intact (each bad file and why is \
            printed); 65 not a readable sharing package, or no key in the key file; 66 the package or key file does not exist.
            """)

    @Argument(help: ArgumentHelp("The package (.zip).", valueName: "package"))
    var package: String

    @Option(help: ArgumentHelp("The sender's Ed25519 public key.", valueName: "file"))
    var publicKey: String?

    @Option(help: "Output format: text or json.")
    var format: TextOrJSON = .text

    func run() throws {
        let v = try reporting { () throws -> PackageVerification in
            for path in [package] + (publicKey.map { [$0] } ?? []) where !FileManager.default.fileExists(atPath: path) {
                throw CLIError(.cannotRead, "\(path) does not exist")
            }
            var key: [UInt8]?
            if let publicKey {
                guard let text = try? String(contentsOfFile: publicKey, encoding: .utf8),
                    let parsed = PackageVerifier.publicKey(from: text)
                else {
                    throw CLIError(
                        .unusableInput,
                        "\(publicKey) holds no Ed25519 public key (64 hex digits, PEM, or examiner.json)")
                }
                key = parsed
            }
            return try PackageVerifier.verify(path: package, publicKey: key)
        }
        switch format {
        case .text: print(v.text, terminator: "")
        case .json: print(v.json, terminator: "")
        }
        if v.unreadable != nil { throw ExitCode(ExitStatus.unusableInput.rawValue) }
        if !v.intact { throw ExitCode(1) }
    }
}
