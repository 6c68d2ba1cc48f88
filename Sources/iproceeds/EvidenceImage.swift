import ArgumentParser
import EvidenceKit
import Foundation
import IProceedsBase

struct EvidenceImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract:
            "Image a seized disk, stick or card (or a file, or standard input) to raw or E01, hashing it in the same read.",
        discussion: """
            SOURCE is a block device (opened read-only; size and sector size from the kernel), a regular file, or \
            - for standard input. The digests (-c, md5,sha1,sha256 by default) are computed in the same read as the \
            image is written, each on its own thread. A read that fails is retried in smaller pieces down to one \
            sector; what still fails is written as zeros and recorded as a bad range: the run then exits 1.

            Files: raw → BASE.raw, or BASE.001, BASE.002, ... with --segment-size; e01 → BASE.E01, BASE.E02, ... \
            through libewf (EnCase 6, readable by ewfverify, FTK, Autopsy, The Sleuth Kit). The acquisition log is \
            BASE.log.json (docs/formats.md) and BASE.log.txt. Until the acquisition is complete every file is named \
            BASE.partial.*: Ctrl-C or a full disk leaves BASE.partial.* files and a BASE.partial.log.json that says \
            "complete": false, never an image that looks finished.

            Examples:
              iproceeds evidence image /dev/sdb --output case42/usb1 --format e01 --case-number 2026-042 \\
                --evidence-number USB1 --examiner-name "J. Doe" --verify
              iproceeds evidence image /dev/mmcblk0 --output card --format raw --segment-size 2G
              ssh host 'cat /dev/sda' | iproceeds evidence image - --output remote-sda --format raw
              iproceeds evidence verify-image case42/usb1.E01

            Exit status: 0 the whole source was imaged (and verified, with --verify); 1 the image was made but some \
            sectors could not be read, a stream failed, or verification found a mismatch; 64 usage error; \
            66 the source does not exist or cannot be opened; 74 the image or log cannot be written (full disk, \
            existing output without --replace); 130 interrupted (the image is left as BASE.partial.*).
            """
    )

    @Argument(help: ArgumentHelp("The device, file, or - for standard input.", valueName: "source"))
    var source: String

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("The image's base name: BASE.E01 or BASE.raw, BASE.log.json, ...", valueName: "base"))
    var output: String

    @Option(help: "Image format: e01 or raw.")
    var format: String = "e01"

    @Option(
        name: [.customShort("c"), .long],
        help: ArgumentHelp(
            "Comma-separated digests of the source: md5, sha1, sha256, sha512, sha3-256, blake2b-512 (E01 always adds md5 and sha1).",
            valueName: "list"))
    var algorithms = "md5,sha1,sha256"

    @Option(
        help: ArgumentHelp(
            "Also hash every piece of this size (e.g. 1G), to localise later damage.", valueName: "bytes"))
    var piecewise: String?

    @Option(
        help: ArgumentHelp("Split the image into files of this size (e.g. 2G; E01 at least 1M).", valueName: "bytes"))
    var segmentSize: String?

    @Option(help: "E01 compression: none, fast or best.")
    var compression: String = "fast"

    @Option(
        name: [.customShort("j"), .long],
        help: "Threads that compress E01 chunks at once (default: the number of cores; at most 64).")
    var threads: Int = FingerprintOptions.defaultThreads

    @Option(help: "E01 header: the case number.") var caseNumber: String?
    @Option(help: "E01 header: the evidence (exhibit) number.") var evidenceNumber: String?
    @Option(help: "E01 header: the examiner's name.") var examinerName: String?
    @Option(help: "E01 header: a description of the source.") var description: String?
    @Option(help: "E01 header: notes.") var notes: String?

    @Option(
        name: .customLong("case"),
        help: ArgumentHelp(
            "With --item: record an `imaged` entry in this case file's custody ledger.", valueName: "file"))
    var casePath: String?

    @Option(
        help: ArgumentHelp(
            "The case's item (exhibit number) the source is, e.g. EV-001; it must be in the case.", valueName: "id"))
    var item: String?

    @Flag(help: "Re-read the finished image and compare its digests with the source's.")
    var verify = false

    @Flag(help: "Overwrite an existing image and log of the same name.")
    var replace = false

    @Flag(name: [.customShort("q"), .long], help: "No progress line and no summary on standard error.")
    var quiet = false

    func validate() throws {
        guard ImagingOptions.Format(rawValue: format.lowercased()) != nil else {
            throw ValidationError("--format takes e01 or raw")
        }
        guard ImagingOptions.Compression(rawValue: compression.lowercased()) != nil else {
            throw ValidationError("--compression takes none, fast or best")
        }
        guard threads >= 1 else { throw ValidationError("--threads takes 1 or more") }
        do { _ = try DigestAlgorithm.parseList(algorithms) } catch let e as EvidenceError {
            throw ValidationError(e.message)
        }
        if let p = piecewise {
            guard let v = ByteCount.parse(p), v > 0 else {
                throw ValidationError("--piecewise takes a size such as 1048576 or 1G")
            }
        }
        if let s = segmentSize {
            guard let v = ByteCount.parse(s), v > 0 else {
                throw ValidationError("--segment-size takes a size such as 650M or 2G")
            }
            if format.lowercased() == "e01", v < 1 << 20 {
                throw ValidationError("--segment-size for E01 must be at least 1M (libewf's smallest segment file)")
            }
        }
        guard (casePath == nil) == (item == nil) else { throw ValidationError("give --case and --item together") }
        guard !output.isEmpty, !output.hasSuffix("/") else {
            throw ValidationError("--output is a base name such as case42/usb1 (the image becomes case42/usb1.E01)")
        }
    }

    func run() throws {
        var options = ImagingOptions()
        options.format = ImagingOptions.Format(rawValue: format.lowercased())!
        options.compression = ImagingOptions.Compression(rawValue: compression.lowercased())!
        options.threads = threads
        var algs = try DigestAlgorithm.parseList(algorithms)
        // The E01 stores MD5 and SHA-1 of its media, as ewfacquire does: both are always computed.
        if options.format == .e01 { algs = Array(Set(algs + [.md5, .sha1])).sorted() }
        options.algorithms = algs
        options.pieceSize = piecewise.flatMap(ByteCount.parse)
        options.segmentSize = segmentSize.flatMap(ByteCount.parse)
        options.replace = replace
        options.verify = verify
        options.caseNumber = caseNumber
        options.evidenceNumber = evidenceNumber
        options.examinerName = examinerName
        options.description = description
        options.notes = notes
        options.commandLine = CommandLine.arguments

        let progress = ImagingProgress()
        // Ctrl-C and SIGTERM stop the read after the block in hand; the partial image and its log are written.
        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { progress.cancelRequested.store(true, ordering: .relaxed) }
            s.resume()
            return s
        }
        defer { signals.forEach { $0.cancel() } }

        // The examiner's key and the case are opened before imaging, so that a missing key or case stops the run
        // before hours of reading, not after.
        let custody = try reporting { () throws -> (CaseFile, Examiner)? in
            guard let casePath else { return nil }
            let examiner = try ExaminerStore.fromEnvironment().load()
            return (CaseFile(store: try SQLiteCaseStore.open(path: casePath)), examiner)
        }
        let result = try reporting { () throws -> ImagingResult in
            let src: FileImagingSource
            do { src = try FileImagingSource(path: source) } catch let e as EvidenceError where e.code == .sourceMissing
            {
                throw CLIError.cannotRead(
                    path: source, reason: e.message.components(separatedBy: ": ").last ?? e.message)
            }
            let line = !quiet && isTerminal(STDERR_FILENO) ? ImagingProgressLine(progress: progress) : nil
            defer { line?.finish() }
            // An existing output (`output-exists`) or one that cannot be written (`io`) is exit 74, decided with
            // every other code in ExitStatus.
            return try Imager.acquire(source: src, base: output, options: options, progress: progress)
        }
        let log = result.log
        var lines: [String] = []
        if log.complete {
            let files = result.imagePaths.map { ($0 as NSString).lastPathComponent }
            lines.append(
                "\(ProgressLine.bytes(log.bytesAcquired)) imaged → \(files.joined(separator: ", ")); log \(result.logPath)"
            )
            for (name, value) in log.digests.sorted(by: { $0.key < $1.key }) { lines.append("  \(name) \(value)") }
        } else {
            lines.append(
                "INCOMPLETE: \(log.incompleteReason ?? "stopped"); the image is left as \(result.imagePaths.joined(separator: ", ")) and the log as \(result.logPath)"
            )
        }
        if !log.badRanges.isEmpty {
            let total = log.badRanges.reduce(0) { $0 + $1.length }
            lines.append(
                "\(log.badRanges.count) unreadable ranges (\(total) bytes) written as zeros: see badRanges in \(result.logPath)"
            )
        }
        if let v = log.verification {
            lines.append(
                v.result == "match"
                    ? "verified: the image reads back with the source's digests" : "VERIFICATION FAILED:")
            for p in v.problems { lines.append("  \(p)") }
        }
        if let e = result.logError {
            lines.append("iproceeds: error: the acquisition log could not be written: \(e.message)")
        }
        if let e = result.outputError { lines.append("iproceeds: error: \(e.message)") }
        if !quiet || !log.complete || result.outputError != nil {
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        if result.outputError != nil || result.logError != nil { throw ExitCode(74) }
        if let (file, examiner) = custody, let item, log.complete {
            try reporting { try recordImaged(result, in: file, item: item, by: examiner) }
        }
        if result.interrupted { throw ExitCode(ExitStatus.interrupted.rawValue) }
        if !log.complete || !log.badRanges.isEmpty || log.verification?.result == "mismatch" { throw ExitCode(1) }
    }
}

