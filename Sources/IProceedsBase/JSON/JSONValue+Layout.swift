extension JSONValue {
    /// How ``pretty(layout:)`` writes one array or object.
    package enum Layout: Sendable {
        /// One element or member a line, indented one step under the line the container opens on.
        case block
        /// On one line, items separated by `, ` and keys by `: `: `{"account": "A", "held": "1.00"}`. A `block` inside
        /// it still breaks lines, indented from the line the one-line container is on.
        case line
        /// As ``JSONValue/compact``, with everything inside it: no white space at all.
        case compact
    }

    /// Two-space indentation where a report wants it and one-line records elsewhere, with a newline at the end:
    /// the layout of the reports people read (a list of accounts one account a line, each account on its line).
    ///
    /// - Parameter layout: the layout of the arrays and objects at these paths; every other container is written
    ///   as ``Layout/line``, except the root, which is a ``Layout/block`` unless named. A path is the keys from
    ///   the root joined by `/`, with `*` for any element of an array: `traces/*/accounts`. Keys are written in
    ///   insertion order.
    package func pretty(layout: [String: Layout]) -> String {
        var out = ""
        writeLaidOut(into: &out, path: "", layout: layout, as: layout[""] ?? .block, level: 0)
        return out + "\n"
    }

    private func writeLaidOut(
        into out: inout String, path: String, layout: [String: Layout], as form: Layout, level: Int
    ) {
        let items: [(key: String?, value: JSONValue)]
        let open: String
        let close: String
        switch self {
        case .array(let elements) where !elements.isEmpty:
            items = elements.map { (nil, $0) }
            (open, close) = ("[", "]")
        case .object(let members) where !members.isEmpty:
            items = members.map { ($0.0, $0.1) }
            (open, close) = ("{", "}")
        default:
            appendLeaf(to: &out)
            return
        }
        if form == .compact {
            out += compact
            return
        }
        out += open
        for (n, item) in items.enumerated() {
            let childLevel = form == .block ? level + 1 : level
            if form == .block {
                out += n == 0 ? "\n" : ",\n"
                out += String(repeating: "  ", count: childLevel)
            } else if n > 0 {
                out += ", "
            }
            if let key = item.key {
                JSONValue.appendQuoted(key, to: &out)
                out += ": "
            }
            if item.value.isLeaf {
                // Scalars need no path: a million-row report is not a million path strings.
                item.value.appendLeaf(to: &out)
            } else {
                let childPath = (path.isEmpty ? "" : path + "/") + (item.key ?? "*")
                item.value.writeLaidOut(
                    into: &out, path: childPath, layout: layout, as: layout[childPath] ?? .line, level: childLevel)
            }
        }
        if form == .block { out += "\n" + String(repeating: "  ", count: level) }
        out += close
    }

    /// Whether this is a scalar, an empty array or an empty object: written the same way in every layout.
    private var isLeaf: Bool {
        switch self {
        case .array(let elements): elements.isEmpty
        case .object(let members): members.isEmpty
        default: true
        }
    }

    /// A scalar, an empty array or an empty object, as in every other layout.
    private func appendLeaf(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSONValue.appendQuoted(s, to: &out)
        case .array: out += "[]"
        case .object: out += "{}"
        }
    }
}
