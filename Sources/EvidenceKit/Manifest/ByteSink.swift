import IProceedsBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A buffered writer to a file descriptor, or to memory for tests.
///
/// Not `Sendable`: a fingerprint run calls it under its delivery lock, one record at a time.
package final class ByteSink {
    private let fd: Int32?
    private let name: String
    private var buffer: [UInt8] = []
    /// Everything written, when the sink writes to memory.
    package private(set) var memory: [UInt8] = []
    private static let flushThreshold = 1 << 20

    /// A sink that writes to an open file descriptor (not closed by the sink).
    package init(fileDescriptor: Int32, name: String) {
        self.fd = fileDescriptor
        self.name = name
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// A sink that keeps what is written in `memory`.
    package init() {
        self.fd = nil
        self.name = "memory"
    }

    @inline(__always) package func write(_ string: String) {
        var s = string
        s.withUTF8 { buffer.append(contentsOf: $0) }
    }

    @inline(__always) package func write(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Lets `body` append to the buffer directly (the manifest writers build their lines in it, byte by byte).
    @inline(__always) func withBuffer<R>(_ body: (inout [UInt8]) throws -> R) rethrows -> R {
        try body(&buffer)
    }

    /// Flushes when enough is buffered.
    /// - Throws: ``EvidenceError`` with `errno` when the write fails (disk full, closed pipe).
    package func flushIfNeeded() throws {
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes everything buffered. The corresponding C function is `write`.
    package func flush() throws {
        guard let fd else {
            memory.append(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
            return
        }
        try EvidenceError.writing { try buffer.withUnsafeBytes { try OutputFile.writeAll(fd, $0, path: name) } }
        buffer.removeAll(keepingCapacity: true)
    }
}
