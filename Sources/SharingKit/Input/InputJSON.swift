/// A JSON value as an input holds it: object members in the source's order, numbers as written.
indirect enum InputJSON: Equatable {
    case null
    case bool(Bool)
    /// The number's text as written (`443`, `1.5e3`), so that a port or an id is shared exactly.
    case number(String)
    case string(String)
    case array([InputJSON])
    case object([(String, InputJSON)])

    static func == (a: InputJSON, b: InputJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    subscript(key: String) -> InputJSON? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }

    /// The value as field text: strings as they are, numbers as written, booleans `true`/`false`, arrays and
    /// objects as compact JSON; `nil` for null.
    var fieldText: String? {
        switch self {
        case .null: nil
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n
        case .string(let s): s
        case .array, .object: compact
        }
    }

    /// Compact JSON, members in order; strings escaped only where JSON requires.
    var compact: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n
        case .string(let s): PackageJSON.quote(s)
        case .array(let a): "[" + a.map(\.compact).joined(separator: ",") + "]"
        case .object(let o): "{" + o.map { PackageJSON.quote($0.0) + ":" + $0.1.compact }.joined(separator: ",") + "}"
        }
    }

    /// Why a text is not JSON. The reason names a position and what was expected, never the text.
    struct Malformed: Error {
        var reason: String
    }

    /// Parses one JSON text (RFC 8259): strict, UTF-8 only, no duplicate keys (which reader would win is not
    /// defined, and a policy decision must not depend on it), at most 512 levels deep.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> InputJSON {
        var p = InputJSONParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.at += 3 }
        let value = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == bytes.endIndex else { throw p.failure("text after the end of the JSON value") }
        return value
    }
}

private struct InputJSONParser {
    let bytes: ArraySlice<UInt8>
    var at: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        at = bytes.startIndex
    }

    func failure(_ what: String) -> InputJSON.Malformed {
        var line = 1
        var column = 1
        for b in bytes[bytes.startIndex..<min(at, bytes.endIndex)] {
            if b == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return InputJSON.Malformed(reason: "not valid JSON: \(what) (line \(line), column \(column) of the value)")
    }

    mutating func skipSpace() {
        while at < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    mutating func literal(_ text: String, _ value: InputJSON) throws(InputJSON.Malformed) -> InputJSON {
        let l = Array(text.utf8)
        guard bytes.endIndex - at >= l.count, bytes[at..<at + l.count].elementsEqual(l) else {
            throw failure("unexpected character")
        }
        at += l.count
        return value
    }

    mutating func value(depth: Int) throws(InputJSON.Malformed) -> InputJSON {
        guard depth < 512 else { throw failure("nested more than 512 levels deep") }
        skipSpace()
        guard at < bytes.endIndex else { throw failure("unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var members: [(String, InputJSON)] = []
            var keys = Set<String>()
            skipSpace()
            if at < bytes.endIndex, bytes[at] == UInt8(ascii: "}") {
                at += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard at < bytes.endIndex, bytes[at] == UInt8(ascii: "\"") else { throw failure("expected a key") }
                let key = try string()
                guard keys.insert(key).inserted else { throw failure("a key appears twice in one object") }
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
            at += 1
            var items: [InputJSON] = []
            skipSpace()
            if at < bytes.endIndex, bytes[at] == UInt8(ascii: "]") {
                at += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.endIndex else { throw failure("unexpected end inside a list") }
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

    mutating func number() throws(InputJSON.Malformed) -> InputJSON {
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
        guard n == 1 || bytes[intStart] != 0x30 else { throw failure("a number with a leading zero") }
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

    /// A string starting at the opening quote. Invalid UTF-8, control characters, unknown escapes and unpaired
    /// surrogates are errors.
    mutating func string() throws(InputJSON.Malformed) -> String {
        at += 1
        var out: [UInt8] = []
        var runStart = at
        while true {
            guard at < bytes.endIndex else { throw failure("unterminated string") }
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<at])
                at += 1
                break
            }
            if b < 0x20 { throw failure("a control character inside a string") }
            if b == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<at])
                at += 1
                guard at < bytes.endIndex else { throw failure("unterminated string") }
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
                            throw failure("an unpaired surrogate escape")
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw failure("an unpaired surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw failure("an unpaired surrogate escape")
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                default:
                    throw failure("an unknown escape")
                }
                runStart = at
                continue
            }
            at += 1
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw failure("a string that is not UTF-8") }
        return s
    }

    mutating func hex4() throws(InputJSON.Malformed) -> UInt32 {
        guard bytes.endIndex - at >= 4 else { throw failure("a short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = hexValue(bytes[at]) else { throw failure("a \\u escape that is not hex") }
            v = v << 4 | UInt32(d)
            at += 1
        }
        return v
    }
}

func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: b - 0x30
    case 0x41...0x46: b - 0x41 + 10
    case 0x61...0x66: b - 0x61 + 10
    default: nil
    }
}
