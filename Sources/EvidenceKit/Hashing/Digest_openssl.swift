internal import COpenSSL
import IProceedsBase

/// The fetched OpenSSL message-digest implementations, one per algorithm, shared by all threads.
///
/// `@unchecked Sendable`: an `EVP_MD` fetched once is immutable and documented by OpenSSL as safe to use
/// from many threads at once; it is never freed (it lives for the process).
final class DigestImplementations: @unchecked Sendable {
    static let shared = DigestImplementations()
    private let table: [DigestAlgorithm: OpaquePointer]

    private init() {
        var table = [DigestAlgorithm: OpaquePointer]()
        for alg in DigestAlgorithm.allCases {
            // The corresponding C function is `EVP_MD_fetch`. A missing built-in digest is a broken OpenSSL.
            guard let md = EVP_MD_fetch(nil, alg.openSSLName, nil) else {
                preconditionFailure("OpenSSL has no \(alg.openSSLName) digest")
            }
            precondition(Int(EVP_MD_get_size(md)) == alg.digestLength)
            table[alg] = md
        }
        self.table = table
    }

    subscript(alg: DigestAlgorithm) -> OpaquePointer { table[alg]! }
}

/// One running digest computation: an owned `EVP_MD_CTX`.
///
/// Not `Sendable`: a context is used by one thread at a time (a ``DigestLane`` hands it across threads only
/// through serial queues).
final class DigestContext {
    let algorithm: DigestAlgorithm
    private let md: OpaquePointer
    private let ctx: OpaquePointer

    init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        self.md = DigestImplementations.shared[algorithm]
        // The corresponding C function is `EVP_MD_CTX_new`; it fails only when memory is exhausted.
        guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        self.ctx = ctx
        reset()
    }

    deinit { EVP_MD_CTX_free(ctx) }

    /// Starts a new computation. The corresponding C function is `EVP_DigestInit_ex2`.
    func reset() {
        precondition(EVP_DigestInit_ex2(ctx, md, nil) == 1, "EVP_DigestInit_ex2 failed")
    }

    /// Feeds bytes. The corresponding C function is `EVP_DigestUpdate`.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(ctx, base, bytes.count) == 1, "EVP_DigestUpdate failed")
    }

    /// An independent copy of the computation so far, to finish two ways (an E01's digests over a source padded
    /// to whole sectors, beside the source's own). The corresponding C function is `EVP_MD_CTX_copy_ex`.
    func copy() -> DigestContext {
        let other = DigestContext(algorithm)
        precondition(EVP_MD_CTX_copy_ex(other.ctx, ctx) == 1, "EVP_MD_CTX_copy_ex failed")
        return other
    }

    /// Finishes and returns lowercase hex, then resets for reuse. The corresponding C function is
    /// `EVP_DigestFinal_ex`.
    func finalizeHex() -> String {
        withUnsafeTemporaryAllocation(byteCount: Int(EVP_MAX_MD_SIZE), alignment: 8) { out in
            var len: UInt32 = 0
            precondition(
                EVP_DigestFinal_ex(ctx, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &len) == 1,
                "EVP_DigestFinal_ex failed")
            reset()
            return Hex.encode(UnsafeRawBufferPointer(rebasing: out[0..<Int(len)]))
        }
    }
}

/// One-shot digest of a byte buffer.
package func digestHex(_ algorithm: DigestAlgorithm, of bytes: some Collection<UInt8>) -> String {
    let ctx = DigestContext(algorithm)
    Array(bytes).withUnsafeBytes { ctx.update($0) }
    return ctx.finalizeHex()
}
