import IProceedsBase

extension JSONValue {
    /// The generator's layout (answer keys, evidence lists): keys in the order given, two-space indentation,
    /// short lists of strings and flat objects on one line, so an answer key is the same bytes wherever it is
    /// generated and still reads well (Foundation's encoder is not promised to be stable across versions).
    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let end = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): return Self.quoted(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .string = $0 { return true } else { return false } }), items.count <= 12 {
                let inline = "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
                if inline.count <= 100 { return inline }
            }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n" + end
                + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            let flat = pairs.allSatisfy {
                if case .object = $0.1 { return false } else if case .array(let a) = $0.1 { return a.count <= 4 }
                return true
            }
            if flat {
                let inline =
                    "{" + pairs.map { Self.quoted($0.0) + ": " + $0.1.rendered() }.joined(separator: ", ") + "}"
                if inline.count <= 160 && !inline.contains("\n") { return inline }
            }
            return "{\n"
                + pairs.map { pad + Self.quoted($0.0) + ": " + $0.1.rendered(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + end + "}"
        }
    }
}
