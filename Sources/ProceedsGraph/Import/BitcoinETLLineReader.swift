/// One line of a bitcoin-etl `transactions` export, as read: every field optional, so the importer decides what
/// is missing and says so.
struct BitcoinETLRow {
    struct Input {
        var spentTransactionHash: String?
        var spentOutputIndex: Int64?
        var addresses: [String]?
        var value: BitcoinETLUnits?
        var type: String?
    }
    struct Output {
        var index: Int64?
        var addresses: [String]?
        var value: BitcoinETLUnits?
        var type: String?
    }
    var hash: String?
    var blockNumber: Int64?
    var blockTimestamp: Int64?
    var index: Int64?
    var isCoinbase: Bool?
    var inputs: [Input]?
    var outputs: [Output]?
    var type: String?
}

/// An amount in a chain's smallest unit, as a JSON number or string, read exactly from its text.
struct BitcoinETLUnits {
    /// The value, or nil when it is not a whole non-negative number.
    var units: MinorUnits?
    /// The text as written (the number's JSON text, or the string's content).
    var text: String
}

/// Why a line is not a bitcoin-etl transaction object: what was expected, where (a member path such as
/// `outputs.1.value`, and the byte column), never text from the line.
struct BitcoinETLLineError: Error {
    var reason: String
}

/// Reads one bitcoin-etl JSON line at the byte level, without building a JSON tree: the members the importer
/// uses are decoded into a ``BitcoinETLRow``, every other member is checked against the JSON grammar (RFC 8259)
/// and skipped. The line must be one JSON object and nothing else; strings must be UTF-8 without control
/// characters or unpaired surrogate escapes; a member the importer uses may not appear twice in one object
/// (which one a reader takes is not defined); `null` stands for a missing member, as in bitcoin-etl's own
/// exports. Amounts keep their decimal text and are evaluated exactly, never through binary floating point.
///
/// This replaces a `JSONDecoder` per line, which cost four fifths of `trace cluster`'s time
/// (docs/benchmarks.md).
struct BitcoinETLLineReader {
    private let b: UnsafeBufferPointer<UInt8>
    private var at = 0
    /// Where the reader is, for messages: member names as byte ranges of the line (or, escaped, as text), and
    /// array positions. Kept as ranges so that reading a line builds no string for a key.
    private var path: [PathStep] = []

