import EvidenceKit
import Foundation

/// The outcome of checking a sharing package. Problems are data, not errors: each names the file and why.
public struct PackageVerification: Sendable {
    /// One thing wrong, with the file it concerns (`nil` for the archive as a whole).
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var file: String?
        public var reason: String

        public init(file: String?, reason: String) {
            self.file = file
            self.reason = reason
        }

        public var description: String { (file.map { $0 + ": " } ?? "") + reason }
    }

    /// Where the key that checked the signature came from.
    public enum KeySource: String, Sendable {
        /// Given by the verifier: a valid signature proves who signed.
        case given
        /// Read from the package's own manifest: a valid signature proves only that nothing changed since
        /// someone holding that key signed it.
        case manifest
    }

    /// Not a readable package (not a zip, no manifest, a manifest that is not JSON): why. Nothing else was checked.
    public var unreadable: String?
    public var problems: [Problem] = []
    public var signatureValid = false
    public var keySource: KeySource = .manifest
    /// The key that checked the signature, hex.
    public var publicKey: String?
    /// The key the manifest names as the sender's, hex.
    public var manifestPublicKey: String?
    public var packageID: String?
    public var sender: String?
    public var recipient: String?
    public var tlp: String?
    public var created: String?
    /// The files whose SHA-256 matched the manifest.
    public var verifiedFiles: [String] = []

    /// Readable, signed by the key, every listed file present with its hash, nothing added.
    public var intact: Bool { unreadable == nil && problems.isEmpty && signatureValid }
}

/// Checks a sharing package as its recipient would: the signature over `manifest.json`, every listed file's
/// SHA-256, no file missing, none added, no name twice, no name that could escape the folder it is unpacked in.
public enum PackageVerifier {
    /// Verifies the package at `path`.
    /// - Parameter publicKey: the sender's 32-byte Ed25519 key as obtained from the sender; without it the key in
    ///   the manifest is used, which proves integrity only (see ``PackageVerification/KeySource``).
    /// - Throws: ``EvidenceError`` only when the file cannot be read at all.
    public static func verify(path: String, publicKey: [UInt8]? = nil) throws -> PackageVerification {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw EvidenceError(.io, exists ? "cannot read \(path)" : "\(path) does not exist", path: path)
        }
        return verify(bytes: [UInt8](data), publicKey: publicKey)
    }

    /// Verifies a package held in memory.
    public static func verify(bytes: [UInt8], publicKey: [UInt8]? = nil) -> PackageVerification {
        var v = PackageVerification()
        func problem(_ file: String?, _ reason: String) { v.problems.append(.init(file: file, reason: reason)) }

        let members: [PackageZip.Member]
        switch PackageZip.read(bytes) {
        case .failure(let e):
            v.unreadable = "not a readable zip archive: \(e.description)"
            return v
        case .success(let m): members = m
        }
        // A zip lists its members twice (local headers and central directory); a crafted one can make the two
        // disagree, so that tools see different files. Both lists must match.
        if case .success(let streamed) = PackageZip.read(bytes, streaming: true),
            streamed.map(\.name) != members.map(\.name)
        {
            problem(nil, "the zip's local headers and its central directory list different members")
        }

        var byName: [String: [UInt8]] = [:]
        var seen: [String: Int] = [:]
        for m in members { seen[m.name, default: 0] += 1 }
        for m in members {
            if let reason = unsafeName(m.name) { problem(m.name, reason) }
            if !m.isRegularFile { problem(m.name, "not a regular file") }
            if byName[m.name] == nil { byName[m.name] = m.bytes }
        }
        for (name, n) in seen where n > 1 { problem(name, "appears \(n) times in the archive") }

        guard let manifestBytes = byName["manifest.json"] else {
            v.unreadable = "no manifest.json: not an iproceeds sharing package"
            return v
        }
        guard let manifest = try? JSONSerialization.jsonObject(with: Data(manifestBytes)) as? [String: Any],
            let files = manifest["files"] as? [[String: Any]]
        else {
            v.unreadable = "manifest.json is not a sharing-package manifest (not JSON, or no file list)"
            return v
        }
        let sender = manifest["sender"] as? [String: Any]
        v.packageID = manifest["package_id"] as? String
        v.sender = sender?["organisation"] as? String
        v.recipient = manifest["recipient"] as? String
        v.tlp = (manifest["tlp"] as? [String: Any])?["label"] as? String
        v.created = manifest["created"] as? String
        v.manifestPublicKey = sender?["public_key"] as? String

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
        if let sig = byName["manifest.sig"] {
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
        } else {
            problem("manifest.sig", "missing: the package is not signed")
        }

        // The files.
        var listed = Set<String>()
        for f in files {
            guard let name = f["name"] as? String, let sha = f["sha256"] as? String else {
                problem("manifest.json", "a file entry without name or sha256")
                continue
            }
            guard listed.insert(name).inserted else {
                problem("manifest.json", "lists \(name) twice")
                continue
            }
            if let reason = unsafeName(name) { problem(name, "named in the manifest, " + reason) }
            guard let bytes = byName[name] else {
                problem(name, "listed in the manifest but missing from the package")
                continue
            }
            let actual = digestHex(.sha256, of: bytes)
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
    public static func publicKey(from text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let key = Hex.decode(trimmed), key.count == 32 { return key }
        if trimmed.contains("-----BEGIN PUBLIC KEY-----") {
            let body = trimmed.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
            guard let der = Data(base64Encoded: body).map({ [UInt8]($0) }), der.count == 44, der.starts(with: prefix)
            else { return nil }
            return Array(der.suffix(32))
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
            let hex = object["public_key"] as? String, let key = Hex.decode(hex), key.count == 32
        {
            return key
        }
        return nil
    }
}
