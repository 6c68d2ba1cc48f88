import Foundation
import TestSupport
import Testing

@testable import EvidenceKit

@Suite struct DigestTests {
    struct Vector: Decodable {
        let input: String
        let values: [String: String]

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            input = try c.decode(String.self, forKey: AnyKey("input"))
            var values: [String: String] = [:]
            for key in c.allKeys where key.stringValue != "input" {
                values[key.stringValue] = try c.decode(String.self, forKey: key)
            }
            self.values = values
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct VectorFile: Decodable {
        let vectors: [Vector]
        let million_a: [String: String]
    }

    static func load() throws -> VectorFile {
        let url = try #require(
            Bundle.module.url(forResource: "digests", withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
    }

    @Test func knownAnswerVectorsForEveryAlgorithm() throws {
        let file = try Self.load()
        var covered = Set<DigestAlgorithm>()
        for vector in file.vectors {
            for (name, expected) in vector.values {
                let alg = try #require(DigestAlgorithm(rawValue: name))
                #expect(digestHex(alg, of: Array(vector.input.utf8)) == expected, "\(name)(\"\(vector.input)\")")
                covered.insert(alg)
            }
        }
        #expect(covered == Set(DigestAlgorithm.allCases))
    }

    @Test func millionAInUnevenUpdates() throws {
        let file = try Self.load()
        for (name, expected) in file.million_a {
            let alg = try #require(DigestAlgorithm(rawValue: name))
            let digest = MultiDigest([alg], pieceSize: nil)
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 999)
            var left = 1_000_000
            while left > 0 {
                let n = min(left, chunk.count)
                chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                left -= n
            }
            #expect(digest.finish().digests == [expected])
        }
    }

    @Test func piecesEqualDigestsOfTheSlices() {
        let data = pseudoRandomBytes(10_000, seed: 7)
        let digest = MultiDigest([.md5, .sha256], pieceSize: 4096)
        // Feed in chunks that do not line up with the pieces.
        var offset = 0
        for size in [1, 4000, 300, 5000, 699] {
            data.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + size)])) }
            offset += size
        }
        let result = digest.finish()
        #expect(result.digests == [digestHex(.md5, of: data), digestHex(.sha256, of: data)])
        let pieces = try! #require(result.pieces)
        #expect(pieces.map(\.offset) == [0, 4096, 8192])
        #expect(pieces.map(\.size) == [4096, 4096, 1808])
        for p in pieces {
            let slice = data[Int(p.offset)..<Int(p.offset + p.size)]
            #expect(p.digests == [digestHex(.md5, of: slice), digestHex(.sha256, of: slice)])
        }
        // The context is reusable after finish.
        data.withUnsafeBytes { digest.update($0) }
        #expect(digest.finish().digests[1] == digestHex(.sha256, of: data))
    }

    @Test func algorithmListParsing() throws {
        #expect(try DigestAlgorithm.parseList("sha256,md5, SHA1") == [.md5, .sha1, .sha256])
        #expect(try DigestAlgorithm.parseList("sha3-256,blake2b-512,sha512") == [.sha512, .sha3_256, .blake2b_512])
        #expect(throws: EvidenceError.self) { try DigestAlgorithm.parseList("crc32") }
        #expect(throws: EvidenceError.self) { try DigestAlgorithm.parseList("") }
    }
}
