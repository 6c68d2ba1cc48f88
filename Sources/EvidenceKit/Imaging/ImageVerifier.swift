import Dispatch
import Foundation

/// Files read one after the other as one stream: a raw or split raw image.
///
/// Not `Sendable`: used by one reader thread.
final class ConcatenatedFilesSource: ImagingSource {
    let description: SourceDescription
    private let files: [(fd: Int32, start: UInt64, size: UInt64)]

    init(paths: [String]) throws {
        var files: [(Int32, UInt64, UInt64)] = []
        var total: UInt64 = 0
        for path in paths {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            var st = stat()
            guard fd >= 0, fstat(fd, &st) == 0 else {
                let code = errno
                for f in files { close(f.0) }
                throw EvidenceError(
                    .sourceMissing, "cannot open \(path): \(describeErrno(code))", path: path, function: "open",
                    systemCode: code)
            }
            files.append((fd, total, UInt64(st.st_size)))
            total += UInt64(st.st_size)
        }
        self.files = files
        description = SourceDescription(path: paths.first ?? "", kind: .file, size: total, sectorSize: 512)
    }

    deinit { for f in files { close(f.fd) } }

    /// Each file's size, in order.
    var fileSizes: [UInt64] { files.map(\.size) }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SourceReadFailure) -> Int {
        guard let file = files.last(where: { $0.start <= offset && offset < $0.start + $0.size }) else { return 0 }
        let want = Int(min(UInt64(buffer.count), file.start + file.size - offset))
        while true {
            let n = pread(file.fd, buffer.baseAddress, want, off_t(offset - file.start))
            if n >= 0 { return n }
            if errno != EINTR { throw SourceReadFailure(errno: errno) }
        }
    }
}

/// A writer that keeps nothing: verification only digests.
final class DiscardingWriter: ImageWriter {
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
    func finish() throws {}
    func abandon() {}
    var partialPaths: [String] { [] }
    var bytesWritten: UInt64 { 0 }
    var segmentDigests: [String]? { nil }
}

/// A writer that keeps nothing but the SHA-256 of each file of a raw image, from the bytes the verification reads
/// anyway: every file is read once, for the media's digests and its own.
///
/// Not `Sendable`: used by the pipeline's writer queue only.
final class SegmentDigestWriter: ImageWriter {
    private let sizes: [UInt64]
    private var index = 0
    private var fill: UInt64 = 0
    private let context = DigestContext(.sha256)
    private(set) var digests: [String] = []
    private(set) var bytesWritten: UInt64 = 0

    /// - Parameter sizes: each file's size, in the order the bytes come.
    init(sizes: [UInt64]) {
        self.sizes = sizes
        closeEmptyFiles()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty, index < sizes.count {
            let take = Int(min(UInt64(rest.count), sizes[index] - fill))
            context.update(UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            fill += UInt64(take)
            bytesWritten += UInt64(take)
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            closeEmptyFiles()
        }
    }

    /// Finishes every file that has all its bytes (an empty file at once).
    private func closeEmptyFiles() {
        while index < sizes.count, fill == sizes[index] {
            digests.append(context.finalizeHex())
            index += 1
            fill = 0
        }
    }

    func finish() throws {}
    func abandon() {}
    var partialPaths: [String] { [] }
    /// One digest a file once every byte has come; fewer when the read stopped early.
    var segmentDigests: [String]? { digests }
}

/// The SHA-256 of each of an E01's files, computed on another thread while the media is read and checked: the
/// files' bytes are not the media's (chunks, tables, headers), so they are read a second time, from the page cache
/// mostly, at the same time instead of after.
///
/// `@unchecked Sendable`: `results` is written by the one block on `group` and read only after `group.wait()`.
final class BackgroundFileDigests: @unchecked Sendable {
    private let group = DispatchGroup()
    private var results: [Result<String, EvidenceError>] = []

    init(paths: [String]) {
        DispatchQueue.global(qos: .userInitiated).async(group: group) { [self] in
            results = paths.map { path in
                do { return .success(try ImageVerifier.sha256(ofFile: path)) } catch let e as EvidenceError {
                    return .failure(e)
                } catch { preconditionFailure("ImageVerifier.sha256 throws EvidenceError only") }
            }
        }
    }

