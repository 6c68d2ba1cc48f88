import EvidenceKit
/// A JSON value as the package files hold it, serialised byte for byte the same every time.
///
/// Objects keep the order they were built in; ``canonical`` sorts keys (RFC 8785, JCS) and ``pretty`` sorts them
/// too, so only ``ordered(_:)`` output depends on insertion order (used for redacted records, whose field order
/// is the source's). Numbers are integers only: nothing in a package needs a fraction, and integers have one
/// spelling.
public enum PackageJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([PackageJSON])
    case object([(String, PackageJSON)])

    public static func == (a: PackageJSON, b: PackageJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// RFC 8785 form: keys sorted by UTF-16 code units, no white space, minimal string escapes.
    public var canonical: String {
        var out = ""
        write(into: &out, sorted: true, indent: nil, level: 0)
        return out
    }

    /// Keys sorted as in ``canonical``, two-space indentation, a newline at the end: for files people read.
    public var pretty: String {
        var out = ""
        write(into: &out, sorted: true, indent: "  ", level: 0)
        return out + "\n"
    }

    /// Compact, keys in insertion order.
    public var ordered: String {
        var out = ""
        write(into: &out, sorted: false, indent: nil, level: 0)
        return out
    }

    private func write(into out: inout String, sorted: Bool, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): out += Self.quote(s)
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
                out += Self.quote(member.0)
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

    /// A JSON string literal with the RFC 8785 escapes: EvidenceKit's, the one custody entries use.
    public static func quote(_ s: String) -> String { JSONLinesWriter.jsonString(s) }
}

extension PackageJSON: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension PackageJSON {
    /// An object from key–value pairs, dropping the pairs whose value is `nil` (absent, not `null`).
    static func members(_ pairs: [(String, PackageJSON?)]) -> PackageJSON {
        .object(pairs.compactMap { pair in pair.1.map { (pair.0, $0) } })
    }

    static func strings(_ values: [String]) -> PackageJSON { .array(values.map { .string($0) }) }
}
