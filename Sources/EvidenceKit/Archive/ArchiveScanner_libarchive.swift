#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

internal import CLibArchive
import Synchronization

/// An allowance of bytes that may be decompressed out of all the archives of one fingerprint run together, so
/// that many small archives (or one sparse tar declaring huge holes, once per member) cannot keep a run busy
/// for hours although each stays under `--max-expand`.
///
/// `Sendable`: the count is an atomic shared by every scanning thread of the run.
final class RunExpansionBudget: Sendable {
    let limit: UInt64
    private let used = Atomic<UInt64>(0)

    init(limit: UInt64) { self.limit = limit }

    /// Charges `n` bytes; `false` once the run has decompressed more than `limit`.
    func consume(_ n: Int) -> Bool {
        used.add(UInt64(n), ordering: .relaxed).newValue <= limit
    }

    var exceeded: Bool { used.load(ordering: .relaxed) > limit }
}

/// A shared allowance of bytes that may be decompressed out of one top-level archive, all nesting levels
/// counted, so that a decompression bomb stops at `--max-expand` instead of filling the machine; it also
/// charges the run-wide allowance (`--max-expand-total`).
///
/// Not `Sendable`: one archive is scanned by one thread.
final class ExpansionBudget {
    let limit: UInt64
    let run: RunExpansionBudget?
    private(set) var used: UInt64 = 0
    private var archiveExhausted = false
    private var runExhausted = false

    init(limit: UInt64, run: RunExpansionBudget? = nil) {
        self.limit = limit
        self.run = run
    }

    func consume(_ n: Int) {
        used &+= UInt64(n)
        if used > limit { archiveExhausted = true }
        if let run, !run.consume(n) { runExhausted = true }
    }

    /// Whether reading must stop: this archive's allowance is spent, or the run's (by this or another archive).
    var exhausted: Bool {
        if archiveExhausted || runExhausted { return true }
        if let run, run.exceeded { runExhausted = true }
        return runExhausted
    }

    var message: String {
        if !archiveExhausted, runExhausted, let run {
            return "run-wide expansion limit reached: more than \(run.limit) bytes decompressed from all archives of "
                + "this run (--max-expand-total); rest not read"
        }
        return
            "expansion limit reached: more than \(limit) bytes decompressed from this archive (--max-expand); rest not read"
    }
}

/// Lists and fingerprints every member of an archive with libarchive, recursing into archives inside archives.
///
/// Members are streamed: nothing is ever extracted to disk, and memory stays bounded by libarchive's buffers per
/// nesting level, plus at most ``inMemoryLimit`` bytes for nested zip and 7z archives, which libarchive reads
/// best with random access. That allowance is counted in bytes actually read, never in the size an archive
/// declares, and is shared by every nesting level of one scan.
///
/// Not `Sendable`: one scanner belongs to one thread for one top-level archive.
final class ArchiveScanner {
    /// Nested archives that libarchive reads best with random access are held in memory up to this many bytes,
    /// all nesting levels together; a larger one (whatever its header says) is streamed instead.
    static let inMemoryLimit = 64 << 20

    let options: FingerprintOptions
    let path: RawName
    let budget: ExpansionBudget
    /// The member records found so far, in archive order.
    private(set) var records: [FingerprintRecord] = []
    /// Bytes of nested archives currently held in memory by this scan, at every nesting level.
    private var heldInMemory = 0

    init(path: RawName, options: FingerprintOptions, runBudget: RunExpansionBudget? = nil) {
        self.path = path
        self.options = options
        self.budget = ExpansionBudget(limit: options.maxExpand, run: runBudget)
    }

    /// Where an archive's bytes come from.
    enum Source {
        /// A file on disk, read through a descriptor that was opened once (never again by name).
        case descriptor(DescriptorSource)
        case memory(UnsafeRawBufferPointer)
        case stream(StreamSource)
    }

    /// The outcome of scanning one archive: whether libarchive recognised it, and an archive-level failure.
    struct Outcome {
        var opened: Bool
        var error: String?
        /// Whether the archive was a lone compressed stream (one member, the whole decompressed stream).
        var raw = false
        /// Whether libarchive said the archive is encrypted (so it could not be opened or listed).
        var encrypted = false
        /// Whether the archive was a compressed stream holding an archive, listed in its place (a `.tar.gz`).
        var unwrapped = false

