/// A digest computed over bytes fed in pieces: for files too large to hold in memory, hashed as they are
/// written.
///
/// Not `Sendable`: one running computation, fed by one thread.
package final class Digester {
    private let context: DigestContext

    /// Starts a computation of `algorithm`.
    package init(_ algorithm: DigestAlgorithm) { context = DigestContext(algorithm) }

    /// Feeds bytes. The corresponding C function is `EVP_DigestUpdate`.
    package func update(_ bytes: some Collection<UInt8>) {
        if let done = bytes.withContiguousStorageIfAvailable({ context.update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        Array(bytes).withUnsafeBytes { context.update($0) }
    }

    /// The digest of everything fed so far, lowercase hex; the computation starts over afterwards.
    /// The corresponding C function is `EVP_DigestFinal_ex`.
    package func finalizeHex() -> String { context.finalizeHex() }
}
