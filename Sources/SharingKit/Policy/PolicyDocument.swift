import EvidenceKit
import Yams
import IProceedsBase

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

    /// The document as the foundation's JSON value: integers and fractions as Swift prints them (one spelling
    /// per value), objects in any order (both outputs sort the keys).
    var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .number(String(d))
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(\.json))
        case .object(let o): .object(o.map { ($0.key, $0.value.json) })
        }
    }

    /// RFC 8785 form: object keys sorted by UTF-16 code units, no white space, minimal string escapes.
    var canonical: String { json.canonical }

    /// Indented JSON with sorted keys, for people (no newline at the end).
    func pretty() -> String { String(json.pretty(sortedKeys: true).dropLast()) }

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

    /// Reads JSON (RFC 8259) with the foundation's strict parser (Foundation's silently keeps one of two
    /// duplicate keys, which in a policy would hide a rule), naming the line and column of the first error.
    /// - Throws: ``SharingError`` (`.policy`).
    static func parseJSON(_ bytes: [UInt8], source: String) throws -> PolicyDocument {
        do {
            return try document(JSONValue.parse(bytes, maxDepth: PolicyLimits.depth), source: source)
        } catch let e as JSONParseError {
            let what: String
            switch e.kind {
            case .duplicateKey(let key): what = "key \(JSONValue.quoted(key)) appears twice"
            // The reader recurses once per level: a hostile file nested 100,000 deep would overflow the stack.
            case .tooDeep: what = "lists and mappings nested more than \(PolicyLimits.depth) deep; a policy needs 4"
            case .syntax, .invalidUTF8: what = e.reason
            }
            throw SharingError(
                .policy, "\(source) is not valid JSON: \(what) (line \(e.line), column \(e.column))", path: source)
        }
    }

    /// A parsed JSON value as a document: a number without a fraction or exponent that fits `Int` is an
    /// integer, any other number a `Double`.
    private static func document(_ value: JSONValue, source: String) throws -> PolicyDocument {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let text):
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let i = Int(text) { return .int(i) }
            guard let d = Double(text) else {
                throw SharingError(.policy, "\(source): the number \(text) cannot be read", path: source)
            }
            return .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(try items.map { try document($0, source: source) })
        case .object(let members):
            var out = [String: PolicyDocument]()
            for (key, value) in members { out[key] = try document(value, source: source) }
            return .object(out)
        }
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