extension EvidenceImage {
    /// Appends a signed `imaged` entry: the source and its digests as parameters, every image file and the JSON
    /// log as outputs named by their SHA-256. Only a complete acquisition is recorded.
    func recordImaged(_ result: ImagingResult, in file: CaseFile, item: String, by examiner: Examiner) throws {
        let log = result.log
        guard let logBytes = FileManager.default.contents(atPath: result.logPath) else {
            throw CLIError.cannotRead(
                path: result.logPath, reason: "the acquisition log just written cannot be read back")
        }
        var outputs = log.segments.map { HashReference(name: $0.name, sha256: $0.sha256) }
        outputs.append(
            HashReference(
                name: (result.logPath as NSString).lastPathComponent, sha256: digestHex(.sha256, of: Array(logBytes))))
        var parameters: [String: String] = [
            "source": log.source.path, "source_kind": log.source.kind.rawValue, "bytes": String(log.bytesAcquired),
            "format": log.imageFormat, "bad_ranges": String(log.badRanges.count),
        ]
        for (name, value) in log.digests { parameters["digest_" + name] = value }
        if let v = log.verification { parameters["verification"] = v.result }
        let entry = try file.record(.imaged, items: [item], outputs: outputs, parameters: parameters, by: examiner)
        FileHandle.standardError.write(
            Data("Entry \(entry.seq) imaged for \(item); ledger head: \(entry.seq):\(entry.entryHash)\n".utf8))
    }
}

