internal import COpenSSL
import Foundation
import IProceedsBase

/// An Ed25519 key pair for signing custody entries. The corresponding C functions are OpenSSL's `EVP_PKEY_*`.
///
/// `@unchecked Sendable`: the wrapped `EVP_PKEY` is never mutated after creation, and OpenSSL documents signing
/// and verifying with a shared key as thread-safe.
package final class Ed25519PrivateKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// A new random key pair (OpenSSL's CSPRNG). The corresponding C function is `EVP_PKEY_generate`.
    package init() {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil) else {
            preconditionFailure("no Ed25519 in OpenSSL")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer?
        precondition(
            EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_generate(ctx, &pkey) == 1 && pkey != nil, "Ed25519 keygen failed"
        )
        key = pkey!
    }

    /// The key from its 32-byte seed.
    /// - Throws: ``EvidenceError`` when the seed is not 32 bytes.
    package init(seed: [UInt8]) throws {
        guard seed.count == 32,
            let pkey = EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, seed, seed.count)
        else { throw EvidenceError(.invalidArgument, "an Ed25519 private key is 32 bytes") }
        key = pkey
    }

    deinit { EVP_PKEY_free(key) }

    /// The 32-byte seed. Handle with care: this is the secret.
    package var seed: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len = 32
        precondition(EVP_PKEY_get_raw_private_key(key, &out, &len) == 1 && len == 32)
        return out
    }

    /// The 32-byte public key.
    package var publicKey: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len = 32
        precondition(EVP_PKEY_get_raw_public_key(key, &out, &len) == 1 && len == 32)
        return out
    }

    /// A 64-byte Ed25519 signature of `message`. The corresponding C function is `EVP_DigestSign`.
    package func sign(_ message: [UInt8]) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(ctx) }
        precondition(EVP_DigestSignInit(ctx, nil, nil, nil, key) == 1, "EVP_DigestSignInit failed")
        var sig = [UInt8](repeating: 0, count: 64)
        var len = 64
        precondition(EVP_DigestSign(ctx, &sig, &len, message, message.count) == 1 && len == 64, "EVP_DigestSign failed")
        return sig
    }

    /// The private key as PKCS #8 PEM, which `openssl pkey` reads.
    package var pem: String {
        // PKCS #8 for Ed25519 (RFC 8410): a fixed 16-byte DER prefix, then the seed.
        let der: [UInt8] =
            [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + seed
        return "-----BEGIN PRIVATE KEY-----\n"
            + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END PRIVATE KEY-----\n"
    }

    /// Reads the PEM written by ``pem``.
    package convenience init(pem: String) throws {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body), case let der = [UInt8](data), der.count == 48,
            der.prefix(16).elementsEqual(
                [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
        else { throw EvidenceError(.invalidArgument, "not an Ed25519 private key in PKCS #8 PEM form") }
        try self.init(seed: Array(der.suffix(32)))
    }
}

/// Ed25519 signature verification.
package enum Ed25519 {
    /// Whether `signature` is a valid Ed25519 signature of `message` by `publicKey`.
    /// The corresponding C function is `EVP_DigestVerify`.
    package static func verify(signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard publicKey.count == 32, signature.count == 64,
            let pkey = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, publicKey, publicKey.count)
        else { return false }
        defer { EVP_PKEY_free(pkey) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else { return false }
        return EVP_DigestVerify(ctx, signature, signature.count, message, message.count) == 1
    }

    /// A short, readable fingerprint of a public key: `SHA256:` and the first 16 bytes of its SHA-256, in hex pairs
    /// (`SHA256:5f:0e:…`, 54 characters). The one form every output shows a key in: examiner and case commands,
    /// custody verification, JSON, HTML forms, sharing packages.
    package static func fingerprint(_ publicKey: [UInt8]) -> String {
        let hex = digestHex(.sha256, of: publicKey)
        var pairs: [Substring] = []
        var i = hex.startIndex
        for _ in 0..<16 {
            let j = hex.index(i, offsetBy: 2)
            pairs.append(hex[i..<j])
            i = j
        }
        return "SHA256:" + pairs.joined(separator: ":")
    }

    /// ``fingerprint(_:)`` of a key given in hex, as the ledger stores it; text that is not a 32-byte key in hex (a
    /// damaged row) is shown as it is, marked.
    package static func fingerprint(hex: String) -> String {
        guard let key = Hex.decode(hex), key.count == 32 else { return "(not a key: \(hex.prefix(70)))" }
        return fingerprint(key)
    }
}

// MARK: Keys encrypted at rest

extension Ed25519PrivateKey {
    /// PBKDF2 iterations for a protected key: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 (a few tenths of a
    /// second per command that signs).
    package static let protectedKeyIterations: Int32 = 600_000

    /// The private key as a PKCS #8 `EncryptedPrivateKeyInfo` PEM (`BEGIN ENCRYPTED PRIVATE KEY`): PBES2 with
    /// PBKDF2-HMAC-SHA256 (random 16-byte salt) and AES-256-CBC, which `openssl pkey` and Python's `cryptography`
    /// read with the passphrase. The corresponding C functions are `PKCS5_pbe2_set_iv`, `PKCS8_set0_pbe` and
    /// `PEM_write_bio_PKCS8`.
    /// - Throws: ``EvidenceError`` `.invalidArgument` for an empty passphrase.
    package func encryptedPEM(passphrase: [UInt8], iterations: Int32 = protectedKeyIterations) throws -> String {
        guard !passphrase.isEmpty else { throw EvidenceError(.invalidArgument, "an empty passphrase protects nothing") }
        guard let p8 = EVP_PKEY2PKCS8(key) else { throw Self.failure("EVP_PKEY2PKCS8") }
        defer { PKCS8_PRIV_KEY_INFO_free(p8) }
        guard let pbe = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), iterations, nil, 16, nil, NID_hmacWithSHA256) else {
            throw Self.failure("PKCS5_pbe2_set_iv")
        }
        let sealed = passphrase.withUnsafeBytes {
            PKCS8_set0_pbe($0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32($0.count), p8, pbe)
        }
        guard let sealed else {
            X509_ALGOR_free(pbe)
            throw Self.failure("PKCS8_set0_pbe")
        }
        defer { X509_SIG_free(sealed) }
        guard let bio = BIO_new(BIO_s_mem()) else { throw Self.failure("BIO_new") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PKCS8(bio, sealed) == 1 else { throw Self.failure("PEM_write_bio_PKCS8") }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = BIO_read(bio, &buffer, Int32(buffer.count))
            if n <= 0 { break }
            out += buffer[0..<Int(n)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `pem` holds an encrypted key (it then needs a passphrase).
    package static func isEncrypted(pem: String) -> Bool { pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") }

    /// Reads a key written by ``pem`` or ``encryptedPEM(passphrase:iterations:)``; `passphrase` is asked only for
    /// an encrypted one. The corresponding C function is `PEM_read_bio_PrivateKey`.
    /// - Throws: ``EvidenceError`` `.examiner` for a wrong passphrase or a key that is not Ed25519.
    package static func read(pem: String, passphrase: () throws -> [UInt8]) throws -> Ed25519PrivateKey {
        guard isEncrypted(pem: pem) else { return try Ed25519PrivateKey(pem: pem) }
        var secret = try passphrase() + [0]
        defer { for i in secret.indices { secret[i] = 0 } }
        let bytes = Array(pem.utf8)
        guard let bio = bytes.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw failure("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        // With no callback, OpenSSL takes the last argument as the NUL-terminated passphrase.
        let pkey = secret.withUnsafeMutableBytes { PEM_read_bio_PrivateKey(bio, nil, nil, $0.baseAddress) }
        ERR_clear_error()
        guard let pkey else {
            throw EvidenceError(.examiner, "the passphrase does not open the examiner key (or the key file is damaged)")
        }
        defer { EVP_PKEY_free(pkey) }
        var seed = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_is_a(pkey, "ED25519") == 1, EVP_PKEY_get_raw_private_key(pkey, &seed, &length) == 1, length == 32
        else {
            throw EvidenceError(.examiner, "the examiner key is not an Ed25519 key")
        }
        defer { for i in seed.indices { seed[i] = 0 } }
        return try Ed25519PrivateKey(seed: seed)
    }

    private static func failure(_ function: String) -> EvidenceError {
        let code = ERR_get_error()
        ERR_clear_error()
        return EvidenceError(
            .library, "OpenSSL \(function) failed (error \(code))", function: function,
            systemCode: Int32(truncatingIfNeeded: code))
    }
}
