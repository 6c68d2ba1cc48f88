import Dispatch
import Foundation
import IProceedsBase
import Synchronization

/// How to image a source.
package struct ImagingOptions: Sendable {
    /// The image format.
    package enum Format: String, Sendable, CaseIterable {
        /// Plain bytes: `BASE.raw`, or `BASE.001`, `BASE.002`, ... with a segment size.
        case raw
        /// EnCase 6 Expert Witness Format through libewf: `BASE.E01`, `BASE.E02`, ...
        case e01
    }

    /// E01 compression, as ewfacquire names it.
    package enum Compression: String, Sendable, CaseIterable {
        case none, fast, best
    }

    package var format: Format = .raw
    /// Digests of the source, computed in the same read as the image is written.
    package var algorithms: [DigestAlgorithm] = [.md5, .sha1, .sha256]
    /// Also digest every piece of this many bytes.
    package var pieceSize: UInt64?
    /// Split the image into files of at most this many bytes (raw) or this segment file size (E01).
    package var segmentSize: UInt64?
    /// Replace an existing image and log of the same name.
    package var replace = false
    /// Re-read the finished image and compare its digests with the source's.
    package var verify = false
    package var compression: Compression = .fast
    /// Threads that compress E01 chunks at once (the digests and the writer have their own); at most
    /// ``maximumThreads`` are used, so that memory stays bounded whatever is asked.
    package var threads = FingerprintOptions.defaultThreads
    package static let maximumThreads = 64
    /// E01 header values.
    package var caseNumber: String?
    package var evidenceNumber: String?
    package var examinerName: String?
    package var description: String?
    package var notes: String?
    /// The command line, for the log.
    package var commandLine: [String] = []
    /// Bytes read at once (a multiple of every sector size: 4 MiB), and how many blocks may be in flight
    /// between the reader, the digest threads and the writer: memory is `blockSize * buffers`.
    package var blockSize = 4 << 20
    package var buffers = 8

    package init() {}
}

/// Live counters of an acquisition, read by a progress display on another thread; also how Ctrl-C reaches it.
///
/// `Sendable`: every field is an atomic.
package final class ImagingProgress: Sendable {
    package let bytesDone = Atomic<UInt64>(0)
    /// The source's size, 0 while unknown (a stream).
    package let totalBytes = Atomic<UInt64>(0)
    /// Bytes that could not be read (written as zeros).
    package let badBytes = Atomic<UInt64>(0)
    /// True while the finished image is re-read for `--verify`.
    package let verifying = Atomic<Bool>(false)
    /// Set from a signal handler: the imager stops after the block in hand and leaves an incomplete image.
    package let cancelRequested = Atomic<Bool>(false)

    package init() {}
}

/// What an acquisition produced.
package struct ImagingResult: Sendable {
    /// The log as written (or as it would have been, when it could not be written).
    package var log: AcquisitionLog
    /// The JSON and text logs' paths.
    package var logPath: String
    package var textLogPath: String
    /// The image's files, final names when complete, partial names otherwise.
    package var imagePaths: [String]
    /// The failure that stopped writing (a full disk), when one did: exit 74.
    package var outputError: EvidenceError?
    /// The log itself could not be written, and why.
    package var logError: EvidenceError?
    /// Ctrl-C (or SIGTERM) stopped the acquisition.
    package var interrupted: Bool
}

