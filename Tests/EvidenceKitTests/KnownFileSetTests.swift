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

/// The sorted index kept between runs (`DigestIndexCache`) and the NSRL lookups, against `sha256sum` and the
/// `sqlite3` shell.
@Suite struct KnownFileSetCacheTests {
    /// `sha256sum` of `names` (written with their own name as content), as a set file, and the digests.
    static func writeSet(_ s: Scratch, _ set: String, _ names: [String]) throws -> [String] {
        for n in names { try s.write("files/" + n, n + "\n") }
        let listing = try s.sh("cd files && sha256sum " + names.joined(separator: " "))
        try s.write(set, listing)
        return listing.split(separator: "\n").map { String($0.prefix(64)) }
    }

    @Test func indexIsKeptBetweenRunsAndMadeAgainWhenTheSetChanges() throws {
        let s = try Scratch()
        let cache = s.path + "/cache"
        let first = try Self.writeSet(s, "set.sha256", ["a", "b", "c"])
        let made = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
        #expect(!made.indexFromCache && made.count == 3)
        let cached = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
        #expect(cached.indexFromCache && cached.count == 3)
        let lookup = try cached.makeLookup()
        for d in first { #expect(try lookup.contains(hex: d)) }
        #expect(try !lookup.contains(hex: String(repeating: "0", count: 64)))
        // The set's SHA-256, as sha256sum gives it, is kept with the index.
        let setSHA = String(try s.run("sha256sum", [s.path + "/set.sha256"]).prefix(64))
        #expect(cached.indexedSetSHA256 == setSHA)

        // The same size and modification time (touch -r), other content: the change time differs, so the
        // index is made again and holds the new digests only.
        let other = try Self.writeSet(s, "other.sha256", ["x", "y", "z"])
        _ = try s.sh(
            "touch -r set.sha256 other.sha256 && cp -p set.sha256 keep && cat other.sha256 > set.sha256 "
                + "&& touch -r keep set.sha256")
        let again = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
        #expect(!again.indexFromCache)
        let l2 = try again.makeLookup()
        for d in other { #expect(try l2.contains(hex: d)) }
        for d in first { #expect(try !l2.contains(hex: d)) }
    }

    @Test func aDamagedCachedIndexIsNeverUsed() throws {
        let s = try Scratch()
        let cache = s.path + "/cache"
        let digests = try Self.writeSet(s, "set.sha256", (0..<50).map { "f\($0)" })
        _ = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
        let file = DigestIndexCache.file(for: s.path + "/set.sha256", algorithm: .sha256, in: cache)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(bytes.count == 128 + 50 * 32)
        // Swap two digests: a bisection could then miss one of them.
        let a = Array(bytes[128 + 10 * 32..<128 + 11 * 32])
        bytes.replaceSubrange(128 + 10 * 32..<128 + 11 * 32, with: bytes[128 + 40 * 32..<128 + 41 * 32])
        bytes.replaceSubrange(128 + 40 * 32..<128 + 41 * 32, with: a)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let set = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
        #expect(!set.indexFromCache)
        let lookup = try set.makeLookup()
        for d in digests { #expect(try lookup.contains(hex: d)) }
        // Cut short: not used either.
        try Data(bytes.prefix(128 + 20 * 32)).write(to: URL(fileURLWithPath: file))
        #expect(
            try !ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
                .indexFromCache)
        // A cache that cannot be written is no error: the index is made in a temporary file.
        try s.write("not-a-dir", "x")
        let uncached = try ReferenceHashSet(
            path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: s.path + "/not-a-dir/sub")
        #expect(!uncached.indexFromCache && uncached.count == 50)
    }

    @Test func custodyStopsWhenTheCachedIndexWasMadeFromOtherContent() throws {
        let s = try Scratch()
        let cache = s.path + "/cache"
        _ = try Self.writeSet(s, "set.sha256", ["a", "b"])
        _ = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
        let file = DigestIndexCache.file(for: s.path + "/set.sha256", algorithm: .sha256, in: cache)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[80] ^= 0xFF  // the set's SHA-256 in the header
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let set = try ReferenceHashSet(path: s.path + "/set.sha256", algorithms: [.sha256], cacheDirectory: cache)
        #expect(set.indexFromCache)
        #expect {
            try KnownFileSets(known: [set]).custodyDescription()
        } throws: { e in
            (e as! EvidenceError).code == .hashSet && (e as! EvidenceError).message.contains("cached index")
        }
        // The cached index is gone: the next run makes it again.
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// The filter in front of an indexed NSRL database: made once and kept, every digest of the set still found
    /// (in either case), absent ones not; a damaged filter is never used.
    @Test func nsrlFilterIsKeptAndNeverHidesADigestOfTheSet() throws {
        let s = try Scratch()
        let cache = s.path + "/cache"
        let digests = (0..<300).map { i in digestHex(.sha256, of: Array("file \(i)".utf8)) }
        var sql = "CREATE TABLE METADATA (sha256 VARCHAR NOT NULL, sha1 VARCHAR, md5 VARCHAR);\n"
        for (i, d) in digests.enumerated() {
            sql += "INSERT INTO METADATA VALUES ('\(i % 2 == 0 ? d.uppercased() : d)', NULL, NULL);\n"
        }
        sql += "CREATE INDEX idx_metadata_sha256 ON METADATA (sha256);\n"
        _ = try s.exec("sqlite3", [s.path + "/rds.db"], input: Data(sql.utf8))
        let absent = (0..<2000).map { i in digestHex(.sha256, of: Array("absent \(i)".utf8)) }
        func check(_ set: ReferenceHashSet) throws {
            let lookup = try set.makeLookup()
            for d in digests { #expect(try lookup.contains(hex: d)) }
            for d in absent { #expect(try !lookup.contains(hex: d)) }
        }
        let made = try ReferenceHashSet(path: s.path + "/rds.db", algorithms: [.sha256], cacheDirectory: cache)
        #expect(!made.indexFromCache)
        #expect(made.indexedSetSHA256 == String(try s.run("sha256sum", [s.path + "/rds.db"]).prefix(64)))
        try check(made)
        let kept = try ReferenceHashSet(path: s.path + "/rds.db", algorithms: [.sha256], cacheDirectory: cache)
        #expect(kept.indexFromCache)
        try check(kept)
        // Every bit of the filter cleared: trusted, it would hide every digest; its checksum refuses it.
        let file = DigestFilter.file(for: s.path + "/rds.db", algorithm: .sha256, in: cache)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        for i in DigestFilter.headerLength..<bytes.count { bytes[i] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let refused = try ReferenceHashSet(path: s.path + "/rds.db", algorithms: [.sha256], cacheDirectory: cache)
        #expect(!refused.indexFromCache)
        try check(refused)
    }

    /// NSRL lookups find digests stored in either case, whichever case the record's digest is looked up in, and
    /// one probe suffices when the index compares without case.
    @Test func nsrlLookupsFindEitherCase() throws {
        let s = try Scratch()
        let digests = (0..<40).map { i in digestHex(.sha256, of: Array("row \(i)".utf8)) }
        for (name, collate) in [("plain.db", ""), ("nocase.db", " COLLATE NOCASE")] {
            var sql = "CREATE TABLE METADATA (sha256 VARCHAR NOT NULL\(collate), sha1 VARCHAR, md5 VARCHAR);\n"
            for (i, d) in digests.enumerated() {
                // Upper, lower and mixed case rows.
                let stored = i % 3 == 0 ? d.uppercased() : i % 3 == 1 ? d : d.prefix(20).uppercased() + d.dropFirst(20)
                sql += "INSERT INTO METADATA VALUES ('\(stored)', NULL, NULL);\n"
            }
            sql += "CREATE INDEX idx_metadata_sha256 ON METADATA (sha256);\n"
            _ = try s.exec("sqlite3", [s.path + "/" + name], input: Data(sql.utf8))
            let set = try ReferenceHashSet(path: s.path + "/" + name, algorithms: [.sha256], cacheDirectory: nil)
            #expect(set.format == .nsrlRDS3 && set.count == nil)
            let lookup = try set.makeLookup()
            for (i, d) in digests.enumerated() where i % 3 != 2 || !collate.isEmpty {
                #expect(try lookup.contains(hex: d), "\(name) row \(i)")
                #expect(try lookup.contains(hex: d.uppercased()), "\(name) row \(i)")
            }
            #expect(try !lookup.contains(hex: digestHex(.sha256, of: Array("absent".utf8))))
        }
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