        /// Whether every member came out of one compressed stream that was read to its end without a libarchive
        /// error: a checksum of that stream that fails afterwards then concerns all of them.
        var listedWholeFromOneStream: Bool { opened && error == nil && (raw || unwrapped) }
    }

    /// Gives every record from `index` on that has no error yet the error `problem`, and drops its digests: they
    /// are digests of bytes decompressed from a stream whose own check says some of them are wrong, and a
    /// stream checksum does not say which.
    func markDecompressed(from index: Int, _ problem: String) {
        guard index < records.count else { return }
        for i in index..<records.count where records[i].error == nil {
            records[i].error = problem
            records[i].digests = [:]
            records[i].pieces = nil
        }
    }

    static func untrustworthy(_ stream: String) -> String {
        "decompressed from a \(stream) stream that fails its check (see the record of the archive or member "
            + "holding it): content not trustworthy, not hashed"
    }

    /// Scans one archive, appending a record per member (and per member of nested archives) to `records`.
    ///
    /// A compressed stream (gzip, bzip2, xz, zstd, lz4, lzip, lzop) is read as one stream and decompressed to its
    /// very end, so that its own checksum (at the end of the stream) is verified: when libarchive reads a
    /// `.tar.xz` as a tar it stops at the tar's end marker and never reaches the xz check. When the decompressed
    /// stream is itself an archive (a tar), that layer is transparent: its members are listed under the same
    /// chain, as if libarchive had read the tar through the filter.
    /// - Parameters:
    ///   - chain: the member chain of the archive itself (empty for a file on disk).
    ///   - depth: the nesting depth of the members about to be listed (1 for a file on disk).
    ///   - hint: what the sniffer took the bytes for.
    ///   - unwrapped: whether this scan is already the transparent inside of a compressed stream (a compressed
    ///     stream inside it is then an ordinary member, so that compression nested in compression still counts
    ///     towards `--max-depth`).
    func scan(
        _ source: Source, chain: [RawName], depth: Int, hint: ArchiveSniffer.Hint? = nil, unwrapped: Bool = false
    ) -> Outcome {
        guard let a = archive_read_new() else { return Outcome(opened: false, error: "archive_read_new failed") }
        defer { archive_read_free(a) }
        archive_read_support_filter_all(a)
        let streamOnly = hint?.isCompressedStream == true
        // Container formats only: format_all would also let text formats (mtree, warc) claim any
        // decompressed text file.
        if !streamOnly { Self.supportContainerFormats(a) }
        // A lone compressed stream (server.log.gz) is read as one member named "data".
        archive_read_support_format_raw(a)

        let openResult: Int32
        switch source {
        case .descriptor(let file):
            archive_read_set_callback_data(a, Unmanaged.passUnretained(file).toOpaque())
            archive_read_set_read_callback(a) { _, client, out in
                Unmanaged<DescriptorSource>.fromOpaque(client!).takeUnretainedValue().read(into: out!)
            }
            archive_read_set_seek_callback(a) { _, client, offset, whence in
                Unmanaged<DescriptorSource>.fromOpaque(client!).takeUnretainedValue().seek(offset, whence: whence)
            }
            openResult = archive_read_open1(a)
        case .memory(let buffer):
            openResult = archive_read_open_memory(a, buffer.baseAddress, buffer.count)
        case .stream(let stream):
            openResult = archive_read_open2(
                a, Unmanaged.passUnretained(stream).toOpaque(), nil,
                { _, client, out in
                    let stream = Unmanaged<StreamSource>.fromOpaque(client!).takeUnretainedValue()
                    return stream.read(into: out!)
                }, nil, nil)
        }
        guard openResult == ARCHIVE_OK || openResult == ARCHIVE_WARN else {
            let text = Self.errorText(a)
            return Outcome(opened: false, error: text, encrypted: Self.saysEncrypted(a, text))
        }

        let upstream: StreamSource? = if case .stream(let stream) = source { stream } else { nil }
        var count = 0
        var raw = false
        var unwrappedStream = false
        /// The record of the last damaged header libarchive skipped, and how many followed it in a row.
        var skippedRun: (index: Int, first: String, more: Int)?
        var entry: OpaquePointer?
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            if r == ARCHIVE_FATAL || entry == nil {
                let text = Self.errorText(a)
                return Outcome(
                    opened: true, error: "archive damaged after \(count) members: \(text)", raw: raw,
                    encrypted: Self.saysEncrypted(a, text))
            }
            if budget.exhausted { return Outcome(opened: true, error: budget.message, raw: raw) }
            if count == 0, skippedRun == nil, archive_format(a) == ARCHIVE_FORMAT_RAW {
                // The raw format with no decompression filter is the stream itself, not an archive: the magic
                // bytes matched by chance (random data starts with 1F 8B once in 65,536 files).
                if archive_filter_count(a) <= 1 {
                    return Outcome(opened: false, error: "no archive format or compression recognised")
                }
                raw = true
            }
            if r == ARCHIVE_RETRY {
                // A header that fails its own check (a tar header checksum): libarchive skips ahead and looks for
                // the next valid one. Its name cannot be trusted, so the record has none; a run of skipped
                // headers (every block of the damaged member's data is tried as a header) is one record.
                let text = Self.errorText(a)
                if let run = skippedRun {
                    skippedRun = (run.index, run.first, run.more + 1)
                    records[run.index].error =
                        "\(run.first); \(run.more + 1) more invalid header blocks skipped before the next valid one"
                } else {
                    let at = archive_read_header_position(a)
                    var record = FingerprintRecord(path: path, member: chain + [RawName("")], kind: .member)
                    let first =
                        "member header damaged at byte \(at) of the archive (it fails its own check, so its "
                        + "name and content are unknown): \(text)"
                    record.error = first
                    skippedRun = (records.count, first, 0)
                    records.append(record)
                    count += 1
                }
                continue
            }
            skippedRun = nil
            var headerWarning: String?
            var headerError: String?
            let (name, recovered) = Self.pathname(entry!)
            if r == ARCHIVE_WARN {
                let text = Self.errorText(a)
                if text.contains("cannot be converted") {
                    // A name in a charset the locale cannot show: the stored bytes are kept (see pathname).
                    if !recovered { headerWarning = text }
                } else {
                    headerError = "member header inconsistent: \(text)"
                }
            }
            let memberChain = chain + [name]
            if options.isExcluded(name.bytes) { continue }
            var record = FingerprintRecord(path: path, member: memberChain, kind: .member)
            if archive_entry_mtime_is_set(entry) != 0 { record.mtime = Int64(archive_entry_mtime(entry)) }
            let declaredSize: UInt64? =
                archive_entry_size_is_set(entry) != 0 ? UInt64(max(0, archive_entry_size(entry))) : nil
            record.note = headerWarning
            record.error = headerError
            count += 1

            if r == ARCHIVE_FAILED {
                record.size = declaredSize
                record.error = "member header unreadable: \(Self.errorText(a))"
                records.append(record)
                continue
            }
            let type = UInt32(archive_entry_filetype(entry))
            if type == CLibArchive_AE_IFDIR {
                if headerError == nil {
                    count -= 1
                    continue
                }
                record.kind = .directory
                records.append(record)
                continue
            }
            if let target = Self.linkTarget(archive_entry_hardlink(entry), archive_entry_hardlink_utf8(entry)) {
                record.note = Self.join(record.note, "hard link to \(target)")
                record.size = declaredSize
                records.append(record)
                continue
            }
            if type == CLibArchive_AE_IFLNK {
                record.kind = .symlink
                let target = Self.linkTarget(archive_entry_symlink(entry), archive_entry_symlink_utf8(entry)) ?? ""
                record.note = Self.join(record.note, "symlink to \(target)")
                records.append(record)
                continue
            }
            if type != CLibArchive_AE_IFREG && type != 0 {
                record.kind = .special
                record.size = declaredSize
                record.note = Self.join(record.note, "special file (mode \(String(type, radix: 8))), not read")
                records.append(record)
                continue
            }
            if archive_entry_is_data_encrypted(entry) != 0 || archive_entry_is_metadata_encrypted(entry) != 0 {
                record.size = declaredSize
                record.error = Self.join(
                    record.error, "encrypted member: content cannot be read without the password; not hashed")
                records.append(record)
                continue
            }

            let index = records.count
            records.append(record)
            let result = readMember(
                a, entry: entry!, chain: memberChain, depth: depth, declaredSize: declaredSize,
                unwrapInto: raw && streamOnly && !unwrapped ? chain : nil, upstream: upstream)
            if result.transparent {
                // The stream's own problems (its checksum, damage) belong to the archive that holds it; a checksum
                // covers the whole stream, so every member decompressed from it is suspect too.
                records.remove(at: index)
                raw = false
                unwrappedStream = true
                if let error = result.error {
                    if result.membersSuspect {
                        markDecompressed(from: index, Self.untrustworthy(hint?.name ?? "compressed"))
                    }
                    return Outcome(opened: true, error: error, raw: false)
                }
                continue
            }
            records[index].size = result.size
            records[index].digests = result.digests
            records[index].pieces = result.pieces
            records[index].error = Self.join(records[index].error, result.error)
            records[index].note = Self.join(records[index].note, result.note)
            if result.fatal {
                return Outcome(
                    opened: true, error: "archive damaged after \(count) members: \(result.error ?? "")", raw: raw)
            }
            if budget.exhausted { return Outcome(opened: true, error: budget.message, raw: raw) }
        }
        return Outcome(opened: true, error: nil, raw: raw, unwrapped: unwrappedStream)
    }

    static func supportContainerFormats(_ a: OpaquePointer) {
        archive_read_support_format_7zip(a)
        archive_read_support_format_ar(a)
        archive_read_support_format_cab(a)
        archive_read_support_format_cpio(a)
        archive_read_support_format_iso9660(a)
        archive_read_support_format_lha(a)
        archive_read_support_format_rar(a)
        archive_read_support_format_rar5(a)
        archive_read_support_format_tar(a)
        archive_read_support_format_xar(a)
        archive_read_support_format_zip(a)
    }

    private struct MemberResult {
        var size: UInt64?
        var digests: [DigestAlgorithm: String] = [:]
        var pieces: [PieceDigest]?
        var error: String?
        var note: String?
        var fatal = false
        /// The member was the decompressed inside of a compressed stream and an archive: its members were listed
        /// in its place, and it has no record of its own.
        var transparent = false
        /// For a transparent stream: every member was listed whole, and then the stream failed (its end checksum),
        /// so the damage is somewhere in what was listed.
        var membersSuspect = false
    }

    /// The deepest nesting that is opened, whatever the options say: each level costs stack on the scanning
    /// thread (see ``FingerprintOptions/maxDepthLimit``).
    private var maxDepth: Int { min(options.maxDepth, FingerprintOptions.maxDepthLimit) }

    /// Hashes the current member's data and, when it is itself an archive, scans it.
    /// - Parameter unwrapInto: for the lone member of a compressed stream, the chain of the stream itself: when
    ///   the member is an archive, its members are listed under that chain and the member has no record.
    private func readMember(
        _ a: OpaquePointer, entry: OpaquePointer, chain: [RawName], depth: Int, declaredSize: UInt64?,
        unwrapInto: [RawName]? = nil, upstream: StreamSource? = nil
    ) -> MemberResult {
        let sparse = archive_entry_sparse_count(entry) > 0
        let reader = MemberReader(archive: a, options: options, budget: budget, sparseSize: sparse ? declaredSize : nil)
        reader.upstream = upstream
        var result = MemberResult()
        var gzip: GzipIntegrity?
        let nestedStart = records.count
        var nested: Outcome?

        if options.archives, let first = reader.next() {
            // Sniff the first block in place; gather more only when the first block is short.
            var gathered: HeldBytes?
            if first.count < ArchiveSniffer.prefixLength && !reader.atEnd {
                let bytes = HeldBytes()
                bytes.append(first)
                while bytes.count < ArchiveSniffer.prefixLength, let more = reader.next() { bytes.append(more) }
                gathered = bytes
            }
            // `first` is valid only until the next read: from here on, the gathered copy if there is one.
            let seen = gathered?.bytes ?? first
            if let unwrapInto, let hint = ArchiveSniffer.detect(seen) {
                // Decompressed tar (or other archive): not hashed as a whole, nor charged twice to the budget.
                reader.hashing = false
                reader.charging = false
                result.transparent = true
                let stream = StreamSource(reader: reader, held: gathered, pending: gathered == nil ? first : nil)
                let outcome = scan(.stream(stream), chain: unwrapInto, depth: depth, hint: hint, unwrapped: true)
                // Whatever follows the archive's end in the stream is still decompressed (to reach the check).
                reader.charging = true
                result.membersSuspect = outcome.opened && outcome.error == nil
                if let problem = Self.problem(of: outcome, hint: hint) {
                    result.error = problem
                } else if !outcome.opened {
                    // Not an archive after all: the stream is an ordinary member, whose digest is now lost.
                    result.error =
                        "decompressed stream looks like \(hint.name) but could not be opened: \(outcome.error ?? "")"
                }
            } else if let hint = ArchiveSniffer.detect(seen) {
                if hint.name == "gzip" {
                    // libarchive does not check gzip's CRC-32: check it from the same bytes as they stream by.
                    let checker = GzipIntegrity()
                    checker.update(seen)
                    reader.observer = checker
                    gzip = checker
                }
                if depth >= maxDepth {
                    result.note = "\(hint.name) archive, nested deeper than --max-depth \(maxDepth): members not listed"
                    result.error = "depth limit reached: --max-depth \(maxDepth)"
                } else if hint.wantsSeek, let size = declaredSize, size <= UInt64(Self.inMemoryLimit - heldInMemory) {
                    // Random access is best for zip and 7z. Hold the member in memory, counting the bytes that
                    // really come (a header may under-declare them), and stream it after all past the allowance.
                    let cap = Self.inMemoryLimit - heldInMemory
                    let whole = gathered ?? HeldBytes(copying: first)
                    var overflow: UnsafeRawBufferPointer?
                    while let more = reader.next() {
                        if whole.count + more.count > cap {
                            overflow = more
                            break
                        }
                        whole.append(more)
                    }
                    if reader.error == nil {
                        let outcome: Outcome
                        if let overflow {
                            result.note = "declares \(size) bytes but holds more than \(cap): read as a stream"
                            let stream = StreamSource(reader: reader, held: whole, pending: overflow)
                            outcome = scan(.stream(stream), chain: chain, depth: depth + 1, hint: hint)
                        } else {
                            heldInMemory += whole.count
                            outcome = scan(.memory(whole.bytes), chain: chain, depth: depth + 1, hint: hint)
                            heldInMemory -= whole.count
                        }
                        apply(outcome, hint: hint, to: &result)
                        nested = outcome
                    }
                } else {
                    let stream = StreamSource(reader: reader, held: gathered, pending: gathered == nil ? first : nil)
                    let outcome = scan(.stream(stream), chain: chain, depth: depth + 1, hint: hint)
                    apply(outcome, hint: hint, to: &result)
                    nested = outcome
                }
            }
        }
        while reader.next() != nil {}

        if result.transparent {
            let streamProblem = reader.cause ?? reader.error ?? reader.integrityFailure
            // Only the stream's own failure says something about the bytes listed; a limit reached does not.
            if reader.cause == nil && reader.integrityFailure == nil { result.membersSuspect = false }
            if let streamProblem {
                if result.error?.contains(streamProblem) != true {
                    result.error = Self.join(result.error, "compressed stream damaged: \(streamProblem)")
                }
                result.fatal = reader.fatal
            } else {
                result.membersSuspect = false
            }
            return result
        }
        result.size = reader.error == nil ? reader.total : declaredSize
        if let error = reader.error {
            result.error = Self.join(result.error, error)
            result.fatal = reader.fatal
            return result
        }
        if let gzip, let damage = gzip.finish() {
            result.error = Self.join(result.error, damage)
            if nested?.listedWholeFromOneStream == true {
                markDecompressed(from: nestedStart, Self.untrustworthy("gzip"))
            }
        }
        if let failure = reader.integrityFailure {
            // The format's own check (a CRC-32, a declared size) says these bytes are not the member's content:
            // no digest is given for them.
            result.error = Self.join(result.error, "member fails the archive's integrity check: \(failure)")
            return result
        }
        let finished = reader.digest.finish()
        for (alg, hex) in zip(options.algorithms, finished.digests) { result.digests[alg] = hex }
        result.pieces = finished.pieces
        return result
    }

    private func apply(_ outcome: Outcome, hint: ArchiveSniffer.Hint, to result: inout MemberResult) {
        if let problem = Self.problem(of: outcome, hint: hint) {
            result.error = Self.join(result.error, problem)
        } else if !outcome.opened {
            result.note = Self.join(
                result.note, "looks like \(hint.name) but could not be opened: \(outcome.error ?? "")")
        }
    }

    /// The error an archive's outcome puts on its record, or `nil` when there is none (it opened and was read
    /// whole, or it did not open and is simply not what its first bytes suggested).
    ///
    /// A compressed stream whose magic matched but which does not decompress is a damaged file, not a chance
    /// match: the magic of gzip (with its method and flag checks), bzip2, xz, zstd, lz4, lzip and lzop is long
    /// enough that random data matches it less than once in a hundred million files.
    static func problem(of outcome: Outcome, hint: ArchiveSniffer.Hint) -> String? {
        if outcome.opened { return outcome.error }
        if outcome.encrypted {
            return "encrypted \(hint.name) archive: cannot be listed without the password (\(outcome.error ?? ""))"
        }
        if hint.isCompressedStream {
            return "\(hint.name) stream cannot be decompressed (damaged, or beyond what libarchive reads): "
                + (outcome.error ?? "unknown error")
        }
        return nil
    }

    /// Whether libarchive's answer means "encrypted", which it reports through its error text or, once a header
    /// is read, `archive_read_has_encrypted_entries`.
    static func saysEncrypted(_ a: OpaquePointer, _ text: String) -> Bool {
        if archive_read_has_encrypted_entries(a) > 0 { return true }
        let lower = text.lowercased()
        return lower.contains("encrypt") || lower.contains("passphrase")
    }

    // MARK: libarchive helpers

    /// A UTF-8 `LC_CTYPE` locale for libarchive's name handling, made once.
    ///
    /// libarchive converts names between an archive's charset and the current locale. In the C locale it cannot
    /// represent a zip name flagged as UTF-8 and returns no name at all; in a UTF-8 locale such names come back
    /// as their stored bytes, and tar names (which have no charset) still pass through unconverted.
    /// `@unchecked Sendable` box: a `locale_t` is immutable once made and may be installed on any thread.
    private final class UTF8Locale: @unchecked Sendable {
        let handle: locale_t?
        init() {
            handle = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) ?? newlocale(LC_CTYPE_MASK, "en_US.UTF-8", nil)
        }
    }
    private static let utf8Locale = UTF8Locale()

    /// Runs `body` with a UTF-8 `LC_CTYPE` installed for this thread only (`uselocale`), then restores it.
    static func withUTF8Names<R>(_ body: () -> R) -> R {
        guard let locale = utf8Locale.handle else { return body() }
        let previous = uselocale(locale)
        defer { uselocale(previous) }
        return body()
    }

    static func errorText(_ a: OpaquePointer) -> String {
        guard let s = archive_error_string(a) else { return "unknown libarchive error" }
        return String(cString: s)
    }

    static func bytes(_ s: UnsafePointer<CChar>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self), count: strlen(s)))
    }

    /// The member name as stored (see ``withUTF8Names(_:)`` for why that needs a UTF-8 locale), falling back to
    /// libarchive's UTF-8 form when the locale form is missing.
    static func pathname(_ entry: OpaquePointer) -> (name: RawName, recoveredUTF8: Bool) {
        if let p = archive_entry_pathname(entry), p.pointee != 0 { return (RawName(bytes(p)), false) }
        if let p = archive_entry_pathname_utf8(entry), p.pointee != 0 { return (RawName(bytes(p)), true) }
        return (RawName(""), false)
    }

    /// A link target, by the same rule as ``pathname(_:)``.
    static func linkTarget(_ mbs: UnsafePointer<CChar>?, _ utf8: UnsafePointer<CChar>?) -> String? {
        if let p = mbs, p.pointee != 0 { return RawName(bytes(p)).text }
        if let p = utf8, p.pointee != 0 { return RawName(bytes(p)).text }
        return mbs == nil && utf8 == nil ? nil : ""
    }

    static func join(_ a: String?, _ b: String?) -> String? {
        switch (a, b) {
        case (nil, nil): nil
        case (let x?, nil): x
        case (nil, let y?): y
        case (let x?, let y?): "\(x); \(y)"
        }
    }
}

