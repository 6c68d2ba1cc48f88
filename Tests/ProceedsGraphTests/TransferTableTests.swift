import Foundation
import Testing

@testable import ProceedsGraph

@Suite struct TransferTableTests {
    @Test func internerGivesDenseStableNumbersThroughGrowth() {
        var interner = Interner()
        var expected: [String: Int32] = [:]
        var rng = SystemRandomNumberGenerator()
        for k in 0..<20_000 {
            // Repeats, near-duplicates, long (heap) and short (inline) strings, non-ASCII.
            let name = k % 3 == 0 ? "ACC-\(Int.random(in: 0..<5000, using: &rng))" : k % 3 == 1 ? "RS35105008123123123\(k % 700)" : "Müller-\(k % 900)"
            let n = interner.intern(name)
            if let e = expected[name] { #expect(n == e) } else { #expect(Int(n) == expected.count); expected[name] = n }
        }
        #expect(interner.names.count == expected.count)
        for (name, n) in expected { #expect(interner.find(name) == n && interner.names[Int(n)] == name) }
        #expect(interner.find("not interned") == nil)
    }

    @Test func tableReadsBackWhatWasWrittenAndCopiesOnWrite() {
        let src = SourceReference(file: "a.csv", fileSHA256: "ab", line: 3, reference: "REF")
        let t1 = Transfer(id: "1", time: 5, orderKey: [1, 2], from: "A", to: "B", amount: 100, asset: "EUR", scale: 2, source: src, extra: ["memo": "x"])
        let t2 = Transfer(id: "2", time: 6, from: "B", to: "C", amount: 7, asset: "BTC", scale: 8, source: SourceReference(file: "b.csv", fileSHA256: "cd", line: 9))
        var table: TransferTable = [t1, t2]
        #expect(Array(table) == [t1, t2])
        let copy = table
        table[1].to = "A"
        #expect(copy[1] == t2 && table[1].to == "A" && table[1].from == "B")
        #expect(table.accountNames == ["A", "B", "C"])
        #expect(table.rows(asset: "EUR") == [0] && table.scale(of: "BTC") == 8)
    }
}
