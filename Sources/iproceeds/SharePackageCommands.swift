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
                        .unusableInput, "\(publicKey) holds no Ed25519 public key (64 hex digits, PEM, or examiner.json)")
                }
                key = parsed
            }
            return try PackageVerifier.verify(path: package, publicKey: key)
        }
        switch format {
        case .text: print(Self.text(v), terminator: "")
        case .json: print(Self.json(v))
        }
        if v.unreadable != nil { throw ExitCode(ExitStatus.unusableInput.rawValue) }
        if !v.intact { throw ExitCode(1) }
    }

    /// The report for a terminal. Everything the package says (its id, sender, recipient, marking, member names,
    /// the hashes its manifest states) is printed through `TerminalText.escaped`: a control character in it must
    /// not rewrite what the screen shows.
    static func text(_ v: PackageVerification) -> String {
        let e = TerminalText.escaped
        if let why = v.unreadable { return "NOT A READABLE PACKAGE: \(e(why))\n" }
        var out = ""
        if let id = v.packageID { out += "Package \(e(id))\n" }
        if let sender = v.sender { out += "From: \(e(sender))\n" }
        if let recipient = v.recipient { out += "To: \(e(recipient))\n" }
        if let tlp = v.tlp { out += "Marking: \(e(tlp))\n" }
        if let created = v.created { out += "Created: \(e(created))\n" }
        let key = v.publicKey.flatMap(Hex.decode).map(Ed25519.fingerprint) ?? "none"
        switch v.keySource {
        case .given: out += "Key: \(key) (given with --public-key)\n"
        case .manifest:
            out +=
                "Key: \(key) (read from the package itself: proves integrity only, not who signed; "
                + "compare the fingerprint with the sender's, or pass --public-key)\n"
        }
        out += "Signature: \(v.signatureValid ? "valid" : "NOT valid")\n"
        out += "Files verified: \(v.verifiedFiles.count)\n"
        if v.intact {
            out += "Intact: the signature holds, every file matches the manifest, none missing, none added.\n"
        } else {
            out += "NOT INTACT:\n"
            for p in v.problems { out += "  \(e(p.file ?? "(archive)")): \(e(p.reason))\n" }
        }
        return out
    }

    static func json(_ v: PackageVerification) -> String {
        var o: [String: Any] = [
            "intact": v.intact, "signature_valid": v.signatureValid, "key_source": v.keySource.rawValue,
            "verified_files": v.verifiedFiles,
            "problems": v.problems.map { ["file": $0.file ?? NSNull(), "reason": $0.reason] as [String: Any] },
        ]
        if let why = v.unreadable { o["unreadable"] = why }
        if let x = v.packageID { o["package_id"] = x }
        if let x = v.publicKey { o["public_key"] = x }
        if let x = v.sender { o["sender"] = x }
        if let x = v.recipient { o["recipient"] = x }
        if let x = v.tlp { o["tlp"] = x }
        if let x = v.created { o["created"] = x }
        return jsonObject(o)
    }
}
