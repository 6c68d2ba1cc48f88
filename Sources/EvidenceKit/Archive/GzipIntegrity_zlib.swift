internal import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks a gzip stream's CRC-32 and length trailers, which libarchive's gzip reader does not verify.
///
/// Without this, a gzip stream damaged in the middle can decompress into wrong bytes with no error, and the
/// members inside would get digests of damaged content without a word. zlib's gzip mode verifies each member's
/// trailer; concatenated members (as `cat a.gz b.gz` makes) are each verified.
///
/// The check is fed incrementally, so that a gzip stream nested inside another archive is verified from the
/// same bytes that are hashed and scanned, without reading it twice. Not `Sendable`: one stream, one thread.
final class GzipIntegrity {
    private var stream = z_stream()
    private let output: UnsafeMutablePointer<UInt8>
    private static let outputSize = 256 << 10
    private var members = 0
    private var inStream = false
    private var total: UInt64 = 0
    /// The first failure found; once set, further input is ignored.
    private(set) var failure: String?

    init() {
        output = .allocate(capacity: Self.outputSize)
        // 15 + 16: a gzip wrapper, whose CRC-32 and ISIZE trailer zlib verifies. The corresponding C function is
        // `inflateInit2`.
        if CZlib_inflateInit2(&stream, 15 + 16) != Z_OK { failure = "gzip integrity not checked: zlib init failed" }
    }

    deinit {
        inflateEnd(&stream)
        output.deallocate()
    }

    /// Feeds the next bytes of the compressed stream.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(bytes.count)
        while stream.avail_in > 0 {
            if !inStream {
                // Between members: trailing zero padding is tolerated, as gzip(1) tolerates it.
                if stream.next_in.pointee == 0 {
                    let rest = UnsafeBufferPointer(start: stream.next_in, count: Int(stream.avail_in))
                    if rest.allSatisfy({ $0 == 0 }) {
                        stream.avail_in = 0
                        break
                    }
                }
                inStream = true
            }
            stream.next_out = output
            stream.avail_out = UInt32(Self.outputSize)
            let r = inflate(&stream, Z_NO_FLUSH)
            total += UInt64(Self.outputSize) - UInt64(stream.avail_out)
            if r == Z_STREAM_END {
                members += 1
                inStream = false
                inflateReset(&stream)
            } else if r != Z_OK && r != Z_BUF_ERROR {
                let why = stream.msg.map { String(cString: $0) } ?? "zlib error \(r)"
                failure = "gzip stream damaged in member \(members + 1) (after \(total) decompressed bytes): \(why)"
                return
            }
        }
    }

    /// `nil` when every gzip member's trailer checked out, otherwise why not. Call once all input is fed.
    func finish() -> String? {
        if failure == nil, inStream {
            failure = "gzip stream truncated in member \(members + 1) (after \(total) decompressed bytes)"
        }
        return failure
    }

    /// Checks the gzip file open as `fd` from offset 0 (with `pread`, so the descriptor's offset is not moved),
    /// reading no more than `limit` bytes.
    static func check(fd: Int32, limit: UInt64) -> String? {
        let checker = GzipIntegrity()
        let size = 1 << 20
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { input.deallocate() }
        var offset: UInt64 = 0
        while offset < limit, checker.failure == nil {
            let want = Int(min(UInt64(size), limit - offset))
            let n = pread(fd, input.baseAddress, want, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                return "gzip integrity not checked: read error: \(describeErrno(errno))"
            }
            if n == 0 { break }
            checker.update(UnsafeRawBufferPointer(rebasing: input[0..<n]))
            offset += UInt64(n)
        }
        return checker.finish()
    }
}
