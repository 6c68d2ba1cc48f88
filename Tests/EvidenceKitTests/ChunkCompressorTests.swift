import Foundation
import TestSupport
import Testing

@testable import EvidenceKit

/// Which E01 chunks `--compression fast` stores without trying deflate: only those whose bytes are spread so evenly
/// that a shorter code for frequent bytes cannot help. Checked against zlib (Python's), an independent deflate.
@Suite struct ChunkCompressorTests {
    /// Python's zlib at level 1 (what ewfacquire's `-c fast` uses): the compressed size of each file.
    static func zlibSizes(_ chunks: [[UInt8]]) throws -> [Int] {
        let scratch = try Scratch()
        for (i, c) in chunks.enumerated() { _ = try scratch.write("c\(i)", c) }
        let out = try scratch.sh(
            "python3 -c \"import sys, zlib; [print(len(zlib.compress(open(f, 'rb').read(), 1))) for f in sys.argv[1:]]\" "
                + chunks.indices.map { "c\($0)" }.joined(separator: " "))
        return out.split(separator: "\n").map { Int($0)! }
    }

    static func flat(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { ChunkCompressor.isFlat($0) } }

    @Test func randomChunksAreFlatAndZlibCannotShrinkThem() throws {
        let chunks = (0..<16).map { pseudoRandomBytes(32768, seed: 140 + UInt64($0)) }
        #expect(chunks.allSatisfy(Self.flat))
        for size in try Self.zlibSizes(chunks) { #expect(size > 32768) }
    }

    /// Text, zeros, one repeated byte, random bytes of 7 bits or drawn from 200 values, a sector of zeros amid
    /// random bytes: none is flat, and zlib shrinks every one.
    @Test func compressibleChunksAreNotFlat() throws {
        let text = Array(
            String(repeating: "2026-01-05;DE89370400440532013000;transfer;1234.56 EUR\n", count: 600).utf8.prefix(32768)
        )
        let sevenBits = pseudoRandomBytes(32768, seed: 7).map { $0 & 0x7F }
        let twoHundred = pseudoRandomBytes(32768, seed: 8).map { $0 % 200 }
        var sectorOfZeros = pseudoRandomBytes(32768, seed: 9)
        for i in 4096..<4608 { sectorOfZeros[i] = 0 }
        let chunks = [
            text, [UInt8](repeating: 0, count: 32768), [UInt8](repeating: 0xAB, count: 32768), sevenBits, twoHundred,
            sectorOfZeros,
        ]
        for (i, chunk) in chunks.enumerated() { #expect(!Self.flat(chunk), "chunk \(i)") }
        for (i, size) in try Self.zlibSizes(chunks).enumerated() { #expect(size < 32768, "chunk \(i): \(size)") }
    }

    /// The documented trade-off: a chunk made of one random half repeated is flat and is stored whole, though
    /// deflate would have halved it. Chunks shorter than 4 KiB are always tried.
    @Test func repeatedRandomHalvesAreFlatAndShortChunksAreTried() throws {
        let half = pseudoRandomBytes(16384, seed: 10)
        #expect(Self.flat(half + half))
        #expect(try Self.zlibSizes([half + half])[0] < 20000)
        #expect(!Self.flat(pseudoRandomBytes(4095, seed: 11)))
        #expect(Self.flat(pseudoRandomBytes(4096, seed: 11)))
    }

    /// Through the compressor: with `skipFlat`, a random chunk is stored as it is with its Adler-32 (zlib's), and a
    /// text chunk is still a zlib stream that Python inflates back.
    @Test func preparedChunksWithSkipFlat() throws {
        let random = pseudoRandomBytes(32768, seed: 12)
        let text = Array(
            String(repeating: "transfer 1234.56 EUR to DE89370400440532013000\n", count: 700).utf8.prefix(32768))
        let compressor = ChunkCompressor(chunkSize: 32768, level: 1, threads: 2, skipFlat: true)
        let prepared = random.withUnsafeBytes { r in text.withUnsafeBytes { t in compressor.prepare([r, t]) } }
        #expect(prepared.map(\.compressed) == [false, true])
        let out = UnsafeRawBufferPointer(compressor.output)
        #expect(Array(out[prepared[0].offset..<prepared[0].offset + prepared[0].size]) == random)
        let scratch = try Scratch()
        _ = try scratch.write("r", random)
        let adler = try scratch.sh("python3 -c \"import zlib; print(zlib.adler32(open('r', 'rb').read()))\"")
        #expect(String(prepared[0].checksum) + "\n" == adler)
        _ = try scratch.write("z", Array(out[prepared[1].offset..<prepared[1].offset + prepared[1].size]))
        _ = try scratch.write("t", text)
        let same = try scratch.sh(
            "python3 -c \"import zlib; print(zlib.decompress(open('z', 'rb').read()) == open('t', 'rb').read())\"")
        #expect(same == "True\n")
    }
}
