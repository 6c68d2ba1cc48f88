import EvidenceKit
import Foundation
import IProceedsBase

/// The CSIRT's encrypted table from pseudonyms back to the values they stand for, so that it can answer a later
/// lawful request (`iproceeds share reidentify`). It never goes into a package.
///
/// File format (version 1): the 8 bytes `IPRVAULT`, a version byte `1`, the 8 bytes of the pseudonym key's id,
/// a 12-byte random nonce, then AES-256-GCM ciphertext and its 16-byte tag. The first 17 bytes are authenticated
/// as associated data. The plaintext is JSON: `{"format":"iproceeds-reidentification-vault","version":1,
/// "key_id":…,"entries":[{"pseudonym":…,"type":…,"value":…},…]}`, entries sorted. The AES key is
/// HMAC-SHA-256(pseudonym key, `iproceeds-subkey ‖ 0x00 ‖ vault-aes-256-gcm`); every write draws a fresh nonce.
/// See `docs/sharing-policy.md` for the threat model.
package struct ReidentificationVault: Sendable {
    package let path: String
    private let key: PseudonymKey
    /// Entries by the lower-cased pseudonym. Several entries under one pseudonym are the spellings its value was
    /// found in (`Alice@Example.com`, `alice@example.com`) or, rarely, a collision (most likely for IPv4 addresses
    /// under the `reserved` scheme, which maps 2³² addresses into 2²⁸).
    private var entries: [String: [PseudonymRecord]]

    static let magic = Array("IPRVAULT".utf8)
    static let version: UInt8 = 1
    static let headerLength = 8 + 1 + 8
    static let plaintextFormat = "iproceeds-reidentification-vault"

    /// Every entry, sorted by pseudonym, type and value.
    package var records: [PseudonymRecord] {
        entries.values.flatMap { $0 }.sorted { ($0.pseudonym, $0.type, $0.value) < ($1.pseudonym, $1.type, $1.value) }
    }

    /// Opens the vault at `path` under `key`; a vault that does not exist yet is empty until ``save()``.
    /// - Throws: ``SharingError`` (`.vault`) when the file is not a vault, was written under another key, or fails
    ///   authentication (altered, truncated or corrupt).
    package static func open(path: String, key: PseudonymKey) throws -> ReidentificationVault {
        guard FileManager.default.fileExists(atPath: path) else {
            return ReidentificationVault(path: path, key: key, entries: [:])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SharingError(.vault, "cannot read vault \(path)", path: path, function: "read")
        }
        return ReidentificationVault(path: path, key: key, entries: try decode(Array(data), key: key, path: path))
    }

    /// Opens an existing vault, for look-ups.
    /// - Throws: ``SharingError`` (`.vaultMissing`) when there is no vault at `path`, or as
    ///   ``open(path:key:)``.
    package static func openExisting(path: String, key: PseudonymKey) throws -> ReidentificationVault {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SharingError(.vaultMissing, "vault \(path) does not exist", path: path, systemCode: ENOENT)
        }
        return try open(path: path, key: key)
    }

    private init(path: String, key: PseudonymKey, entries: [String: [PseudonymRecord]]) {
        self.path = path
        self.key = key
        self.entries = entries
    }

    /// Adds records; ones already present are ignored.
    /// - Returns: how many were new.
    @discardableResult
    package mutating func add(_ records: some Sequence<PseudonymRecord>) -> Int {
        var added = 0
        for r in records {
            let k = r.pseudonym.lowercased()
            if entries[k, default: []].contains(r) { continue }
            entries[k, default: []].append(r)
            added += 1
        }
        return added
    }

    /// The values a pseudonym stands for: none when it is not in the vault, one as a rule, several when the value
    /// was found in several spellings or after a collision. Case and surrounding white space do not matter.
    package func lookup(_ pseudonym: String) -> [PseudonymRecord] {
        let k = pseudonym.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if let found = entries[k] { return found }
        // An IPv6 pseudonym may be written in another valid form; look it up in the form it was stored in.
        if let bytes = IPAddressText.ipv6(k), let found = entries[IPAddressText.format(ipv6: bytes)] { return found }
        return []
    }

    /// Encrypts and writes the vault: to a temporary file in the same folder (mode 0600), synced, then renamed over
    /// the old one, so that a crash leaves the previous vault intact.
    /// - Throws: ``SharingError`` (`.io`) when the file cannot be written.
    package func save() throws {
        let sealed = try encode()
        // OutputFile: mode 0600 from creation, a fresh random name (O_EXCL|O_NOFOLLOW), synced, renamed, folder synced.
        try SharingError.writing { try OutputFile.write(sealed, to: path, mode: 0o600) }
    }

    /// Opens (or starts) the vault at `path`, adds `records` and saves it, holding an exclusive lock on
    /// `path.lock` throughout so that two runs writing the same vault do not lose each other's entries.
    /// - Parameters:
    ///   - packageDirectory: the package being written; the vault must not be inside it.
    /// - Returns: how many records were new.
    /// - Throws: ``SharingError`` (`.vault`) when the vault would be written inside the package, or as
    ///   ``open(path:key:)`` and ``save()``.
    @discardableResult
    package static func merge(
        _ records: some Sequence<PseudonymRecord>, into path: String, key: PseudonymKey, packageDirectory: String?
    ) throws -> Int {
        if let packageDirectory { try ensure(path, isOutside: packageDirectory) }
        let lockPath = path + ".lock"
        let lock = Foundation.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw ioError("open", lockPath) }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ioError("flock", lockPath) }
        }
        var vault = try open(path: path, key: key)
        let added = vault.add(records)
        if added > 0 || !FileManager.default.fileExists(atPath: path) { try vault.save() }
        return added
    }

    /// Refuses a vault path inside the package directory: the vault undoes the pseudonymisation, and a package
    /// leaves the CSIRT.
    /// - Throws: ``SharingError`` (`.vault`).
    package static func ensure(_ vaultPath: String, isOutside packageDirectory: String) throws {
        func resolved(_ p: String) -> String {
            // The vault may not exist yet: resolve its folder, which must.
            let url = URL(fileURLWithPath: p)
            return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(
                url.lastPathComponent
            ).path
        }
        let vault = resolved(vaultPath)
        let package = URL(fileURLWithPath: packageDirectory).resolvingSymlinksInPath().path
        let base = package.hasSuffix("/") ? package : package + "/"
        if vault == package || vault.hasPrefix(base) {
            throw SharingError(
                .vault,
                "the vault \(vaultPath) would be inside the package \(packageDirectory); it undoes the pseudonyms and "
                    + "must stay with the CSIRT: choose a path outside the package", path: vaultPath)
        }
    }

    // MARK: Encoding

    private static func ioError(_ function: String, _ path: String) -> SharingError {
        let code = errno
        return SharingError(
            .io, "\(function) \(path): \(String(cString: strerror(code)))", path: path,
            function: function, systemCode: code)
    }

    private func header() -> [UInt8] {
        Self.magic + [Self.version] + Hex.decode(key.id)!
    }

    private func encode() throws -> [UInt8] {
        let entries = records.map { r -> JSONValue in
            .object([
                ("pseudonym", .string(r.pseudonym)), ("type", .string(r.type.rawValue)), ("value", .string(r.value)),
            ])
        }
        let json = JSONValue.object([
            ("entries", .array(entries)), ("format", .string(Self.plaintextFormat)), ("key_id", .string(key.id)),
            ("version", .int(1)),
        ]).canonical
        let nonce = try secureRandomBytes(AES256GCM.nonceLength)
        let aad = header()
        let sealed = AES256GCM.seal(
            key: key.subkey("vault-aes-256-gcm"), nonce: nonce, plaintext: Array(json.utf8), aad: aad)
        return aad + nonce + sealed
    }

    private struct Plaintext: Decodable {
        var format: String
        var version: Int
        var keyID: String
        var entries: [PseudonymRecord]

        enum CodingKeys: String, CodingKey {
            case format, version, entries
            case keyID = "key_id"
        }
    }

    private static func decode(_ data: [UInt8], key: PseudonymKey, path: String) throws -> [String: [PseudonymRecord]] {
        guard data.count >= headerLength + AES256GCM.nonceLength + AES256GCM.tagLength,
            Array(data[0..<8]) == magic
        else {
            throw SharingError(.vault, "\(path) is not an iproceeds re-identification vault", path: path)
        }
        guard data[8] == version else {
            throw SharingError(
                .vault, "vault \(path) has format version \(data[8]); this iproceeds reads version 1",
                path: path)
        }
        let recordedID = Hex.encode(data[9..<17])
        guard recordedID == key.id else {
            throw SharingError(
                .vault,
                "vault \(path) was written with pseudonym key \(recordedID), not with this key (\(key.id)); give the "
                    + "key file it was made with", path: path)
        }
        let nonce = Array(data[17..<29])
        guard
            let plaintext = AES256GCM.open(
                key: key.subkey("vault-aes-256-gcm"), nonce: nonce, sealed: Array(data[29...]), aad: Array(data[0..<17])
            )
        else {
            throw SharingError(
                .vault,
                "vault \(path) failed authentication: it was altered, truncated or damaged. Restore it from a "
                    + "backup; do not trust any of its entries", path: path)
        }
        guard let decoded = try? JSONDecoder().decode(Plaintext.self, from: Data(plaintext)),
            decoded.format == plaintextFormat, decoded.version == 1, decoded.keyID == key.id
        else {
            throw SharingError(.vault, "vault \(path) decrypts but its contents are not a vault table", path: path)
        }
        return Dictionary(grouping: decoded.entries) { $0.pseudonym.lowercased() }
    }
}