    private enum PathStep {
        case key(Range<Int>)
        case escapedKey(String)
        case index(Int)
    }

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    /// Reads the line in `bytes` (without its line feed).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(BitcoinETLLineError) -> BitcoinETLRow {
        var r = BitcoinETLLineReader(bytes)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { r.at = 3 }
        r.space()
        guard r.at < bytes.count, bytes[r.at] == UInt8(ascii: "{") else {
            throw r.fail("expected a JSON object")
        }
        let row = try r.row()
        r.space()
        guard r.at == bytes.count else { throw r.fail("text after the end of the JSON object") }
        return row
    }

    // MARK: Errors

    private func fail(_ what: String) -> BitcoinETLLineError {
        let place = path.map { step in
            switch step {
            case .key(let r): String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
            case .escapedKey(let k): k
            case .index(let k): String(k)
            }
        }.joined(separator: ".")
        return BitcoinETLLineError(
            reason: (place.isEmpty ? "" : place + ": ") + what + " (column \(column))")
    }

    /// 1-based column of `at`, in Unicode scalars.
    private var column: Int {
        var c = 1
        for k in 0..<min(at, b.count) where b[k] & 0xC0 != 0x80 { c += 1 }
        return c
    }

    // MARK: The objects the importer uses

    private static let rowKeys: [StaticString] = [
        "hash", "block_number", "block_timestamp", "index", "is_coinbase", "type", "inputs", "outputs",
    ]
    private static let inputKeys: [StaticString] = [
        "spent_transaction_hash", "spent_output_index", "addresses", "value", "type",
    ]
    private static let outputKeys: [StaticString] = ["index", "addresses", "value", "type"]

    private mutating func row() throws(BitcoinETLLineError) -> BitcoinETLRow {
        var row = BitcoinETLRow()
        var seen = 0
        try members(Self.rowKeys) { (key, reader) throws(BitcoinETLLineError) in
            guard let key else { return try reader.skipValue(depth: 1) }
            guard seen & 1 << key == 0 else { throw reader.fail("the member appears twice in one object") }
            seen |= 1 << key
            switch key {
            case 0: row.hash = try reader.optionalString()
            case 1: row.blockNumber = try reader.optionalInteger()
            case 2: row.blockTimestamp = try reader.optionalInteger()
            case 3: row.index = try reader.optionalInteger()
            case 4: row.isCoinbase = try reader.optionalBool()
            case 5: row.type = try reader.optionalString()
            case 6: row.inputs = try reader.optionalArray { (r) throws(BitcoinETLLineError) in try r.input() }
            default: row.outputs = try reader.optionalArray { (r) throws(BitcoinETLLineError) in try r.output() }
            }
        }
        return row
    }

    private mutating func input() throws(BitcoinETLLineError) -> BitcoinETLRow.Input {
        guard peek == UInt8(ascii: "{") else { throw fail("expected an object") }
        var i = BitcoinETLRow.Input()
        var seen = 0
        try members(Self.inputKeys) { (key, reader) throws(BitcoinETLLineError) in
            guard let key else { return try reader.skipValue(depth: 3) }
            guard seen & 1 << key == 0 else { throw reader.fail("the member appears twice in one object") }
            seen |= 1 << key
            switch key {
            case 0: i.spentTransactionHash = try reader.optionalString()
            case 1: i.spentOutputIndex = try reader.optionalInteger()
            case 2: i.addresses = try reader.optionalStrings()
            case 3: i.value = try reader.optionalUnits()
            default: i.type = try reader.optionalString()
            }
        }
        return i
    }

    private mutating func output() throws(BitcoinETLLineError) -> BitcoinETLRow.Output {
        guard peek == UInt8(ascii: "{") else { throw fail("expected an object") }
        var o = BitcoinETLRow.Output()
        var seen = 0
        try members(Self.outputKeys) { (key, reader) throws(BitcoinETLLineError) in
            guard let key else { return try reader.skipValue(depth: 3) }
            guard seen & 1 << key == 0 else { throw reader.fail("the member appears twice in one object") }
            seen |= 1 << key
            switch key {
            case 0: o.index = try reader.optionalInteger()
            case 1: o.addresses = try reader.optionalStrings()
            case 2: o.value = try reader.optionalUnits()
            default: o.type = try reader.optionalString()
            }
        }
        return o
    }

    // MARK: Structure

    private var peek: UInt8? { at < b.count ? b[at] : nil }

    private mutating func space() {
        while at < b.count, b[at] == 0x20 || b[at] == 0x09 || b[at] == 0x0D || b[at] == 0x0A { at += 1 }
    }

    /// Reads an object (at its `{`), calling `body` with each key's position in `known` (nil for another key)
    /// and the reader placed at the key's value.
    private mutating func members(
        _ known: [StaticString], _ body: (Int?, inout BitcoinETLLineReader) throws(BitcoinETLLineError) -> Void
    ) throws(BitcoinETLLineError) {
        at += 1
        space()
        if peek == UInt8(ascii: "}") {
            at += 1
            return
        }
        while true {
            space()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let step = try key()
            let which: Int?
            switch step {
            case .key(let r):
                which = known.firstIndex { k in
                    k.utf8CodeUnitCount == r.count
                        && k.withUTF8Buffer { w in (0..<r.count).allSatisfy { b[r.lowerBound + $0] == w[$0] } }
                }
            case .escapedKey(let text): which = known.firstIndex { $0.description == text }
            case .index: which = nil
            }
            space()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
            at += 1
            space()
            path.append(step)
            try body(which, &self)
            path.removeLast()
            space()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"):
                at += 1
                return
            case nil: throw fail("unexpected end inside an object")
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    /// A key (at its opening quote): its byte range when it has no escape, else its text.
    private mutating func key() throws(BitcoinETLLineError) -> PathStep {
        let start = at + 1
        var k = start
        while k < b.count, b[k] != UInt8(ascii: "\""), b[k] != UInt8(ascii: "\\"), b[k] >= 0x20, b[k] < 0x80 {
            k += 1
        }
        if k < b.count, b[k] == UInt8(ascii: "\"") {
            at = k + 1
            return .key(start..<k)
        }
        return .escapedKey(try string())
    }

    /// Reads an array (at its `[`), calling `element` for each element with the reader placed at it.
    private mutating func elements(
        _ element: (inout BitcoinETLLineReader) throws(BitcoinETLLineError) -> Void
    ) throws(BitcoinETLLineError) {
        at += 1
        space()
        if peek == UInt8(ascii: "]") {
            at += 1
            return
        }
        var k = 0
        while true {
            space()
            path.append(.index(k))
            try element(&self)
            path.removeLast()
            k += 1
            space()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"):
                at += 1
                return
            case nil: throw fail("unexpected end inside an array")
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    /// `null`: consumed, and true.
    private mutating func null() throws(BitcoinETLLineError) -> Bool {
        guard peek == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ word: StaticString) throws(BitcoinETLLineError) {
        let n = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { w in b.count - at >= n && (0..<n).allSatisfy { b[at + $0] == w[$0] } }
        guard matches else { throw fail("unexpected character") }
        at += n
    }

    // MARK: Typed values

    private mutating func optionalString() throws(BitcoinETLLineError) -> String? {
        if try null() { return nil }
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a string") }
        return try string()
    }

    private mutating func optionalStrings() throws(BitcoinETLLineError) -> [String]? {
        if try null() { return nil }
        guard peek == UInt8(ascii: "[") else { throw fail("expected an array of strings") }
        var list: [String] = []
        try elements { (r) throws(BitcoinETLLineError) in
            guard r.peek == UInt8(ascii: "\"") else { throw r.fail("expected a string") }
            list.append(try r.string())
        }
        return list
    }

    private mutating func optionalArray<T>(
        _ element: (inout BitcoinETLLineReader) throws(BitcoinETLLineError) -> T
    ) throws(BitcoinETLLineError) -> [T]? {
        if try null() { return nil }
        guard peek == UInt8(ascii: "[") else { throw fail("expected an array") }
        var list: [T] = []
        try elements { (r) throws(BitcoinETLLineError) in list.append(try element(&r)) }
        return list
    }

    private mutating func optionalBool() throws(BitcoinETLLineError) -> Bool? {
        switch peek {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        default: throw fail("expected true or false")
        }
    }

    /// A whole number that fits in 64 bits, written without fraction or exponent.
    private mutating func optionalInteger() throws(BitcoinETLLineError) -> Int64? {
        if try null() { return nil }
        let start = at
        guard let n = try number() else { throw fail("expected a number") }
        guard !n.fraction, let v = Int64(text(start, at)) else {
            at = start
            throw fail("expected a whole number of at most 64 bits")
        }
        return v
    }

    /// An amount: a JSON number, or a string of digits (bitcoin-etl writes both, by version and chain).
    private mutating func optionalUnits() throws(BitcoinETLLineError) -> BitcoinETLUnits? {
        if try null() { return nil }
        if peek == UInt8(ascii: "\"") {
            let s = try string()
            let t = s.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()
            let digits = !t.isEmpty && t.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            return BitcoinETLUnits(units: digits ? MinorUnits(String(decoding: t, as: UTF8.self)) : nil, text: s)
        }
        let start = at
        guard let n = try number() else { throw fail("expected a number or a string") }
        let t = text(start, at)
        return BitcoinETLUnits(units: Self.wholeUnits(t, negative: n.negative), text: t)
    }

    /// The exact value of a JSON number's text when it is a whole non-negative number that fits (`100`, `1e3`,
    /// `100.0`), else nil (`5.5`, `-1`, `1e-3`).
    static func wholeUnits(_ text: String, negative: Bool) -> MinorUnits? {
        var digits: [UInt8] = []  // significant digits, without the decimal point
        var exponent = 0  // value = digits × 10^exponent
        var u = text.utf8[...]
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        while let c = u.first, c >= 0x30 && c <= 0x39 {
            digits.append(c)
            u = u.dropFirst()
        }
        if u.first == UInt8(ascii: ".") {
            u = u.dropFirst()
            while let c = u.first, c >= 0x30 && c <= 0x39 {
                digits.append(c)
                exponent -= 1
                u = u.dropFirst()
            }
        }
        if let e = u.first, e | 0x20 == UInt8(ascii: "e") {
            u = u.dropFirst()
            let sign = u.first == UInt8(ascii: "-") ? -1 : 1
            if u.first == UInt8(ascii: "-") || u.first == UInt8(ascii: "+") { u = u.dropFirst() }
            // An exponent beyond ±4 digits makes any non-zero value too large, or not whole.
            guard u.count <= 4, let power = Int(String(decoding: u, as: UTF8.self)) else {
                return digits.allSatisfy { $0 == 0x30 } ? 0 : nil
            }
            exponent += sign * power
        }
        while let last = digits.last, exponent < 0, last == 0x30 {
            digits.removeLast()
            exponent += 1
        }
        while let first = digits.first, first == 0x30, digits.count > 1 { digits.removeFirst() }
        if digits.allSatisfy({ $0 == 0x30 }) { return 0 }
        guard exponent >= 0, !negative, digits.count + exponent <= 38 else { return nil }
        var v: MinorUnits = 0
        for d in digits { v = v * 10 + MinorUnits(d - 0x30) }
        for _ in 0..<exponent { v *= 10 }
        return v
    }

    // MARK: Lexical

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }

    private func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

    /// Checks a JSON number's grammar and moves past it; nil (not moved) when no number starts here.
    private mutating func number() throws(BitcoinETLLineError) -> (negative: Bool, fraction: Bool)? {
        let negative = peek == UInt8(ascii: "-")
        guard negative || isDigit(peek) else { return nil }
        if negative { at += 1 }
        guard isDigit(peek) else { throw fail("expected a digit") }
        if peek == 0x30 {
            at += 1
            if isDigit(peek) { throw fail("a number may not start with 0") }
        } else {
            while isDigit(peek) { at += 1 }
        }
        var fraction = false
        if peek == UInt8(ascii: ".") {
            fraction = true
            at += 1
            guard isDigit(peek) else { throw fail("expected a digit after '.'") }
            while isDigit(peek) { at += 1 }
        }
        if let e = peek, e | 0x20 == UInt8(ascii: "e") {
            fraction = true
            at += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
            guard isDigit(peek) else { throw fail("expected a digit in the exponent") }
            while isDigit(peek) { at += 1 }
        }
        return (negative, fraction)
    }

    /// A string (at its opening quote), unescaped; refused when not UTF-8, holding a control character or an
    /// unpaired surrogate escape.
    private mutating func string() throws(BitcoinETLLineError) -> String {
        at += 1
        let start = at
        var ascii = true
        // Fast path: no escape.
        while at < b.count {
            let c = b[at]
            if c == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: b[start..<at])
                at += 1
                if ascii { return String(decoding: raw, as: UTF8.self) }
                guard let s = String(validating: raw, as: UTF8.self) else {
                    at = start
                    throw fail("a string is not UTF-8")
                }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("a control character inside a string") }
            if c >= 0x80 { ascii = false }
            at += 1
        }
        guard at < b.count else { throw fail("unexpected end inside a string") }
        // Slow path: escapes.
        var out: [UInt8] = Array(b[start..<at])
        try unescape(into: &out)
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("a string is not UTF-8") }
        return s
    }

    /// The rest of a string from its first backslash to its closing quote (consumed), unescaped onto `out`;
    /// the bytes are not checked to be UTF-8 here.
    private mutating func unescape(into out: inout [UInt8]) throws(BitcoinETLLineError) {
        while true {
            guard at < b.count else { throw fail("unexpected end inside a string") }
            let c = b[at]
            if c == UInt8(ascii: "\"") {
                at += 1
                break
            }
            if c < 0x20 { throw fail("a control character inside a string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                at += 1
                continue
            }
            at += 1
            guard let e = peek else { throw fail("unexpected end inside a string") }
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard b.count - at >= 6, b[at] == UInt8(ascii: "\\"), b[at + 1] == UInt8(ascii: "u") else {
                        throw fail("an unpaired surrogate escape")
                    }
                    at += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw fail("an unpaired surrogate escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw fail("an unpaired surrogate escape")
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
            default: throw fail("an unknown escape")
            }
        }
    }

    /// A string (at its opening quote), unescaped and appended to `out` as UTF-8: the same checks as
    /// ``string()``, no `String` made. Returns where it lies in `out`.
    private mutating func appendString(to out: inout [UInt8]) throws(BitcoinETLLineError) -> Range<Int> {
        at += 1
        let start = at
        let mark = out.count
        var ascii = true
        while at < b.count {
            let c = b[at]
            if c == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: b[start..<at])
                at += 1
                if !ascii && String(validating: raw, as: UTF8.self) == nil {
                    at = start
                    throw fail("a string is not UTF-8")
                }
                out.append(contentsOf: raw)
                return mark..<out.count
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("a control character inside a string") }
            if c >= 0x80 { ascii = false }
            at += 1
        }
        guard at < b.count else { throw fail("unexpected end inside a string") }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<at]))
        try unescape(into: &out)
        guard
            out.withUnsafeBufferPointer({
                String(validating: UnsafeBufferPointer(rebasing: $0[mark...]), as: UTF8.self)
            }) != nil
        else { throw fail("a string is not UTF-8") }
        return mark..<out.count
    }

    /// Moves past a string (at its opening quote) with the checks of ``string()``, making no `String` when it
    /// has no escape and is ASCII (nearly always: hashes, scripts in hex).
    private mutating func skipString() throws(BitcoinETLLineError) {
        let open = at
        var k = at + 1
        while k < b.count {
            let c = b[k]
            if c == UInt8(ascii: "\"") {
                at = k + 1
                return
            }
            if c == UInt8(ascii: "\\") || c >= 0x80 || c < 0x20 { break }
            k += 1
        }
        // An escape, a byte beyond ASCII, a control character or the end: read it the full way, for its checks.
        at = open
        _ = try string()
    }

    private mutating func hex4() throws(BitcoinETLLineError) -> UInt32 {
        guard b.count - at >= 4 else { throw fail("expected four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[at]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("expected four hex digits")
            }
            v = v << 4 | d
            at += 1
        }
        return v
    }

    /// Checks any JSON value against the grammar and moves past it.
    private mutating func skipValue(depth: Int) throws(BitcoinETLLineError) {
        guard depth < 256 else { throw fail("arrays and objects nested too deep") }
        switch peek {
        case UInt8(ascii: "{"):
            try members([]) { (_, r) throws(BitcoinETLLineError) in try r.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try elements { (r) throws(BitcoinETLLineError) in try r.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case nil: throw fail("unexpected end")
        default: guard try number() != nil else { throw fail("unexpected character") }
        }
    }
}

/// One line of a bitcoin-etl export read for streaming: the same members as ``BitcoinETLRow``, but its strings
/// are byte ranges of ``bytes`` (unescaped), and one row is reused line after line, so reading a line makes no
/// string and, once warm, allocates nothing.
struct BitcoinETLLeanRow {
    struct Input {
        var hasSpentTransactionHash = false
        var hasSpentOutputIndex = false
        /// The addresses joined by `+` (empty when the list is null, empty, or one empty string).
        var address: Range<Int> = 0..<0
        var value: BitcoinETLLeanUnits?
        var type: Range<Int>?
    }
    struct Output {
        var hasIndex = false
        var address: Range<Int> = 0..<0
        /// Whether the address list is null or empty (a shielded output has none).
        var noAddresses = true
        var value: BitcoinETLLeanUnits?
        var type: Range<Int>?
    }
    /// The line's strings that the importer uses, unescaped, end to end.
    var bytes: [UInt8] = []
    var hash: Range<Int>?
    var blockNumber: Int64?
    var blockTimestamp: Int64?
    var index: Int64?
    var isCoinbase: Bool?
    var type: Range<Int>?
    var inputs: [Input] = []
    var outputs: [Output] = []

    /// Whether `range` of ``bytes`` holds exactly `text`.
    func holds(_ range: Range<Int>?, _ text: StaticString) -> Bool {
        guard let range, range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { w in (0..<range.count).allSatisfy { bytes[range.lowerBound + $0] == w[$0] } }
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        inputs.removeAll(keepingCapacity: true)
        outputs.removeAll(keepingCapacity: true)
        hash = nil
        blockNumber = nil
        blockTimestamp = nil
        index = nil
        isCoinbase = nil
        type = nil
    }
}

/// An amount read for streaming: its value, and its text only when it is not a whole non-negative number (for
/// the message).
struct BitcoinETLLeanUnits {
    var units: MinorUnits?
    var text: String?
}

extension BitcoinETLLineReader {
    /// Reads the line in `bytes` (without its line feed) into `row`, with the checks and messages of
    /// ``read(_:)``.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, into row: inout BitcoinETLLeanRow) throws(BitcoinETLLineError)
    {
        row.reset()
        var r = BitcoinETLLineReader(bytes)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { r.at = 3 }
        r.space()
        guard r.at < bytes.count, bytes[r.at] == UInt8(ascii: "{") else {
            throw r.fail("expected a JSON object")
        }
        try r.leanRow(&row)
        r.space()
        guard r.at == bytes.count else { throw r.fail("text after the end of the JSON object") }
    }

    private mutating func leanRow(_ row: inout BitcoinETLLeanRow) throws(BitcoinETLLineError) {
        var seen = 0
        try members(Self.rowKeys) { (key, reader) throws(BitcoinETLLineError) in
            guard let key else { return try reader.skipValue(depth: 1) }
            guard seen & 1 << key == 0 else { throw reader.fail("the member appears twice in one object") }
            seen |= 1 << key
            switch key {
            case 0: row.hash = try reader.optionalStringRange(&row.bytes)
            case 1: row.blockNumber = try reader.optionalInteger()
            case 2: row.blockTimestamp = try reader.optionalInteger()
            case 3: row.index = try reader.optionalInteger()
            case 4: row.isCoinbase = try reader.optionalBool()
            case 5: row.type = try reader.optionalStringRange(&row.bytes)
            case 6:
                if try reader.null() { return }
                guard reader.peek == UInt8(ascii: "[") else { throw reader.fail("expected an array") }
                try reader.elements { (r) throws(BitcoinETLLineError) in
                    guard r.peek == UInt8(ascii: "{") else { throw r.fail("expected an object") }
                    var i = BitcoinETLLeanRow.Input()
                    var seen = 0
                    try r.members(Self.inputKeys) { (key, reader) throws(BitcoinETLLineError) in
                        guard let key else { return try reader.skipValue(depth: 3) }
                        guard seen & 1 << key == 0 else {
                            throw reader.fail("the member appears twice in one object")
                        }
                        seen |= 1 << key
                        switch key {
                        case 0: i.hasSpentTransactionHash = try reader.optionalStringRange(&row.bytes) != nil
                        case 1: i.hasSpentOutputIndex = try reader.optionalInteger() != nil
                        case 2: i.address = try reader.optionalJoinedStrings(&row.bytes).range
                        case 3: i.value = try reader.optionalLeanUnits(&row.bytes)
                        default: i.type = try reader.optionalStringRange(&row.bytes)
                        }
                    }
                    row.inputs.append(i)
                }
            default:
                if try reader.null() { return }
                guard reader.peek == UInt8(ascii: "[") else { throw reader.fail("expected an array") }
                try reader.elements { (r) throws(BitcoinETLLineError) in
                    guard r.peek == UInt8(ascii: "{") else { throw r.fail("expected an object") }
                    var o = BitcoinETLLeanRow.Output()
                    var seen = 0
                    try r.members(Self.outputKeys) { (key, reader) throws(BitcoinETLLineError) in
                        guard let key else { return try reader.skipValue(depth: 3) }
                        guard seen & 1 << key == 0 else {
                            throw reader.fail("the member appears twice in one object")
                        }
                        seen |= 1 << key
                        switch key {
                        case 0: o.hasIndex = try reader.optionalInteger() != nil
                        case 1: (o.address, o.noAddresses) = try reader.optionalJoinedStrings(&row.bytes)
                        case 2: o.value = try reader.optionalLeanUnits(&row.bytes)
                        default: o.type = try reader.optionalStringRange(&row.bytes)
                        }
                    }
                    row.outputs.append(o)
                }
            }
        }
    }

    private mutating func optionalStringRange(_ out: inout [UInt8]) throws(BitcoinETLLineError) -> Range<Int>? {
        if try null() { return nil }
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a string") }
        return try appendString(to: &out)
    }

    /// An array of strings, joined by `+` onto `out`; `empty` when the list is null or has no element.
    private mutating func optionalJoinedStrings(
        _ out: inout [UInt8]
    ) throws(BitcoinETLLineError) -> (range: Range<Int>, empty: Bool) {
        let mark = out.count
        if try null() { return (mark..<mark, true) }
        guard peek == UInt8(ascii: "[") else { throw fail("expected an array of strings") }
        var n = 0
        try elements { (r) throws(BitcoinETLLineError) in
            guard r.peek == UInt8(ascii: "\"") else { throw r.fail("expected a string") }
            if n > 0 { out.append(UInt8(ascii: "+")) }
            _ = try r.appendString(to: &out)
            n += 1
        }
        return (mark..<out.count, n == 0)
    }

    /// An amount, as ``optionalUnits()`` reads it; plain digits are evaluated without making a string.
    private mutating func optionalLeanUnits(_ out: inout [UInt8]) throws(BitcoinETLLineError) -> BitcoinETLLeanUnits? {
        if try null() { return nil }
        if peek == UInt8(ascii: "\"") {
            let mark = out.count
            let r = try appendString(to: &out)
            defer { out.removeSubrange(mark...) }
            var lo = r.lowerBound, hi = r.upperBound
            while lo < hi && out[lo] == 0x20 { lo += 1 }
            while hi > lo && out[hi - 1] == 0x20 { hi -= 1 }
            if lo < hi && hi - lo <= 38 && (lo..<hi).allSatisfy({ out[$0] >= 0x30 && out[$0] <= 0x39 }) {
                var v: MinorUnits = 0
                for k in lo..<hi { v = v * 10 + MinorUnits(out[k] - 0x30) }
                return BitcoinETLLeanUnits(units: v, text: nil)
            }
            let s = String(decoding: out[r], as: UTF8.self)
            let t = s.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()
            let digits = !t.isEmpty && t.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            let units = digits ? MinorUnits(String(decoding: t, as: UTF8.self)) : nil
            return BitcoinETLLeanUnits(units: units, text: units == nil ? s : nil)
        }
        let start = at
        guard let n = try number() else { throw fail("expected a number or a string") }
        // Plain digits (no sign, fraction or exponent; JSON allows no leading zero): the value itself.
        if !n.negative && !n.fraction && at - start <= 38 {
            var v: MinorUnits = 0
            for k in start..<at { v = v * 10 + MinorUnits(b[k] - 0x30) }
            return BitcoinETLLeanUnits(units: v, text: nil)
        }
        let t = text(start, at)
        let units = Self.wholeUnits(t, negative: n.negative)
        return BitcoinETLLeanUnits(units: units, text: units == nil ? t : nil)
    }
}
