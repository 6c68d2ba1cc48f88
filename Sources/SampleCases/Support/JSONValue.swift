import EvidenceKit
/// JSON written by the generator: keys in the order given, two-space indentation, so an answer key is the same
/// bytes wherever it is generated (Foundation's encoder is not promised to be stable across versions).
indirect enum JSONValue: Sendable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func int(_ v: Int) -> JSONValue { .integer(Int64(v)) }
    static func int(_ v: Int64) -> JSONValue { .integer(v) }
    static func strings(_ v: [String]) -> JSONValue { .array(v.map { .string($0) }) }

    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let end = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): return Self.quote(s)
        case .integer(let v): return String(v)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .string = $0 { return true } else { return false } }), items.count <= 12 {
                let inline = "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
                if inline.count <= 100 { return inline }
            }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n" + end + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            if pairs.allSatisfy({ if case .object = $0.1 { return false } else if case .array(let a) = $0.1 { return a.count <= 4 } else { return true } }) {
                let inline = "{" + pairs.map { Self.quote($0.0) + ": " + $0.1.rendered() }.joined(separator: ", ") + "}"
                if inline.count <= 160 && !inline.contains("\n") { return inline }
            }
            return "{\n" + pairs.map { pad + Self.quote($0.0) + ": " + $0.1.rendered(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + end + "}"
        }
    }

    /// EvidenceKit's JSON string escaping (RFC 8785), shared with manifests and custody entries.
    static func quote(_ s: String) -> String { JSONLinesWriter.jsonString(s) }
}
