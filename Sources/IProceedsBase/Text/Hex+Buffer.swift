extension Hex {
    /// Lowercase hex of the bytes in a buffer: what ``encode(_:)`` gives, written straight into the string's own
    /// storage (a digest is encoded once per file hashed, so the generic path's per-byte cost shows on small files).
    package static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for b in bytes {
                out[i] = digits.utf8Start[Int(b >> 4)]
                out[i + 1] = digits.utf8Start[Int(b & 0x0F)]
                i += 2
            }
            return i
        }
    }
}
