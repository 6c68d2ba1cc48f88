import EvidenceKit
import Foundation
import IProceedsBase

/// The CSIRT-held secret that makes pseudonyms: 32 random bytes, kept in a key file only the CSIRT can read.
///
/// Everything secret is derived from it by HMAC-SHA-256 with a distinct label, so that no two uses share a key:
/// pseudonym tokens (HMAC over `type ‖ 0x00 ‖ value`), the Crypto-PAn key for IP addresses, and the vault's
/// AES-256-GCM key. Only the ``id`` — a one-way fingerprint — is ever written into a package or a log.
/// See `docs/sharing-policy.md`.
package struct PseudonymKey: Sendable, Equatable {
    /// The secret. Internal: nothing outside SharingKit needs the bytes, and nothing inside writes them anywhere
    /// but the key file.
    let bytes: [UInt8]

    /// The key's public name: the first 16 hex digits (64 bits) of SHA-256 over `iproceeds-pseudonym-key-id`,
    /// a zero byte, and the key. Recorded in packages and logs so a later request names the key it needs.
    package let id: String

    /// Key files start with this format name.
    package static let fileFormat = "iproceeds-pseudonym-key"

    /// A key from its 32 bytes.
    /// - Throws: ``SharingError`` (`.pseudonymKey`) when `bytes` is not 32 bytes long.
    package init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw SharingError(.pseudonymKey, "a pseudonym key is 32 bytes, not \(bytes.count)")
        }
        self.bytes = bytes
        self.id = String(digestHex(.sha256, of: Array("iproceeds-pseudonym-key-id".utf8) + [0] + bytes).prefix(16))
    }

    /// A new key of 32 bytes from the kernel's CSPRNG.
    /// - Throws: ``SharingError`` when `/dev/urandom` cannot be read.
    package static func generate() throws -> PseudonymKey {
        try PseudonymKey(bytes: secureRandomBytes(32))
    }

    /// A 32-byte subkey for one purpose: HMAC-SHA-256(key, `iproceeds-subkey ‖ 0x00 ‖ purpose`).
    ///
    /// Token inputs begin with a personal-data type name followed by a zero byte; `iproceeds-subkey` is no type
    /// name, so a subkey can never equal a token.
    func subkey(_ purpose: String) -> [UInt8] {
        HMACSHA256.mac(key: bytes, message: Array("iproceeds-subkey".utf8) + [0] + Array(purpose.utf8))
    }

    // MARK: Key files

    /// The key file's text: a small JSON object with the format, the id, the creation time and the key in hex.
    func fileContents(created: Date = Date()) -> String {
        let time = ISO8601DateFormatter().string(from: created)
        return """
            {
              "format": "\(Self.fileFormat)",
              "version": 1,
              "key_id": "\(id)",
              "created": "\(time)",
              "key": "\(Hex.encode(bytes))",
              "note": "Secret. Whoever holds this file can re-create every pseudonym made with it and test guesses \
            against them. Keep it with the CSIRT; never put it in a package."
            }

            """
    }

    /// Writes the key to a new file readable and writable by its owner only (mode 0600).
    ///
    /// The file is created with `O_EXCL`, so an existing file — most likely the key behind pseudonyms already
    /// shared — is never replaced.
    /// - Throws: ``SharingError`` (`.pseudonymKeyExists`) when the file exists, or `.io` when it
    ///   cannot be written.
    package func write(to path: String) throws {
        // OutputFile: written whole under a fresh random name (O_EXCL|O_NOFOLLOW, 0600), then moved into place with
        // RENAME_NOREPLACE, so a crash never leaves a half-written key and an existing key is never replaced.
        do {
            try OutputFile.write(Array(fileContents().utf8), to: path, mode: 0o600, existing: .refuse)
        } catch let e as OutputFileError where e.code == .exists {
            throw SharingError(
                .pseudonymKeyExists,
                "refusing to overwrite \(path): it exists, and replacing a pseudonym key gives every value new "
                    + "pseudonyms and makes the vault unreadable. Choose another --output.",
                path: path, function: "open", systemCode: EEXIST)
        } catch let e as OutputFileError {
            throw SharingError(e)
        }
    }

    /// Reads a key file written by ``write(to:)``.
    ///
    /// Refuses a file that group or others may read (as ssh refuses such a private key), a file of another
    /// format, and one whose recorded `key_id` does not match its key (an edited or damaged file).
    /// - Throws: ``SharingError`` (`.pseudonymKeyUnreadable` when the file does not exist or cannot be read).
    package static func load(path: String) throws -> PseudonymKey {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            if code == ENOENT {
                throw SharingError(
                    .pseudonymKeyUnreadable,
                    "key file \(path) does not exist; create one with `iproceeds share keygen --output \(path)`",
                    path: path, function: "stat", systemCode: code)
            }
            throw SharingError(
                .pseudonymKeyUnreadable, "cannot read key file \(path): \(String(cString: strerror(code)))",
                path: path, function: "stat", systemCode: code)
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw SharingError(.pseudonymKey, "key file \(path) is not a regular file", path: path)
        }
        guard st.st_mode & 0o077 == 0 else {
            throw SharingError(
                .pseudonymKey,
                "key file \(path) may be read by other users (mode \(String(st.st_mode & 0o777, radix: 8))); "
                    + "run `chmod 600 \(path)` if it has not leaked, or make a new key if it has",
                path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SharingError(.pseudonymKey, "cannot read key file \(path)", path: path, function: "read")
        }
        return try parse(data, path: path)
    }

    /// Parses key-file contents.
    static func parse(_ data: Data, path: String) throws -> PseudonymKey {
        func bad(_ why: String) -> SharingError {
            SharingError(.pseudonymKey, "\(path) is not a pseudonym key file: \(why)", path: path)
        }
        let object: JSONValue
        do { object = try JSONValue.parse([UInt8](data)) } catch { throw bad("it is not JSON: \(error)") }
        guard case .object = object else { throw bad("it is not a JSON object") }
        guard object["format"]?.string == fileFormat else { throw bad("\"format\" is not \"\(fileFormat)\"") }
        guard object["version"]?.number == "1" else { throw bad("\"version\" is not 1") }
        guard let hex = object["key"]?.string, let bytes = Hex.decode(hex.lowercased()), bytes.count == 32 else {
            throw bad("\"key\" is not 64 hex digits")
        }
        let key = try PseudonymKey(bytes: bytes)
        guard let recorded = object["key_id"]?.string, recorded.lowercased() == key.id else {
            throw bad("its \"key_id\" does not match its key (the file was edited or damaged)")
        }
        return key
    }
}
