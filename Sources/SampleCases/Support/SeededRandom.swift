/// The generator's only source of variety: SplitMix64 (Steele, Lea and Flood, 2014), so the same seed gives the
/// same case on every machine and every Swift version (the standard library's generators promise neither).
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A random number generator for one part of a case, so that adding a part does not shift the others.
    func derived(_ label: String) -> SeededRandom {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the label, mixed into the seed
        for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return SeededRandom(seed: state ^ h)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range` (by rejection, so without modulo bias).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        let limit = UInt64.max - UInt64.max % span
        var x = next()
        while x >= limit { x = next() }
        return range.lowerBound + Int(x % span)
    }

    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        Int64(int(Int(range.lowerBound)...Int(range.upperBound)))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(int(0...9))) }) }

    mutating func hex(_ n: Int) -> String {
        let alphabet = Array("0123456789abcdef")
        return String((0..<n).map { _ in alphabet[int(0...15)] })
    }

    mutating func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(n + 8)
        while out.count < n {
            var x = next()
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: x))
                x >>= 8
            }
        }
        return Array(out.prefix(n))
    }

    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, int(0...i)) }
    }
}
