import Foundation
import Testing

/// Hostile values — markup, quotes, `</style>`, `</script>`, every C0 control, DEL, U+2028, invalid UTF-8 where
/// the input is bytes — fed through the public commands into every field of the HTML and JSON reports they write,
/// and read back by Python (json, html.parser): each JSON value comes back exactly; each page has only the
/// elements and attributes its template writes (no script, no img, no on* attribute) and shows each value as
/// text (controls as their Unicode control pictures, as `HTML.escape` documents).
@Suite struct HostileReportTests {
    static let markup = "<script>alert(1)</script>"
    static let attribute = "\"'><img src=x onerror=1>"
    static let closing = "</style></script>"
    /// Every C0 control but NUL (which no command-line argument can hold), DEL and U+2028.
    static let controls = String(decoding: (0x01...0x1F).map { UInt8($0) } + [0x7F], as: UTF8.self) + "\u{2028}"

    /// The checker, reading `spec.json`: {"html": [files], "json": [files], "jsonl": [files], "expect": {file: [values]}}.
    static let checker = #"""
        import html, html.parser, json, sys
        spec = json.load(open("spec.json"))
        TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "table", "tr", "th", "td", "p",
                "b", "span", "div", "details", "summary", "ul", "li", "svg", "defs", "marker", "path", "g", "rect",
                "text", "section", "strong", "code", "pre", "em", "br"}
        def shown(v):
            out = []
            for ch in v:
                c = ord(ch)
                if c in (9, 10, 13): out.append(ch)
                elif c < 0x20: out.append(chr(0x2400 + c))
                elif c == 0x7F: out.append("\u2421")
                elif 0x80 <= c <= 0x9F or c in (0xFFFE, 0xFFFF): out.append("\ufffd")
                else: out.append(ch)
            return "".join(out)
        problems = []
        class P(html.parser.HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.tags, self.data, self.attrs = [], [], []
            def handle_starttag(self, tag, attrs):
                self.tags.append(tag)
                self.attrs += attrs
            handle_startendtag = handle_starttag
            def handle_data(self, d):
                self.data.append(d)
        def strings(v, out):
            if isinstance(v, str): out.append(v)
            elif isinstance(v, list):
                for x in v: strings(x, out)
            elif isinstance(v, dict):
                for k, x in v.items(): out.append(k); strings(x, out)
            return out
        for f in spec["html"]:
            raw = open(f, "rb").read()
            try: text = raw.decode("utf-8")
            except UnicodeDecodeError as e: problems.append(f"{f}: not UTF-8: {e}"); continue
            p = P(); p.feed(text); p.close()
            for t in set(p.tags) - TAGS: problems.append(f"{f}: element <{t}> the template does not write")
            for k, v in p.attrs:
                if k.startswith("on") or k in ("src", "href", "srcdoc", "formaction", "style"):
                    problems.append(f"{f}: attribute {k}={v!r}")
            found = "\n".join(p.data) + "\n" + "\n".join(v or "" for _, v in p.attrs)
            for v in spec["expect"].get(f, []):
                if shown(v) not in found: problems.append(f"{f}: does not show {v!r} as text")
        import xml.dom.minidom
        for f in spec.get("svg", []):
            try: doc = xml.dom.minidom.parse(f)  # expat: refuses what is not well-formed XML
            except Exception as e: problems.append(f"{f}: not well-formed: {e}"); continue
            texts = []
            for el in doc.getElementsByTagName("*"):
                if el.tagName in ("script", "foreignObject", "img", "iframe"): problems.append(f"{f}: <{el.tagName}>")
                for k, v in el.attributes.items():
                    if k.startswith("on"): problems.append(f"{f}: attribute {k}")
                texts += [n.data for n in el.childNodes if n.nodeType == n.TEXT_NODE]
            # Graphviz draws each line of a label as a text element of its own; every other control as its picture.
            found = "".join(texts)
            for v in spec["expect"].get(f, []):
                want = "".join(chr(0x2400 + ord(c)) if ord(c) < 0x20 else "\u2421" if c == "\x7f" else c
                               for c in v if c != "\n")
                if want not in found: problems.append(f"{f}: does not show {v!r} as text")
        for f in spec["json"] + spec["jsonl"]:
            try:
                text = open(f, "rb").read().decode("utf-8")
                # JSON Lines: lines end at LF only (str.splitlines would also split at U+2028 and other separators).
                docs = [json.loads(l) for l in text.split("\n") if l] if f in spec["jsonl"] else [json.loads(text)]
            except Exception as e: problems.append(f"{f}: not JSON: {e}"); continue
            found = []
            for d in docs: strings(d, found)
            for v in spec["expect"].get(f, []):
                if not any(v in s for s in found): problems.append(f"{f}: {v!r} does not come back")
        print("\n".join(problems))
        """#

    static func check(
        _ w: Workspace, html: [String], json: [String], jsonl: [String] = [], svg: [String] = [],
        expect: [String: [String]]
    ) throws {
        let spec = try JSONSerialization.data(
            withJSONObject: ["html": html, "json": json, "jsonl": jsonl, "svg": svg, "expect": expect])
        try w.write("spec.json", spec)
        try w.write("check.py", checker)
        let problems = try w.sh("python3 check.py").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// CSV field: quoted, quotes doubled.
    static func csv(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    @Test func traceReportsCarryHostileAccountsLabelsAndIdsIntact() throws {
        let w = try Workspace()
        let a1 = "A1" + Self.markup
        let a2 = "A2" + Self.controls + Self.attribute
        let a3 = "A3" + Self.closing + "\u{0}NUL"
        let t1 = "T1" + Self.attribute
        var ledger = "id,timestamp,from,to,amount,currency,memo\n"
        ledger += "\(Self.csv(t1)),2026-01-05T09:00:00Z,VICTIM,\(Self.csv(a1)),100.00,EUR,m\n"
        ledger += "T2,2026-01-05T10:00:00Z,\(Self.csv(a1)),\(Self.csv(a2)),50.00,EUR,m\n"
        ledger += "T3,2026-01-05T11:00:00Z,\(Self.csv(a2)),\(Self.csv(a3)),20.00,EUR,m\n"
        var bytes = Data(ledger.utf8)
        // U+FFFD itself in an account name (a ledger row with bytes that are not UTF-8 is refused by the importer
        // instead: NonUTF8CanonicalTests).
        bytes += Data("T4,2026-01-05T12:00:00Z,\u{FFFD}\u{FFFD},X,1.00,EUR,m\n".utf8)
        // Five senders paying A1 after the traced transfers (so the trace is unchanged): a fan-in finding whose
        // accounts, label, institution and evidence all carry the hostile values into the pattern report.
        let senders = (1...5).map { "S\($0)" + (($0 % 2 == 0) ? Self.attribute : Self.controls) }
        let fanIns = (1...5).map { "F\($0)" + Self.closing }
        for k in 0..<5 {
            bytes += Data(
                "\(Self.csv(fanIns[k])),2026-01-05T1\(3 + k):00:00Z,\(Self.csv(senders[k])),\(Self.csv(a1)),9.00,EUR,m\n"
                    .utf8)
        }
        let file = "ledger " + Self.markup.replacingOccurrences(of: "/", with: "|") + ".csv"
        try w.write(file, bytes)
        let label = "L" + Self.markup + Self.controls
        let institution = "Bank" + Self.attribute + Self.closing
        try w.write(
            "labels.csv",
            "account,label,category,institution\n\(Self.csv(a1)),\(Self.csv(label)),mule,\(Self.csv(institution))\n")
        let base = ["--transfers", file, "--seed-tx", t1]
        for (out, env) in [("dot", [String: String]()), ("measured", ["IPROCEEDS_DOT": "none"])] {
            let r = try CLI.run(
                ["trace", "run"] + base + [
                    "--policy", "fifo", "--labels", "labels.csv", "--format", "html", "-o",
                    "trace-\(out).html",
                ], in: w.path, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(
            try CLI.run(["trace", "run"] + base + ["--policy", "fifo", "-o", "trace.json"], in: w.path).status == 0)
        #expect(
            try CLI.run(
                ["trace", "freeze"] + base + ["--labels", "labels.csv", "--format", "json", "-o", "freeze.json"],
                in: w.path
            ).status == 0)
        #expect(
            try CLI.run(
                [
                    "trace", "paths", "--transfers", file, "--from", "VICTIM", "--to", a2, "--format", "json", "-o",
                    "paths.json",
                ], in: w.path
            ).status == 0)
        #expect(
            try CLI.run(
                [
                    "trace", "patterns", "--transfers", file, "--labels", "labels.csv", "--format", "json", "-o",
                    "patterns.json",
                ], in: w.path
            ).status == 0)
        #expect(
            try CLI.run(["trace", "import", "--transfers", file, "--format", "json", "-o", "import.json"], in: w.path)
                .status == 0)
        // The Graphviz file and the SVG dot renders from it.
        let dot = try CLI.run(
            ["trace", "run"] + base + ["--policy", "fifo", "--format", "dot", "-o", "t.dot"], in: w.path)
        #expect(dot.status == 0 && dot.stderr.contains("rendered t.svg"), "\(dot.stderr)")
        let accounts = [a1, a2, a3, t1]
        try Self.check(
            w, html: ["trace-dot.html", "trace-measured.html"],
            json: ["trace.json", "freeze.json", "paths.json", "patterns.json", "import.json"], svg: ["t.svg"],
            expect: [
                "trace-dot.html": accounts + [label, institution, file],
                "trace-measured.html": accounts + [label, file],
                "trace.json": accounts + [file], "freeze.json": accounts + [label, institution, file],
                "paths.json": [a1, a2, t1],
                "patterns.json": [a1, label, institution, file] + senders + fanIns,
                "import.json": accounts + senders + fanIns + [file, "\u{FFFD}\u{FFFD}"], "t.svg": [a1, a2, a3, t1],
            ])
    }

    /// Tag labels and categories (from a tags CSV) in the entity figures of `trace run --cluster` (HTML, JSON and
    /// CSV) and of `trace cluster` (JSON, CSV): shown as text, and read back exactly by Python's csv module.
    @Test func entityReportsCarryHostileTagLabelsIntact() throws {
        let w = try Workspace()
        try w.write("l.jsonl", TraceClusterTests.entityLedger)
        let label = "X" + Self.markup + Self.controls + Self.attribute + "Y"
        let category = "c" + Self.closing + "\u{2028}z"
        try w.write(
            "tags.csv", "address,label,category,source\nD1,\(Self.csv(label)),\(Self.csv(category)),letter\n")
        let base = [
            "trace", "run", "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "l.jsonl",
            "--seed-tx", "s:0", "--policy", "haircut", "--cluster", "--tags", "tags.csv",
        ]
        for (format, file) in [("html", "t.html"), ("json", "t.json"), ("csv", "t.csv")] {
            let r = try CLI.run(base + ["--format", format, "-o", file], in: w.path)
            #expect(r.status == 0, "\(format): \(r.stderr)")
        }
        let cluster = [
            "trace", "cluster", "--import-format", "bitcoin-etl", "--chain", "bitcoin", "--transfers", "l.jsonl",
            "--tags", "tags.csv",
        ]
        #expect(try CLI.run(cluster + ["-o", "c.json"], in: w.path).status == 0)
        #expect(try CLI.run(cluster + ["--format", "csv", "-o", "c.csv"], in: w.path).status == 0)
        try Self.check(
            w, html: ["t.html"], json: ["t.json", "c.json"],
            expect: ["t.html": [label, category], "t.json": [label, category], "c.json": [label, category]])
        // The CSV files, read back by Python's csv module: the label and the category come back exactly.
        try w.write(
            "csvcheck.py",
            """
            import csv, sys
            want = [open("label.txt", encoding="utf-8", newline="").read(), open("category.txt", encoding="utf-8", newline="").read()]
            for f in ["t.csv", "c.csv"]:
                rows = list(csv.DictReader(open(f, encoding="utf-8", newline="")))
                labels = {r["entity_label"] for r in rows}
                categories = {r["entity_category"] for r in rows}
                if want[0] not in labels or want[1] not in categories: print(f, "does not carry the tag intact")
            """)
        try w.write("label.txt", label)
        try w.write("category.txt", category)
        let problems = try w.sh("python3 csvcheck.py").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// A trace across two assets: the conversion's id, note, funding and funded transfers and deposit account are
    /// hostile, and come back intact from the JSON report (under `traces` and `conversions`).
    @Test func mixedTraceReportCarriesHostileConversionFields() throws {
        let w = try Workspace()
        let deposit = "DEP" + Self.attribute
        let wallet = "W" + Self.markup + Self.controls
        let funding = "TC" + Self.closing
        let funded = "X" + Self.attribute
        let conversion = "C" + Self.markup
        let note = "N" + Self.controls + Self.closing + "\u{FFFD}"
        var ledger = "id,timestamp,from,to,amount,currency,memo\n"
        ledger += "T1,2026-01-05T09:00:00Z,VICTIM,A1,100.00,EUR,m\n"
        ledger += "\(Self.csv(funding)),2026-01-05T10:00:00Z,A1,\(Self.csv(deposit)),60.00,EUR,m\n"
        ledger += "\(Self.csv(funded)),2026-01-05T11:00:00Z,EXCHANGE-HOT,\(Self.csv(wallet)),0.50000000,BTC,m\n"
        try w.write("ledger.csv", ledger)
        try w.write(
            "conversions.csv",
            "conversion,funding,funded,note\n\(Self.csv(conversion)),\(Self.csv(funding)),\(Self.csv(funded)),\(Self.csv(note))\n"
        )
        let r = try CLI.run(
            [
                "trace", "run", "--transfers", "ledger.csv", "--conversions", "conversions.csv", "--seed-tx", "T1",
                "--policy", "haircut", "--format", "json", "-o", "mixed.json",
            ], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try w.read("mixed.json")
        #expect(report.contains("\"conversions\": ["), "not a trace across assets: \(report)")
        try Self.check(
            w, html: [], json: ["mixed.json"],
            expect: ["mixed.json": [deposit, wallet, funding, funded, conversion, note]])
    }

    @Test func custodyExportsCarryHostileCaseValuesIntact() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        let name = "Ana" + Self.markup + Self.controls
        let caseID = "CASE" + Self.attribute
        let title = "T" + Self.closing
        let item = "EV" + Self.markup
        let note = "N" + Self.controls + Self.attribute
        // A seized file whose name is not UTF-8.
        try w.write("seized/usb/a.txt", "alpha\n")
        try w.sh("printf 'x' > \"seized/usb/$(printf 'b\\377.t')\"")
        #expect(
            try CLI.run(["examiner", "init", "--name", name, "--id", "EX<1>"], in: w.path, environment: env).status == 0
        )
        let opened = try CLI.run(
            ["case", "init", "--case", "c.case", "--id", caseID, "--title", title], in: w.path, environment: env)
        #expect(opened.status == 0, "\(opened.stderr)")
        let add = try CLI.run(
            [
                "evidence", "add", "--case", "c.case", "--item", item, "--description", note, "--seized-by", name,
                "--location", Self.closing, "seized/usb",
            ], in: w.path, environment: env)
        #expect(add.status == 0 || add.status == 64, "\(add.stderr)")
        let itemID = add.status == 0 ? item : "EV-001"
        if add.status != 0 {
            // An item id is an identifier (the CLI may refuse markup in it); the values go in elsewhere.
            #expect(
                try CLI.run(
                    [
                        "evidence", "add", "--case", "c.case", "--item", itemID, "--description", note, "--seized-by",
                        name, "--location", Self.closing, "seized/usb",
                    ], in: w.path, environment: env
                ).status == 0)
        }
        let record = try CLI.run(
            [
                "custody", "record", "--case", "c.case", "--item", itemID, "--action", "transferred", "--to", note,
                "--note", Self.markup + Self.controls,
            ], in: w.path, environment: env)
        #expect(record.status == 0, "\(record.stderr)")
        for (format, out) in [("html", "custody.html"), ("case-uco", "custody.jsonld"), ("json", "ledger.json")] {
            let r = try CLI.run(
                ["custody", "export", "--case", "c.case", "--format", format, "-o", out], in: w.path, environment: env)
            #expect(r.status == 0, "\(format): \(r.stderr)")
        }
        let values =
            [name, caseID, title, note, Self.markup + Self.controls, Self.closing] + (add.status == 0 ? [item] : [])
        try Self.check(
            w, html: ["custody.html"], json: ["custody.jsonld", "ledger.json"],
            expect: ["custody.html": values, "custody.jsonld": [caseID, note], "ledger.json": values])

        // The case file edited with SQLite: markup and controls where hashes should be.
        let hash = Self.markup + Self.attribute + Self.controls
        try CustodyTests.tamper(
            w,
            """
            h = \(String(decoding: try JSONSerialization.data(withJSONObject: [hash], options: .withoutEscapingSlashes), as: UTF8.self))[0]
            db.execute("UPDATE ledger SET entry_hash = ? WHERE seq = (SELECT MAX(seq) FROM ledger)", (h,))
            db.execute("UPDATE ledger SET prev_hash = ? WHERE seq = 2", (h,))
            db.execute("UPDATE items SET manifest_sha256 = ?", (h,))
            """)
        let tampered = try CLI.run(
            ["custody", "export", "--case", "c.case", "--format", "html", "-o", "tampered.html"], in: w.path,
            environment: env)
        #expect(tampered.status == 0, "\(tampered.stderr)")
        try Self.check(w, html: ["tampered.html"], json: [], expect: ["tampered.html": [hash, "NOT INTACT"]])
    }

    @Test func sharingPackageCarriesHostileRequestAndRecordValuesIntact() throws {
        let (w, env) = try ShareBuildTests.setUp()
        let organisation = "CSIRT" + Self.markup
        let recipient = "Police" + Self.attribute
        let purpose = "P" + Self.closing + Self.controls
        let basis = "Law" + Self.markup
        let input = "reports " + Self.attribute.replacingOccurrences(of: "/", with: "|") + ".csv"
        var csv = "report_id,received,victim_name,description\n"
        csv +=
            "R-1,2026-03-01T10:05:00Z,\(Self.csv("Ana" + Self.markup)),\(Self.csv("D" + Self.controls + Self.closing))\n"
        try w.write(input, Data(csv.utf8) + Data("R-2,2026-03-01T11:00:00Z,B".utf8) + Data([0xFF]) + Data(",d\n".utf8))
        let r = try CLI.run(
            [
                "share", "build", "--input", input, "--policy", ShareBuildTests.sample + "/case-policy.yaml",
                "--key-file",
                "csirt.key", "--organisation", organisation, "--recipient", recipient, "--tlp", "red", "--purpose",
                purpose, "--legal-basis", basis, "--created", "2026-03-05T10:00:00Z", "--output", "pkg.zip",
            ],
            in: w.path, environment: env)
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        try w.sh("unzip -q -o pkg.zip -d pkg")
        let request = [organisation, recipient, purpose, basis]
        try Self.check(
            w, html: ["pkg/summary.html"],
            json: ["pkg/manifest.json", "pkg/stix/bundle.json", "pkg/misp/event.json", "pkg/redaction-log.json"],
            jsonl: ["pkg/records/records.jsonl"],
            expect: [
                "pkg/summary.html": request + [input], "pkg/manifest.json": request + [input],
                "pkg/stix/bundle.json": [organisation], "pkg/misp/event.json": [organisation],
                "pkg/records/records.jsonl": ["D" + Self.controls + Self.closing],
            ])
    }
}
