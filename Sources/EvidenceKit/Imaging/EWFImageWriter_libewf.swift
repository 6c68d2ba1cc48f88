internal import CEWF
internal import CSysCall
import Foundation
import IProceedsBase

/// An E01 image written through libewf (EnCase 6 format, 64 sectors a chunk), as ewfacquire writes it: the
/// case's header values, the MD5 and SHA-1 of the media, and the list of acquiry errors.
///
/// A source whose size is not a whole number of sectors is padded with zeros to the next sector: EWF holds
/// whole sectors only (Debian's ewfacquire truncates such a source instead, and its image then fails its own
/// ewfverify). The E01's stored digests are of the padded media; the log records the source's true size and
/// both sets of digests.
///
/// The chunks are compressed by a ``ChunkCompressor`` on `options.threads` threads and handed to libewf ready to
/// be written (`libewf_handle_write_chunk`), instead of libewf compressing them one by one on the writer thread.
///
/// Not `Sendable`: one libewf handle, used by the imager's writer queue only.
final class EWFImageWriter: ImageWriter {
    private var handle: UnsafeMutablePointer<libewf_handle_t>?
    private let partialBase: String
    private let options: ImagingOptions
    private let sectorSize: Int
    private var written: UInt64 = 0
    var bytesWritten: UInt64 { written }
    private var acquiryErrors: [(start: UInt64, count: UInt64)] = []
    /// 64 sectors, as ewfacquire's default.
    private let chunkSize: Int
    /// The start of a chunk that the next block completes.
    private let pending: UnsafeMutableRawBufferPointer
    private var pendingCount = 0
    private let compressor: ChunkCompressor
    /// The segment file whose write-back ``startWriteBack()`` follows (1 for `.E01`), read-only, or -1 before
    /// libewf creates it; the offset of that file up to which write-back is started; source bytes since then.
    private var writeBackSegment = 1
    private var writeBackFD: Int32 = -1
    private var writeBackOffset: Int64 = 0
    private var sinceWriteBack: UInt64 = 0
    /// Source bytes handed to libewf between two starts of write-back.
    private static let writeBackInterval: UInt64 = 4 << 20
    /// Set by the imager before ``finish()``.
    var storedMD5: String?
    var storedSHA1: String?

