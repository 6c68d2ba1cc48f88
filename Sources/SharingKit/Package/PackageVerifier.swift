import EvidenceKit
import Foundation
import IProceedsBase

/// The outcome of checking a sharing package. Problems are data, not errors: each names the file and why.
package struct PackageVerification: Sendable {
    /// One thing wrong, with the file it concerns (`nil` for the archive as a whole).
    package struct Problem: Sendable, Equatable, CustomStringConvertible {
        package var file: String?
        package var reason: String

        package init(file: String?, reason: String) {
            self.file = file
            self.reason = reason
        }

        package var description: String { (file.map { $0 + ": " } ?? "") + reason }
    }

    /// Where the key that checked the signature came from.
    package enum KeySource: String, Sendable {
        /// Given by the verifier: a valid signature proves who signed.
        case given
        /// Read from the package's own manifest: a valid signature proves only that nothing changed since
        /// someone holding that key signed it.
        case manifest
    }

    /// Not a readable package (not a zip, no manifest, a manifest that is not JSON): why. Nothing else was checked.
    package var unreadable: String?
    package var problems: [Problem] = []
    package var signatureValid = false
    package var keySource: KeySource = .manifest
    /// The key that checked the signature, hex.
    package var publicKey: String?
    /// The key the manifest names as the sender's, hex.
    package var manifestPublicKey: String?
    package var packageID: String?
    package var sender: String?
    package var recipient: String?
    package var tlp: String?
    package var created: String?
    /// The files whose SHA-256 matched the manifest.
    package var verifiedFiles: [String] = []

    /// Readable, signed by the key, every listed file present with its hash, nothing added.
    package var intact: Bool { unreadable == nil && problems.isEmpty && signatureValid }
}

