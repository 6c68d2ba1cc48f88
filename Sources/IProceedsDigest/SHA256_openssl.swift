internal import COpenSSL
import IProceedsBase

/// SHA-256 over OpenSSL, for the kits that need a file's or a label's digest but nothing else of EvidenceKit
/// (ProceedsGraph names its input files by digest, SampleCases records the digest of every file it writes).
///
/// EvidenceKit's hashing (several algorithms at once, lanes, piecewise digests) stays in EvidenceKit; this is the
/// one algorithm, one context, kept apart so that tracing and the samples do not link libarchive, SQLite and zlib.
/// Not `Sendable`: one running computation, fed by one thread.
package final class SHA256Digest {
    private let ctx: OpaquePointer

    /// Starts a computation.
    package init() {
        // The corresponding C function is `EVP_MD_CTX_new`; it fails only when memory is exhausted.
        guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        self.ctx = ctx
        start()
    }

    deinit { EVP_MD_CTX_free(ctx) }

    private func start() {
        // The corresponding C function is `EVP_DigestInit_ex`; SHA-256 is built into every OpenSSL.
        precondition(EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex failed")
    }

    /// Feeds bytes. The corresponding C function is `EVP_DigestUpdate`.
    package func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            precondition(EVP_DigestUpdate(ctx, buffer.baseAddress, buffer.count) == 1, "EVP_DigestUpdate failed")
        }
        if done == nil { update(Array(bytes)) }
    }

    /// The digest of everything fed so far, lowercase hex; the computation starts over afterwards.
    /// The corresponding C function is `EVP_DigestFinal_ex`.
    package func finalizeHex() -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(ctx, &out, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
        start()
        return Hex.encode(out)
    }

    /// The SHA-256 of `bytes`, lowercase hex.
    package static func hex(of bytes: some Collection<UInt8>) -> String {
        let digest = SHA256Digest()
        digest.update(bytes)
        return digest.finalizeHex()
    }
}
