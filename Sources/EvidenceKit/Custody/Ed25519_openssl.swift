internal import COpenSSL
import Foundation

/// An Ed25519 key pair for signing custody entries. The corresponding C functions are OpenSSL's `EVP_PKEY_*`.
///
/// `@unchecked Sendable`: the wrapped `EVP_PKEY` is never mutated after creation, and OpenSSL documents signing
/// and verifying with a shared key as thread-safe.
public final class Ed25519PrivateKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// A new random key pair (OpenSSL's CSPRNG). The corresponding C function is `EVP_PKEY_generate`.
    public init() {
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
    public init(seed: [UInt8]) throws {
        guard seed.count == 32,
            let pkey = EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, seed, seed.count)
        else { throw EvidenceError(.invalidArgument, "an Ed25519 private key is 32 bytes") }
        key = pkey
    }

    deinit { EVP_PKEY_free(key) }

    /// The 32-byte seed. Handle with care: this is the secret.
    public var seed: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len = 32
        precondition(EVP_PKEY_get_raw_private_key(key, &out, &len) == 1 && len == 32)
        return out
    }

    /// The 32-byte public key.
    public var publicKey: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len = 32
        precondition(EVP_PKEY_get_raw_public_key(key, &out, &len) == 1 && len == 32)
        return out
    }

    /// A 64-byte Ed25519 signature of `message`. The corresponding C function is `EVP_DigestSign`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(ctx) }
        precondition(EVP_DigestSignInit(ctx, nil, nil, nil, key) == 1, "EVP_DigestSignInit failed")
        var sig = [UInt8](repeating: 0, count: 64)
        var len = 64
        precondition(EVP_DigestSign(ctx, &sig, &len, message, message.count) == 1 && len == 64, "EVP_DigestSign failed")
        return sig
    }

    /// The private key as PKCS #8 PEM, which `openssl pkey` reads.
    public var pem: String {
        // PKCS #8 for Ed25519 (RFC 8410): a fixed 16-byte DER prefix, then the seed.
        let der: [UInt8] =
            [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + seed
        return "-----BEGIN PRIVATE KEY-----\n"
            + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END PRIVATE KEY-----\n"
    }

    /// Reads the PEM written by ``pem``.
    public convenience init(pem: String) throws {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body), case let der = [UInt8](data), der.count == 48,
            der.prefix(16).elementsEqual(
                [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
        else { throw EvidenceError(.invalidArgument, "not an Ed25519 private key in PKCS #8 PEM form") }
        try self.init(seed: Array(der.suffix(32)))
    }
}

/// Ed25519 signature verification.
public enum Ed25519 {
    /// Whether `signature` is a valid Ed25519 signature of `message` by `publicKey`.
    /// The corresponding C function is `EVP_DigestVerify`.
    public static func verify(signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard publicKey.count == 32, signature.count == 64,
            let pkey = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, publicKey, publicKey.count)
        else { return false }
        defer { EVP_PKEY_free(pkey) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else { return false }
        return EVP_DigestVerify(ctx, signature, signature.count, message, message.count) == 1
    }

    /// A short, readable fingerprint of a public key: `SHA256:` and the first 16 bytes of its SHA-256, in hex pairs.
    public static func fingerprint(_ publicKey: [UInt8]) -> String {
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
}
