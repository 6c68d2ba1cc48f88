import IProceedsDigest
import Foundation

/// A small RFC 4180 CSV reader over bytes that reports each record's physical line number, which evidence
/// references need (a record with a quoted line break spans lines). Written here rather than taken from a CSV
/// package because none of those on hand report physical lines, and ledgers of millions of rows need a reader
/// that does not go through `Character`: unquoted fields (nearly all) become strings straight from their span.
struct CSVReader {
    private let bytes: [UInt8]
    private var i = 0
    private(set) var line: Int
    let separator: UInt8
    /// Whether `bytes` ends the input. When not, a record that runs to the end of `bytes` is incomplete: the
    /// reader stops before it (see ``remainder``) instead of returning it.
    let isFinal: Bool
    /// Set when the reader stopped at an incomplete record.
    private(set) var stoppedShort = false
    /// Whether a field of the record last returned held bytes that are not UTF-8. Its text then has U+FFFD in
    /// their place, so two different names could read the same: importers refuse such a record instead of
    /// merging accounts silently.
    private(set) var lastRecordHadInvalidUTF8 = false

    init(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: ","), firstLine: Int = 1, isFinal: Bool = true) {
        // A UTF-8 byte-order mark is not part of the first header.
        self.bytes = firstLine == 1 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        self.separator = separator
        self.line = firstLine
        self.isFinal = isFinal
    }

    /// The bytes not yet read (after ``next(into:)`` stopped short): the start of the next chunk.
    var remainder: ArraySlice<UInt8> { bytes[i...] }

    /// The next record and the line it starts on; `nil` at the end. Malformed quoting yields a `nil` record.
    mutating func next() -> (line: Int, fields: [String]?)? {
        var fields: [String] = []
        guard let (line, ok) = next(into: &fields) else { return nil }
        return (line, ok ? fields : nil)
    }

    /// Reads the next record into `fields` (reusing its storage); returns the line it starts on and whether its
    /// quoting was well formed, or `nil` at the end.
    mutating func next(into fields: inout [String]) -> (line: Int, ok: Bool)? {
        fields.removeAll(keepingCapacity: true)
        lastRecordHadInvalidUTF8 = false
        let separator = self.separator
        return bytes.withUnsafeBufferPointer { b -> (line: Int, ok: Bool)? in
            let n = b.count
            // Skip blank lines.
            while i < n && (b[i] == 0x0A || b[i] == 0x0D) {
                if b[i] == 0x0A { line += 1 }
                i += 1
            }
            guard i < n else { return nil }
            let start = line
            let recordStart = i
            // Not the end of the input: a record must end in a line break within these bytes, or wait for more.
            func incomplete() -> (line: Int, ok: Bool)? {
                i = recordStart
                line = start
                stoppedShort = true
                return nil
            }
            while true {
                if i < n && b[i] == 0x22 {
                    // Quoted field: unescape into a buffer.
                    var field: [UInt8] = []
                    i += 1
                    var closed = false
                    while i < n {
                        let c = b[i]
                        if c == 0x22 {
                            if i + 1 < n && b[i + 1] == 0x22 {
                                field.append(0x22)
                                i += 2
                                continue
                            }
                            i += 1
                            closed = true
                            break
                        }
                        if c == 0x0A { line += 1 }
                        field.append(c)
                        i += 1
                    }
                    guard closed else { return isFinal ? (start, false) : incomplete() }
                    // Anything after the closing quote up to the separator is kept, as lenient readers do.
                    let rest = i
                    while i < n && b[i] != separator && b[i] != 0x0A && b[i] != 0x0D { i += 1 }
                    field.append(contentsOf: b[rest..<i])
                    if let text = String(validating: field, as: UTF8.self) {
                        fields.append(text)
                    } else {
                        lastRecordHadInvalidUTF8 = true
                        fields.append(String(decoding: field, as: UTF8.self))
                    }
                } else {
                    let from = i
                    while i < n {
                        let c = b[i]
                        if c == separator || c == 0x0A || c == 0x0D { break }
                        i += 1
                    }
                    let span = UnsafeBufferPointer(rebasing: b[from..<i])
                    if let text = String(validating: span, as: UTF8.self) {
                        fields.append(text)
                    } else {
                        lastRecordHadInvalidUTF8 = true
                        fields.append(String(decoding: span, as: UTF8.self))
                    }
                }
                if i >= n { return isFinal ? (start, true) : incomplete() }
                if b[i] == separator {
                    i += 1
                    continue
                }
                // End of record (a CR at the very end of a chunk may have its LF in the next one).
                if b[i] == 0x0D && i + 1 == n && !isFinal { return incomplete() }
                if b[i] == 0x0D && i + 1 < n && b[i + 1] == 0x0A { i += 1 }
                i += 1
                line += 1
                return (start, true)
            }
        }
    }
}

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

    /// Whether a field of the record last returned held bytes that are not UTF-8 (see ``CSVReader``).
    var lastRecordHadInvalidUTF8: Bool { reader.lastRecordHadInvalidUTF8 }

    /// The next record, reading more of the file as needed; `nil` at the end.
    mutating func next(into fields: inout [String]) throws -> (line: Int, ok: Bool)? {
        while true {
            if let r = reader.next(into: &fields) { return r }
            // Out of bytes: at the end of the file that is the end; otherwise read on (keeping an unfinished
            // record, or blank lines, for the next chunk).
            guard !finished else { return nil }
            try refill(carry: reader.remainder)
        }
    }
}