/// Reads the current member's data block by block, hashing every byte and charging the expansion budget.
///
/// Blocks come from `archive_read_data_block`, which hands out libarchive's own buffers (no copy: for a stored
/// tar or zip member they point into the read buffer). Holes in sparse members are hashed as the zeros they
/// stand for, so the digest is that of the member's logical content, as `archive_read_data` would give it.
///
/// Not `Sendable`: used by the scanning thread only.
final class MemberReader {
    let archive: OpaquePointer
    let digest: MultiDigest
    let budget: ExpansionBudget
    /// Sees every byte of the member as it is emitted (a nested gzip stream's CRC check).
    var observer: GzipIntegrity?
    /// Where the archive being read gets its bytes, when from a member of its parent: libarchive has no message
    /// when that read fails, the parent's reader has.
    var upstream: StreamSource?
    /// Whether the bytes are hashed (not for the transparent inside of a compressed stream, whose members are
    /// hashed instead).
    var hashing = true
    /// Whether the bytes are charged to the expansion budget (not while the transparent inside of a compressed
    /// stream is listed, since its members are charged; again for whatever follows the archive in the stream).
    var charging = true
    /// The size the archive declares, used to hash a trailing hole of a sparse member.
    private let sparseSize: UInt64?
    /// 64 KiB of zeros to hash holes with. `nonisolated(unsafe)`: written once at initialisation, only read after.
    nonisolated(unsafe) private static let zeros = UnsafeRawBufferPointer(
        UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 64).initializeMemory(
            as: UInt8.self, repeating: 0))
    private var pending: UnsafeRawBufferPointer?
    private var pendingOffset: UInt64 = 0
    private(set) var total: UInt64 = 0
    private(set) var error: String?
    /// libarchive's own words for `error`.
    private(set) var cause: String?
    private(set) var fatal = false
    private(set) var atEnd = false
    /// libarchive's message when the data failed the format's own check (`ARCHIVE_WARN` from a data read: a zip,
    /// 7z or LHa CRC, a zip size that does not match). The data is still read to its end.
    private(set) var integrityFailure: String?

    init(archive: OpaquePointer, options: FingerprintOptions, budget: ExpansionBudget, sparseSize: UInt64?) {
        self.archive = archive
        self.budget = budget
        self.sparseSize = sparseSize
        self.digest = MultiDigest(options.algorithms, pieceSize: options.pieceSize)
    }

    /// The next block of member data, valid until the next call; `nil` at the end or on failure.
    /// The corresponding C function is `archive_read_data_block`.
    func next() -> UnsafeRawBufferPointer? {
        if atEnd || error != nil { return nil }
        if budget.exhausted {
            error = budget.message
            return nil
        }
        if pending == nil {
            var buffer: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let r = archive_read_data_block(archive, &buffer, &size, &offset)
            if r == ARCHIVE_EOF {
                // A sparse member may end in a hole.
                if let sparseSize, sparseSize > total {
                    return emit(Self.zeros.prefix(Int(min(sparseSize - total, UInt64(Self.zeros.count)))))
                }
                atEnd = true
                return nil
            }
            if r < ARCHIVE_WARN {
                let text =
                    archive_error_string(archive) == nil
                    ? upstream?.failure ?? "unknown libarchive error" : ArchiveScanner.errorText(archive)
                cause = text
                error = "member data unreadable (truncated or corrupt): \(text)"
                fatal = r == ARCHIVE_FATAL
                return nil
            }
            if r == ARCHIVE_WARN {
                // Returned with the last block of a member whose check failed: keep the block, remember why.
                let text = ArchiveScanner.errorText(archive)
                integrityFailure = integrityFailure.map { "\($0); \(text)" } ?? text
            }
            if size == 0 && offset <= Int64(total) { return next() }
            pending = UnsafeRawBufferPointer(start: buffer, count: size)
            pendingOffset = UInt64(max(0, offset))
        }
        if pendingOffset > total {
            // A hole before this block: zeros first.
            return emit(Self.zeros.prefix(Int(min(pendingOffset - total, UInt64(Self.zeros.count)))))
        }
        let block = pending!
        pending = nil
        return emit(block)
    }

    private func emit(_ chunk: UnsafeRawBufferPointer.SubSequence) -> UnsafeRawBufferPointer {
        emit(UnsafeRawBufferPointer(rebasing: chunk))
    }

    private func emit(_ chunk: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        observer?.update(chunk)
        total += UInt64(chunk.count)
        if hashing { digest.update(chunk) }
        if charging { budget.consume(chunk.count) }
        return chunk
    }
}

