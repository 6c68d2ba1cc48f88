import EvidenceKit
import Foundation
import TestSupport
import Testing

/// An in-memory source that fails with `EIO` on every read touching a bad sector: the seam for read errors.
final class FailingSource: ImagingSource {
    let bytes: [UInt8]
    let badSectors: Set<Int>
    let description: SourceDescription
    /// Called before each read, with the bytes read so far (to interrupt half way).
    var beforeRead: ((UInt64) -> Void)?
    private(set) var reads = 0

    init(_ bytes: [UInt8], badSectors: Set<Int> = [], sectorSize: Int = 512, stream: Bool = false) {
        self.bytes = bytes
        self.badSectors = badSectors
        description = SourceDescription(
            path: "test-source", kind: stream ? .stream : .file, size: stream ? nil : UInt64(bytes.count),
            sectorSize: sectorSize)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SourceReadFailure) -> Int {
        reads += 1
        beforeRead?(offset)
        let start = Int(offset)
        guard start < bytes.count else { return 0 }
        let end = min(start + buffer.count, bytes.count)
        let sector = description.sectorSize
        if (start / sector...(end - 1) / sector).contains(where: badSectors.contains) {
            throw SourceReadFailure(errno: EIO)
        }
        for i in start..<end { buffer[i - start] = bytes[i] }
        return end - start
    }
}

/// A stream whose reads return odd sizes, so that E01 chunks straddle the blocks handed to the writer.
final class OddSizedStream: ImagingSource {
    let bytes: [UInt8]
    let description = SourceDescription(path: "odd-stream", kind: .stream, size: nil, sectorSize: 512)
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SourceReadFailure) -> Int {
        let n = min(buffer.count, 12_345 + position % 7 * 1000, bytes.count - position)
        for i in 0..<n { buffer[i] = bytes[position + i] }
        position += n
        return n
    }
}

/// Deterministic bytes for imaging tests (the shared generator with a fixed seed).
func imagingBytes(_ count: Int) -> [UInt8] { pseudoRandomBytes(count, seed: 14) }

/// Runs a tool and returns its standard output; the test fails on a non-zero exit.
func tool(_ name: String, _ args: [String], in dir: String) throws -> String {
    let r = try ChildProcess.run(name, args, in: dir, mergingStandardError: true)
    #expect(r.status == 0, "\(name) \(args) exited \(r.status): \(r.stdout)")
    return r.stdout
}

