import Foundation
import IProceedsBase
import Testing

/// The strict parser against Python's `json` module, made strict the same way (duplicate keys, `NaN`/`Infinity`,
/// lone surrogates and invalid UTF-8 refused), on hand-written RFC 8259 cases in the style of JSONTestSuite
/// (y_ must parse, n_ must not) and on a few thousand seeded random texts built from JSON's tokens.
@Suite struct JSONParserTests {
    /// Python's verdict and value for each text, compared with ours. Python reads numbers as their text and
    /// objects as pair lists, so order and spelling are compared too.
    static let script = #"""
        import json, sys
        class Refused(Exception): pass
        def pairs(ps):
            keys = [k for k, _ in ps]
            if len(set(keys)) != len(keys): raise Refused("duplicate")
            return {"#o": [[k, v] for k, v in ps]}
        def const(c): raise Refused(c)
        class Num(str): pass
        def tag(v):
            if isinstance(v, Num): return str(v)
            if isinstance(v, str):
                v.encode("utf-8")  # a lone surrogate escape raises here
                return "#s:" + v
            if isinstance(v, list): return [tag(x) for x in v]
            if isinstance(v, dict) and "#o" in v: return {"#o": [["#s:" + k.encode("utf-8").decode(), tag(x)] for k, x in v["#o"]]}
            return v
        REFUSED = "refused"  # never a tagged value: those are lists, dicts, numbers, booleans, None or "#…" strings
        valid = invalid = 0
        bad = []
        for n, line in enumerate(sys.stdin):
            case = json.loads(line)
            raw = bytes.fromhex(case["input"])
            try:
                text = raw.decode("utf-8")
                if text.startswith("\ufeff"): text = text[1:]
                ours = tag(json.loads(text, object_pairs_hook=pairs, parse_constant=const,
                                      parse_int=lambda s: Num("#n:" + s), parse_float=lambda s: Num("#n:" + s)))
            except (ValueError, Refused, UnicodeError, RecursionError):
                ours = REFUSED
            theirs = REFUSED if case["swift"] is None else json.loads(case["swift"])
            if ours is REFUSED: invalid += 1
            else: valid += 1
            if ours != theirs: bad.append(f"case {n}: {raw!r}: python {ours!r}, swift {theirs!r}")
        print(f"valid={valid} invalid={invalid}")
        for b in bad[:20]: print(b)
        """#

    /// Our value in the shape the script builds: numbers `#n:TEXT`, strings `#s:TEXT`, objects `{"#o": pairs}`.
    static func tagged(_ v: JSONValue) -> JSONValue {
        switch v {
        case .null, .bool: return v
        case .number(let n): return .string("#n:" + n)
        case .string(let s): return .string("#s:" + s)
        case .array(let a): return .array(a.map(tagged))
        case .object(let o): return .object([("#o", .array(o.map { .array([.string("#s:" + $0.0), tagged($0.1)]) }))])
        }
    }

    static func compare(_ inputs: [[UInt8]]) throws -> String {
        var lines = ""
        for input in inputs {
            let swift: JSONValue
            if let value = try? JSONValue.parse(input) { swift = .string(tagged(value).compact) } else { swift = .null }
            lines += JSONValue.object([("input", .string(Hex.encode(input))), ("swift", swift)]).compact + "\n"
        }
        return try PythonReference.run(script, input: lines)
    }

    static let mustParse: [String] = [
        "{}", "[]", "0", "-0", "1", "-1", "12.5", "-0.0e-0", "1E10", "1e+2", "1.0E-2", "123456789012345678901234567890",
        "1e400", "true", "false", "null", "\"\"", "\" \"", #""\u0000""#, #""\"\\\/\b\f\n\r\t""#, #""\u00e9\u20AC""#,
        #""\ud83d\ude00""#, "\"é€😀\"", " [1 , 2 ] ", "\t\r\n{\"a\" :\n1}\n",
        #"{"a":[{"b":null}],"c":{"d":[true,false]}}"#,
        #"{"b":1,"a":2}"#, #"{"":0}"#, #"{"a":1,"A":2}"#, "[[[[[[[[[[]]]]]]]]]]", #"["\u002c"]"#, "\u{FEFF}[1]",
        #"{"a\u0000":1}"#, "[1e1,1E-1,0.5,-5]",
    ]

    static let mustNotParse: [String] = [
        "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\":1,}", "{,}", "{\"a\"}", "{\"a\":}", "{a:1}", "{'a':1}",
        "['a']", "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
        "tru", "True", "nul", "[1 2]", "{\"a\":1 \"b\":2}", "1 2", "[1]x", "\"abc", "\"\\x\"", "\"\\u12\"",
        "\"\\u12G4\"", #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "\"a\u{01}b\"", "\"tab\there\"",
        "\"new\nline\"", #"{"a":1,"a":2}"#, #"{"a":{"b":1,"b":1}}"#, "[1]\u{00A0}", "\u{00A0}[1]", "[1,\u{0B}2]",
        "/* c */ 1", "[1] // c", "\"\\'\"", "[\"\\U0041\"]", "{\"a\":1}}", "[[]", "\u{FEFF}\u{FEFF}1",
    ]

    @Test func handWrittenCasesAgreeWithPython() throws {
        var inputs = (Self.mustParse + Self.mustNotParse).map { Array($0.utf8) }
        // Bytes that are not UTF-8: inside a string, outside one, and a truncated sequence.
        inputs += [
            [0x22, 0xC3, 0x28, 0x22], [0x5B, 0xFF, 0x5D], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        ]
        let report = try Self.compare(inputs)
        #expect(report == "valid=\(Self.mustParse.count) invalid=\(Self.mustNotParse.count + 4)\n", "\(report)")
        for text in Self.mustParse { #expect((try? JSONValue.parse(Array(text.utf8))) != nil, "\(text)") }
        for text in Self.mustNotParse { #expect((try? JSONValue.parse(Array(text.utf8))) == nil, "\(text)") }
    }

    /// Texts made of JSON's tokens in random order (a fixed seed): most are invalid in some small way, which is
    /// where two parsers disagree if they are going to.
    @Test func randomTokenSoupAgreesWithPython() throws {
        let tokens = [
            "{", "}", "[", "]", ",", ":", " ", "\n", "\"a\"", "\"b\"", "\"\\u00e9\"", "\"\\ud83d\"", "\"\\ude00\"", "1",
            "-", "0", ".", "5", "e", "+", "true", "null", "\"", "\\", "x", "\u{01}", "é",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(Int.max))
        }
        var inputs: [[UInt8]] = []
        for _ in 0..<3000 {
            let n = 1 + next() % 12
            inputs.append(Array((0..<n).map { _ in tokens[next() % tokens.count] }.joined().utf8))
        }
        // Valid documents too, so that agreement is not only on refusals.
        for _ in 0..<500 {
            let n = 1 + next() % 4
            let items = (0..<n).map { i in ["1", "\"a\"", "[0,-2.5e3]", "{\"k\(i)\":null}", "true"][next() % 5] }
            inputs.append(Array(("[" + items.joined(separator: ",") + "]").utf8))
        }
        let report = try Self.compare(inputs)
        let first = report.split(separator: "\n").first.map(String.init) ?? ""
        #expect(report.split(separator: "\n").count == 1, "\(report)")
        #expect(first.hasPrefix("valid=") && !first.hasPrefix("valid=0 "), "\(report)")
    }

    @Test func errorsNamePositionAndKind() throws {
        let dup = try #require(throws: JSONParseError.self) {
            try JSONValue.parse(Array("{\"a\": 1,\n  \"a\": 2}".utf8))
        }
        #expect(dup.kind == .duplicateKey("a") && dup.line == 2 && dup.column == 3, "\(dup)")
        #expect(!dup.reason.contains("\"a\""))
        let trailing = try #require(throws: JSONParseError.self) { try JSONValue.parse(Array("[1,\n ]".utf8)) }
        #expect(trailing.line == 2 && trailing.column == 2, "\(trailing)")
        // Columns count characters, not bytes.
        let afterAccent = try #require(throws: JSONParseError.self) { try JSONValue.parse(Array("[\"é\" x]".utf8)) }
        #expect(afterAccent.column == 6, "\(afterAccent)")
        let notUTF8 = try #require(throws: JSONParseError.self) {
            try JSONValue.parse([0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D])
        }
        #expect(notUTF8.kind == .invalidUTF8 && notUTF8.column == 2, "\(notUTF8)")
    }

    @Test func depthIsLimitedWithoutExhaustingTheStack() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect((try? JSONValue.parse(Array(ok.utf8), maxDepth: 64)) != nil)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let e = try #require(throws: JSONParseError.self) { try JSONValue.parse(Array(deep.utf8), maxDepth: 64) }
        #expect(e.kind == .tooDeep(64) && e.column == 65, "\(e)")
        let hostile = Array(repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(hostile) }
    }

    @Test func orderAndNumberSpellingAreKept() throws {
        let v = try JSONValue.parse(Array(#"{"z": 1.50, "a": [1e3, -0], "m": "x"}"#.utf8))
        #expect(v.compact == #"{"z":1.50,"a":[1e3,-0],"m":"x"}"#)
        #expect(v.canonical == #"{"a":[1e3,-0],"m":"x","z":1.50}"#)
    }
}
