import Foundation
import IProceedsBase
import Testing

/// The foundation's writers against Python's standard library: canonical JSON (`json.dumps` with sorted keys
/// and no white space is RFC 8785 for strings, integers and keys in the Basic Multilingual Plane below U+D800),
/// ISO 8601 instants (`datetime`), CSV (`csv.writer`), hex (`bytes.hex`).
@Suite struct OutputsTests {
    static let awkward = [
        "", "plain", "quote \" backslash \\ slash /", "controls \u{00}\u{01}\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{1F}\u{7F}",
        "é€ 😀 \u{2028}\u{2029}", "<script>&amp;</script>", "comma, and \"quotes\"\r\nnew line", "Ω", "a\u{0300}",
    ]

    @Test func canonicalJSONMatchesPython() throws {
        var values: [JSONValue] = Self.awkward.map { .string($0) }
        values.append(.object(Self.awkward.enumerated().map { ("k" + $0.element, .int($0.offset)) }))
        values.append(.object([("b", .array([.null, .bool(true), .bool(false), .int(-12)])), ("a", .object([]))]))
        values.append(.object([("é", .int(1)), ("e", .int(2)), ("E", .int(3)), ("\u{7F}", .int(4)), ("", .array([]))]))
        let input = values.map { JSONValue.strings([$0.compact, $0.canonical]).compact }.joined(separator: "\n") + "\n"
        let report = try PythonReference.run(
            #"""
            import json, sys
            for n, line in enumerate(sys.stdin):
                compact, ours = json.loads(line)
                theirs = json.dumps(json.loads(compact), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                if theirs != ours: print(n, repr(ours), repr(theirs))
            print("checked", n + 1)
            """#, input: input)
        #expect(report == "checked \(values.count)\n", "\(report)")
    }

    @Test func prettyIsPythonsIndentTwo() throws {
        let v: JSONValue = .object([
            ("z", .array([.int(1), .object([("y", .string("é\n"))]), .array([])])), ("a", .object([])), ("m", .null),
        ])
        let report = try PythonReference.run(
            #"""
            import json, sys
            v = json.loads(sys.stdin.readline())
            sys.stdout.write(json.dumps(v, indent=2, ensure_ascii=False) + "\n")
            sys.stdout.write(json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
            """#, input: v.compact + "\n")
        #expect(report == v.pretty() + v.pretty(sortedKeys: true))
    }

    @Test func iso8601FormattingMatchesPythonDatetime() throws {
        var state: UInt64 = 42
        var instants: [Int64] = [
            0, -1, 1, 999, -999, 86_399_999, 951_782_400_000, 4_107_542_400_000, -62_135_596_800_000,
        ]
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            instants.append(Int64(bitPattern: state >> 1) % 315_537_897_599_000 - 62_135_596_800_000)
        }
        let ours = instants.map {
            [
                ISO8601.format(milliseconds: $0, fraction: .milliseconds), ISO8601.format($0),
                ISO8601.format(milliseconds: $0, fraction: .none),
                ISO8601.date(seconds: $0 >= 0 ? $0 / 1000 : ($0 - 999) / 1000),
            ].joined(separator: " ")
        }
        let theirs = try PythonReference.run(
            #"""
            import sys
            from datetime import datetime, timedelta, timezone
            epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
            for line in sys.stdin:
                t = epoch + timedelta(milliseconds=int(line))
                ms = t.strftime("%f")[:3]
                base = t.replace(tzinfo=None).isoformat(timespec="seconds")
                print(base + "." + ms + "Z", base + ("" if ms == "000" else "." + ms) + "Z", base + "Z", base[:10])
            """#, input: instants.map(String.init).joined(separator: "\n") + "\n")
        #expect(theirs.split(separator: "\n").map(String.init) == ours)
    }

    @Test func iso8601ParsesWhatItFormats() {
        for ms: Int64 in [0, 1, 1_767_225_600_250, -86_400_000, 951_782_400_000] {
            #expect(ISO8601.parse(ISO8601.format(ms)) == ms)
        }
        #expect(ISO8601.parse("2026-02-29") == nil && ISO8601.parse("2024-02-29") != nil)
        #expect(ISO8601.parse("2026-01-05T09:12:00+14:01") == nil)
        #expect(ISO8601.parse("2026-01-05T09:12:00+01:00") == ISO8601.parse("2026-01-05T08:12:00Z"))
    }

    @Test func csvFieldsMatchPythonsWriter() throws {
        let rows = Self.awkward.filter { !$0.contains("\u{00}") }.map { [$0, "x"] }
        let ours = rows.map { CSV.row($0) }.joined()
        let theirs = try PythonReference.run(
            #"""
            import csv, json, sys
            w = csv.writer(sys.stdout, lineterminator="\r\n")
            for line in sys.stdin: w.writerow(json.loads(line))
            """#, input: rows.map { JSONValue.strings($0).compact }.joined(separator: "\n") + "\n")
        #expect(theirs == ours)
    }

    @Test func hexMatchesPython() throws {
        let bytes = (0...255).map(UInt8.init)
        let theirs = try PythonReference.run("import sys; print(bytes(range(256)).hex())", input: "")
        #expect(theirs == Hex.encode(bytes) + "\n")
        #expect(Hex.decode(Hex.encode(bytes).uppercased()) == bytes)
        #expect(Hex.decode("abc") == nil && Hex.decode("zz") == nil)
    }

    @Test func escapingLeavesNoMarkup() {
        let hostile = "<script>alert('x')</script> & \"q\" \u{01}\n"
        #expect(
            Escaping.html(hostile) == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \u{01}\n")
        #expect(Escaping.xml(hostile) == "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;q&quot; \u{FFFD}&#10;")
    }
}
