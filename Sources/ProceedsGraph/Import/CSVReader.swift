/// A small RFC 4180 CSV reader over bytes that reports each record's physical line number, which evidence
/// references need (a record with a quoted line break spans lines). Written here rather than taken from a CSV
/// package because none of those on hand report physical lines, and ledgers of millions of rows need a reader
/// that does not go through `Character`: unquoted fields (nearly all) become strings straight from their span.
struct CSVReader {
    private let bytes: [UInt8]
    private var i = 0
    private var line = 1
    let separator: UInt8

    init(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: ",")) {
        // A UTF-8 byte-order mark is not part of the first header.
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        self.separator = separator
    }

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
                    guard closed else { return (start, false) }
                    // Anything after the closing quote up to the separator is kept, as lenient readers do.
                    let rest = i
                    while i < n && b[i] != separator && b[i] != 0x0A && b[i] != 0x0D { i += 1 }
                    field.append(contentsOf: b[rest..<i])
                    fields.append(String(decoding: field, as: UTF8.self))
                } else {
                    let from = i
                    while i < n {
                        let c = b[i]
                        if c == separator || c == 0x0A || c == 0x0D { break }
                        i += 1
                    }
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: b[from..<i]), as: UTF8.self))
                }
                if i >= n { return (start, true) }
                if b[i] == separator {
                    i += 1
                    continue
                }
                // End of record.
                if b[i] == 0x0D && i + 1 < n && b[i + 1] == 0x0A { i += 1 }
                i += 1
                line += 1
                return (start, true)
            }
        }
    }
}