/// Checks a sharing package as its recipient would: the signature over `manifest.json`, every listed file's
/// SHA-256, no file missing, none added, no name twice, no name that could escape the folder it is unpacked in.
package enum PackageVerifier {
    /// Verifies the package at `path`. The file is mapped, not read whole, and each member streams through its
    /// digest (see ``PackageLimits``): memory stays small whatever the members inflate to.
    /// - Parameters:
    ///   - publicKey: the sender's 32-byte Ed25519 key as obtained from the sender; without it the key in the
    ///     manifest is used, which proves integrity only (see ``PackageVerification/KeySource``).
    ///   - limits: how many members, and how many inflated bytes, are read before the package is refused.
    /// - Throws: ``SharingError`` only when the file cannot be read at all.
    package static func verify(
        path: String, publicKey: [UInt8]? = nil, limits: PackageLimits = PackageLimits()
    ) throws -> PackageVerification {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SharingError(.io, exists ? "cannot read \(path)" : "\(path) does not exist", path: path)
        }
        return data.withUnsafeBytes { verify(zip: $0, publicKey: publicKey, limits: limits) }
    }

    /// Verifies a package held in memory.
    package static func verify(
        bytes: [UInt8], publicKey: [UInt8]? = nil, limits: PackageLimits = PackageLimits()
    ) -> PackageVerification {
        bytes.withUnsafeBytes { verify(zip: $0, publicKey: publicKey, limits: limits) }
    }

    static func verify(zip: UnsafeRawBufferPointer, publicKey: [UInt8]?, limits: PackageLimits)
        -> PackageVerification
    {
        var v = PackageVerification()
        func problem(_ file: String?, _ reason: String) { v.problems.append(.init(file: file, reason: reason)) }

        // The archive's structure: every local header and data range against the central directory, each member
        // streamed through SHA-256 (PackageZipCheck). A member that cannot be read is a problem named by the
        // member, not an unreadable package.
        let read: PackageZipCheck.Result
        do {
            read = try PackageZipCheck.read(zip, keep: ["manifest.json", "manifest.sig"], limits: limits)
        } catch {
            v.unreadable = "not a readable zip archive: \(error)"
            return v
        }
        v.problems = read.problems
        let members = read.members

        var digestOf: [String: String] = [:]
        var contentOf: [String: [UInt8]] = [:]
        var unreadMembers = Set<String>()
        for m in members {
            if let reason = unsafeName(m.name) { problem(m.name, reason) }
            if !m.isRegularFile { problem(m.name, "not a regular file") }
            guard digestOf[m.name] == nil, !unreadMembers.contains(m.name) else { continue }
            if let sha = m.sha256 {
                digestOf[m.name] = sha
                if let bytes = m.bytes { contentOf[m.name] = bytes }
            } else {
                unreadMembers.insert(m.name)
            }
        }

        guard members.contains(where: { $0.name == "manifest.json" }) else {
            v.unreadable = "no manifest.json: not an iproceeds sharing package"
            return v
        }
        guard let manifestBytes = contentOf["manifest.json"] else {
            // Its problems are already recorded: it is there, but could not be read as the archive describes it.
            return v
        }
        // The one strict parser: a key given twice (`"tlp"` once as TLP:RED and once as TLP:CLEAR) would let two
        // readers of the same signed bytes see two different packages, so such a manifest is refused.
        let manifest: JSONValue
        do { manifest = try JSONValue.parse(manifestBytes) } catch {
            v.unreadable = "manifest.json is not a sharing-package manifest: \(error)"
            return v
        }
        guard case .object = manifest, let files = manifest["files"]?.items else {
            v.unreadable = "manifest.json is not a sharing-package manifest (not a JSON object, or no file list)"
            return v
        }
        let sender = manifest["sender"]
        v.packageID = manifest["package_id"]?.string
        v.sender = sender?["organisation"]?.string
        v.recipient = manifest["recipient"]?.string
        v.tlp = manifest["tlp"]?["label"]?.string
        v.created = manifest["created"]?.string
        v.manifestPublicKey = sender?["public_key"]?.string

        // The signature.
        let key: [UInt8]?
        if let publicKey {
            key = publicKey
            v.keySource = .given
            if let stated = v.manifestPublicKey, stated.lowercased() != Hex.encode(publicKey) {
                problem(
                    "manifest.json",
                    "names the sender's key \(fingerprint(stated)), not the key you gave (\(Ed25519.fingerprint(publicKey)))"
                )
            }
        } else {
            key = v.manifestPublicKey.flatMap(Hex.decode)
            v.keySource = .manifest
        }
        v.publicKey = key.map { Hex.encode($0) }
        if let sig = contentOf["manifest.sig"] {
            let text = String(decoding: sig, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if let signature = Data(base64Encoded: text).map({ [UInt8]($0) }), signature.count == 64 {
                if let key, key.count == 32 {
                    v.signatureValid = Ed25519.verify(signature: signature, of: manifestBytes, publicKey: key)
                    if !v.signatureValid {
                        problem(
                            "manifest.sig",
                            "the signature does not verify over manifest.json with key \(Ed25519.fingerprint(key))")
                    }
                } else {
                    problem("manifest.json", "no valid Ed25519 public key to check the signature with")
                }
            } else {
                problem("manifest.sig", "not a base64 Ed25519 signature (64 bytes)")
            }
        } else if !unreadMembers.contains("manifest.sig") {
            problem("manifest.sig", "missing: the package is not signed")
        }

        // The files.
        var listed = Set<String>()
        for f in files {
            guard let name = f["name"]?.string, let sha = f["sha256"]?.string else {
                problem("manifest.json", "a file entry without name or sha256")
                continue
            }
            guard listed.insert(name).inserted else {
                problem("manifest.json", "lists \(name) twice")
                continue
            }
            if let reason = unsafeName(name) { problem(name, "named in the manifest, " + reason) }
            if unreadMembers.contains(name) { continue }  // why is already recorded
            guard let actual = digestOf[name] else {
                problem(name, "listed in the manifest but missing from the package")
                continue
            }
            if actual == sha.lowercased() {
                v.verifiedFiles.append(name)
            } else {
                problem(name, "SHA-256 is \(actual), the manifest says \(sha)")
            }
        }
        for name in Set(members.map(\.name)).sorted()
        where !listed.contains(name) && name != "manifest.json" && name != "manifest.sig" {
            problem(name, "not listed in the manifest (added after signing)")
        }
        return v
    }

    /// Why a member name is unsafe to unpack, or `nil`.
    static func unsafeName(_ name: String) -> String? {
        if name.isEmpty { return "an empty member name" }
        if name.hasPrefix("/") { return "an absolute path" }
        if name.contains("\\") { return "a backslash in the name" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "a control character in the name"
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "a path that climbs out of the package (..)" }
        if parts.contains(where: { $0.isEmpty || $0 == "." }) { return "an empty or '.' path component" }
        return nil
    }

    private static func fingerprint(_ hex: String) -> String {
        guard let key = Hex.decode(hex), key.count == 32 else { return "'\(hex)' (not a 32-byte key)" }
        return Ed25519.fingerprint(key)
    }

    /// Reads a sender's public key from text: 64 hex digits (as `iproceeds examiner show` prints), a PEM
    /// `PUBLIC KEY` block (SubjectPublicKeyInfo, as `openssl pkey -pubout` writes), or an `examiner.json` with a
    /// `public_key`.
    /// - Returns: the 32-byte key, or `nil` when the text is none of these.
    package static func publicKey(from text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let key = Hex.decode(trimmed), key.count == 32 { return key }
        if trimmed.contains("-----BEGIN PUBLIC KEY-----") {
            let body = trimmed.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
            guard let der = Data(base64Encoded: body).map({ [UInt8]($0) }), der.count == 44, der.starts(with: prefix)
            else { return nil }
            return Array(der.suffix(32))
        }
        if let object = try? JSONValue.parse(Array(trimmed.utf8)), let hex = object["public_key"]?.string,
            let key = Hex.decode(hex), key.count == 32
        {
            return key
        }
        return nil
    }
}