/// Bytes copied out of a member, grown by what was actually read, never by a size the evidence declares.
///
/// Not `Sendable`: owned by the scanning thread.
final class HeldBytes {
    private var base: UnsafeMutableRawPointer?
    private(set) var count = 0
    private var capacity = 0

    init() {}

    convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init()
        append(bytes)
    }

    deinit { base?.deallocate() }

    func append(_ chunk: UnsafeRawBufferPointer) {
        guard let source = chunk.baseAddress, !chunk.isEmpty else { return }
        if count + chunk.count > capacity {
            let grown = max(64 << 10, capacity * 2, count + chunk.count)
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            if let base {
                fresh.copyMemory(from: base, byteCount: count)
                base.deallocate()
            }
            base = fresh
            capacity = grown
        }
        (base! + count).copyMemory(from: source, byteCount: chunk.count)
        count += chunk.count
    }

    /// The bytes held, valid while this object lives and is not appended to.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// Feeds a nested archive reader from the member being read in its parent, so nesting streams.
///
/// Not `Sendable`: lives for one nested scan on one thread.
final class StreamSource {
    private let reader: MemberReader
    /// Bytes already taken from the member (to sniff it, or while trying to hold it whole), served first.
    private var held: HeldBytes?
    /// A block already taken from the reader and not copied, served next (valid until the reader's next call).
    private var pending: UnsafeRawBufferPointer?
    private var stage = 0

