import Foundation
import IProceedsBase
import Testing

/// `JSONValue.pretty(layout:)`, the writer of the reports people read, against Python's json module: a one-line
/// layout is `json.dumps`'s default form (`, ` and `: `), an all-block layout is `indent=2`, a compact one is
/// `separators=(",", ":")`, and whatever the layout, the text parses back to the same members in the same order.
@Suite struct JSONLayoutTests {
    static let values: [JSONValue] = [
        .object([
            ("policy", "fifo"), ("seeds", .strings(["T1", "quote \" and \\", "controls \u{01}\u{1F}\u{7F}"])),
            ("accounts", .array([.object([("account", "A"), ("held", .number("-12"))]), .object([])])),
            ("empty", .array([])), ("nested", .object([("deep", .array([.array([.int(1)]), .null, .bool(false)]))])),
            ("é <script>", .string("\u{2028}😀")),
        ]),
        .array([.int(-12), .object([("a", .array([]))]), "x"]),
        .object([]),
        .string("alone"),
    ]

    /// Every container laid out `form`, by listing every path of `v`.
    static func everyPath(_ v: JSONValue, _ form: JSONValue.Layout) -> [String: JSONValue.Layout] {
        var out: [String: JSONValue.Layout] = ["": form]
        func walk(_ v: JSONValue, _ path: String) {
            let children: [(String, JSONValue)]
            switch v {
            case .array(let items): children = items.map { ("*", $0) }
            case .object(let members): children = members
            default: return
            }
            for (key, child) in children {
                let p = path.isEmpty ? key : path + "/" + key
                out[p] = form
                walk(child, p)
            }
        }
        walk(v, "")
        return out
    }

    @Test func uniformLayoutsAreThePythonForms() throws {
        var lines: [String] = []
        for v in Self.values {
            lines.append(
                JSONValue.strings([
                    v.compact, v.pretty(layout: ["": .line]), v.pretty(layout: Self.everyPath(v, .block)),
                    v.pretty(layout: ["": .compact]),
                ]).compact)
        }
        let report = try PythonReference.run(
            #"""
            import json, sys
            for n, line in enumerate(sys.stdin):
                compact, line_form, block_form, compact_form = json.loads(line)
                v = json.loads(compact)
                if line_form != json.dumps(v, ensure_ascii=False) + "\n": print(n, "line", repr(line_form))
                if block_form != json.dumps(v, indent=2, ensure_ascii=False) + "\n": print(n, "block", repr(block_form))
                if compact_form != json.dumps(v, separators=(",", ":"), ensure_ascii=False) + "\n":
                    print(n, "compact", repr(compact_form))
            print("checked", n + 1)
            """#, input: lines.joined(separator: "\n") + "\n")
        #expect(report == "checked \(Self.values.count)\n", "\(report)")
    }

    @Test func mixedLayoutsParseBackToTheSameMembersInOrder() throws {
        let layouts: [[String: JSONValue.Layout]] = [
            [:], ["accounts": .block], ["accounts": .block, "accounts/*": .block], ["nested/deep": .block],
            ["": .line, "accounts": .block], ["seeds": .compact, "nested": .block, "nested/deep/*": .block],
            ["": .line, "nested": .block, "nested/deep": .block, "nested/deep/*": .block],
            ["*": .block, "*/a": .block],
        ]
        var lines: [String] = []
        for v in Self.values {
            for l in layouts { lines.append(JSONValue.strings([v.compact, v.pretty(layout: l)]).compact) }
        }
        let report = try PythonReference.run(
            #"""
            import json, sys
            def pairs(text): return json.loads(text, object_pairs_hook=lambda p: ("object", p))
            for n, line in enumerate(sys.stdin):
                compact, laid_out = json.loads(line)
                if pairs(compact) != pairs(laid_out): print(n, repr(laid_out))
                if not laid_out.endswith("}\n") and not laid_out.endswith("]\n") and not laid_out.endswith('"\n'):
                    print(n, "no final newline", repr(laid_out))
            print("checked", n + 1)
            """#, input: lines.joined(separator: "\n") + "\n")
        #expect(report == "checked \(Self.values.count * layouts.count)\n", "\(report)")
    }

    /// A block inside a one-line container breaks lines indented from the line the container is on, and a
    /// scalar or an empty container is written the same whatever its path says (text written from the rule).
    @Test func aBlockInsideALineIsIndentedFromThatLine() {
        let v: JSONValue = .object([
            ("institutions", .array([.object([("name", "B"), ("accounts", .array([.int(1), .int(2)]))])])),
            ("empty", .array([])), ("tool", .object([("name", "iproceeds")])),
        ])
        let text = v.pretty(layout: ["institutions": .block, "institutions/*/accounts": .block, "empty": .block])
        #expect(
            text == """
                {
                  "institutions": [
                    {"name": "B", "accounts": [
                      1,
                      2
                    ]}
                  ],
                  "empty": [],
                  "tool": {"name": "iproceeds"}
                }

                """)
    }
}