    /// Waits for every file. - Throws: the first file's ``EvidenceError`` that could not be read.
    func wait() throws -> [String] {
        group.wait()
        return try results.map { try $0.get() }
    }
}

/// What `evidence verify-image` found.
package struct ImageVerificationReport: Sendable {
    /// `raw` or `e01`.
    package var format: String
    /// The image's files, in order.
    package var files: [String]
    /// The log it was checked against, when one was found.
    package var logPath: String?
    /// Bytes of content read, and their digests by algorithm name.
    package var bytes: UInt64
    package var digests: [String: String]
    /// For an E01: its stored MD5 and SHA-1.
    package var storedDigests: [String: String]
    /// Chunks whose checksum failed, by byte offset and length (E01).
    package var checksumErrors: [AcquisitionLog.BadRange]
    /// Everything that did not match, one sentence each; empty when the image verifies.
    package var problems: [String]
    /// Whether the image holds what its log (or, for an E01, its stored digests) says.
    package var verified: Bool { problems.isEmpty }
}

/// Re-reads an image and checks it against its acquisition log or its own stored digests.
package enum ImageVerifier {
    /// SHA-256 of one file. - Throws: ``EvidenceError`` when it cannot be read.
    static func sha256(ofFile path: String) throws -> String {
        let source = try ConcatenatedFilesSource(paths: [path])
        var options = ImagingOptions()
        options.algorithms = [.sha256]
        // One lane, no writer: four blocks in flight keep it busy, and keep memory down while it runs beside the
        // media's check.
        options.buffers = 4
        return try digest(source, options: options).digests[0]
    }

    /// Digests every byte of `source` through the imaging pipeline (parallel digest lanes; `writer` sees the bytes
    /// too, in order, on its own thread).
    static func digest(
        _ source: any ImagingSource, options: ImagingOptions, writer: any ImageWriter = DiscardingWriter()
    )
        throws -> (digests: [String], bytes: UInt64, bad: [AcquisitionLog.BadRange])
    {
        let multi = MultiDigest(options.algorithms, pieceSize: nil)
        let pipeline = Pipeline(writer: writer, lanes: multi.lanes, options: options)
        var reader = SourceReader(source: source, progress: ImagingProgress())
        let outcome = pipeline.run(reader: &reader, progress: ImagingProgress())
        return (multi.finish().digests, outcome.bytes, reader.badRanges)
    }

    /// The check `--verify` runs right after acquisition: the image's content against the source's digests.
    static func verify(imagePaths: [String], format: ImagingOptions.Format, against log: AcquisitionLog)
        -> AcquisitionLog.Verification
    {
        do {
            let report = try check(files: imagePaths, format: format, log: log, logPath: nil)
            return AcquisitionLog.Verification(
                result: report.verified ? "match" : "mismatch", digests: report.digests, problems: report.problems)
        } catch {
            return AcquisitionLog.Verification(
                result: "mismatch", digests: [:], problems: ["the image could not be re-read: \(error)"])
        }
    }

    /// Verifies the image at `path` (`X.raw`, `X.001`, `X.E01`): against `X.log.json` when it exists, and for an
    /// E01 also against the MD5 and SHA-1 stored in it and its chunk checksums.
    /// - Throws: ``EvidenceError`` `.sourceMissing` when the image cannot be opened, `.invalidArgument` for a name
    ///   that is not an image iproceeds writes, `.manifest` for a log that cannot be read.
    package static func verifyImage(path: String, logPath: String? = nil) throws -> ImageVerificationReport {
        let lower = path.lowercased()
        let format: ImagingOptions.Format
        let base: String
        var options = ImagingOptions()
        if lower.hasSuffix(".e01") {
            format = .e01
            base = String(path.dropLast(4))
        } else if lower.hasSuffix(".raw") {
            format = .raw
            base = String(path.dropLast(4))
        } else if lower.hasSuffix(".001") {
            format = .raw
            base = String(path.dropLast(4))
            options.segmentSize = 1
        } else {
            throw EvidenceError(
                .invalidArgument, "\(path): give the image's first file (NAME.E01, NAME.raw or NAME.001)", path: path)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvidenceError(.sourceMissing, "cannot open \(path): no such file", path: path)
        }
        options.format = format
        let files = format == .e01 ? [path] : Imager.segmentSequence(base, options)
        let logFile = logPath ?? (FileManager.default.fileExists(atPath: base + ".log.json") ? base + ".log.json" : nil)
        let log = try logFile.map { try AcquisitionLog.read(path: $0) }
        if format == .raw && log == nil {
            throw EvidenceError(
                .manifest,
                "no acquisition log \(base).log.json beside \(path): a raw image holds no digests of its own; give --log",
                path: path)
        }
        return try check(files: files, format: format, log: log, logPath: logFile)
    }

    /// What `evidence hash` says of an E01 it reads: the MD5 and SHA-1 stored in the image against those of its
    /// media, read again whole (chunks unpacked and checked on every core), and its chunk checksums. `note` says
    /// what was checked and what could not be (no digest stored); `error` what did not match (a finding: the
    /// run exits 1), `nil` when everything stored matches.
    package static func storedDigestCheck(e01 path: String) -> (note: String, error: String?) {
        let report: ImageVerificationReport
        do {
            report = try check(files: [path], format: .e01, log: nil, logPath: nil)
        } catch {
            return ("stored digests not checked", "the E01's stored digests could not be checked: \(error)")
        }
        var said: [String] = []
        for name in ["md5", "sha1"] {
            guard let stored = report.storedDigests[name] else {
                said.append("no stored \(name.uppercased()), not checked")
                continue
            }
            if stored == report.digests[name] { said.append("stored \(name.uppercased()) \(stored) matches the media") }
        }
        let errors = report.problems.filter { !$0.hasPrefix("the E01 stores no ") }
        return (said.joined(separator: "; "), errors.isEmpty ? nil : errors.joined(separator: "; "))
    }

    private static func check(files: [String], format: ImagingOptions.Format, log: AcquisitionLog?, logPath: String?)
        throws
        -> ImageVerificationReport
    {
        var options = ImagingOptions()
        let logAlgorithms = (log?.digests.keys).map { keys in keys.compactMap { DigestAlgorithm(rawValue: $0) } } ?? []
        var problems: [String] = []
        var stored: [String: String] = [:]
        var checksumErrors: [AcquisitionLog.BadRange] = []
        var digests: [String: String] = [:]
        var bytes: UInt64 = 0
        var imageFiles = files
        // Each file against the SHA-256 the log records for it (verify-image with a log; not the check right after
        // acquisition, where the imager has just computed them).
        let checkFiles = log != nil && logPath != nil
        var fileDigests: () throws -> [String] = { [] }
        switch format {
        case .raw:
            options.algorithms = logAlgorithms.isEmpty ? [.sha256] : logAlgorithms.sorted()
            let source = try ConcatenatedFilesSource(paths: files)
            // A raw image's files are its media: their SHA-256 come from the same read. One file whose media SHA-256
            // is computed anyway is its own digest.
            let sameAsMedia = files.count == 1 && options.algorithms.contains(.sha256)
            let writer = checkFiles && !sameAsMedia ? SegmentDigestWriter(sizes: source.fileSizes) : nil
            let result = try digest(source, options: options, writer: writer ?? DiscardingWriter())
            bytes = result.bytes
            for (alg, hex) in zip(options.algorithms, result.digests) { digests[alg.rawValue] = hex }
            if let writer {
                fileDigests = { writer.digests }
            } else if sameAsMedia, let sha = digests["sha256"] {
                fileDigests = { [sha] }
            }
        case .e01:
            let reader = try EWFImageReader(path: files[0])
            imageFiles = reader.segmentPaths
            if checkFiles {
                let background = BackgroundFileDigests(paths: imageFiles)
                fileDigests = { try background.wait() }
            }
            stored["md5"] = reader.storedHash("MD5")
            stored["sha1"] = reader.storedHash("SHA1")
            options.algorithms = Array(Set(logAlgorithms + [.md5, .sha1])).sorted()
            // The media may carry padding after the source's bytes: digest the source's length for the log's
            // digests, and the whole media for the stored ones.
            let mediaSize = reader.description.size ?? 0
            let sourceLength = log?.bytesAcquired ?? mediaSize
            // Chunks unpacked and checked on every core, where libewf's own reads do it one by one.
            let chunks = try EWFChunkSource(reader, length: sourceLength, threads: FingerprintOptions.defaultThreads)
            let multi = MultiDigest(options.algorithms, pieceSize: nil)
            let pipeline = Pipeline(writer: DiscardingWriter(), lanes: multi.lanes, options: options)
            var sourceReader = SourceReader(source: chunks, progress: ImagingProgress())
            let outcome = pipeline.run(reader: &sourceReader, progress: ImagingProgress())
            bytes = outcome.bytes
            let md5Lane = multi.lanes.first { $0.algorithm == .md5 }!.copyOfWhole()
            let sha1Lane = multi.lanes.first { $0.algorithm == .sha1 }!.copyOfWhole()
            // The padding, read from the image (not assumed to be zeros).
            if mediaSize > sourceLength {
                var tail = [UInt8](repeating: 0, count: Int(mediaSize - sourceLength))
                let n = try tail.withUnsafeMutableBytes { try reader.read(into: $0, at: sourceLength) }
                tail.withUnsafeBytes { md5Lane.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                tail.withUnsafeBytes { sha1Lane.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                if tail.contains(where: { $0 != 0 }) {
                    problems.append("the E01's padding after the source's \(sourceLength) bytes is not zeros")
                }
            }
            let mediaDigests = ["md5": md5Lane.finalizeHex(), "sha1": sha1Lane.finalizeHex()]
            for (alg, hex) in zip(options.algorithms, multi.finish().digests) { digests[alg.rawValue] = hex }
            for name in ["md5", "sha1"] {
                guard let s = stored[name] else {
                    problems.append("the E01 stores no \(name.uppercased())")
                    continue
                }
                if s != mediaDigests[name] {
                    problems.append("stored \(name.uppercased()) \(s) but the media reads as \(mediaDigests[name]!)")
                }
            }
            // Those found here, and those libewf found if it read any chunk itself (after a chunk it could not read).
            let found = Set((chunks.checksumErrors + reader.checksumErrors()).map { [$0.offset, $0.length] })
            for e in found.sorted(by: { $0[0] < $1[0] }).map({ (offset: $0[0], length: $0[1]) }) {
                checksumErrors.append(
                    .init(offset: e.offset, length: e.length, errno: EIO, error: "chunk checksum mismatch"))
                problems.append("chunk checksum error at offset \(e.offset), \(e.length) bytes")
            }
        }
        if let log {
            if bytes != log.bytesAcquired {
                problems.append("the image holds \(bytes) bytes of source but the log says \(log.bytesAcquired)")
            }
            for (name, expected) in log.digests.sorted(by: { $0.key < $1.key }) {
                guard let got = digests[name] else { continue }
                if got != expected { problems.append("\(name) of the image is \(got) but the log says \(expected)") }
            }
            if !log.complete {
                problems.append(
                    "the log says the acquisition is incomplete: \(log.incompleteReason ?? "no reason given")")
            }
            if checkFiles {
                // Each file against the SHA-256 the log recorded for it.
                let names = imageFiles.map { ($0 as NSString).lastPathComponent }
                let shas = try fileDigests()
                if names != log.segments.map(\.name) {
                    problems.append(
                        "the image's files (\(names.joined(separator: ", "))) are not those the log lists (\(log.segments.map(\.name).joined(separator: ", ")))"
                    )
                } else if shas.count != names.count {
                    problems.append("only \(shas.count) of the image's \(names.count) files could be read whole")
                } else {
                    for (sha, segment) in zip(shas, log.segments) where sha != segment.sha256 {
                        problems.append("\(segment.name): sha256 \(sha) but the log says \(segment.sha256)")
                    }
                }
            }
        }
        return ImageVerificationReport(
            format: format.rawValue, files: imageFiles, logPath: logPath, bytes: bytes, digests: digests,
            storedDigests: stored, checksumErrors: checksumErrors, problems: problems)
    }
}