    init(reader: MemberReader, held: HeldBytes?, pending: UnsafeRawBufferPointer?) {
        self.reader = reader
        self.held = held
        self.pending = pending
    }

    /// Why the member feeding this source could not be read, once it could not.
    var failure: String? { reader.cause ?? reader.error }

    /// libarchive's read callback: points `out` at the next block, returns its length, 0 at the end, -1 on failure.
    func read(into out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        if stage == 0 {
            stage = 1
            if let held, held.count > 0 {
                out.pointee = held.bytes.baseAddress
                return held.count
            }
        }
        // libarchive is done with the previous block once it asks for the next one.
        held = nil
        if stage == 1 {
            stage = 2
            if let pending, !pending.isEmpty {
                self.pending = nil
                out.pointee = pending.baseAddress
                return pending.count
            }
        }
        guard let chunk = reader.next() else { return reader.error == nil ? 0 : -1 }
        out.pointee = chunk.baseAddress
        return chunk.count
    }
}

/// Feeds libarchive from a file descriptor with `pread`, so the scan never opens the file again by name (which
/// could by then name another file) and never moves the descriptor's offset, which the hashing thread uses.
///
/// Not `Sendable`: lives for one scan on one thread.
final class DescriptorSource {
    let fd: Int32
    /// How many bytes of the file are presented: its size when it was opened (or a cap for kernel pseudo-files).
    let limit: UInt64
    private var offset: UInt64 = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)

    init(fd: Int32, limit: UInt64) {
        self.fd = fd
        self.limit = limit
    }

    deinit { buffer.deallocate() }

    /// libarchive's read callback. The corresponding C function is `pread`.
    func read(into out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        guard offset < limit else { return 0 }
        let want = Int(min(UInt64(buffer.count), limit - offset))
        while true {
            let n = pread(fd, buffer.baseAddress, want, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            offset += UInt64(n)
            out.pointee = UnsafeRawPointer(buffer.baseAddress)
            return n
        }
    }

    /// libarchive's seek callback, within the presented bytes.
    func seek(_ to: Int64, whence: Int32) -> Int64 {
        let base: Int64
        switch whence {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = Int64(offset)
        case SEEK_END: base = Int64(limit)
        default: return Int64(ARCHIVE_FATAL)
        }
        let target = base + to
        guard target >= 0 else { return Int64(ARCHIVE_FATAL) }
        offset = UInt64(target)
        return target
    }
}
