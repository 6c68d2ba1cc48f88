internal import CEWF
import Foundation
import IProceedsBase

/// An E01 image opened for reading through libewf, as an ``ImagingSource`` so that verification runs through
/// the same parallel digest pipeline as acquisition.
///
/// Not `Sendable`: one libewf handle, used by one reader thread.
final class EWFImageReader: ImagingSource {
    private var handle: UnsafeMutablePointer<libewf_handle_t>?
    let description: SourceDescription
    /// The paths of the segment files opened.
    let segmentPaths: [String]

    /// Opens `path` (the `.E01` file) and the segments that follow it.
    /// The corresponding C function is `libewf_handle_open`.
    init(path: String) throws {
        var options = ImagingOptions()
        options.format = .e01
        let base = String(path.dropLast(4))
        let paths = path.uppercased().hasSuffix(".E01") ? Imager.segmentSequence(base, options) : [path]
        guard !paths.isEmpty else {
            throw EvidenceError(.sourceMissing, "cannot open \(path): no such file", path: path)
        }
        segmentPaths = paths
        var h: UnsafeMutablePointer<libewf_handle_t>?
        try EWFImageWriter.check("libewf_handle_initialize", path: path) { libewf_handle_initialize(&h, $0) }
        handle = h
        do {
            var cstrings = paths.map { strdup($0) }
            defer { cstrings.forEach { free($0) } }
            try EWFImageWriter.check("libewf_handle_open", path: path) { err in
                cstrings.withUnsafeMutableBufferPointer {
                    libewf_handle_open(
                        h, $0.baseAddress, Int32(paths.count), Int32(LIBEWF_ACCESS_FLAG_READ.rawValue), err)
                }
            }
            var size: UInt64 = 0
            var sector: UInt32 = 512
            try EWFImageWriter.check("libewf_handle_get_media_size", path: path) {
                libewf_handle_get_media_size(h, &size, $0)
            }
            try EWFImageWriter.check("libewf_handle_get_bytes_per_sector", path: path) {
                libewf_handle_get_bytes_per_sector(h, &sector, $0)
            }
            description = SourceDescription(path: path, kind: .file, size: size, sectorSize: Int(sector))
        } catch {
            var err: UnsafeMutablePointer<libewf_error_t>?
            libewf_handle_free(&handle, &err)
            if err != nil { libewf_error_free(&err) }
            throw error
        }
    }

    deinit {
        var err: UnsafeMutablePointer<libewf_error_t>?
        libewf_handle_close(handle, &err)
        if err != nil { libewf_error_free(&err) }
        libewf_handle_free(&handle, &err)
        if err != nil { libewf_error_free(&err) }
    }

