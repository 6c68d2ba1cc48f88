import Foundation
import IProceedsBase
import TestSupport
import Testing

@testable import EvidenceKit

/// The sorted digest index behind `--known` and `--known-bad`, and the text set readers, checked against Swift's
/// own `Set` and against files written by the coreutils and hashdeep.
@Suite struct KnownFileSetTests {
    /// Many runs merged (the path a 10-million-entry set takes), with repeats inside and across runs.
    @Test func indexBuiltFromManyRunsFindsExactlyTheDigestsAdded() throws {
        let builder = SortedDigestIndex.Builder(width: 32, runEntries: 997)
        var added = Set<[UInt8]>()
        var generator = SplitMix(seed: 42)
        for i in 0..<10_000 {
            let digest = (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            added.insert(digest)
            try builder.add(digest)
            if i % 7 == 0 { try builder.add(digest) }  // a repeat in the same run or a later one
        }
        let index = try builder.finish()
        #expect(index.count == added.count)
        for digest in added { #expect(digest.withUnsafeBytes { index.contains($0) }) }
        var misses = 0
        for _ in 0..<10_000 {
            let digest = (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if !added.contains(digest), digest.withUnsafeBytes({ index.contains($0) }) { misses += 1 }
        }
        #expect(misses == 0)
        // Digests that share their first 8 bytes are ordered by the rest.
        let close = SortedDigestIndex.Builder(width: 20, runEntries: 3)
        let prefix = [UInt8](repeating: 0xAB, count: 12)
        let tails: [[UInt8]] = (0..<10).map { [UInt8](repeating: UInt8(9 - $0), count: 8) }
        for t in tails { try close.add(prefix + t) }
        let closeIndex = try close.finish()
        #expect(closeIndex.count == 10)
        for t in tails { #expect((prefix + t).withUnsafeBytes { closeIndex.contains($0) }) }
        #expect(!(prefix + [UInt8](repeating: 10, count: 8)).withUnsafeBytes { closeIndex.contains($0) })
    }

    @Test func checksumLinesOfEveryStyleAreRead() throws {
        let s = try Scratch()
        try s.write("a", "alpha\n")
        try s.write("b c", "beta\n")
        try s.write("back\\slash", "gamma\n")
        // GNU text and binary mode, an escaped name, and BSD --tag style, all written by coreutils.
        let gnu = try s.run("sha256sum", ["a", "b c", "back\\slash"])
        let binary = try s.run("sha256sum", ["-b", "a"])
        let tagged = try s.run("sha256sum", ["--tag", "b c"])
        try s.write("set.sha256", gnu + binary + "\n" + tagged)
        let set = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256])
        #expect(set.format == .checksumList && set.algorithm == .sha256 && set.count == 3)
        let lookup = try set.makeLookup()
        for line in gnu.split(separator: "\n") {
            let hex = String(line.drop { $0 == "\\" }.prefix(64))
            #expect(try lookup.contains(hex: hex))
        }
        #expect(try !lookup.contains(hex: String(repeating: "0", count: 64)))
    }

    @Test func malformedLinesAreNamedByFileAndLine() throws {
        let s = try Scratch()
        let good = String(repeating: "ab", count: 32)
        try s.write("bad.sha256", "\(good)  one\n\(good)  two\nnot a digest line\n")
        #expect {
            try ReferenceHashSet(path: s.path + "/bad.sha256", algorithms: [.sha256])
        } throws: { e in
            let e = e as! EvidenceError
            return e.code == .hashSet && e.message.contains("bad.sha256 line 3")
        }
        // A shorter digest among SHA-256 ones (an md5 pasted in) is malformed too.
        try s.write("mixed.sha256", "\(good)  one\n\(String(repeating: "cd", count: 16))  two\n")
        #expect {
            try ReferenceHashSet(path: s.path + "/mixed.sha256", algorithms: [.sha256, .md5])
        } throws: { e in (e as! EvidenceError).message.contains("line 2") }
        try s.write("empty.txt", "")
        #expect {
            try ReferenceHashSet(path: s.path + "/empty.txt", algorithms: [.sha256])
        } throws: { e in (e as! EvidenceError).code == .hashSet }
        #expect {
            try ReferenceHashSet(path: s.path + "/missing.txt", algorithms: [.sha256])
        } throws: { e in (e as! EvidenceError).code == .hashSetMissing }
        // A set the run cannot look up in: md5 digests, a run of sha256 only.
        try s.write("set.md5", "\(String(repeating: "cd", count: 16))  one\n")
        #expect {
            try ReferenceHashSet(path: s.path + "/set.md5", algorithms: [.sha256])
        } throws: { e in (e as! EvidenceError).code == .invalidArgument }
    }

    @Test func csvWithAndWithoutHeaderAndQuotedDescriptions() throws {
        let s = try Scratch()
        let md5 = String(repeating: "0f", count: 16)
        let sha1 = String(repeating: "A1", count: 20)
        try s.write("with-header.csv", "description,sha1,md5\r\n\"Tool, v2 \"\"pro\"\"\",\(sha1),\(md5)\r\n")
        let set = try ReferenceHashSet(path: s.path + "/with-header.csv", algorithms: [.md5, .sha1])
        #expect(set.format == .csv && set.algorithm == .sha1)
        #expect(try set.makeLookup().contains(hex: sha1.lowercased()))
        try s.write("plain.csv", "\(md5),known installer\n")
        let plain = try ReferenceHashSet(path: s.path + "/plain.csv", algorithms: [.md5])
        #expect(try plain.makeLookup().contains(hex: md5))
        try s.write("open-quote.csv", "sha1,description\n\(sha1),\"open\n")
        #expect {
            try ReferenceHashSet(path: s.path + "/open-quote.csv", algorithms: [.sha1])
        } throws: { e in (e as! EvidenceError).message.contains("open-quote.csv line 2") }
    }

    @Test func hashdeepFilesWrittenByHashdeepAreRead() throws {
        let s = try Scratch()
        try s.write("d/one", "one\n")
        try s.write("d/two, with comma", "two\n")
        let listing = try s.run("hashdeep", ["-c", "md5,sha256", "-r", "d"])
        try s.write("set.hashdeep", listing)
        let set = try ReferenceHashSet(path: s.path + "/set.hashdeep", algorithms: [.md5, .sha256])
        #expect(set.format == .hashdeep && set.algorithm == .sha256 && set.count == 2)
        let byMD5 = try ReferenceHashSet(path: s.path + "/set.hashdeep", algorithms: [.md5])
        #expect(byMD5.algorithm == .md5)
        let truth = try s.run("sha256sum", ["d/one", "d/two, with comma"])
        let lookup = try set.makeLookup()
        for line in truth.split(separator: "\n") { #expect(try lookup.contains(hex: String(line.prefix(64)))) }
    }
}

/// SplitMix64, for reproducible random digests.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