@Suite struct ImagingTests {
    /// The image holds the source with zeros exactly in the bad sectors, and the log lists them, merged.
    @Test func badSectorsBecomeZerosAndRanges() throws {
        let scratch = try Scratch()
        let data = imagingBytes(3 * 4096 * 8 + 1000)
        // Sectors 10 and 11 (adjacent: one range), 40, and the last whole sector before the tail.
        let bad: Set<Int> = [10, 11, 40, 191]
        let source = FailingSource(data, badSectors: bad)
        var options = ImagingOptions()
        options.format = .raw
        options.blockSize = 16384
        options.buffers = 3
        let result = try Imager.acquire(
            source: source, base: scratch.path + "/img", options: options, progress: ImagingProgress())
        var expected = data
        for s in bad { for i in s * 512..<(s + 1) * 512 { expected[i] = 0 } }
        let image = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path + "/img.raw")))
        #expect(image == expected)
        #expect(result.log.complete)
        #expect(result.log.badRanges.map { [$0.offset, $0.length] } == [[5120, 1024], [20480, 512], [97792, 512]])
        #expect(result.log.badRanges.allSatisfy { $0.errno == EIO })
        // The digests are of what the image holds, checked with coreutils.
        let sha = try tool("sha256sum", ["img.raw"], in: scratch.path).prefix(64)
        #expect(result.log.digests["sha256"] == String(sha))
    }

    /// A read error in a tail that is not a whole sector still salvages the good sectors before it.
    @Test func badTailSectorIsPartial() throws {
        let scratch = try Scratch()
        let data = imagingBytes(5 * 512 + 100)
        let source = FailingSource(data, badSectors: [5])
        var options = ImagingOptions()
        options.format = .raw
        let result = try Imager.acquire(
            source: source, base: scratch.path + "/t", options: options, progress: ImagingProgress())
        #expect(result.log.badRanges.map { [$0.offset, $0.length] } == [[2560, 100]])
        let image = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path + "/t.raw")))
        #expect(Array(image[0..<2560]) == Array(data[0..<2560]))
        #expect(image[2560...].allSatisfy { $0 == 0 })
        #expect(image.count == data.count)
    }

    /// Ctrl-C half way: the files keep their partial names and the log says the image is incomplete.
    @Test func interruptedLeavesPartialImageAndLog() throws {
        let scratch = try Scratch()
        let data = imagingBytes(1 << 20)
        let source = FailingSource(data)
        let progress = ImagingProgress()
        source.beforeRead = { (offset: UInt64) in
            if offset >= 512 * 1024 { progress.cancelRequested.store(true, ordering: .relaxed) }
        }
        var options = ImagingOptions()
        options.format = .raw
        options.blockSize = 65536
        let result = try Imager.acquire(
            source: source, base: scratch.path + "/cut", options: options, progress: progress)
        #expect(result.interrupted)
        #expect(!result.log.complete)
        #expect(result.imagePaths == [scratch.path + "/cut.partial.raw"])
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/cut.raw"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/cut.log.json"))
        let log = try AcquisitionLog.read(path: scratch.path + "/cut.partial.log.json")
        #expect(log.complete == false)
        #expect(log.incompleteReason?.contains("interrupted") == true)
        let image = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path + "/cut.partial.raw")))
        #expect(UInt64(image.count) == log.bytesAcquired)
        #expect(image.count < data.count && image == Array(data[0..<image.count]))
        #expect(
            try String(contentsOfFile: scratch.path + "/cut.partial.log.txt", encoding: .utf8).hasPrefix("INCOMPLETE"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/cut.partial.reserve"))
    }

    /// A split raw image: segments of the given size whose concatenation is the source, each with its SHA-256.
    @Test func splitRawSegments() throws {
        let scratch = try Scratch()
        let data = imagingBytes(250_000)
        var options = ImagingOptions()
        options.format = .raw
        options.segmentSize = 100_000
        options.pieceSize = 65536
        options.blockSize = 32768
        let result = try Imager.acquire(
            source: FailingSource(data), base: scratch.path + "/s", options: options, progress: ImagingProgress())
        #expect(result.log.segments.map { $0.name } == ["s.001", "s.002", "s.003"])
        #expect(result.log.segments.map { $0.size } == [100_000, 100_000, 50_000])
        var joined: [UInt8] = []
        for s in result.log.segments {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path + "/" + s.name)))
            joined += bytes
            #expect(String(try tool("sha256sum", [s.name], in: scratch.path).prefix(64)) == s.sha256)
        }
        #expect(joined == data)
        #expect(result.log.pieces?.map { $0.size } == [65536, 65536, 65536, 53392])
        let report = try ImageVerifier.verifyImage(path: scratch.path + "/s.001")
        #expect(report.verified, "\(report.problems)")
    }

    /// A stream that fails cannot be re-read: the image keeps what came before and says it is incomplete.
    @Test func failingStreamIsIncomplete() throws {
        let scratch = try Scratch()
        let data = imagingBytes(8192)
        let source = FailingSource(data, badSectors: [12], stream: true)
        var options = ImagingOptions()
        options.format = .raw
        options.blockSize = 4096
        let result = try Imager.acquire(
            source: source, base: scratch.path + "/p", options: options, progress: ImagingProgress())
        #expect(!result.log.complete)
        #expect(result.log.bytesAcquired == 4096)
        #expect(result.log.incompleteReason?.contains("offset 4096") == true)
    }

    /// An existing image is refused without `replace`, replaced with it.
    @Test func existingOutputRefused() throws {
        let scratch = try Scratch()
        try scratch.write("x.raw", "old")
        var options = ImagingOptions()
        options.format = .raw
        #expect(throws: EvidenceError.self) {
            try Imager.acquire(
                source: FailingSource([1, 2, 3]), base: scratch.path + "/x", options: options,
                progress: ImagingProgress())
        }
        #expect(try String(contentsOfFile: scratch.path + "/x.raw", encoding: .utf8) == "old")
        options.replace = true
        let result = try Imager.acquire(
            source: FailingSource([1, 2, 3]), base: scratch.path + "/x", options: options, progress: ImagingProgress())
        #expect(result.log.complete)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path + "/x.raw"))) == [1, 2, 3])
    }

    /// An E01 of a source with bad sectors: ewfverify accepts it, ewfinfo lists the acquiry errors, and the
    /// stored digests are those of the image's media.
    @Test func e01WithAcquiryErrors() throws {
        let scratch = try Scratch()
        let data = imagingBytes(200_000)
        var options = ImagingOptions()
        options.format = .e01
        options.caseNumber = "CASE-7"
        options.blockSize = 65536
        let result = try Imager.acquire(
            source: FailingSource(data, badSectors: [3, 100]), base: scratch.path + "/e", options: options,
            progress: ImagingProgress())
        #expect(result.log.badRanges.count == 2)
        _ = try tool("ewfverify", ["-q", "e.E01"], in: scratch.path)
        let info = try tool("ewfinfo", ["e.E01"], in: scratch.path)
        #expect(info.contains("CASE-7"))
        #expect(info.contains("Read errors during acquiry"), "\(info)")
        #expect(info.contains("at sector(s): 3 - 3 number: 1"), "\(info)")
        #expect(info.contains("at sector(s): 100 - 100 number: 1"), "\(info)")
        let report = try ImageVerifier.verifyImage(path: scratch.path + "/e.E01")
        #expect(report.verified, "\(report.problems)")
    }

    /// The JSON log is built as a `JSONValue` but still read through Codable: both must name every key alike.
    /// Python's json module reads the log as the same object as JSONEncoder (the former writer) wrote, with every
    /// optional part present and with none; Python lays it out byte for byte as iproceeds does (sorted keys,
    /// two-space indent); and the log reads back equal.
    @Test func logJSONEqualsJSONEncoderOutputAndReadsBack() throws {
        let scratch = try Scratch()
        var options = ImagingOptions()
        options.format = .e01
        options.caseNumber = "CASE-7"
        options.examinerName = "A. Examiner"
        options.notes = "line one\nline \"two\" a/b \\ é 😀"
        options.pieceSize = 65536
        options.segmentSize = 1 << 30
        options.verify = true
        options.blockSize = 65536
        options.commandLine = ["iproceeds", "evidence", "image", "/dev/sdx"]
        let result = try Imager.acquire(
            source: FailingSource(imagingBytes(200_000), badSectors: [3, 100]), base: scratch.path + "/e",
            options: options, progress: ImagingProgress())
        var full = result.log
        #expect(full.ewf != nil && full.verification != nil && full.pieces != nil && full.badRanges.count == 2)
        full.incompleteReason = "stopped: \u{1}\t\u{7f} control"
        full.source.model = "Model/X \\ \"Y\""
        full.source.serial = "S-1"
        var bare = full
        bare.incompleteReason = nil
        bare.source.size = nil
        bare.source.model = nil
        bare.source.serial = nil
        bare.pieceSize = nil
        bare.pieces = nil
        bare.segmentSize = nil
        bare.badRanges = []
        bare.ewf = nil
        bare.verification = nil
        bare.digests = [:]
        let compare = """
            import json, sys
            old = json.load(open(sys.argv[1], encoding="utf-8"))
            text = open(sys.argv[2], encoding="utf-8").read()
            new = json.loads(text)
            assert old == new, (old, new)
            assert text == json.dumps(new, indent=2, sort_keys=True, ensure_ascii=False) + "\\n", text
            print(len(new))
            """
        for (n, log) in [full, bare].enumerated() {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            try scratch.write("old\(n).json", try encoder.encode(log))
            let path = try scratch.write("new\(n).json", log.jsonBytes())
            let keys = try scratch.run("python3", ["-c", compare, "old\(n).json", "new\(n).json"])
            #expect(keys == (n == 0 ? "20\n" : "14\n"), "\(keys)")
            #expect(try AcquisitionLog.read(path: path) == log)
        }
    }

    /// A log that gives a key twice is refused before it is decoded: JSONDecoder would silently take one of the
    /// two digests, and another reader the other one.
    @Test func logWithDoubledKeyIsRefused() throws {
        let scratch = try Scratch()
        var options = ImagingOptions()
        options.format = .raw
        let result = try Imager.acquire(
            source: FailingSource(imagingBytes(10_000)), base: scratch.path + "/d", options: options,
            progress: ImagingProgress())
        let text = String(decoding: result.log.jsonBytes(), as: UTF8.self)
        let sha = try #require(result.log.digests["sha256"])
        let doubled = text.replacingOccurrences(
            of: "\"sha256\": \"\(sha)\"",
            with: "\"sha256\": \"\(String(repeating: "0", count: 64))\", \"sha256\": \"\(sha)\"")
        #expect(doubled != text)
        let path = try scratch.write("d.log.json", doubled)
        #expect(throws: EvidenceError.self) { try AcquisitionLog.read(path: path) }
        do {
            _ = try AcquisitionLog.read(path: path)
        } catch let e as EvidenceError {
            #expect(e.code == .manifest)
            #expect(e.message.contains("sha256"), "\(e.message)")
        }
    }

    /// verify-image takes each file's SHA-256 from the read it makes anyway (split raw: the media's bytes; one raw
    /// file: the media's SHA-256; E01: a read beside the media's check): against a log whose every file digest was
    /// altered, it reports each file with the SHA-256 that sha256sum gives.
    @Test(arguments: ["raw-split", "raw", "e01"])
    func verifyImageFileDigestsAreSha256sum(layout: String) throws {
        let scratch = try Scratch()
        // Not a whole number of sectors, of chunks, or of segments; random (E01 chunks stored) then zeros.
        let data = imagingBytes(2_500_001) + [UInt8](repeating: 0, count: 700_000)
        var options = ImagingOptions()
        options.format = layout == "e01" ? .e01 : .raw
        options.segmentSize = layout == "raw" ? nil : 1 << 20
        options.blockSize = 1 << 20
        let result = try Imager.acquire(
            source: FailingSource(data), base: scratch.path + "/v", options: options, progress: ImagingProgress())
        #expect(result.log.complete)
        #expect(
            layout == "raw" ? result.log.segments.count == 1 : result.log.segments.count >= 3, "\(result.log.segments)")
        let first = scratch.path + "/" + result.log.segments[0].name
        #expect(try ImageVerifier.verifyImage(path: first).verified)
        // The same log with every file's SHA-256 replaced by zeros (the media's digests untouched).
        var log = try AcquisitionLog.read(path: scratch.path + "/v.log.json")
        let zeros = String(repeating: "0", count: 64)
        for i in log.segments.indices { log.segments[i].sha256 = zeros }
        let forged = try scratch.write("forged.log.json", log.jsonBytes())
        let report = try ImageVerifier.verifyImage(path: first, logPath: forged)
        for segment in result.log.segments {
            let sha = String(try tool("sha256sum", [segment.name], in: scratch.path).prefix(64))
            #expect(
                report.problems.contains("\(segment.name): sha256 \(sha) but the log says \(zeros)"),
                "\(report.problems)")
        }
        #expect(report.problems.count == result.log.segments.count, "\(report.problems)")
    }

    /// E01 chunks compressed on several threads, for each compression level, from a stream read in odd sizes:
    /// libewf's own tools accept the image, and ewfexport gives back the source (padded to a whole sector).
    @Test(arguments: ImagingOptions.Compression.allCases)
    func e01CompressedOnSeveralThreads(compression: ImagingOptions.Compression) throws {
        let scratch = try Scratch()
        // Random (stored as it is), zeros, one repeated byte, text (compressible), and a tail that is not a whole
        // sector nor a whole chunk.
        var data = imagingBytes(1 << 20)
        data += [UInt8](repeating: 0, count: 256 << 10) + [UInt8](repeating: 0xAB, count: 100_000)
        data += Array(String(repeating: "2026-01-05;DE89370400440532013000;transfer;1234.56 EUR\n", count: 6000).utf8)
        data += imagingBytes(777)
        var options = ImagingOptions()
        options.format = .e01
        options.compression = compression
        options.threads = 3
        options.blockSize = 1 << 20
        let result = try Imager.acquire(
            source: OddSizedStream(data), base: scratch.path + "/m", options: options, progress: ImagingProgress())
        #expect(result.log.complete)
        #expect(try tool("ewfverify", ["-q", "m.E01"], in: scratch.path).contains("SUCCESS"))
        _ = try tool("ewfexport", ["-q", "-u", "-f", "raw", "-t", "back", "m.E01"], in: scratch.path)
        let back = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path + "/back.raw")))
        let padded = (data.count + 511) / 512 * 512
        #expect(back.count == padded)
        #expect(Array(back.prefix(data.count)) == data)
        #expect(back.dropFirst(data.count).allSatisfy { $0 == 0 })
        // The stored MD5 is that of the media, by coreutils.
        let md5 = String(try tool("md5sum", ["back.raw"], in: scratch.path).prefix(32))
        #expect(try tool("ewfinfo", ["m.E01"], in: scratch.path).contains(md5))
        #expect(try tool("img_stat", ["m.E01"], in: scratch.path).contains("\(padded)"))
        let size = try FileManager.default.attributesOfItem(atPath: scratch.path + "/m.E01")[.size] as? Int ?? 0
        // Stored as it is, every chunk costs its checksum too; compressed, the zeros, the repeated byte and the
        // text shrink to a fraction.
        if compression == .none {
            #expect(size > data.count)
        } else {
            #expect(size < (1 << 20) + 200_000, "\(size) bytes")
        }
        let report = try ImageVerifier.verifyImage(path: scratch.path + "/m.E01")
        #expect(report.verified, "\(report.problems)")
    }
}
