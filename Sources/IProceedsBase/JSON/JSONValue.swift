/// A JSON value built in code, serialised the same way every time: the one JSON tree of the toolkit.
///
/// Objects keep the order they were built in. Numbers are kept as the text they are written as (``number(_:)``),
/// so an amount such as `19100.00` or a 64-bit integer never passes through binary floating point; build them
/// with ``int(_:)`` or from an exact decimal's text. Three outputs:
/// - ``compact``: no white space, keys in insertion order (JSON Lines, one record a line);
/// - ``pretty(sortedKeys:)``: two-space indentation and a final newline (reports people read);
/// - ``canonical``: RFC 8785 (JCS): keys sorted by UTF-16 code units, no white space, minimal string escapes.
///   Numbers are written as given: JCS's ECMAScript number form equals that text for integers of up to 15 digits,
///   and the toolkit writes every other number as a string wherever a canonical form is signed or hashed.
package indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, as its JSON text (`-12`, `19100.00`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// An integer.
    package static func int<I: BinaryInteger>(_ value: I) -> JSONValue { .number(String(value)) }

    package static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Compact, keys in insertion order, no trailing newline.
    package var compact: String {
        var out = ""
        write(into: &out, sorted: false, indent: nil, level: 0)
        return out
    }

    /// Two-space indentation and a newline at the end; keys in insertion order unless `sortedKeys`.
    package func pretty(sortedKeys: Bool = false) -> String {
        var out = ""
        write(into: &out, sorted: sortedKeys, indent: "  ", level: 0)
        return out + "\n"
    }

    /// RFC 8785 form: keys sorted by UTF-16 code units, no white space, minimal string escapes.
    package var canonical: String {
        var out = ""
        write(into: &out, sorted: true, indent: nil, level: 0)
        return out
    }

    /// The member named `key` of an object (the first, if a hand-built object repeats it).
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    private func write(into out: inout String, sorted: Bool, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSONValue.appendQuoted(s, to: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                Self.newline(&out, indent, level + 1)
                item.write(into: &out, sorted: sorted, indent: indent, level: level + 1)
            }
            Self.newline(&out, indent, level)
            out += "]"
        case .object(let members):
            if members.isEmpty {
                out += "{}"
                return
            }
            let list = sorted ? members.sorted { $0.0.utf16.lexicographicallyPrecedes($1.0.utf16) } : members
            out += "{"
            for (n, member) in list.enumerated() {
                if n > 0 { out += "," }
                Self.newline(&out, indent, level + 1)
                JSONValue.appendQuoted(member.0, to: &out)
                out += indent == nil ? ":" : ": "
                member.1.write(into: &out, sorted: sorted, indent: indent, level: level + 1)
            }
            Self.newline(&out, indent, level)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    /// A JSON string literal (with quotes) by the RFC 8785 rules: `"`, `\` and control characters escaped
    /// (`\b \f \n \r \t` by name, the others as `\u00XX`), everything else as UTF-8.
    package static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue {
    /// An object from key–value pairs, leaving out the pairs whose value is `nil` (absent, not `null`).
    package static func members(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(pairs.compactMap { pair in pair.1.map { (pair.0, $0) } })
    }

    /// An array of strings.
    package static func strings<S: Sequence>(_ values: S) -> JSONValue where S.Element == String {
        .array(values.map { .string($0) })
    }
}
