import Foundation
import IProceedsBase
import TestSupport
import Testing

/// The HTML builder every page is written through: markup only from literals, every value escaped, and the
/// page parsed back by Python's html.parser (an independent HTML tokenizer) to the same text.
@Suite struct HTMLBuilderTests {
    static let hostile = [
        "<script>alert(1)</script>", "\"'><img src=x onerror=1>", "</style>", "</script>", "&amp; &lt;",
        String(decoding: (0x00...0x1F).map { UInt8($0) }, as: UTF8.self) + "\u{7F}\u{85}\u{2028}\u{2029}\u{FFFE}",
        String(decoding: [0x61, 0xFF, 0xFE, 0x62], as: UTF8.self),
    ]

    @Test func valuesAreEscapedInTextAndAttributes() throws {
        for value in Self.hostile {
            let page: HTML = "<p title=\"\(value)\" class='\(value)'>\(value)</p>"
            #expect(!page.markup.contains("<script") && !page.markup.contains("<img"))
            let parsed = try Self.parse(page.markup)
            #expect(parsed.tags == ["p"], "\(value.debugDescription): \(parsed.tags)")
            let expected = Self.shown(value)
            #expect(parsed.texts == [expected])
            #expect(parsed.attributes == [["title", expected], ["class", expected]])
        }
    }

    @Test func onlyLiteralsBecomeMarkup() {
        let inner: HTML = "<b>\("<i>")</b>"
        let outer: HTML = "<p>\(inner)\([inner, inner])\(42)</p>"
        #expect(outer.markup == "<p><b>&lt;i&gt;</b><b>&lt;i&gt;</b><b>&lt;i&gt;</b>42</p>")
        #expect(HTML(text: "a<b").markup == "a&lt;b")
        #expect([inner, inner].joined(separator: "<br>").markup == "<b>&lt;i&gt;</b><br><b>&lt;i&gt;</b>")
    }

    /// What a reader sees of `value`: controls as their control pictures, C1 controls and noncharacters as
    /// U+FFFD (HTML.escape's documented mapping), written out here from the Unicode tables, not from the code.
    static func shown(_ value: String) -> String {
        var out = ""
        for s in value.unicodeScalars {
            switch s.value {
            case 0x09, 0x0A, 0x0D: out.unicodeScalars.append(s)
            case 0x00...0x1F: out.unicodeScalars.append(Unicode.Scalar(0x2400 + s.value)!)
            case 0x7F: out += "␡"
            case 0x80...0x9F, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    struct Parsed: Decodable {
        var tags: [String]
        var texts: [String]
        var attributes: [[String]]
    }

    /// Python's html.parser over `markup`: the start tags, the text (character references resolved) and the
    /// attributes it finds.
    static func parse(_ markup: String) throws -> Parsed {
        let scratch = try Scratch()
        let input = try scratch.write("page.html", markup)
        let script = """
            import html.parser, json, sys
            class P(html.parser.HTMLParser):
                def __init__(self):
                    super().__init__(convert_charrefs=True)
                    self.tags, self.texts, self.attributes = [], [], []
                def handle_starttag(self, tag, attrs):
                    self.tags.append(tag)
                    self.attributes += [[k, v] for k, v in attrs]
                def handle_data(self, data):
                    self.texts.append(data)
            p = P()
            p.feed(open(sys.argv[1], encoding="utf-8").read())
            p.close()
            print(json.dumps({"tags": p.tags, "texts": p.texts, "attributes": p.attributes}))
            """
        let r = try ChildProcess.run("python3", ["-c", script, input])
        #expect(r.status == 0, "\(r.stderr)")
        let data = r.stdoutBytes
        return try JSONDecoder().decode(Parsed.self, from: data)
    }
}
