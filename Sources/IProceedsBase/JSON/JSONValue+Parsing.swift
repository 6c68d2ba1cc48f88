/// Why a text is not a JSON value, and where: the one error of ``JSONValue/parse(_:maxDepth:)``.
///
/// The reason names what was expected, never text from the input (inputs hold personal data); a repeated key is
/// in ``Kind/duplicateKey(_:)`` for callers whose documents are not personal (a policy), to name it themselves.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is.
    package enum Kind: Sendable, Equatable {
        /// Not RFC 8259 syntax (``JSONParseError/reason`` says what was expected).
        case syntax
        /// An object names the same key twice: which reader would win is not defined, so it is refused.
        case duplicateKey(String)
        /// Arrays and objects nested more than the limit given to the parser.
        case tooDeep(Int)
        /// A string whose bytes are not UTF-8.
        case invalidUTF8
    }

    package var kind: Kind
    /// What is wrong, in words, without the input's text.
    package var reason: String
    /// 1-based line of the problem (lines end at LF).
    package var line: Int
    /// 1-based column of the problem, in Unicode scalars from the start of the line.
    package var column: Int
    /// Byte offset of the problem from the start of the text given to the parser.
    package var offset: Int

    /// `reason (line L, column C)`.
    package var description: String { "\(reason) (line \(line), column \(column))" }
}

extension JSONValue {
    /// Parses one JSON text strictly (RFC 8259): object members in the order written, numbers as their text,
    /// a leading UTF-8 byte order mark skipped, and refused with the position of the first problem: anything
    /// outside the grammar, a key repeated in one object, strings that are not UTF-8 or hold control characters
    /// or unpaired surrogate escapes, text after the value, and arrays and objects nested deeper than `maxDepth`
    /// (the parser recurses once per level, so the limit also keeps a hostile text from exhausting the stack).
    /// - Throws: ``JSONParseError``.
    package static func parse(_ bytes: [UInt8], maxDepth: Int = 512) throws(JSONParseError) -> JSONValue {
        try parse(bytes[...], maxDepth: maxDepth)
    }

    /// Parses one JSON text held in a slice; positions count from the slice's start. See ``parse(_:maxDepth:)``.
    package static func parse(_ bytes: ArraySlice<UInt8>, maxDepth: Int = 512) throws(JSONParseError) -> JSONValue {
        var p = JSONTextParser(bytes: bytes, maxDepth: maxDepth)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.at += 3 }
        let value = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == bytes.endIndex else { throw p.failure("text after the end of the JSON value") }
        return value
    }

    /// The text of a string value, or `nil` for any other value.
    package var string: String? { if case .string(let s) = self { s } else { nil } }

    /// The text of a number value as written (`443`, `1.5e3`), or `nil` for any other value.
    package var number: String? { if case .number(let n) = self { n } else { nil } }

    /// The elements of an array value, or `nil` for any other value.
    package var items: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
}

private struct JSONTextParser {
    let bytes: ArraySlice<UInt8>
    let maxDepth: Int
    var at: Int

    init(bytes: ArraySlice<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        at = bytes.startIndex
    }

    func failure(_ what: String, _ kind: JSONParseError.Kind = .syntax) -> JSONParseError {
        var line = 1
        var column = 1
        for b in bytes[bytes.startIndex..<min(at, bytes.endIndex)] {
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(
            kind: kind, reason: what, line: line, column: column, offset: min(at, bytes.endIndex) - bytes.startIndex)
    }

    mutating func skipSpace() {
        while at < bytes.endIndex {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    mutating func literal(_ text: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = text.utf8CodeUnitCount
        let matches = text.withUTF8Buffer { l in bytes.endIndex - at >= count && bytes[at..<at + count].elementsEqual(l)
        }
        guard matches else { throw failure("unexpected character") }
        at += count
        return value
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        skipSpace()
        guard at < bytes.endIndex else { throw failure("unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else {
                throw failure("arrays and objects nested more than \(maxDepth) deep", .tooDeep(maxDepth))
            }
            at += 1
            var members: [(String, JSONValue)] = []
            var keys = Set<String>()
            skipSpace()
            if at < bytes.endIndex, bytes[at] == UInt8(ascii: "}") {
                at += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard at < bytes.endIndex, bytes[at] == UInt8(ascii: "\"") else { throw failure("expected a key") }
                let keyAt = at
                let key = try string()
                guard keys.insert(key).inserted else {
                    at = keyAt
                    throw failure("a key appears twice in one object", .duplicateKey(key))
                }
                skipSpace()
                guard at < bytes.endIndex, bytes[at] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                at += 1
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard at < bytes.endIndex else { throw failure("unexpected end inside an object") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                    continue
                }
                guard bytes[at] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
                at += 1
                return .object(members)
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else {
                throw failure("arrays and objects nested more than \(maxDepth) deep", .tooDeep(maxDepth))
            }
            at += 1
            var items: [JSONValue] = []
            skipSpace()
            if at < bytes.endIndex, bytes[at] == UInt8(ascii: "]") {
                at += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.endIndex else { throw failure("unexpected end inside an array") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                    continue
                }
                guard bytes[at] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
                at += 1
                return .array(items)
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default:
            return try number()
        }
    }

    mutating func number() throws(JSONParseError) -> JSONValue {
        let start = at
        func digits() -> Int {
            let s = at
            while at < bytes.endIndex, (0x30...0x39).contains(bytes[at]) { at += 1 }
            return at - s
        }
        if at < bytes.endIndex, bytes[at] == UInt8(ascii: "-") { at += 1 }
        let intStart = at
        let n = digits()
        guard n > 0 else { throw failure("unexpected character") }
        guard n == 1 || bytes[intStart] != 0x30 else {
            at = intStart
            throw failure("a number with a leading zero")
        }
        if at < bytes.endIndex, bytes[at] == UInt8(ascii: ".") {
            at += 1
            guard digits() > 0 else { throw failure("a number without digits after '.'") }
        }
        if at < bytes.endIndex, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1
            if at < bytes.endIndex, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw failure("a number without digits in its exponent") }
        }
        return .number(String(decoding: bytes[start..<at], as: UTF8.self))
    }

    /// A string starting at the opening quote.
    mutating func string() throws(JSONParseError) -> String {
        let open = at
        at += 1
        var out: [UInt8] = []
        var runStart = at
        while true {
            guard at < bytes.endIndex else {
                at = open
                throw failure("a string that is not closed")
            }
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<at])
                at += 1
                break
            }
            if b < 0x20 { throw failure("a control character inside a string") }
            if b == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<at])
                let escapeAt = at
                at += 1
                guard at < bytes.endIndex else { throw failure("a string that is not closed") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard bytes.endIndex - at >= 6, bytes[at] == 0x5C, bytes[at + 1] == UInt8(ascii: "u") else {
                            at = escapeAt
                            throw failure("an unpaired surrogate escape")
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            at = escapeAt
                            throw failure("an unpaired surrogate escape")
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        at = escapeAt
                        throw failure("an unpaired surrogate escape")
                    }
                    // Not a surrogate here, so always a scalar.
                    out.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
                default:
                    at = escapeAt
                    throw failure("an unknown escape")
                }
                runStart = at
                continue
            }
            at += 1
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            at = open
            throw failure("a string that is not UTF-8", .invalidUTF8)
        }
        return s
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard bytes.endIndex - at >= 4 else { throw failure("a short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = Hex.value(ofDigit: bytes[at]) else { throw failure("a \\u escape that is not hex") }
            v = v << 4 | UInt32(d)
            at += 1
        }
        return v
    }
}
