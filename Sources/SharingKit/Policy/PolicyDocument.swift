import EvidenceKit
import Yams

/// A policy file as a tree of JSON values, before validation: what the JSON and the YAML readers both produce,
/// and what the canonical and pretty writers print.
indirect enum PolicyDocument: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([PolicyDocument])
    case object([String: PolicyDocument])

    /// The name of the value's JSON type, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number with a fraction"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        }
    }

    // MARK: Writing

    /// RFC 8785 form: object keys sorted by UTF-16 code units, no white space, minimal string escapes.
    var canonical: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): JSONLinesWriter.jsonString(s)
        case .array(let a): "[" + a.map(\.canonical).joined(separator: ",") + "]"
        case .object(let o):
            "{"
                + Self.sortedKeys(o).map { JSONLinesWriter.jsonString($0) + ":" + o[$0]!.canonical }
                .joined(separator: ",") + "}"
        }
    }

    /// Indented JSON with sorted keys, for people.
    func pretty(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let a) where !a.isEmpty:
            return "[\n" + a.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let o) where !o.isEmpty:
            let members: [String] = Self.sortedKeys(o).map { key in
                let value: String = o[key]!.pretty(indent: inner)
                return inner + JSONLinesWriter.jsonString(key) + ": " + value
            }
            return "{\n" + members.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return canonical
        }
    }

    private static func sortedKeys(_ o: [String: PolicyDocument]) -> [String] {
        o.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }

    // MARK: Reading

    /// Reads YAML (1.1 as libyaml reads it; duplicate keys refused, aliases expanded). Mapping keys are taken as
    /// text; a value's type is what YAML resolves it to, so `prefix: "24"` is a string, not a number.
    /// - Throws: ``SharingError`` (`.policy`) naming the source and, where libyaml gives one, the line.
    static func parseYAML(_ text: String, source: String) throws -> PolicyDocument {
        if let why = PolicyLimits.yamlProblem(text) {
            throw SharingError(.policy, "\(source) is refused: \(why)", path: source)
        }
        let node: Node?
        do {
            // Timestamps, merge keys (`<<`) and `=` are not part of a policy's vocabulary: read them as text.
            let resolver = Resolver.default.removing(.timestamp).removing(.merge).removing(.value)
            node = try Yams.compose(yaml: text, resolver)
        } catch {
            throw SharingError(.policy, "\(source) is not valid YAML: \(error)", path: source)
        }
        guard let node else { throw SharingError(.policy, "\(source) is empty", path: source) }
        var budget = PolicyLimits.nodes
        return try convert(node, source: source, budget: &budget)
    }

    /// The tree as plain values. Aliases are expanded by the composer, so the few the pre-scan lets through are
    /// still counted here node by node against `budget`.
    private static func convert(_ node: Node, source: String, budget: inout Int) throws -> PolicyDocument {
        func location() -> String { node.mark.map { " (line \($0.line))" } ?? "" }
        budget -= 1
        guard budget >= 0 else {
            throw SharingError(
                .policy,
                "\(source) is refused: it expands to more than \(PolicyLimits.nodes) values (YAML aliases that "
                    + "repeat a large part of the file?)", path: source)
        }
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(node.bool!)
            case Tag.Name.int.rawValue:
                guard let i = node.int else {
                    throw SharingError(.policy, "\(source): \(scalar.string) is too large\(location())", path: source)
                }
                return .int(i)
            case Tag.Name.float.rawValue: return .double(node.float ?? .nan)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.map { try convert($0, source: source, budget: &budget) })
        case .mapping(let mapping):
            var out = [String: PolicyDocument]()
            for (key, value) in mapping {
                guard let name = key.scalar?.string else {
                    throw SharingError(
                        .policy, "\(source): a mapping key is not a plain name\(location())", path: source)
                }
                out[name] = try convert(value, source: source, budget: &budget)
            }
            return .object(out)
        case .alias:
            throw SharingError(
                .policy, "\(source): YAML aliases are not allowed in a policy\(location())", path: source)
        }
    }

    /// Reads JSON (RFC 8259), refusing duplicate keys, with the line of the first error.
    /// - Throws: ``SharingError`` (`.policy`).
    static func parseJSON(_ bytes: [UInt8], source: String) throws -> PolicyDocument {
        var parser = JSONParser(bytes: bytes, source: source)
        let value = try parser.value()
        parser.skipSpace()
        guard parser.at == bytes.count else { throw parser.failure("text after the end of the document") }
        return value
    }
}

