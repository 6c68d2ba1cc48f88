/// CSV as RFC 4180 reads it, over bytes: the one CSV reader of the toolkit (ledgers, labels, tags and
/// conversions in ProceedsGraph, the CSV input of SharingKit).
///
/// Each record comes with the physical line it starts on, which evidence references and findings need (a record
/// with a quoted line break spans lines). Quoted fields may hold separators, doubled quotes and line breaks.
/// Records end at LF, CRLF or a lone CR (old Mac exports); each of these counts as one line. Blank lines are
/// skipped; a UTF-8 byte-order mark before the first line is not part of the first field.
///
/// What the reader cannot read as written is said, never papered over: a field whose bytes are not UTF-8 is a
/// ``Problem/notUTF8(column:)`` (its text would otherwise hold U+FFFD, and `A\xff` and `A\xfe` would read as
/// one name), a quote never closed is ``Problem/unclosedQuote``. Text after a closing quote (`"a"b`) is kept in
/// the field as lenient readers (Python's `csv`) do, or refused when ``refusesTextAfterClosingQuote``.
///
/// The input may come in chunks (``isFinal`` false): a record that runs to the end of the bytes given is then
/// not returned; ``remainder`` starts the next chunk. Unquoted fields (nearly all) become strings straight from
/// their bytes, without going through `Character`: ledgers of millions of rows are read this way.
package struct CSVReader {
    /// Why a record cannot be used as read.
    package enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// A quoted field is never closed: the record runs to the end of the input.
        case unclosedQuote
        /// Text between a closing quote and the next separator (`"a"b`), when the reader refuses it.
        case textAfterClosingQuote
        /// A field holds bytes that are not UTF-8; `column` is the 1-based byte position, within the record's
        /// bytes as written, of the first such byte (what `xxd` shows).
        case notUTF8(column: Int)

        package var description: String {
            switch self {
            case .unclosedQuote: return "a quote opened in this record is never closed (it runs to the end of the file)"
            case .textAfterClosingQuote: return "text after a closing quote"
            case .notUTF8(let column):
                return "bytes that are not UTF-8 text (the first at byte \(column) of the record): re-encode the "
                    + "file as UTF-8 (iconv -f WINDOWS-1250 -t UTF-8, say) and run again"
            }
        }
    }

    private let bytes: [UInt8]
    private var i = 0
    /// The line the next record starts on (or, after the end, one past the last line).
    package private(set) var line: Int
    /// The field separator (`,`, `;`, tab …).
    package let separator: UInt8
    /// Whether the bytes given end the input. When not, a record that runs to the end of them is incomplete: the
    /// reader stops before it (see ``remainder``) instead of returning it.
    package let isFinal: Bool
    /// Whether text after a closing quote makes the record a ``Problem/textAfterClosingQuote`` instead of being
    /// kept in the field.
    package var refusesTextAfterClosingQuote = false
    /// Set when the reader stopped at an incomplete record.
    package private(set) var stoppedShort = false
    /// Where the record last returned lies in the bytes given, line break excluded.
    package private(set) var lastRecordRange: Range<Int> = 0..<0

    /// - Parameters:
    ///   - bytes: the input, or a chunk of it.
    ///   - separator: the field separator.
    ///   - firstLine: the line `bytes` starts on; a byte-order mark is skipped only on line 1.
    ///   - isFinal: whether `bytes` ends the input.
    package init(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: ","), firstLine: Int = 1, isFinal: Bool = true) {
        self.bytes = firstLine == 1 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        self.separator = separator
        self.line = firstLine
        self.isFinal = isFinal
    }

    /// The bytes not yet read (after ``next(into:)`` stopped short): the start of the next chunk.
    package var remainder: ArraySlice<UInt8> { bytes[i...] }

    /// The bytes of the record last returned, as written (quotes included, line break excluded).
    package var lastRecordBytes: ArraySlice<UInt8> { bytes[lastRecordRange] }

    /// The next record, the line it starts on and what is wrong with it; `nil` at the end.
    package mutating func next() -> (line: Int, fields: [String], problem: Problem?)? {
        var fields: [String] = []
        guard let (line, problem) = next(into: &fields) else { return nil }
        return (line, fields, problem)
    }

    /// Reads the next record into `fields` (reusing its storage); returns the line it starts on and what is wrong
    /// with it (`nil` when nothing is), or `nil` at the end. With a problem, `fields` holds what could be read
    /// (a field that is not UTF-8 with U+FFFD in place of its bad bytes): show it, never use it as data.
    package mutating func next(into fields: inout [String]) -> (line: Int, problem: Problem?)? {
        fields.removeAll(keepingCapacity: true)
        let separator = self.separator
        let strictQuotes = refusesTextAfterClosingQuote
        return bytes.withUnsafeBufferPointer { b -> (line: Int, problem: Problem?)? in
            let n = b.count
            // Blank lines: LF, CRLF or a lone CR each end one.
            while i < n && (b[i] == 0x0A || b[i] == 0x0D) {
                if b[i] == 0x0D {
                    if i + 1 == n && !isFinal {
                        // Its LF may be in the next chunk: let that chunk count the break once.
                        stoppedShort = true
                        return nil
                    }
                    if i + 1 < n && b[i + 1] == 0x0A { i += 1 }
                }
                line += 1
                i += 1
            }
            guard i < n else { return nil }
            let start = line
            let recordStart = i
            var notUTF8 = false
            var afterQuote = false
            // Not the end of the input: a record must end in a line break within these bytes, or wait for more.
            func incomplete() -> (line: Int, problem: Problem?)? {
                i = recordStart
                line = start
                stoppedShort = true
                return nil
            }
            func finish(_ end: Int) -> (line: Int, problem: Problem?) {
                lastRecordRange = recordStart..<end
                if afterQuote && strictQuotes { return (start, .textAfterClosingQuote) }
                if notUTF8 { return (start, .notUTF8(column: Self.firstInvalidByte(b[recordStart..<end]))) }
                return (start, nil)
            }
            func append(_ span: UnsafeBufferPointer<UInt8>) {
                if let text = String(validating: span, as: UTF8.self) {
                    fields.append(text)
                } else {
                    notUTF8 = true
                    fields.append(String(decoding: span, as: UTF8.self))
                }
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
                        if c == 0x0A || (c == 0x0D && (i + 1 == n || b[i + 1] != 0x0A)) { line += 1 }
                        field.append(c)
                        i += 1
                    }
                    guard closed else {
                        guard isFinal else { return incomplete() }
                        lastRecordRange = recordStart..<n
                        return (start, .unclosedQuote)
                    }
                    // Text after the closing quote up to the separator: kept, or refused (see the type).
                    let rest = i
                    while i < n && b[i] != separator && b[i] != 0x0A && b[i] != 0x0D { i += 1 }
                    if i > rest { afterQuote = true }
                    field.append(contentsOf: b[rest..<i])
                    field.withUnsafeBufferPointer { append($0) }
                } else {
                    let from = i
                    while i < n {
                        let c = b[i]
                        if c == separator || c == 0x0A || c == 0x0D { break }
                        i += 1
                    }
                    append(UnsafeBufferPointer(rebasing: b[from..<i]))
                }
                if i >= n { return isFinal ? finish(n) : incomplete() }
                if b[i] == separator {
                    i += 1
                    continue
                }
                // End of record (a CR at the very end of a chunk may have its LF in the next one).
                let end = i
                if b[i] == 0x0D && i + 1 == n && !isFinal { return incomplete() }
                if b[i] == 0x0D && i + 1 < n && b[i + 1] == 0x0A { i += 1 }
                i += 1
                line += 1
                return finish(end)
            }
        }
    }

    /// The 1-based position of the first byte of `bytes` that does not begin or continue a UTF-8 sequence.
    private static func firstInvalidByte(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var valid = 0
        while case let .scalarValue(s) = decoder.decode(&it) { valid += UTF8.width(s) }
        return valid + 1
    }
}
