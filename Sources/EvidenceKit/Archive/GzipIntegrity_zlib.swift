internal import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a gzip file's CRC-32 and length trailers, which libarchive's gzip reader does not verify.
///
/// Without this, a gzip stream damaged in the middle can decompress into wrong bytes with no error, and the
/// members inside would get digests of damaged content without a word. zlib's gzip mode verifies each member's
/// trailer; concatenated members (as `cat a.gz b.gz` makes) are each verified.
enum GzipIntegrity {
    /// `nil` when every gzip member's trailer checks out, otherwise why not.
    static func check(path: RawName) -> String? {
        let fd = path.bytes.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return "gzip integrity not checked: \(describeErrno(errno))" }
        defer { close(fd) }
        let size = 1 << 20
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        let output = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer {
            input.deallocate()
            output.deallocate()
        }
        var stream = z_stream()
        // 15 + 16: a gzip wrapper, whose CRC-32 and ISIZE trailer zlib verifies. The corresponding C function is
        // `inflateInit2`.
        guard CZlib_inflateInit2(&stream, 15 + 16) == Z_OK else { return "gzip integrity not checked: zlib init failed" }
        defer { inflateEnd(&stream) }
        var members = 0
        var inStream = false
        var total: UInt64 = 0
        while true {
            let n = read(fd, input, size)
            if n < 0 {
                if errno == EINTR { continue }
                return "gzip integrity not checked: read error: \(describeErrno(errno))"
            }
            if n == 0 { break }
            stream.next_in = input
            stream.avail_in = UInt32(n)
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
                stream.avail_out = UInt32(size)
                let r = inflate(&stream, Z_NO_FLUSH)
                total += UInt64(size) - UInt64(stream.avail_out)
                if r == Z_STREAM_END {
                    members += 1
                    inStream = false
                    inflateReset(&stream)
                } else if r != Z_OK && r != Z_BUF_ERROR {
                    let why = stream.msg.map { String(cString: $0) } ?? "zlib error \(r)"
                    return "gzip stream damaged in member \(members + 1) (after \(total) decompressed bytes): \(why)"
                }
            }
        }
        if inStream { return "gzip stream truncated in member \(members + 1) (after \(total) decompressed bytes)" }
        return nil
    }
}
