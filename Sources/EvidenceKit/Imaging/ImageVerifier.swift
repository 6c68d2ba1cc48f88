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
        return try digest(source, options: options).digests[0]
    }

    /// Digests every byte of `source` through the imaging pipeline (parallel digest lanes, no writer).
    static func digest(_ source: any ImagingSource, options: ImagingOptions) throws
        -> (digests: [String], bytes: UInt64, bad: [AcquisitionLog.BadRange])
    {
        let multi = MultiDigest(options.algorithms, pieceSize: nil)
        let pipeline = Pipeline(writer: DiscardingWriter(), lanes: multi.lanes, options: options)
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
        switch format {
        case .raw:
            options.algorithms = logAlgorithms.isEmpty ? [.sha256] : logAlgorithms.sorted()
            let source = try ConcatenatedFilesSource(paths: files)
            let result = try digest(source, options: options)
            bytes = result.bytes
            for (alg, hex) in zip(options.algorithms, result.digests) { digests[alg.rawValue] = hex }
        case .e01:
            let reader = try EWFImageReader(path: files[0])
            imageFiles = reader.segmentPaths
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
            if logPath != nil {
                // Each file against the SHA-256 the log recorded for it.
                let names = imageFiles.map { ($0 as NSString).lastPathComponent }
                if names != log.segments.map(\.name) {
                    problems.append(
                        "the image's files (\(names.joined(separator: ", "))) are not those the log lists (\(log.segments.map(\.name).joined(separator: ", ")))"
                    )
                } else {
                    for (path, segment) in zip(imageFiles, log.segments) {
                        let sha = try sha256(ofFile: path)
                        if sha != segment.sha256 {
                            problems.append("\(segment.name): sha256 \(sha) but the log says \(segment.sha256)")
                        }
                    }
                }
            }
        }
        return ImageVerificationReport(
            format: format.rawValue, files: imageFiles, logPath: logPath, bytes: bytes, digests: digests,
            storedDigests: stored, checksumErrors: checksumErrors, problems: problems)
    }
}
