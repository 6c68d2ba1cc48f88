/// A small RFC 4180 CSV reader over bytes that reports each record's physical line number, which evidence
/// references need (a record with a quoted line break spans lines). Written here rather than taken from a CSV
/// package because none of those on hand report physical lines, and ledgers of millions of rows need a reader
/// that does not go through `Character`.
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
        // Skip blank lines.
        while i < bytes.count && (bytes[i] == 0x0A || bytes[i] == 0x0D) {
            if bytes[i] == 0x0A { line += 1 }
            i += 1
        }
        guard i < bytes.count else { return nil }
        let start = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        while i < bytes.count {
            let c = bytes[i]
            if quoted {
                if c == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 2
                        continue
                    }
                    quoted = false
                    i += 1
                    continue
                }
                if c == 0x0A { line += 1 }
                field.append(c)
                i += 1
                continue
            }
            if c == 0x22 && field.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
                i += 1
                continue
            }
            if c == separator {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
                i += 1
                continue
            }
            if c == 0x0D || c == 0x0A {
                if c == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                i += 1
                line += 1
                fields.append(String(decoding: field, as: UTF8.self))
                return (start, fields)
            }
            field.append(c)
            i += 1
        }
        if quoted { return (start, nil) }
        fields.append(String(decoding: field, as: UTF8.self))
        return (start, fields)
    }
}
