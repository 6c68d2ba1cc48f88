#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

internal import CLibArchive

/// A shared allowance of bytes that may be decompressed out of one top-level archive, all nesting levels
/// counted, so that a decompression bomb stops at `--max-expand` instead of filling the machine.
///
/// Not `Sendable`: one archive is scanned by one thread.
final class ExpansionBudget {
    let limit: UInt64
    private(set) var used: UInt64 = 0
    private(set) var exhausted = false

    init(limit: UInt64) { self.limit = limit }

    func consume(_ n: Int) {
        used &+= UInt64(n)
        if used > limit { exhausted = true }
    }

    var message: String {
        "expansion limit reached: more than \(limit) bytes decompressed from this archive (--max-expand); rest not read"
    }
}

/// Lists and fingerprints every member of an archive with libarchive, recursing into archives inside archives.
///
/// Members are streamed: nothing is ever extracted to disk, and memory stays bounded by libarchive's buffers per
/// nesting level (plus, for a nested zip or 7z of at most ``inMemoryLimit`` bytes, that member's bytes, since
/// those formats are read with random access).
///
/// Not `Sendable`: one scanner belongs to one thread for one top-level archive.
final class ArchiveScanner {
    /// Nested archives that libarchive reads only with random access are held in memory up to this size.
    static let inMemoryLimit: UInt64 = 64 << 20

    let options: FingerprintOptions
    let path: RawName
    let budget: ExpansionBudget
    /// The member records found so far, in archive order.
    private(set) var records: [FingerprintRecord] = []

    init(path: RawName, options: FingerprintOptions) {
        self.path = path
        self.options = options
        self.budget = ExpansionBudget(limit: options.maxExpand)
    }

    /// Where an archive's bytes come from.
    enum Source {
        case file(RawName)
        case memory(UnsafeRawBufferPointer)
        case stream(StreamSource)
    }

    /// The outcome of scanning one archive: whether libarchive recognised it, and an archive-level failure.
    struct Outcome {
        var opened: Bool
        var error: String?
    }

