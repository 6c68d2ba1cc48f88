import Foundation
import IProceedsBase
import IProceedsDigest

/// CSV records from a file read in chunks, with the file's SHA-256 computed as it is read: a ledger of any size
/// is imported without holding the whole file.
struct CSVFileStream {
    let path: String
    private let fd: Int32
    private var reader: CSVReader
    private let digest = SHA256Digest()
    private var finished = false
    private let separator: UInt8
    private let chunkSize: Int

    init(path: String, separator: UInt8 = UInt8(ascii: ","), chunkSize: Int = 4 << 20) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ProceedsError(
                .unreadableInput, file: path, line: 0,
                reason: "cannot read the file (\(String(cString: strerror(errno))))")
        }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw ProceedsError(.unreadableInput, file: path, line: 0, reason: "is a directory, not a ledger file")
        }
        self.path = path
        self.fd = fd
        self.separator = separator
        self.chunkSize = max(1, chunkSize)
        reader = CSVReader([], separator: separator, isFinal: false)
        try refill(carry: [])
    }

    /// Closes the file and returns its SHA-256 (of every byte, whether or not it parsed).
    mutating func finish() throws -> String {
        while !finished { try refill(carry: []) }  // hash what was not read (after --strict stopped early)
        close(fd)
        return digest.finalizeHex()
    }

    private mutating func refill(carry: ArraySlice<UInt8>) throws {
        var bytes = [UInt8](carry)
        let firstLine = reader.line
        let before = bytes.count
        bytes.reserveCapacity(before + chunkSize)
        var filled = 0
        while filled < chunkSize {
            let want = chunkSize - filled
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: want))
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + start, want) }
            if n < 0 {
                bytes.removeLast(want)
                if errno == EINTR { continue }
                throw ProceedsError(file: path, line: 0, reason: "read failed (\(String(cString: strerror(errno))))")
            }
            bytes.removeLast(want - n)
            if n == 0 {
                finished = true
                break
            }
            filled += n
        }
        digest.update(bytes[before...])
        reader = CSVReader(bytes, separator: separator, firstLine: firstLine, isFinal: finished)
    }

    /// The next record and what is wrong with it (see ``CSVReader``), reading more of the file as needed; `nil`
    /// at the end.
    mutating func next(into fields: inout [String]) throws -> (line: Int, problem: CSVReader.Problem?)? {
        while true {
            if let r = reader.next(into: &fields) { return r }
            // Out of bytes: at the end of the file that is the end; otherwise read on (keeping an unfinished
            // record, or blank lines, for the next chunk).
            guard !finished else { return nil }
            try refill(carry: reader.remainder)
        }
    }
}
