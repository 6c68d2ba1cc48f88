import IProceedsBase
import EvidenceKit
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The JSON Lines `share scan` writes: one object per hit, `{"type":"email","start":123,"end":145}`, with
/// `"file"` when several files are scanned and `"value"` when the values are shown (docs/sharing-detectors.md).
///
/// Built as bytes, not through a JSON tree: a big log has millions of hits, and the line's shape is fixed (two
/// integers, and strings escaped by the one JSON string escaper).
package struct HitLineWriter {
    private let typePrefixes: [PersonalDataType: [UInt8]]
    private let endKey = Array(",\"end\":".utf8)
    private var line: [UInt8] = []

    package init() {
        typePrefixes = Dictionary(
            uniqueKeysWithValues: PersonalDataType.allCases.map {
                ($0, Array("{\"type\":\"\($0.rawValue)\",\"start\":".utf8))
            })
    }

    /// The `"file"` member for hits of the file `name`, or nothing when only one file is scanned.
    package static func fileField(_ name: String, severalFiles: Bool) -> [UInt8] {
        severalFiles ? Array((",\"file\":" + JSONValue.quoted(name)).utf8) : []
    }

    /// The line for `hit`, with its newline; valid until the next call.
    /// - Parameters:
    ///   - fileField: from ``fileField(_:severalFiles:)``.
    ///   - value: the hit's text, with `--show-values`.
    package mutating func line(_ hit: Hit, fileField: [UInt8], value: String?) -> [UInt8] {
        line.removeAll(keepingCapacity: true)
        line += typePrefixes[hit.type]!
        Self.appendDecimal(hit.start, to: &line)
        line += endKey
        Self.appendDecimal(hit.end, to: &line)
        line += fileField
        if let value {
            line += ",\"value\":".utf8
            line += JSONValue.quoted(value).utf8
        }
        line += "}\n".utf8
        return line
    }

    /// Appends the decimal digits of a non-negative integer.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var v = value
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[n] = UInt8(0x30 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            for k in stride(from: n - 1, through: 0, by: -1) { out.append(buf[k]) }
        }
    }
}

/// Reads the text of hits for `share scan --show-values`. A regular file is read back with `pread` at each hit's
/// offsets; standard input or a pipe cannot be read twice, so it is first copied to an unlinked temporary file.
package final class HitValueReader {
    private let fd: Int32
    private let owned: Bool
    /// The descriptor the scan reads from.
    package let scanDescriptor: Int32

    /// - Throws: ``SharingError`` `.inputUnreadable` when the input cannot be read, `.io` when the temporary copy
    ///   cannot be written.
    package init(path: String, fd: Int32) throws {
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
            self.fd = fd
            owned = false
            scanDescriptor = fd
            return
        }
        func cannotCopy() -> SharingError {
            SharingError(
                .io,
                "cannot write a temporary copy of \(path) in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))",
                path: NSTemporaryDirectory(), systemCode: errno)
        }
        var template = Array((NSTemporaryDirectory() + "/iproceeds-scan-XXXXXX").utf8CString)
        let tmp = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard tmp >= 0 else { throw cannotCopy() }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, 1 << 20)
            if n < 0, errno == EINTR { continue }
            if n < 0 {
                let code = errno
                close(tmp)
                throw SharingError(
                    .inputUnreadable, "cannot read \(path): \(String(cString: strerror(code))).", path: path,
                    function: "read",
                    systemCode: code)
            }
            if n == 0 { break }
            var off = 0
            while off < n {
                let w = write(tmp, buffer + off, n - off)
                if w < 0, errno == EINTR { continue }
                if w < 0 {
                    let error = cannotCopy()
                    close(tmp)
                    throw error
                }
                off += w
            }
        }
        lseek(tmp, 0, SEEK_SET)
        self.fd = tmp
        owned = true
        scanDescriptor = tmp
    }

    deinit { if owned { close(fd) } }

    /// The hit's bytes as text; invalid UTF-8 becomes U+FFFD.
    package func text(_ hit: Hit) -> String {
        var bytes = [UInt8](repeating: 0, count: hit.end - hit.start)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(hit.start)) }
        return String(decoding: bytes[0..<max(n, 0)], as: UTF8.self)
    }
}

extension PersonalDataScanner {
    /// The detection `share redact` and `share build` run for a policy: every type, with the policy's `names` for
    /// the person detector.
    package static func detector(for policy: SharingPolicy) -> (String) -> [Hit] {
        let scanner = PersonalDataScanner(names: policy.names)
        return { scanner.scan($0) }
    }
}
