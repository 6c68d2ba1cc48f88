import Foundation
import Testing

@testable import ProceedsGraph
import EvidenceKit
import IProceedsBase

@Suite struct TransferTableTests {
    @Test func internerGivesDenseStableNumbersThroughGrowth() {
        var interner = Interner()
        var expected: [String: Int32] = [:]
        var rng = SystemRandomNumberGenerator()
        for k in 0..<20_000 {
            // Repeats, near-duplicates, long (heap) and short (inline) strings, non-ASCII.
            let name =
                k % 3 == 0
                ? "ACC-\(Int.random(in: 0..<5000, using: &rng))"
                : k % 3 == 1 ? "RS35105008123123123\(k % 700)" : "Müller-\(k % 900)"
            let n = interner.intern(name)
            if let e = expected[name] { #expect(n == e) } else { #expect(Int(n) == expected.count); expected[name] = n }
        }
        #expect(interner.names.count == expected.count)
        for (name, n) in expected { #expect(interner.find(name) == n && interner.names[Int(n)] == name) }
        #expect(interner.find("not interned") == nil)
    }

    @Test func tableReadsBackWhatWasWrittenAndCopiesOnWrite() {
        let src = SourceReference(file: "a.csv", fileSHA256: "ab", line: 3, reference: "REF")
        let t1 = Transfer(
            id: "1", time: 5, orderKey: [1, 2], from: "A", to: "B", amount: 100, asset: "EUR", scale: 2, source: src,
            extra: ["memo": "x"])
        let t2 = Transfer(
            id: "2", time: 6, from: "B", to: "C", amount: 7, asset: "BTC", scale: 8,
            source: SourceReference(file: "b.csv", fileSHA256: "cd", line: 9))
        var table: TransferTable = [t1, t2]
        #expect(Array(table) == [t1, t2])
        let copy = table
        table[1].to = "A"
        #expect(copy[1] == t2 && table[1].to == "A" && table[1].from == "B")
        #expect(table.accountNames == ["A", "B", "C"])
        #expect(table.rows(asset: "EUR") == [0] && table.scale(of: "BTC") == 8)
    }
}

@Suite struct CSVStreamTests {
    /// Records read in chunks of any size equal the records of the whole file: quoted line breaks, doubled
    /// quotes, CRLF, blank lines and a last record without a line break all straddle chunk boundaries.
    @Test func chunkedReadingEqualsWholeReading() throws {
        let text =
            "id,memo,amount\r\n1,\"two\nlines\",3.00\r\n\r\n2,\"say \"\"hi\"\"\",4.50\n3,plain,5\n\n4,\"\",6\n5,\"end\r\nof, file\",7"
        let bytes = Array(text.utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csvstream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.csv").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var whole = CSVReader(bytes)
        var expected: [(Int, [String]?)] = []
        while let r = whole.next() { expected.append((r.line, r.problem == nil ? r.fields : nil)) }
        #expect(expected.count == 6 && expected[5].1 == ["5", "end\r\nof, file", "7"])
        for chunk in [1, 2, 3, 5, 7, 13, 64, 4096] {
            var stream = try CSVFileStream(path: path, chunkSize: chunk)
            var fields: [String] = []
            var got: [(Int, [String]?)] = []
            while let r = try stream.next(into: &fields) { got.append((r.line, r.problem == nil ? fields : nil)) }
            #expect(got.map(\.0) == expected.map(\.0), "chunk \(chunk)")
            #expect(got.map(\.1) == expected.map(\.1), "chunk \(chunk)")
            #expect(try stream.finish() == digestHex(.sha256, of: bytes))
        }
    }
}