    /// Scans one archive, appending a record per member (and per member of nested archives) to `records`.
    /// - Parameters:
    ///   - chain: the member chain of the archive itself (empty for a file on disk).
    ///   - depth: the nesting depth of the members about to be listed (1 for a file on disk).
    func scan(_ source: Source, chain: [RawName], depth: Int) -> Outcome {
        guard let a = archive_read_new() else { return Outcome(opened: false, error: "archive_read_new failed") }
        defer { archive_read_free(a) }
        archive_read_support_filter_all(a)
        // Container formats only: format_all would also let text formats (mtree, warc) claim any
        // decompressed text file.
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
        // A lone compressed stream (server.log.gz) is read as one member named "data".
        archive_read_support_format_raw(a)

        let openResult: Int32
        switch source {
        case .file(let name):
            openResult = name.bytes.withCString { archive_read_open_filename(a, $0, 1 << 20) }
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
            return Outcome(opened: false, error: Self.errorText(a))
        }

        var count = 0
        var pendingWarning: String?
        var entry: OpaquePointer?
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            if r == ARCHIVE_FATAL || entry == nil {
                return Outcome(opened: true, error: "archive damaged after \(count) members: \(Self.errorText(a))")
            }
            if budget.exhausted { return Outcome(opened: true, error: budget.message) }
            if count == 0, archive_format(a) == ARCHIVE_FORMAT_RAW, archive_filter_count(a) <= 1 {
                // The raw format with no decompression filter is the stream itself, not an archive: the magic
                // bytes matched by chance (random data starts with 1F 8B once in 65,536 files).
                return Outcome(opened: false, error: "no archive format or compression recognised")
            }
            if r == ARCHIVE_WARN { pendingWarning = Self.errorText(a) }
            let (name, recovered) = Self.pathname(entry!)
            if recovered, pendingWarning?.contains("convert") == true { pendingWarning = nil }
            let memberChain = chain + [name]
            if options.isExcluded(name.bytes) { continue }
            var record = FingerprintRecord(path: path, member: memberChain, kind: .member)
            if archive_entry_mtime_is_set(entry) != 0 { record.mtime = Int64(archive_entry_mtime(entry)) }
            let declaredSize: UInt64? =
                archive_entry_size_is_set(entry) != 0 ? UInt64(max(0, archive_entry_size(entry))) : nil
            record.note = pendingWarning
            pendingWarning = nil
            count += 1

            if r == ARCHIVE_FAILED || r == ARCHIVE_RETRY {
                record.size = declaredSize
                record.error = "member header unreadable: \(Self.errorText(a))"
                records.append(record)
                continue
            }
            let type = UInt32(archive_entry_filetype(entry))
            if type == CLibArchive_AE_IFDIR { count -= 1; continue }
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
            if archive_entry_is_data_encrypted(entry) != 0 {
                record.size = declaredSize
                record.error = "encrypted member: content cannot be read without the password"
                records.append(record)
                continue
            }

            let index = records.count
            records.append(record)
            let result = readMember(a, entry: entry!, chain: memberChain, depth: depth, declaredSize: declaredSize)
            records[index].size = result.size
            records[index].digests = result.digests
            records[index].pieces = result.pieces
            records[index].error = result.error
            records[index].note = Self.join(records[index].note, result.note)
            if result.fatal {
                return Outcome(opened: true, error: "archive damaged after \(count) members: \(result.error ?? "")")
            }
            if budget.exhausted { return Outcome(opened: true, error: budget.message) }
        }
        return Outcome(opened: true, error: nil)
    }

    private struct MemberResult {
        var size: UInt64?
        var digests: [DigestAlgorithm: String] = [:]
        var pieces: [PieceDigest]?
        var error: String?
        var note: String?
        var fatal = false
    }

    /// Hashes the current member's data and, when it is itself an archive, scans it.
    private func readMember(_ a: OpaquePointer, entry: OpaquePointer, chain: [RawName], depth: Int, declaredSize: UInt64?) -> MemberResult {
        let sparse = archive_entry_sparse_count(entry) > 0
        let reader = MemberReader(archive: a, options: options, budget: budget, sparseSize: sparse ? declaredSize : nil)
        var result = MemberResult()

        if options.archives, let first = reader.next() {
            // Sniff the first block in place; gather more only when the first block is short.
            var gathered: [UInt8]? = nil
            if first.count < ArchiveSniffer.prefixLength && !reader.atEnd {
                var bytes = Array(first)
                while bytes.count < ArchiveSniffer.prefixLength, let more = reader.next() { bytes.append(contentsOf: more) }
                gathered = bytes
            }
            let hint: ArchiveSniffer.Hint? =
                if let gathered { gathered.withUnsafeBytes { ArchiveSniffer.detect($0) } } else {
                    ArchiveSniffer.detect(first)
                }
            if let hint {
                if depth >= options.maxDepth {
                    result.note = "\(hint.name) archive, nested deeper than --max-depth \(options.maxDepth): members not listed"
                    result.error = "depth limit reached: --max-depth \(options.maxDepth)"
                } else if hint.wantsSeek, let size = declaredSize, size <= Self.inMemoryLimit {
                    var whole = gathered ?? Array(first)
                    whole.reserveCapacity(Int(size))
                    while let more = reader.next() { whole.append(contentsOf: more) }
                    if reader.error == nil {
                        let outcome = whole.withUnsafeBytes { scan(.memory($0), chain: chain, depth: depth + 1) }
                        apply(outcome, hint: hint, to: &result)
                    }
                } else {
                    let stream = StreamSource(reader: reader, first: gathered ?? Array(first))
                    let outcome = scan(.stream(stream), chain: chain, depth: depth + 1)
                    apply(outcome, hint: hint, to: &result)
                }
            }
        }
        while reader.next() != nil {}

        result.size = reader.error == nil ? reader.total : declaredSize
        if let error = reader.error {
            result.error = error
            result.fatal = reader.fatal
            return result
        }
        let finished = reader.digest.finish()
        for (alg, hex) in zip(options.algorithms, finished.digests) { result.digests[alg] = hex }
        result.pieces = finished.pieces
        return result
    }

    private func apply(_ outcome: Outcome, hint: ArchiveSniffer.Hint, to result: inout MemberResult) {
        if !outcome.opened {
            result.note = Self.join(result.note, "looks like \(hint.name) but could not be opened: \(outcome.error ?? "")")
        } else if let error = outcome.error {
            result.error = error
        }
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
    /// The size the archive declares, used to hash a trailing hole of a sparse member.
    private let sparseSize: UInt64?
    /// 64 KiB of zeros to hash holes with. `nonisolated(unsafe)`: written once at initialisation, only read after.
    nonisolated(unsafe) private static let zeros = UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 64).initializeMemory(as: UInt8.self, repeating: 0))
    private var pending: UnsafeRawBufferPointer?
    private var pendingOffset: UInt64 = 0
    private(set) var total: UInt64 = 0
    private(set) var error: String?
    private(set) var fatal = false
    private(set) var atEnd = false

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
                if let sparseSize, sparseSize > total { return emit(Self.zeros.prefix(Int(min(sparseSize - total, UInt64(Self.zeros.count))))) }
                atEnd = true
                return nil
            }
            if r < ARCHIVE_WARN {
                error = "member data unreadable (truncated or corrupt): \(ArchiveScanner.errorText(archive))"
                fatal = r == ARCHIVE_FATAL
                return nil
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
        digest.update(chunk)
        total += UInt64(chunk.count)
        budget.consume(chunk.count)
        return chunk
    }
}

/// Feeds a nested archive reader from the member being read in its parent, so nesting streams.
///
/// Not `Sendable`: lives for one nested scan on one thread.
final class StreamSource {
    private let reader: MemberReader
    /// The bytes already taken from the member to sniff it, served first.
    private var first: UnsafeMutableRawBufferPointer?
    private let held: UnsafeMutableRawBufferPointer

    init(reader: MemberReader, first: [UInt8]) {
        self.reader = reader
        held = .allocate(byteCount: max(first.count, 1), alignment: 16)
        first.withUnsafeBytes { held.copyMemory(from: $0) }
        self.first = UnsafeMutableRawBufferPointer(rebasing: held[0..<first.count])
    }

    deinit { held.deallocate() }

    /// libarchive's read callback: points `out` at the next block, returns its length, 0 at the end, -1 on failure.
    func read(into out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        if let first {
            self.first = nil
            out.pointee = UnsafeRawPointer(first.baseAddress)
            return first.count
        }
        guard let chunk = reader.next() else { return reader.error == nil ? 0 : -1 }
        out.pointee = chunk.baseAddress
        return chunk.count
    }
}