    /// The corresponding C function is `libewf_handle_read_random`. A chunk whose checksum fails is read as
    /// libewf returns it and counted in ``checksumErrors()``.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SourceReadFailure) -> Int {
        var err: UnsafeMutablePointer<libewf_error_t>?
        let n = libewf_handle_read_random(handle, buffer.baseAddress, buffer.count, off64_t(offset), &err)
        if err != nil { libewf_error_free(&err) }
        guard n >= 0 else { throw SourceReadFailure(errno: EIO) }
        return n
    }

    /// The size of the image's chunks in bytes. The corresponding C function is `libewf_handle_get_chunk_size`.
    func chunkSize() throws -> Int {
        var size: UInt32 = 0
        try EWFImageWriter.check("libewf_handle_get_chunk_size", path: description.path) {
            libewf_handle_get_chunk_size(handle, &size, $0)
        }
        guard size > 0 else {
            throw EvidenceError(.io, "\(description.path): libewf gives a chunk size of 0", path: description.path)
        }
        return Int(size)
    }

    /// Moves libewf's current offset, where ``readStoredChunk(into:)`` reads next.
    /// The corresponding C function is `libewf_handle_seek_offset`.
    func seek(_ offset: UInt64) throws {
        try EWFImageWriter.check("libewf_handle_seek_offset", path: description.path) {
            libewf_handle_seek_offset(handle, off64_t(offset), SEEK_SET, $0)
        }
    }

    /// Reads the chunk at libewf's current offset as it is stored, and moves past it: the zlib stream of a
    /// compressed chunk, or the data of a chunk stored as it is and the Adler-32 stored after it. nil when libewf
    /// cannot read it. The corresponding C function is `libewf_handle_read_chunk`.
    func readStoredChunk(into buffer: UnsafeMutableRawBufferPointer) -> (
        count: Int, compressed: Bool, checksum: UInt32
    )? {
        var compressed: Int8 = 0
        var checksum: UInt32 = 0
        var separate: Int8 = 0
        // A checksum buffer apart from the chunk's: libewf then copies the stored checksum there and decodes it.
        var checksumBytes: UInt32 = 0
        var err: UnsafeMutablePointer<libewf_error_t>?
        let n = withUnsafeMutableBytes(of: &checksumBytes) { bytes in
            libewf_handle_read_chunk(
                handle, buffer.baseAddress, buffer.count, &compressed, bytes.baseAddress, &checksum, &separate, &err)
        }
        if err != nil { libewf_error_free(&err) }
        guard n > 0 else { return nil }
        if compressed != 0 { return (n, true, 0) }
        guard separate != 0, n >= 4 else { return nil }
        return (n - 4, false, checksum)
    }

    /// The ranges (offset, length in bytes) whose chunk checksums failed, as libewf found them while reading.
    /// The corresponding C function is `libewf_handle_get_checksum_error`.
    func checksumErrors() -> [(offset: UInt64, length: UInt64)] {
        var count: UInt32 = 0
        var err: UnsafeMutablePointer<libewf_error_t>?
        guard libewf_handle_get_number_of_checksum_errors(handle, &count, &err) == 1 else {
            if err != nil { libewf_error_free(&err) }
            return []
        }
        let sector = UInt64(description.sectorSize)
        return (0..<count).compactMap { i in
            var start: UInt64 = 0
            var sectors: UInt64 = 0
            guard libewf_handle_get_checksum_error(handle, i, &start, &sectors, &err) == 1 else {
                if err != nil { libewf_error_free(&err) }
                return nil
            }
            return (start * sector, sectors * sector)
        }
    }

    /// The MD5 or SHA-1 stored in the image (its hash section, else its `MD5` / `SHA1` hash values), lowercase
    /// hex, when present. The corresponding C functions are `libewf_handle_get_md5_hash`,
    /// `libewf_handle_get_sha1_hash` and `libewf_handle_get_utf8_hash_value`.
    func storedHash(_ identifier: String) -> String? {
        var bytes = [UInt8](repeating: 0, count: identifier == "MD5" ? 16 : 20)
        var err: UnsafeMutablePointer<libewf_error_t>?
        let found =
            identifier == "MD5"
            ? libewf_handle_get_md5_hash(handle, &bytes, bytes.count, &err)
            : libewf_handle_get_sha1_hash(handle, &bytes, bytes.count, &err)
        if err != nil { libewf_error_free(&err) }
        if found == 1 { return Hex.encode(bytes) }
        return value(identifier, libewf_handle_get_utf8_hash_value)?.lowercased()
    }

    /// A header value (`case_number`, `examiner_name`, ...). The corresponding C function is
    /// `libewf_handle_get_utf8_header_value`.
    func headerValue(_ identifier: String) -> String? {
        value(identifier, libewf_handle_get_utf8_header_value)
    }

    private func value(
        _ identifier: String,
        _ get: (
            UnsafeMutablePointer<libewf_handle_t>?, UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?, Int,
            UnsafeMutablePointer<UnsafeMutablePointer<libewf_error_t>?>?
        ) -> Int32
    ) -> String? {
        // NUL-terminated, the length without it: see EWFImageWriter.setHeader.
        let key = Array(identifier.utf8) + [0]
        var out = [UInt8](repeating: 0, count: 1024)
        var err: UnsafeMutablePointer<libewf_error_t>?
        let found = get(handle, key, key.count - 1, &out, out.count, &err)
        if err != nil { libewf_error_free(&err) }
        guard found == 1 else { return nil }
        let text = String(decoding: out.prefix { $0 != 0 }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }
}

@available(*, unavailable)
extension EWFImageReader: Sendable {}
