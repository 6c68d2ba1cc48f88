import Foundation
import IProceedsBase
import TestSupport
import Testing

@testable import EvidenceKit

/// The JSON Lines writer builds each line byte by byte (it runs once per item, under the lock that keeps the
/// manifest in order); its lines must be, byte for byte, the record's JSON value written by the general JSON
/// writer of `IProceedsBase` (one Unicode scalar at a time), for any name bytes, any number and any time.
@Suite struct ManifestLineTests {
    /// Seeded records with names of random bytes (ASCII, controls, quotes, UTF-8 sequences, invalid bytes),
    /// members, extreme sizes and times, pieces, notes and errors.
    static func records(count: Int, seed: UInt64) -> [FingerprintRecord] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let pieces: [[UInt8]] = [
            Array("plain/".utf8), Array("é€😀".utf8), [0x22], [0x5C], [0x00], [0x1F], [0x7F], [0x0A, 0x0D], [0xFF],
            [0xC3], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], Array("\u{2028}".utf8),
        ]
        func name() -> RawName {
            var bytes: [UInt8] = []
            for _ in 0..<Int(next() % 8) {
                bytes += next() % 3 == 0 ? pieces[Int(next() % UInt64(pieces.count))] : [UInt8(0x20 + next() % 0x5F)]
            }
            return RawName(bytes)
        }
        let algorithms = DigestAlgorithm.allCases
        var out: [FingerprintRecord] = []
        for i in 0..<count {
            var r = FingerprintRecord(path: name(), kind: ItemKind.allCases[i % ItemKind.allCases.count])
            if next() % 3 == 0 { r.member = (0..<Int(1 + next() % 3)).map { _ in name() } }
            switch next() % 4 {
            case 0: r.size = nil
            case 1: r.size = .max - next() % 3
            default: r.size = next() >> (next() % 64)
            }
            for alg in algorithms where next() % 2 == 0 {
                r.digests[alg] = Hex.encode(pseudoRandomBytes(8, seed: next()))
            }
            switch next() % 4 {
            case 0: r.mtime = nil
            case 1: r.mtime = Int64(bitPattern: next())  // far beyond year 9999, or before year 0
            default: r.mtime = Int64(next() % 4_000_000_000) - 200_000_000
            }
            if next() % 4 == 0 {
                r.pieces = (0..<Int(next() % 3)).map { k in
                    PieceDigest(offset: UInt64(k) << 20, size: 1 << 20, digests: algorithms.map { $0.rawValue })
                }
            }
            if next() % 3 == 0 { r.note = name().text + " → \u{1}\t\"x\"" }
            if next() % 3 == 0 { r.error = "read error: " + name().text }
            out.append(r)
        }
        return out
    }

    @Test(arguments: [[DigestAlgorithm.sha256], [.md5, .sha1, .sha256], DigestAlgorithm.allCases])
    func aLineIsTheRecordsJSONValue(algorithms: [DigestAlgorithm]) {
        for r in Self.records(count: 3000, seed: UInt64(algorithms.count)) {
            let line = JSONLinesWriter.line(r, algorithms: algorithms)
            #expect(line == r.jsonValue(algorithms: algorithms).compact, "\(r.key)")
        }
    }

    @Test func theWriterWritesTheLinesAndTheHashdeepCommentsCarryThem() throws {
        let algorithms: [DigestAlgorithm] = [.md5, .sha256]
        let records = Self.records(count: 500, seed: 99)
        let context = ManifestContext(algorithms: algorithms, workingDirectory: "/w")
        let sink = ByteSink()
        let writer = ManifestWriters.make(.jsonl, context: context, sink: sink)
        try writer.begin()
        for r in records { try writer.write(r) }
        try writer.finish()
        #expect(String(decoding: sink.memory, as: UTF8.self) == jsonl(records, algorithms))

        let hashdeep = ByteSink()
        let hw = ManifestWriters.make(.hashdeep, context: context, sink: hashdeep)
        for r in records { try hw.write(r) }
        try hw.finish()
        let comments = String(decoding: hashdeep.memory, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix(HashdeepWriter.commentPrefix) }.map {
                $0.dropFirst(HashdeepWriter.commentPrefix.count)
            }
        // Each comment is the JSON value of a record with its path made absolute, as hashdeep writes paths.
        let expected = Set(
            records.map { r in
                var a = r
                a.path = r.path.absolute(in: "/w")
                return a.jsonValue(algorithms: algorithms).compact
            })
        #expect(comments.count > 100)
        for c in comments { #expect(expected.contains(String(c)), "\(c)") }
    }
}
