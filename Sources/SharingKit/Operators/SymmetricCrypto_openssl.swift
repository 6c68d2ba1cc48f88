internal import COpenSSL
import EvidenceKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HMAC-SHA-256, the PRF behind pseudonym tokens, key ids and subkeys.
enum HMACSHA256 {
    /// The 32-byte HMAC-SHA-256 of `message` under `key`. The corresponding C function is `EVP_Q_mac`.
    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        let ok = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBytes { o in
                    EVP_Q_mac(
                        nil, "HMAC", nil, "SHA256", nil, k.baseAddress, k.count,
                        m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count,
                        o.baseAddress?.assumingMemoryBound(to: UInt8.self), o.count, &length)
                }
            }
        }
        // HMAC-SHA-256 is built into every OpenSSL 3; a failure here is a broken library.
        precondition(ok != nil && length == 32, "EVP_Q_mac(HMAC, SHA256) failed")
        return out
    }
}

/// The fetched OpenSSL cipher implementations SharingKit uses, shared by all threads.
///
/// `@unchecked Sendable`: an `EVP_CIPHER` fetched once is immutable and safe to share between threads; it is
/// never freed (it lives for the process).
final class CipherImplementations: @unchecked Sendable {
    static let shared = CipherImplementations()
    let aes128ECB: OpaquePointer
    let aes256GCM: OpaquePointer

    private init() {
        // The corresponding C function is `EVP_CIPHER_fetch`. AES is in OpenSSL's default provider.
        guard let ecb = EVP_CIPHER_fetch(nil, "AES-128-ECB", nil), let gcm = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil)
        else { preconditionFailure("OpenSSL has no AES-128-ECB or AES-256-GCM") }
        aes128ECB = ecb
        aes256GCM = gcm
    }
}

/// One AES-128 key schedule encrypting single 16-byte blocks: the PRF of Crypto-PAn.
///
/// Owns its `EVP_CIPHER_CTX`. Not `Sendable`: a context is used by one thread at a time; lend it through
/// ``withEncryptor(key:_:)``.
final class AES128BlockEncryptor {
    private let ctx: OpaquePointer

    private init(key: [UInt8]) {
        precondition(key.count == 16, "AES-128 takes a 16-byte key")
        guard let ctx = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new failed") }
        self.ctx = ctx
        // The corresponding C functions are `EVP_EncryptInit_ex2` and `EVP_CIPHER_CTX_set_padding`: ECB on
        // whole blocks, so no padding.
        precondition(
            EVP_EncryptInit_ex2(ctx, CipherImplementations.shared.aes128ECB, key, nil, nil) == 1
                && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1, "EVP_EncryptInit_ex2(AES-128-ECB) failed")
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    /// Runs `body` with an encryptor keyed by `key` (16 bytes), freeing it afterwards.
    static func withEncryptor<R>(key: [UInt8], _ body: (AES128BlockEncryptor) throws -> R) rethrows -> R {
        try body(AES128BlockEncryptor(key: key))
    }

    /// AES-128 of one 16-byte block. The corresponding C function is `EVP_EncryptUpdate`.
    func encrypt(_ block: [UInt8]) -> [UInt8] {
        precondition(block.count == 16)
        var out = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        precondition(EVP_EncryptUpdate(ctx, &out, &length, block, 16) == 1 && length == 16, "EVP_EncryptUpdate failed")
        return out
    }
}

/// AES-256-GCM with a 12-byte nonce and a 16-byte tag, for the re-identification vault.
enum AES256GCM {
    static let nonceLength = 12
    static let tagLength = 16

    /// Encrypts and authenticates `plaintext`, authenticating `aad` too.
    /// The corresponding C functions are `EVP_EncryptInit_ex2`, `EVP_EncryptUpdate`, `EVP_EncryptFinal_ex` and
    /// `EVP_CIPHER_CTX_ctrl(EVP_CTRL_AEAD_GET_TAG)`.
    /// - Returns: the ciphertext followed by the tag.
    static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], aad: [UInt8]) -> [UInt8] {
        precondition(key.count == 32 && nonce.count == nonceLength)
        guard let ctx = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        precondition(EVP_EncryptInit_ex2(ctx, CipherImplementations.shared.aes256GCM, key, nonce, nil) == 1)
        var length: Int32 = 0
        if !aad.isEmpty { precondition(EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1) }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var written = 0
        if !plaintext.isEmpty {
            precondition(EVP_EncryptUpdate(ctx, &out, &length, plaintext, Int32(plaintext.count)) == 1)
            written = Int(length)
        }
        out.withUnsafeMutableBufferPointer { buf in
            precondition(EVP_EncryptFinal_ex(ctx, buf.baseAddress! + written, &length) == 1)
        }
        written += Int(length)
        precondition(written == plaintext.count, "GCM is a stream mode")
        out.withUnsafeMutableBufferPointer { buf in
            precondition(
                EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), buf.baseAddress! + written) == 1)
        }
        return out
    }

    /// Checks the tag and decrypts; `nil` when the key, nonce, aad or any byte of the ciphertext or tag is wrong.
    /// The corresponding C functions are `EVP_DecryptInit_ex2`, `EVP_DecryptUpdate`,
    /// `EVP_CIPHER_CTX_ctrl(EVP_CTRL_AEAD_SET_TAG)` and `EVP_DecryptFinal_ex`.
    static func open(key: [UInt8], nonce: [UInt8], sealed: [UInt8], aad: [UInt8]) -> [UInt8]? {
        precondition(key.count == 32 && nonce.count == nonceLength)
        guard sealed.count >= tagLength else { return nil }
        let ciphertext = Array(sealed.dropLast(tagLength))
        var tag = Array(sealed.suffix(tagLength))
        guard let ctx = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        precondition(EVP_DecryptInit_ex2(ctx, CipherImplementations.shared.aes256GCM, key, nonce, nil) == 1)
        var length: Int32 = 0
        if !aad.isEmpty { precondition(EVP_DecryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1) }
        var out = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var written = 0
        if !ciphertext.isEmpty {
            precondition(EVP_DecryptUpdate(ctx, &out, &length, ciphertext, Int32(ciphertext.count)) == 1)
            written = Int(length)
        }
        precondition(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), &tag) == 1)
        let verified = out.withUnsafeMutableBufferPointer { buf in
            EVP_DecryptFinal_ex(ctx, buf.baseAddress! + written, &length) == 1
        }
        guard verified else { return nil }
        written += Int(length)
        return Array(out[0..<written])
    }
}

/// Cryptographically secure random bytes from the kernel (`/dev/urandom`, which never blocks once the
/// system's pool is seeded).
/// - Throws: ``SharingError`` when the device cannot be read.
func secureRandomBytes(_ count: Int) throws -> [UInt8] {
    let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        throw SharingError(.io, "cannot open /dev/urandom", path: "/dev/urandom", function: "open", systemCode: errno)
    }
    defer { close(fd) }
    var out = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            throw SharingError(
                .io, "cannot read /dev/urandom", path: "/dev/urandom", function: "read", systemCode: errno)
        }
        filled += n
    }
    return out
}