/// Images a source to raw or E01, digesting it in the same read.
///
/// One reader (the calling thread) reads blocks from the source into a ring of buffers; each digest algorithm
/// runs on its own serial queue and the writer on another, so the digests and the writing proceed in parallel
/// and the slowest of them, not their sum, sets the pace. A failed read is retried in smaller pieces down to one
/// sector; what still fails is written as zeros and recorded.
package enum Imager {
    /// The names of an image's files for a given base (`case/disk1` → `case/disk1.E01`, `case/disk1.log.json`).
    package struct Names: Sendable {
        package let base: String
        package var partialBase: String { base + ".partial" }
        package var logPath: String { base + ".log.json" }
        package var textLogPath: String { base + ".log.txt" }
        package var partialLogPath: String { partialBase + ".log.json" }
        package var partialTextLogPath: String { partialBase + ".log.txt" }
        package init(base: String) { self.base = base }

        /// The first image file's extension.
        static func firstExtension(_ options: ImagingOptions) -> String {
            switch options.format {
            case .raw: options.segmentSize == nil ? ".raw" : ".001"
            case .e01: ".E01"
            }
        }
    }

    /// Acquires `source` into the image named by `base`.
    /// - Returns: the result, complete or not; an output that fails midway is reported in it, not thrown, so that
    ///   the incomplete image and its log are still described.
    /// - Throws: ``EvidenceError`` `.outputExists` when an image or log of that name exists without
    ///   `options.replace`; `.io` when the image cannot even be created.
    package static func acquire(
        source: any ImagingSource, base: String, options: ImagingOptions, progress: ImagingProgress
    ) throws -> ImagingResult {
        let names = Names(base: base)
        try checkOutputs(names, options: options)
        let started = Date()
        let desc = source.description
        progress.totalBytes.store(desc.size ?? 0, ordering: .relaxed)

        let sha256Lane = options.algorithms.contains(.sha256)
        let writer: any ImageWriter
        switch options.format {
        case .raw:
            writer = try RawImageWriter(
                partialBase: names.partialBase, segmentSize: options.segmentSize,
                hashSegments: options.segmentSize != nil || !sha256Lane)
        case .e01:
            writer = try EWFImageWriter(partialBase: names.partialBase, source: desc, options: options)
        }
        // Room for the log on a disk the image may fill: released just before the log is written.
        let reserve = LogReserve(
            path: names.partialBase + ".reserve",
            pieces: desc.size.flatMap { size in
                options.pieceSize.map { size / max($0, 1) + 1 }
            } ?? 0)
        let multi = MultiDigest(options.algorithms, pieceSize: options.pieceSize)
        let pipeline = Pipeline(writer: writer, lanes: multi.lanes, options: options)
        var reader = SourceReader(source: source, progress: progress)
        let outcome = pipeline.run(reader: &reader, progress: progress)
        // The E01 stores MD5 and SHA-1 of what it holds: the source, padded with zeros to whole sectors if need
        // be; those are finished from copies of the running digests before the source's own are.
        let ewfWriter = writer as? EWFImageWriter
        let padding = ewfWriter?.padding(forSourceSize: outcome.bytes) ?? 0
        var padded: [DigestAlgorithm: String] = [:]
        if padding > 0 {
            let zeros = [UInt8](repeating: 0, count: padding)
            for lane in multi.lanes where lane.algorithm == .md5 || lane.algorithm == .sha1 {
                let copy = lane.copyOfWhole()
                zeros.withUnsafeBytes { copy.update($0) }
                padded[lane.algorithm] = copy.finalizeHex()
            }
        }
        let (digestList, pieceList) = multi.finish()
        var digests: [String: String] = [:]
        for (alg, hex) in zip(options.algorithms, digestList) { digests[alg.rawValue] = hex }

        var log = AcquisitionLog(
            complete: false, incompleteReason: nil, tool: ToolIdentity.name, toolVersion: ToolIdentity.version,
            commandLine: options.commandLine, source: desc, startedAt: CaseFile.timestamp(started), endedAt: "",
            imageFormat: options.format.rawValue, bytesAcquired: outcome.bytes, digests: digests,
            pieceSize: options.pieceSize,
            pieces: pieceList.map { list in
                list.map { p in
                    AcquisitionLog.Piece(
                        offset: p.offset, size: p.size,
                        digests: Dictionary(uniqueKeysWithValues: zip(options.algorithms.map(\.rawValue), p.digests)))
                }
            },
            segmentSize: options.segmentSize, badRanges: reader.badRanges, segments: [], ewf: nil, verification: nil)

        var outputError = outcome.writeError
        var complete = outcome.writeError == nil && !outcome.interrupted && outcome.streamFailure == nil
        if outcome.writeError != nil {
            // The digests cover bytes read but not all written: they describe no file, so none are recorded.
            digests = [:]
            log.digests = [:]
            log.pieces = nil
        }
        for range in reader.badRanges { ewfWriter?.addAcquiryError(offset: range.offset, length: range.length) }
        if complete, let ewf = ewfWriter {
            ewf.storedMD5 = padded[.md5] ?? digests["md5"]
            ewf.storedSHA1 = padded[.sha1] ?? digests["sha1"]
            log.ewf = ewf.details(bytes: outcome.bytes, padding: padding)
        }
        if complete {
            do { try writer.finish() } catch let e as EvidenceError {
                outputError = e
                complete = false
            } catch { preconditionFailure("ImageWriter.finish throws EvidenceError only") }
        } else {
            writer.abandon()
        }
        var imagePaths = writer.partialPaths
        if complete {
            do { imagePaths = try rename(writer.partialPaths, names: names, options: options) } catch let e
                as EvidenceError
            {
                outputError = e
                complete = false
            } catch { preconditionFailure("rename throws EvidenceError only") }
        }
        log.complete = complete
        if outcome.interrupted {
            log.incompleteReason = "interrupted (Ctrl-C or SIGTERM) after \(outcome.bytes) bytes"
        } else if let e = outputError {
            log.incompleteReason = "the image could not be written: \(e.message)"
        } else if let f = outcome.streamFailure {
            log.incompleteReason =
                "the source failed at offset \(outcome.bytes) and cannot be re-read: \(describeErrno(f.errno))"
        } else if let size = desc.size, outcome.bytes < size {
            log.incompleteReason = "the source ended at \(outcome.bytes) bytes, before its size of \(size) bytes"
            log.complete = false
        }
        log.segments = segmentRecords(imagePaths, known: writer.segmentDigests, wholeSHA256: digests["sha256"])

        if log.complete && options.verify {
            progress.verifying.store(true, ordering: .relaxed)
            log.verification = ImageVerifier.verify(imagePaths: imagePaths, format: options.format, against: log)
        }
        log.endedAt = CaseFile.timestamp(Date())

        reserve.release()
        let jsonPath = log.complete ? names.logPath : names.partialLogPath
        let textPath = log.complete ? names.textLogPath : names.partialTextLogPath
        var logError: EvidenceError?
        do {
            let existing: OutputFile.Existing = options.replace ? .replace : .refuse
            try EvidenceError.writing {
                try OutputFile.write(log.jsonBytes(), to: jsonPath, existing: existing)
                try OutputFile.write(Array(log.text().utf8), to: textPath, existing: existing)
            }
        } catch let e as EvidenceError {
            logError = e
        } catch { preconditionFailure("OutputFile throws EvidenceError only") }
        return ImagingResult(
            log: log, logPath: jsonPath, textLogPath: textPath, imagePaths: imagePaths, outputError: outputError,
            logError: logError, interrupted: outcome.interrupted)
    }

    /// Refuses to overwrite an image or log (finished or partial) unless `replace`; with `replace`, removes the
    /// partial files an earlier interrupted run left, so that they cannot be mistaken for this run's.
    static func checkOutputs(_ names: Names, options: ImagingOptions) throws {
        let first = Names.firstExtension(options)
        let finals = [names.base + first, names.logPath, names.textLogPath]
        let partials = [names.partialBase + first, names.partialLogPath, names.partialTextLogPath]
        for path in finals + partials where FileManager.default.fileExists(atPath: path) || exists(path) {
            guard options.replace else {
                throw EvidenceError(
                    .outputExists, "\(path) already exists; choose another --output, or give --replace to overwrite it",
                    path: path)
            }
        }
        guard options.replace else { return }
        for path in partials.dropFirst() { unlink(path) }
        for path in segmentSequence(names.partialBase, options) { unlink(path) }
    }

    /// Whether a name exists (a dangling symbolic link too).
    private static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// The existing files `PREFIX.001`, `.002`, ... (or `.E01`, `.E02`, ...; or `.raw`), in order.
    static func segmentSequence(_ prefix: String, _ options: ImagingOptions) -> [String] {
        var paths: [String] = []
        var n = 1
        while true {
            let ext: String
            switch options.format {
            case .raw:
                guard options.segmentSize != nil else { ext = ".raw"; break }
                ext = String(format: ".%03d", n)
            case .e01: ext = EWFImageWriter.segmentExtension(n)
            }
            let path = prefix + ext
            guard exists(path), !paths.contains(path) else { break }
            paths.append(path)
            n += 1
        }
        return paths
    }

    /// Renames `BASE.partial.EXT` to `BASE.EXT`, refusing an existing name unless `replace`; with `replace`,
    /// removes the later segments of an earlier image of that name that this image does not have.
    private static func rename(_ partials: [String], names: Names, options: ImagingOptions) throws -> [String] {
        let stale = options.replace ? segmentSequence(names.base, options) : []
        var finals: [String] = []
        for partial in partials {
            let ext = String(partial.dropFirst(names.partialBase.count))
            let final = names.base + ext
            try renameFile(partial, to: final, replace: options.replace)
            finals.append(final)
        }
        for path in stale where !finals.contains(path) { unlink(path) }
        return finals
    }

    private static func renameFile(_ from: String, to: String, replace: Bool) throws {
        if replace {
            guard Foundation.rename(from, to) == 0 else { throw EvidenceError.system("rename", path: to) }
            return
        }
        // link() fails on an existing name: no image is ever replaced without --replace.
        guard link(from, to) == 0 else {
            let code = errno
            if code == EEXIST {
                throw EvidenceError(
                    .outputExists, "\(to) appeared during the acquisition; the image is left as \(from)", path: to)
            }
            throw EvidenceError.system("link", path: to, errno: code)
        }
        unlink(from)
    }

    private static func segmentRecords(_ paths: [String], known: [String]?, wholeSHA256: String?) -> [AcquisitionLog
        .Segment]
    {
        // Files whose SHA-256 the writer did not compute (E01: libewf writes them) are read back, several at once.
        let read = FileDigests(count: paths.count)
        let missing = paths.indices.filter { i in
            if let known, i < known.count { return false }
            return !(paths.count == 1 && wholeSHA256 != nil && known == nil && paths[i].hasSuffix(".raw"))
        }
        DispatchQueue.concurrentPerform(iterations: missing.count) { k in
            let i = missing[k]
            read.set(i, (try? ImageVerifier.sha256(ofFile: paths[i])) ?? "unreadable")
        }
        return paths.enumerated().map { i, path in
            var st = stat()
            let size = stat(path, &st) == 0 ? UInt64(st.st_size) : 0
            let sha: String
            if let known, i < known.count {
                sha = known[i]
            } else if let hex = read.get(i) {
                sha = hex
            } else {
                sha = wholeSHA256 ?? "unreadable"
            }
            return AcquisitionLog.Segment(name: (path as NSString).lastPathComponent, size: size, sha256: sha)
        }
    }

    /// Digests filled in by several threads at once, one slot each.
    private final class FileDigests: Sendable {
        private let slots: Mutex<[String?]>
        init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
        func set(_ i: Int, _ hex: String) { slots.withLock { $0[i] = hex } }
        func get(_ i: Int) -> String? { slots.withLock { $0[i] } }
    }
}

/// A file of zeros kept beside the image while it is written, so that a full disk still leaves room for the
/// acquisition log that says the image is incomplete.
final class LogReserve {
    private let path: String
    private var held = false

    /// Reserves 256 KiB, plus 1 KiB a piece for a piecewise log (at most 64 MiB); best effort.
    init(path: String, pieces: UInt64) {
        self.path = path
        let size = Int(min(256 * 1024 + pieces * 1024, 64 << 20))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        held = true
        let zeros = [UInt8](repeating: 0, count: size)
        _ = try? zeros.withUnsafeBytes { try OutputFile.writeAll(fd, $0, path: path) }
        fsync(fd)
    }

    deinit { release() }

    func release() {
        guard held else { return }
        held = false
        unlink(path)
    }
}