/// A small strict JSON reader: Foundation's silently keeps one of two duplicate keys, which in a policy would
/// hide a rule.
private struct JSONParser {
    let bytes: [UInt8]
    let source: String
    var at = 0
    /// Lists and mappings open around the value being read.
    var depth = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }  // a UTF-8 byte order mark
    }

    func failure(_ what: String) -> SharingError {
        let line = bytes[0..<min(at, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        return SharingError(.policy, "\(source) is not valid JSON: \(what) (line \(line))", path: source)
    }

    mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    mutating func expect(_ literal: String, _ value: PolicyDocument) throws -> PolicyDocument {
        let l = Array(literal.utf8)
        guard bytes.count - at >= l.count, Array(bytes[at..<at + l.count]) == l else {
            throw failure("unexpected character")
        }
        at += l.count
        return value
    }

    mutating func value() throws -> PolicyDocument {
        skipSpace()
        guard at < bytes.count else { throw failure("unexpected end") }
        let opens = bytes[at] == UInt8(ascii: "{") || bytes[at] == UInt8(ascii: "[")
        if opens {
            // The reader recurses once per level: a hostile file nested 100,000 deep would overflow the stack.
            guard depth < PolicyLimits.depth else {
                throw failure("lists and mappings nested more than \(PolicyLimits.depth) deep; a policy needs 4")
            }
            depth += 1
        }
        defer { if opens { depth -= 1 } }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var out = [String: PolicyDocument]()
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                at += 1
                return .object(out)
            }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else {
                    throw failure("expected a key in quotes")
                }
                let key = try string()
                guard out[key] == nil else { throw failure("key \"\(key)\" appears twice") }
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else {
                    throw failure("expected ':' after \"\(key)\"")
                }
                at += 1
                out[key] = try value()
                skipSpace()
                guard at < bytes.count else { throw failure("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                } else if bytes[at] == UInt8(ascii: "}") {
                    at += 1
                    return .object(out)
                } else {
                    throw failure("expected ',' or '}'")
                }
            }
        case UInt8(ascii: "["):
            at += 1
            var out = [PolicyDocument]()
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                at += 1
                return .array(out)
            }
            while true {
                out.append(try value())
                skipSpace()
                guard at < bytes.count else { throw failure("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                } else if bytes[at] == UInt8(ascii: "]") {
                    at += 1
                    return .array(out)
                } else {
                    throw failure("expected ',' or ']'")
                }
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default:
            return try number()
        }
    }

    mutating func number() throws -> PolicyDocument {
        let start = at
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        var fraction = false
        while at < bytes.count {
            let c = bytes[at]
            if (0x30...0x39).contains(c) {
                at += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || c == UInt8(ascii: "+")
                || (c == UInt8(ascii: "-") && at > start)
            {
                fraction = true
                at += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if !fraction, let i = Int(text) { return .int(i) }
        guard let d = Double(text), !text.isEmpty, text != "-" else { throw failure("unexpected character") }
        return .double(d)
    }

    mutating func string() throws -> String {
        at += 1  // the opening quote
        var out = [UInt8]()
        while true {
            guard at < bytes.count else { throw failure("a string is not closed") }
            let c = bytes[at]
            at += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { throw failure("a string is not closed") }
                let e = bytes[at]
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
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes.count - at >= 6, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u")
                        else { throw failure("an unpaired surrogate escape") }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("an unpaired surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw failure("an unpaired surrogate escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw failure("an unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            default:
                guard c >= 0x20 else { throw failure("a control character inside a string") }
                out.append(c)
            }
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard bytes.count - at >= 4, let v = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16)
        else { throw failure("a bad \\u escape") }
        at += 4
        return v
    }
}

/// What a policy file may demand of the reader before it is refused. A policy is a few hundred lines, four
/// levels deep, with no reason for YAML anchors; a file that is not must not exhaust the stack or memory
/// (a 558-byte YAML "billion laughs" expands to gigabytes, a JSON file 100,000 levels deep overflows any
/// recursive reader).
enum PolicyLimits {
    /// Lists and mappings nested in one another.
    static let depth = 64
    /// YAML aliases (`*name`): each may repeat a whole subtree, so a few nested ones multiply.
    static let aliases = 16
    /// Values in the document once aliases are expanded.
    static let nodes = 100_000

    /// Why YAML text is refused before it reaches the YAML library, or `nil`.
    ///
    /// libyaml has no depth or alias limit and Yams composes recursively, so the text is pre-scanned: aliases
    /// are counted (a `*` that starts a token outside quotes and comments), and nesting is estimated from the
    /// open flow brackets plus the block levels (indentation levels and `- `/`? ` markers on a line). The
    /// estimate never counts less than the real depth; it may count more only for odd layouts no policy has.
    static func yamlProblem(_ text: String) -> String? {
        var aliasCount = 0
        var maxDepth = 0
        var flow = 0
        var indents: [Int] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let u = Array(line.utf8)
            var i = 0
            while i < u.count, u[i] == 0x20 { i += 1 }
            if flow == 0 {
                if i == u.count || u[i] == 0x23 { continue }  // blank or a comment
                while let last = indents.last, last >= i { indents.removeLast() }
                indents.append(i)
            }
            var depth = indents.count
            // Block sequence and complex-key markers at the start open one more level each.
            var j = i
            while j + 1 < u.count, u[j] == 0x2D || u[j] == 0x3F, u[j + 1] == 0x20 {
                depth += 1
                j += 2
                while j < u.count, u[j] == 0x20 { j += 1 }
            }
            maxDepth = max(maxDepth, depth + flow)
            var quote: UInt8 = 0
            var k = i
            while k < u.count {
                let c = u[k]
                if quote != 0 {
                    if c == 0x5C, quote == 0x22 {
                        k += 1
                    } else if c == quote {
                        quote = 0
                    }
                } else if c == 0x22 || c == 0x27 {
                    if k == 0 || [0x20, 0x09, 0x5B, 0x7B, 0x2C, 0x3A].contains(u[k - 1]) { quote = c }
                } else if c == 0x23, k == 0 || u[k - 1] == 0x20 {
                    break  // a comment
                } else if c == 0x5B || c == 0x7B {
                    flow += 1
                    maxDepth = max(maxDepth, depth + flow)
                } else if c == 0x5D || c == 0x7D {
                    flow = max(0, flow - 1)
                } else if c == 0x2A, k == 0 || [0x20, 0x09, 0x5B, 0x7B, 0x2C].contains(u[k - 1]),
                    k + 1 < u.count, ![0x20, 0x09].contains(u[k + 1])
                {
                    aliasCount += 1
                }
                k += 1
            }
            if aliasCount > aliases {
                return "more than \(aliases) YAML aliases (*name); a policy needs none: write the rules out"
            }
            if maxDepth > Self.depth {
                return "lists and mappings nested more than \(Self.depth) deep; a policy needs 4"
            }
        }
        return nil
    }
}
