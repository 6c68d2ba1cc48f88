import EvidenceKit
import IProceedsBase

/// What `share verify` prints: a report for a terminal, or one JSON object for scripts.
extension PackageVerification {
    /// The report for a terminal. Everything the package says (its id, sender, recipient, marking, member names,
    /// the hashes its manifest states) is printed through `TerminalText.escaped`: a control character in it must
    /// not rewrite what the screen shows.
    package var text: String {
        let e = TerminalText.escaped
        if let why = unreadable { return "NOT A READABLE PACKAGE: \(e(why))\n" }
        var out = ""
        if let id = packageID { out += "Package \(e(id))\n" }
        if let sender = sender { out += "From: \(e(sender))\n" }
        if let recipient = recipient { out += "To: \(e(recipient))\n" }
        if let tlp = tlp { out += "Marking: \(e(tlp))\n" }
        if let created = created { out += "Created: \(e(created))\n" }
        let key = publicKey.flatMap(Hex.decode).map(Ed25519.fingerprint) ?? "none"
        switch keySource {
        case .given: out += "Key: \(key) (given with --public-key)\n"
        case .manifest:
            out +=
                "Key: \(key) (read from the package itself: proves integrity only, not who signed; "
                + "compare the fingerprint with the sender's, or pass --public-key)\n"
        }
        out += "Signature: \(signatureValid ? "valid" : "NOT valid")\n"
        out += "Files verified: \(verifiedFiles.count)\n"
        if intact {
            out += "Intact: the signature holds, every file matches the manifest, none missing, none added.\n"
        } else {
            out += "NOT INTACT:\n"
            for p in problems { out += "  \(e(p.file ?? "(archive)")): \(e(p.reason))\n" }
        }
        return out
    }

    /// The report for scripts: one JSON object, keys sorted, and a newline. Members the package does not state
    /// are left out; a problem with no file has `"file": null`.
    package var json: String {
        let value: JSONValue = .members([
            ("intact", .bool(intact)), ("signature_valid", .bool(signatureValid)),
            ("key_source", .string(keySource.rawValue)),
            ("verified_files", .strings(verifiedFiles)),
            (
                "problems",
                .array(
                    problems.map {
                        .object([("file", $0.file.map { .string($0) } ?? .null), ("reason", .string($0.reason))])
                    })
            ),
            ("unreadable", unreadable.map { .string($0) }), ("package_id", packageID.map { .string($0) }),
            ("public_key", publicKey.map { .string($0) }), ("sender", sender.map { .string($0) }),
            ("recipient", recipient.map { .string($0) }), ("tlp", tlp.map { .string($0) }),
            ("created", created.map { .string($0) }),
        ])
        return value.canonical + "\n"
    }
}