    /// Opens `PARTIALBASE.E01` for writing and sets the media and header values.
    /// The corresponding C functions are `libewf_handle_open` and the `libewf_handle_set_*` family.
    init(partialBase: String, source: SourceDescription, options: ImagingOptions) throws {
        self.partialBase = partialBase
        self.options = options
        sectorSize = source.sectorSize
        chunkSize = 64 * source.sectorSize
        pending = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        compressor = ChunkCompressor(
            chunkSize: chunkSize, level: ChunkCompressor.level(options.compression),
            threads: min(options.threads, ImagingOptions.maximumThreads), skipFlat: options.compression == .fast)
        var h: UnsafeMutablePointer<libewf_handle_t>?
        try Self.check("libewf_handle_initialize", path: partialBase) { libewf_handle_initialize(&h, $0) }
        handle = h
        do {
            // libewf names the segment files itself: NAME.E01, NAME.E02, ...
            let name = partialBase
            try name.withCString { cname in
                var names: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: cname)]
                try check("libewf_handle_open") { err in
                    names.withUnsafeMutableBufferPointer {
                        libewf_handle_open(h, $0.baseAddress, 1, Int32(LIBEWF_ACCESS_FLAG_WRITE.rawValue), err)
                    }
                }
            }
            var values: [(String, String?)] = [
                ("case_number", options.caseNumber), ("description", options.description),
                ("examiner_name", options.examinerName), ("evidence_number", options.evidenceNumber),
                ("notes", options.notes),
                // EWF has no field for the program's name: the version field carries both, as "iproceeds 0.1.0".
                ("acquiry_software_version", "\(ToolIdentity.name) \(ToolIdentity.version)"),
                ("acquiry_operating_system", "Linux"),
            ]
            values.append(("model", source.model))
            values.append(("serial_number", source.serial))
            for (key, value) in values {
                guard let value, !value.isEmpty else { continue }
                try setHeader(key, value)
            }
            try check("libewf_handle_set_format") {
                libewf_handle_set_format(h, UInt8(LIBEWF_FORMAT_ENCASE6.rawValue), $0)
            }
            if let size = source.size {
                let padded = Self.roundUp(size, to: UInt64(sectorSize))
                try check("libewf_handle_set_media_size") { libewf_handle_set_media_size(h, padded, $0) }
            }
            try check("libewf_handle_set_bytes_per_sector") {
                libewf_handle_set_bytes_per_sector(h, UInt32(sectorSize), $0)
            }
            try check("libewf_handle_set_sectors_per_chunk") { libewf_handle_set_sectors_per_chunk(h, 64, $0) }
            let level: Int32
            switch options.compression {
            case .none: level = Int32(LIBEWF_COMPRESSION_NONE.rawValue)
            case .fast: level = Int32(LIBEWF_COMPRESSION_FAST.rawValue)
            case .best: level = Int32(LIBEWF_COMPRESSION_BEST.rawValue)
            }
            try check("libewf_handle_set_compression_values") {
                libewf_handle_set_compression_values(h, Int8(level), 0, $0)
            }
            // Whether a device is removable is not something the examiner can rely on the kernel for (a USB disk
            // reports fixed, a card reader removable): recorded as a fixed, physical disk, as ewfacquire's default.
            try check("libewf_handle_set_media_type") {
                libewf_handle_set_media_type(h, UInt8(LIBEWF_MEDIA_TYPE_FIXED.rawValue), $0)
            }
            try check("libewf_handle_set_media_flags") {
                libewf_handle_set_media_flags(h, UInt8(LIBEWF_MEDIA_FLAG_PHYSICAL.rawValue), $0)
            }
            if let segment = options.segmentSize {
                try check("libewf_handle_set_maximum_segment_size") {
                    libewf_handle_set_maximum_segment_size(h, segment, $0)
                }
            }
        } catch {
            close(finalize: false)
            throw error
        }
    }

    deinit {
        close(finalize: false)
        pending.deallocate()
    }

    static func roundUp(_ n: UInt64, to unit: UInt64) -> UInt64 { (n + unit - 1) / unit * unit }

    /// `E01` ... `E99`, then `EAA` ... `EZZ`, `FAA` ..., as libewf names segment files.
    static func segmentExtension(_ n: Int) -> String {
        if n <= 99 { return String(format: ".E%02d", n) }
        let i = n - 100
        let letters = [
            UInt8(ascii: "E") + UInt8(i / 676), UInt8(ascii: "A") + UInt8(i / 26 % 26),
            UInt8(ascii: "A") + UInt8(i % 26),
        ]
        return "." + String(decoding: letters, as: UTF8.self)
    }

    /// Zero bytes to add after `size` bytes of source to reach a whole sector.
    func padding(forSourceSize size: UInt64) -> Int {
        Int(Self.roundUp(size, to: UInt64(sectorSize)) - size)
    }

    func details(bytes: UInt64, padding: Int) -> AcquisitionLog.EWFDetails {
        AcquisitionLog.EWFDetails(
            compression: options.compression.rawValue, caseNumber: options.caseNumber,
            evidenceNumber: options.evidenceNumber, examinerName: options.examinerName,
            description: options.description, notes: options.notes, mediaSize: bytes + UInt64(padding),
            storedMD5: storedMD5 ?? "", storedSHA1: storedSHA1 ?? "")
    }

    /// Records an acquiry error, in sectors, for the image's error2 section.
    func addAcquiryError(offset: UInt64, length: UInt64) {
        let s = UInt64(sectorSize)
        let first = offset / s
        let last = (offset + length + s - 1) / s
        acquiryErrors.append((first, last - first))
    }

    var partialPaths: [String] { Imager.segmentSequence(partialBase, options) }
    var segmentDigests: [String]? { nil }

    /// Cuts `bytes` into chunks (keeping a partial last chunk for the next call), has them compressed on every core
    /// and hands them to libewf in order.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        var rest = bytes
        var chunks: [UnsafeRawBufferPointer] = []
        if pendingCount > 0 {
            let take = min(chunkSize - pendingCount, rest.count)
            UnsafeMutableRawBufferPointer(rebasing: pending[pendingCount..<pendingCount + take])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            pendingCount += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            guard pendingCount == chunkSize else {
                written += UInt64(bytes.count)
                return
            }
            chunks.append(UnsafeRawBufferPointer(pending))
        }
        let whole = rest.count / chunkSize * chunkSize
        for start in stride(from: 0, to: whole, by: chunkSize) {
            chunks.append(UnsafeRawBufferPointer(rebasing: rest[start..<start + chunkSize]))
        }
        try writeChunks(chunks)
        // The pending chunk is written: its buffer takes the tail of this block.
        let tail = rest.count - whole
        UnsafeMutableRawBufferPointer(rebasing: pending[0..<tail])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[whole...]))
        pendingCount = tail
        written += UInt64(bytes.count)
        sinceWriteBack += UInt64(bytes.count)
        if sinceWriteBack >= Self.writeBackInterval {
            sinceWriteBack = 0
            startWriteBack()
        }
    }

    /// Starts write-back of what libewf has written to its segment files since the last call, without waiting:
    /// the fsync of ``finish()`` then waits only for the last few MiB instead of the whole image's write-back
    /// coming after the last read (the raw writer does the same per block). Best effort: fsync still decides that
    /// the image is on the disk. libewf's own files are not touched: a read-only descriptor of the same file
    /// starts write-back of its pages as well.
    private func startWriteBack() {
        while true {
            if writeBackFD < 0 {
                writeBackFD = open(partialBase + Self.segmentExtension(writeBackSegment), O_RDONLY | O_CLOEXEC)
                guard writeBackFD >= 0 else { return }  // not created yet
                writeBackOffset = 0
            }
            // libewf fills the segments one after the other, on this thread: once the next one exists, this one
            // has all its chunks (finalize may still rewrite a few bytes; the fsync takes those).
            let nextExists = access(partialBase + Self.segmentExtension(writeBackSegment + 1), F_OK) == 0
            var st = stat()
            if fstat(writeBackFD, &st) == 0, Int64(st.st_size) > writeBackOffset {
                _ = CSysCall_startWriteBack(writeBackFD, writeBackOffset, Int64(st.st_size) - writeBackOffset)
                writeBackOffset = Int64(st.st_size)
            }
            guard nextExists else { return }
            _ = Foundation.close(writeBackFD)
            writeBackFD = -1
            writeBackSegment += 1
        }
    }

    /// Compresses `chunks` in parallel, then writes them in order.
    /// The corresponding C function is `libewf_handle_write_chunk`.
    private func writeChunks(_ chunks: [UnsafeRawBufferPointer]) throws {
        guard !chunks.isEmpty else { return }
        let prepared = compressor.prepare(chunks)
        let base = compressor.output.baseAddress!
        for chunk in prepared {
            let data = base + chunk.offset
            // A chunk stored as it is has room for its checksum right after it: libewf writes both at once.
            let n = try check("libewf_handle_write_chunk") {
                libewf_handle_write_chunk(
                    handle, data, chunk.size, chunk.dataSize, chunk.compressed ? 1 : 0, data + chunk.dataSize,
                    chunk.checksum, chunk.compressed ? 0 : 1, $0)
            }
            // libewf 20140813 returns the size of the buffer it was given (0 past the media's end).
            guard n == chunk.size else {
                throw EvidenceError(
                    .io, "libewf took \(n) of \(chunk.size) bytes of a chunk for \(partialBase).E01",
                    path: partialBase + ".E01")
            }
        }
    }

    /// Pads to a whole sector, stores the digests and acquiry errors, and finalizes the segment files.
    /// The corresponding C functions are `libewf_handle_set_md5_hash`, `libewf_handle_set_sha1_hash`,
    /// `libewf_handle_append_acquiry_error` and `libewf_handle_write_finalize`.
    func finish() throws {
        let pad = padding(forSourceSize: written)
        if pad > 0 {
            let zeros = [UInt8](repeating: 0, count: pad)
            try zeros.withUnsafeBytes { try write($0) }
        }
        if pendingCount > 0 {
            try writeChunks([UnsafeRawBufferPointer(rebasing: pending[0..<pendingCount])])
            pendingCount = 0
        }
        let h = handle
        for e in acquiryErrors {
            try check("libewf_handle_append_acquiry_error") {
                libewf_handle_append_acquiry_error(h, e.start, e.count, $0)
            }
        }
        if let md5 = storedMD5, var bytes = Hex.decode(md5) {
            try check("libewf_handle_set_md5_hash") { libewf_handle_set_md5_hash(h, &bytes, bytes.count, $0) }
            try setHash("MD5", md5)
        }
        if let sha1 = storedSHA1, var bytes = Hex.decode(sha1) {
            try check("libewf_handle_set_sha1_hash") { libewf_handle_set_sha1_hash(h, &bytes, bytes.count, $0) }
            try setHash("SHA1", sha1)
        }
        _ = try check("libewf_handle_write_finalize") { libewf_handle_write_finalize(h, $0) }
        let closed = close(finalize: true)
        if let closed { throw closed }
        // libewf closes its files without syncing them: the image is renamed to its finished name only once its
        // bytes are on the disk, as the raw writer's are, so a power cut never leaves a finished-looking E01 that
        // is short.
        for path in partialPaths {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT { continue }  // fewer segments than the sequence allows
                throw EvidenceError.system("open", path: path)
            }
            defer { _ = Foundation.close(fd) }
            guard fsync(fd) == 0 else { throw EvidenceError.system("fsync", path: path) }
        }
    }

    func abandon() { close(finalize: false) }

    /// Closes and frees the handle once. The corresponding C functions are `libewf_handle_close` and
    /// `libewf_handle_free`.
    @discardableResult
    private func close(finalize: Bool) -> EvidenceError? {
        if writeBackFD >= 0 {
            _ = Foundation.close(writeBackFD)
            writeBackFD = -1
        }
        guard handle != nil else { return nil }
        var failure: EvidenceError?
        do {
            try check("libewf_handle_close") { libewf_handle_close(handle, $0) }
        } catch let e as EvidenceError {
            failure = e
        } catch {}
        var err: UnsafeMutablePointer<libewf_error_t>?
        libewf_handle_free(&handle, &err)
        if err != nil { libewf_error_free(&err) }
        handle = nil
        return finalize ? failure : nil
    }

    private func setHeader(_ key: String, _ value: String) throws {
        // libewf 20140813 compares identifiers over their length plus one, the terminating NUL: the buffer must
        // hold one, though the length passed leaves it out.
        let k = Array(key.utf8) + [0]
        let v = Array(value.utf8)
        try check("libewf_handle_set_utf8_header_value") {
            libewf_handle_set_utf8_header_value(handle, k, k.count - 1, v, v.count, $0)
        }
    }

    private func setHash(_ key: String, _ value: String) throws {
        let k = Array(key.utf8) + [0]
        let v = Array(value.utf8)
        try check("libewf_handle_set_utf8_hash_value") {
            libewf_handle_set_utf8_hash_value(handle, k, k.count - 1, v, v.count, $0)
        }
    }

    @discardableResult
    private func check<R: BinaryInteger>(
        _ function: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<libewf_error_t>?>) -> R
    ) throws -> R {
        try Self.check(function, path: partialBase + ".E01", body)
    }

    /// Calls a libewf function and turns a return of -1 into an ``EvidenceError`` carrying libewf's message.
    @discardableResult
    static func check<R: BinaryInteger>(
        _ function: String, path: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<libewf_error_t>?>) -> R
    ) throws -> R {
        var err: UnsafeMutablePointer<libewf_error_t>?
        let result = body(&err)
        guard result < 0 else { return result }
        var text = "libewf failed"
        if err != nil {
            var buffer = [CChar](repeating: 0, count: 2048)
            if libewf_error_sprint(err, &buffer, buffer.count) > 0 {
                text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            libewf_error_free(&err)
        }
        // libewf reports a full disk as a write error with errno set by the failed write(2).
        let code = errno
        throw EvidenceError(
            .io, "\(function) on \(path): \(text.replacingOccurrences(of: "\n", with: " "))", path: path,
            function: function, systemCode: code == 0 ? nil : code)
    }
}

@available(*, unavailable)
extension EWFImageWriter: Sendable {}
