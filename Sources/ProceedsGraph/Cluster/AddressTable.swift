#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Addresses interned into dense integer ids: their bytes laid end to end in one arena, found again through an
/// open-addressing table of ids (linear probing), so that millions of addresses cost their bytes and a few
/// integers each, not a `String` and a dictionary entry hashed with SipHash.
///
/// Ids are given in the order addresses are first interned (0, 1, 2, …); an address's id never changes.
package struct AddressTable: Sendable {
    /// Every address's bytes, one after the other.
    private var arena: [UInt8] = []
    /// Where address `i` starts in ``arena``; address `i` ends where `i + 1` starts (one entry more than ids).
    private var starts: [UInt32] = [0]
    /// The open-addressing table: an id, or -1 for an empty slot. Its size is a power of two, at most half full.
    private var slots: [Int32]
    /// Each address's hash, so that growing the table and probing compare bytes only on a likely match.
    private var hashes: [UInt32] = []

    /// An empty table.
    package init() { slots = [Int32](repeating: -1, count: 1024) }

    /// How many addresses are interned.
    package var count: Int { hashes.count }

    /// The bytes of the arena hold more than 4 GiB of addresses (about 90 million): the offsets are 32 bits.
    private static let arenaLimit = Int(UInt32.max)

    /// A 32-bit hash of `bytes` (FNV-1a over 8-byte words, then mixed): fast, and good enough for addresses,
    /// whose bytes are already close to random.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var k = 0
        let n = bytes.count
        let raw = UnsafeRawBufferPointer(bytes)
        while k + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
            k += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while k < n {
            tail |= UInt64(bytes[k]) << shift
            shift += 8
            k += 1
        }
        h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    /// The id of `bytes`, interning them when new; `isNew` says whether they were.
    @inline(__always)
    package mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> (id: Int32, isNew: Bool) {
        let h = Self.hash(bytes)
        var mask = slots.count - 1
        var s = Int(h) & mask
        while true {
            let id = slots[s]
            if id < 0 { break }
            if hashes[Int(id)] == h && equal(Int(id), bytes) { return (id, false) }
            s = (s + 1) & mask
        }
        precondition(arena.count + bytes.count <= Self.arenaLimit, "more than 4 GiB of addresses")
        let id = Int32(count)
        arena.append(contentsOf: bytes)
        starts.append(UInt32(arena.count))
        hashes.append(h)
        if count * 2 > slots.count {
            grow()
            mask = slots.count - 1
            s = Int(h) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
        }
        slots[s] = id
        return (id, true)
    }

    /// The id of `address`, interning it when new.
    package mutating func intern(_ address: String) -> (id: Int32, isNew: Bool) {
        var a = address
        return a.withUTF8 { intern($0) }
    }

    /// The id of `address`, or nil when it was never interned.
    package func id(of address: String) -> Int32? {
        var a = address
        return a.withUTF8 { bytes in
            let h = Self.hash(bytes)
            let mask = slots.count - 1
            var s = Int(h) & mask
            while true {
                let id = slots[s]
                if id < 0 { return nil }
                if hashes[Int(id)] == h && equal(Int(id), bytes) { return id }
                s = (s + 1) & mask
            }
        }
    }

    @inline(__always)
    private func equal(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(starts[id]), end = Int(starts[id + 1])
        guard end - start == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            bytes.count == 0 || memcmp(a.baseAddress! + start, bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var next = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for id in 0..<count {
            var s = Int(hashes[id]) & mask
            while next[s] >= 0 { s = (s + 1) & mask }
            next[s] = Int32(id)
        }
        slots = next
    }

    /// Calls `body` with the bytes of address `id`.
    @inline(__always)
    package func withBytes<R>(_ id: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = Int(starts[id]), end = Int(starts[id + 1])
        return try arena.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Address `id` as text.
    package func string(_ id: Int) -> String { withBytes(id) { String(decoding: $0, as: UTF8.self) } }

    /// The byte length of address `id`.
    package func length(_ id: Int) -> Int { Int(starts[id + 1] - starts[id]) }

    /// Whether address `a` sorts before address `b` in byte order (a prefix first).
    @inline(__always)
    package func precedes(_ a: Int, _ b: Int) -> Bool {
        arena.withUnsafeBufferPointer { p in Self.precedes(p, starts, a, b) }
    }

    @inline(__always)
    static func precedes(_ p: UnsafeBufferPointer<UInt8>, _ starts: [UInt32], _ a: Int, _ b: Int) -> Bool {
        let sa = Int(starts[a]), la = Int(starts[a + 1]) - sa
        let sb = Int(starts[b]), lb = Int(starts[b + 1]) - sb
        let n = min(la, lb)
        if n > 0 {
            let c = memcmp(p.baseAddress! + sa, p.baseAddress! + sb, n)
            if c != 0 { return c < 0 }
        }
        return la < lb
    }

    /// Every id, sorted by the byte order of its address.
    ///
    /// Sorted on the first 8 bytes as one big-endian integer, the bytes compared only when those are equal:
    /// the same order as comparing the bytes throughout, at a fraction of the cost.
    package func idsInByteOrder() -> [Int32] {
        arena.withUnsafeBufferPointer { p in
            var keys = [(prefix: UInt64, id: Int32)]()
            keys.reserveCapacity(count)
            for id in 0..<count {
                let s = Int(starts[id]), n = Int(starts[id + 1]) - s
                var prefix: UInt64 = 0
                for k in 0..<8 { prefix = prefix << 8 | (k < n ? UInt64(p[s + k]) : 0) }
                keys.append((prefix, Int32(id)))
            }
            let starts = self.starts
            keys.sort { x, y in
                if x.prefix != y.prefix { return x.prefix < y.prefix }
                // Equal first 8 bytes (a shorter address padded with zero bytes sorts with them): the bytes decide.
                return Self.precedes(p, starts, Int(x.id), Int(y.id))
            }
            return keys.map(\.id)
        }
    }
}
