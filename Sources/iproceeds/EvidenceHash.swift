import ArgumentParser
import EvidenceImages
import EvidenceKit
import Foundation

struct EvidenceHash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Fingerprint files, directory trees and every member of every archive.",
        discussion: """
            Every regular file under each PATH is hashed; archives (tar, zip, 7z, cpio, ISO 9660, ar, xar, cab, \
            rar, and gzip/bzip2/xz/zstd/lz4 streams, recognised by content) are hashed as files and every member \
            inside is hashed too, recursively, without extracting anything to disk. Symbolic links are recorded, \
            not followed; devices, FIFOs and sockets are recorded, not read.

            Disk images (E01, raw, split raw .001, recognised by content) are hashed as files and every file of \
            every partition and file system inside is hashed too, through The Sleuth Kit, with its partition, \
            path, inode and times; --deleted adds deleted files, --no-images turns this off. An E01's stored MD5 \
            and SHA-1 are checked against its media (a mismatch is an error on the image's record, exit 1); \
            --no-verify-images skips that and the note says they were not checked.

            Known-file hash sets: --known SET marks every record whose digest is in SET with "known": "SET NAME" \
            (the file's name), --known-bad SET marks it with "alert": "SET NAME" and counts it in the summary, \
            --skip-known leaves known files out of the manifest (the summary counts them; a file that is also \
            known-bad stays in). A SET is an NSRL RDS v3 database (SQLite), a hashdeep file, md5sum/sha1sum/\
            sha256sum output, or a CSV of digests with a description, recognised by content; records are looked \
            up by the strongest digest both the set and -c have. Each option is repeatable.

            Output is one record per item, sorted by path and then member path (inside a disk image: in the file \
            system's own tree order), identical whatever --threads is.

            Examples:
              iproceeds evidence hash seized/ > seized.jsonl
              iproceeds evidence hash -c md5,sha1,sha256 --format hashdeep -o seized.hashdeep seized/
              iproceeds evidence hash --threads 1 /mnt/usb        # spinning disk: read one file at a time
              iproceeds evidence hash -c md5,sha1 --deleted laptop.E01 > laptop.jsonl
              iproceeds evidence hash --known RDS_2024.03.1_modern.db --known-bad cases.sha256 --skip-known seized/
              iproceeds evidence audit --manifest seized.jsonl seized/

            Exit status: 0 every item was read whole (alerts do not change it); 1 the run completed but some \
            records carry an "error"; 64 usage error (also a set holding no digest the run computes); 65 a hash \
            set is not one of the formats read or has a malformed line; 66 a hash set cannot be read; 74 the \
            output could not be written.
            """
    )

    @Argument(help: ArgumentHelp("Files or directories to fingerprint.", valueName: "path"))
    var paths: [String]

    @Option(
        name: [.customShort("c"), .long],
        help: ArgumentHelp(
            "Comma-separated digests, all computed in one read: md5, sha1, sha256, sha512, sha3-256, blake2b-512.",
            valueName: "list"))
    var algorithms = "sha256"

    @Option(
        help: ArgumentHelp(
            "Also hash every block of this size (e.g. 1M), to localise damage in large files.", valueName: "bytes"))
    var piecewise: String?

    @Option(
        name: [.customShort("j"), .long],
        help: "Files read at once (default: the number of cores; 1 for spinning disks).")
    var threads: Int = FingerprintOptions.defaultThreads

    @Flag(name: .customLong("no-archives"), help: "Hash archives as plain files only; do not look inside.")
    var noArchives = false

    @Flag(name: .customLong("no-images"), help: "Hash disk images as plain files only; do not read their file systems.")
    var noImages = false

    @Flag(help: "In disk images, also list deleted files and hash what their file system still maps.")
    var deleted = false

    @Flag(
        name: .customLong("no-verify-images"),
        help: "Do not check an E01's stored MD5 and SHA-1 against its media (which reads the media once more).")
    var noVerifyImages = false

    @Option(
        help:
            "How deep to open archives inside archives (members of an archive on disk are depth 1; at most \(FingerprintOptions.maxDepthLimit))."
    )
    var maxDepth = 8

    @Option(
        help: ArgumentHelp(
            "Stop reading an archive after this many decompressed bytes, all levels counted (zip-bomb guard).",
            valueName: "bytes"))
    var maxExpand = "64G"

    @Option(
        help: ArgumentHelp(
            "Stop reading archives once the whole run has decompressed this many bytes.", valueName: "bytes"))
    var maxExpandTotal = "256G"

    @Option(help: ArgumentHelp("Skip items whose path or name matches this glob (repeatable).", valueName: "glob"))
    var exclude: [String] = []

    @Flag(help: "Follow symbolic links (loops are detected and recorded).")
    var followSymlinks = false

    @Option(
        help: ArgumentHelp(
            "Mark records whose digest is in this hash set as known (repeatable; NSRL RDS v3, hashdeep, "
                + "md5sum/sha1sum/sha256sum, CSV).", valueName: "set"))
    var known: [String] = []

    @Option(
        name: .customLong("known-bad"),
        help: ArgumentHelp(
            "Raise an alert on records whose digest is in this hash set (repeatable; same formats).",
            valueName: "set"))
    var knownBad: [String] = []

    @Flag(name: .customLong("skip-known"), help: "Leave files found in a --known set out of the manifest.")
    var skipKnown = false

    @Option(help: "Manifest format: jsonl, hashdeep, dfxml or csv.")
    var format: ManifestFormatArgument = .jsonl

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the manifest here instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: [.customShort("q"), .long], help: "No progress line and no summary on standard error.")
    var quiet = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard (0...FingerprintOptions.maxDepthLimit).contains(maxDepth) else {
            throw ValidationError(
                "--max-depth must be between 0 and \(FingerprintOptions.maxDepthLimit) (each level of nesting is read "
                    + "by one more recursion; real evidence is rarely nested more than a few levels)")
        }
        guard !paths.isEmpty else { throw ValidationError("give at least one PATH to fingerprint") }
        if deleted && noImages { throw ValidationError("--deleted reads disk images: it cannot go with --no-images") }
        if skipKnown && known.isEmpty {
            throw ValidationError("--skip-known leaves out files found in a --known set: give one with --known SET")
        }
        do {
            let algs = try DigestAlgorithm.parseList(algorithms)
            if format.value == .hashdeep, let other = algs.first(where: { !$0.isHashdeepAlgorithm }) {
                throw ValidationError(
                    "hashdeep manifests can carry only md5, sha1 and sha256 (hashdeep cannot read \(other.rawValue)); "
                        + "use --format jsonl, csv or dfxml for it")
            }
            if let p = piecewise {
                guard let v = ByteCount.parse(p), v > 0 else {
                    throw ValidationError("--piecewise takes a size such as 1048576 or 1M")
                }
            }
            guard ByteCount.parse(maxExpand) != nil else {
                throw ValidationError("--max-expand takes a size such as 64G")
            }
            guard ByteCount.parse(maxExpandTotal) != nil else {
                throw ValidationError("--max-expand-total takes a size such as 256G")
            }
        } catch let e as EvidenceError {
            throw ValidationError(e.message)
        }
    }

    func run() throws {
        var options = FingerprintOptions()
        options.algorithms = try DigestAlgorithm.parseList(algorithms)
        options.pieceSize = piecewise.flatMap(ByteCount.parse)
        options.threads = threads
        options.archives = !noArchives
        options.maxDepth = maxDepth
        options.maxExpand = ByteCount.parse(maxExpand) ?? options.maxExpand
        options.maxExpandTotal = ByteCount.parse(maxExpandTotal) ?? options.maxExpandTotal
        options.excludes = exclude
        options.followSymlinks = followSymlinks

        let destination = output ?? "standard output"
        let summary = try reporting { () throws -> FingerprintSummary in
            // Opened before the output: a set that cannot be used stops the run before anything is written.
            let knownFiles =
                known.isEmpty && knownBad.isEmpty
                ? nil
                : try KnownFileSets(
                    known: known, knownBad: knownBad, skipKnown: skipKnown, algorithms: options.algorithms)
            let out = try ReportOutput(path: output)
            let context = ManifestContext(
                algorithms: options.algorithms, pieceSize: options.pieceSize, commandLine: CommandLine.arguments,
                workingDirectory: FileManager.default.currentDirectoryPath,
                hashSets: !known.isEmpty || !knownBad.isEmpty)
            let writer = ManifestWriters.make(format.value, context: context, sink: out.sink)
            try writer.begin()
            let progress = FingerprintProgress()
            let line = !quiet && isTerminal(STDERR_FILENO) ? ProgressLine(progress: progress) : nil
            defer { line?.finish() }
            var fingerprinter = Fingerprinter(options: options)
            if !noImages {
                fingerprinter.containers = DiskImageReader(deleted: deleted, verifyStoredDigests: !noVerifyImages)
            }
            fingerprinter.knownFiles = knownFiles
            let summary = try fingerprinter.run(paths.map { RawName($0) }, progress: progress) {
                try writer.write($0)
            }
            try writer.finish()
            try out.commit()
            return summary
        }
        if !quiet {
            let text = summary.text(destination: destination)
            if isTerminal(STDERR_FILENO) || summary.errors > 0 || summary.alerts > 0 {
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
        }
        if summary.errors > 0 { throw ExitCode(1) }
    }
}

/// `--format` values.
struct ManifestFormatArgument: ExpressibleByArgument {
    let value: ManifestFormat
    init?(argument: String) {
        guard let v = ManifestFormat(rawValue: argument.lowercased()) else { return nil }
        value = v
    }
    static let jsonl = ManifestFormatArgument(argument: "jsonl")!
    static var allValueStrings: [String] { ManifestFormat.allCases.map(\.rawValue) }
    var defaultValueDescription: String { value.rawValue }
}

/// Sizes such as `1048576`, `64K`, `1M`, `64G` (powers of 1024).
enum ByteCount {
    static func parse(_ text: String) -> UInt64? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let multipliers: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(t)
        if digits.hasSuffix("IB") {
            digits = digits.dropLast(2)
        } else if digits.hasSuffix("B") {
            digits = digits.dropLast()
        }
        var multiplier: UInt64 = 1
        if let last = digits.last, let m = multipliers[last] {
            multiplier = m
            digits = digits.dropLast()
        }
        guard let n = UInt64(digits) else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
