import Foundation

/// What is being imaged, as the acquisition log describes it.
package struct SourceDescription: Sendable, Equatable, Codable {
    /// How the source is read.
    package enum Kind: String, Sendable, Codable {
        /// A block device (a disk, a USB stick, a memory card), opened read-only.
        case blockDevice = "block-device"
        /// A regular file, such as an existing dump.
        case file
        /// A stream of unknown size (standard input).
        case stream
    }

    /// The path as given (`-` for standard input).
    package var path: String
    package var kind: Kind
    /// The size in bytes, from the kernel; nil for a stream.
    package var size: UInt64?
    /// The logical sector size: the unit of retries and of bad ranges.
    package var sectorSize: Int
    /// Model and serial number from sysfs, for a device that reports them.
    package var model: String?
    package var serial: String?

    package init(path: String, kind: Kind, size: UInt64?, sectorSize: Int, model: String? = nil, serial: String? = nil)
    {
        self.path = path
        self.kind = kind
        self.size = size
        self.sectorSize = sectorSize
        self.model = model
        self.serial = serial
    }
}

/// A read that failed, with the `errno` value the system gave.
package struct SourceReadFailure: Error, Sendable, Equatable {
    package var errno: Int32
    package init(errno: Int32) { self.errno = errno }
}

/// The seam through which the imager reads its source: a device or file in production, anything in a test
/// (a source that fails with `EIO` in given ranges, say).
///
/// Called from one reader thread only; implementations need not be thread-safe.
package protocol ImagingSource: AnyObject {
    /// The source as the log records it; `size` nil means a stream read to its end.
    var description: SourceDescription { get }
    /// Reads up to `buffer.count` bytes at `offset` and returns how many were read (0 at the end only).
    /// A stream ignores `offset`: it is called with consecutive offsets only, and may return short blocks.
    /// - Throws: ``SourceReadFailure`` when the read fails (`EIO` on a bad sector).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SourceReadFailure) -> Int
}

/// A block device, regular file or standard input, read with `pread` (or `read` for a stream).
///
/// Not `Sendable`: owned by the imager's reader thread.
package final class FileImagingSource: ImagingSource {
    package let description: SourceDescription
    private let fd: Int32
    private let ownsDescriptor: Bool

    /// Opens `path` read-only (`-` is standard input).
    /// - Throws: ``EvidenceError`` `.sourceMissing` when it does not exist or cannot be opened,
    ///   `.invalidArgument` for a directory or other kind of file that cannot be imaged.
    package init(path: String) throws {
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
            description = SourceDescription(path: path, kind: .stream, size: nil, sectorSize: 512)
            return
        }
        let opened = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard opened >= 0 else {
            let code = errno
            throw EvidenceError(
                .sourceMissing, "cannot open \(path): \(describeErrno(code))", path: path, function: "open",
                systemCode: code)
        }
        var st = stat()
        guard fstat(opened, &st) == 0 else {
            let code = errno
            close(opened)
            throw EvidenceError.system("fstat", path: path, errno: code)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            description = SourceDescription(path: path, kind: .file, size: UInt64(st.st_size), sectorSize: 512)
        case S_IFBLK:
            var size: UInt64 = 0
            var sector: Int32 = 512
            // BLKGETSIZE64 = _IOR(0x12, 114, size_t), BLKSSZGET = _IO(0x12, 104).
            guard ioctl(opened, 0x8008_1272, &size) == 0 else {
                let code = errno
                close(opened)
                throw EvidenceError.system("ioctl(BLKGETSIZE64)", path: path, errno: code)
            }
            if ioctl(opened, 0x1268, &sector) != 0 || sector <= 0 { sector = 512 }
            let name = Self.sysfsName(path: path, device: st.st_rdev)
            description = SourceDescription(
                path: path, kind: .blockDevice, size: size, sectorSize: Int(sector),
                model: name.flatMap { Self.sysfsText("/sys/class/block/\($0)/device/model") },
                serial: name.flatMap {
                    Self.sysfsText("/sys/class/block/\($0)/device/serial")
                        ?? Self.sysfsText("/sys/class/block/\($0)/serial")
                })
        case S_IFDIR:
            close(opened)
            throw EvidenceError(
                .invalidArgument, "\(path) is a folder; image a device or a file (or - for standard input)", path: path)
        default:
            close(opened)
            throw EvidenceError(
                .invalidArgument, "\(path) is neither a block device nor a regular file; pipe it in with - instead",
                path: path)
        }
        fd = opened
        ownsDescriptor = true
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Reads with `pread`, or `read` for a stream, resuming after interrupted calls.
    package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SourceReadFailure) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        if description.kind == .stream {
            // One read(2): a pipe returns what it has, so a slow stream still advances block by block (and a
            // Ctrl-C is seen at the next data).
            while true {
                let n = Glibc.read(fd, base, buffer.count)
                if n >= 0 { return n }
                if errno != EINTR { throw SourceReadFailure(errno: errno) }
            }
        }
        while true {
            let n = pread(fd, base, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw SourceReadFailure(errno: errno) }
        }
    }

    /// The device's name under /sys/class/block (sda, mmcblk0p1), found by its device number.
    private static func sysfsName(path: String, device: dev_t) -> String? {
        // glibc's gnu_dev_major and gnu_dev_minor, which Swift does not import (they are macros).
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
        let minor = (device & 0xff) | ((device >> 12) & ~0xff)
        let link = "/sys/dev/block/\(major):\(minor)"
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(link, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }

    private static func sysfsText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 512)
        let n = Glibc.read(fd, &bytes, bytes.count)
        guard n > 0 else { return nil }
        let text = String(decoding: bytes[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

@available(*, unavailable)
extension FileImagingSource: Sendable {}