struct EvidenceVerifyImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-image",
        abstract: "Re-read an image and check it against its acquisition log and, for an E01, its stored digests.",
        discussion: """
            IMAGE is the first file of the image: NAME.E01, NAME.raw or NAME.001. An E01's MD5 and SHA-1 are \
            recomputed over its media and compared with those stored in it, and libewf's chunk checksum errors are \
            reported by offset. When NAME.log.json (written by evidence image) is beside it, the image's content is \
            also compared with the digests of the source in the log, and every file with its SHA-256 there. A raw \
            image holds no digests of its own: it needs its log.

            Examples:
              iproceeds evidence verify-image case42/usb1.E01
              iproceeds evidence verify-image card.001 --log card.log.json

            Exit status: 0 verified; 1 a mismatch or checksum error (listed); 65 the log is unreadable or gives a key \
            twice; 66 the image cannot be opened.
            """
    )

    @Argument(help: ArgumentHelp("The image's first file.", valueName: "image"))
    var image: String

    @Option(help: ArgumentHelp("The acquisition log (default: NAME.log.json beside the image).", valueName: "file"))
    var log: String?

    @Flag(help: "Print the result as JSON on standard output.")
    var json = false

    func run() throws {
        let report = try reporting { () throws -> ImageVerificationReport in
            do { return try ImageVerifier.verifyImage(path: image, logPath: log) } catch let e as EvidenceError
                where e.code == .sourceMissing
            {
                throw CLIError.cannotRead(
                    path: image, reason: e.message.components(separatedBy: ": ").last ?? e.message)
            } catch let e as EvidenceError where e.code == .manifest {
                // The log exists but cannot be used: an unusable input (65), not a missing one.
                throw CLIError(.unusableInput, e.message)
            }
        }
        if json {
            let checksumErrors = report.checksumErrors.map {
                JSONValue.object([("offset", .int($0.offset)), ("length", .int($0.length))])
            }
            let object = JSONValue.members([
                ("image", .string(image)), ("format", .string(report.format)), ("files", .strings(report.files)),
                ("bytes", .int(report.bytes)), ("digests", AcquisitionLog.json(report.digests)),
                ("storedDigests", AcquisitionLog.json(report.storedDigests)), ("verified", .bool(report.verified)),
                ("problems", .strings(report.problems)), ("checksumErrors", .array(checksumErrors)),
                ("log", report.logPath.map { .string($0) }),
            ])
            FileHandle.standardOutput.write(Data(object.pretty(sortedKeys: true).utf8))
        } else {
            var lines = ["\(image): \(report.format), \(report.files.count) file(s), \(report.bytes) bytes"]
            if let logPath = report.logPath { lines.append("checked against \(logPath)") }
            for (name, value) in report.digests.sorted(by: { $0.key < $1.key }) { lines.append("  \(name) \(value)") }
            lines.append(report.verified ? "VERIFIED" : "NOT VERIFIED:")
            for p in report.problems { lines.append("  \(p)") }
            print(lines.joined(separator: "\n"))
        }
        if !report.verified { throw ExitCode(1) }
    }
}

/// A one-line progress display for an acquisition: bytes, rate, ETA, unreadable bytes.
final class ImagingProgressLine: Sendable {
    private let ticker: StatusTicker

    init(progress: ImagingProgress) {
        let start = Date()
        ticker = StatusTicker {
            let bytes = progress.bytesDone.load(ordering: .relaxed)
            let total = progress.totalBytes.load(ordering: .relaxed)
            let bad = progress.badBytes.load(ordering: .relaxed)
            if progress.verifying.load(ordering: .relaxed) { return "verifying the image…" }
            let rate = Double(bytes) / max(Date().timeIntervalSince(start), 0.001)
            var line = ProgressLine.bytes(bytes)
            if total > 0 { line += " of \(ProgressLine.bytes(total)) (\(bytes * 100 / total)%)" }
            line += ", \(ProgressLine.bytes(UInt64(rate)))/s"
            if total > bytes, rate > 0 { line += ", ETA \(ProgressLine.duration(Double(total - bytes) / rate))" }
            if bad > 0 { line += ", \(ProgressLine.bytes(bad)) unreadable" }
            return line
        }
    }

    func finish() { ticker.finish() }
}
