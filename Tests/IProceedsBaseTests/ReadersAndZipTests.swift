import Foundation
import IProceedsBase
import Testing

/// The foundation's CSV reader against Python's `csv.reader`, its ISO 8601 parser on what it must refuse, and its
/// zip writer read back by Python's `zipfile`.
@Suite struct ReadersAndZipTests {
    static func pythonCSV(_ text: String) throws -> [[String]] {
        let out = try PythonReference.run(
            "import csv, io, json, sys\n"
                + "text = sys.stdin.buffer.read().decode('utf-8')\n"
                + "print(json.dumps([r for r in csv.reader(io.StringIO(text, newline='')) if r]))",
            input: text)
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String]])
    }

    static func ours(_ text: String) -> (rows: [[String]], lines: [Int], problems: [CSVReader.Problem]) {
        var reader = CSVReader(Array(text.utf8))
        var result: (rows: [[String]], lines: [Int], problems: [CSVReader.Problem]) = ([], [], [])
        while let (line, fields, problem) = reader.next() {
            result.rows.append(fields)
            result.lines.append(line)
            if let problem { result.problems.append(problem) }
        }
        return result
    }

    /// Quoted separators, doubled quotes, quoted line breaks, CRLF, blank lines, an empty quoted field, and a lone
    /// CR ending a record (old Mac exports; ProceedsGraph's reader ended a record there, SharingKit's did not).
    @Test func readsAsPythonReads() throws {
        let text = "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",3\rold,mac\r\nlast,\"\""
        let r = Self.ours(text)
        #expect(r.problems.isEmpty)
        #expect(r.rows == (try Self.pythonCSV(text)))
        #expect(r.lines == [1, 2, 4, 6, 7])
    }

    /// What the writer writes, the reader reads back, and Python reads the same.
    @Test func readsBackWhatTheWriterWrites() throws {
        let rows = OutputsTests.awkward.filter { !$0.contains("\u{00}") && !$0.isEmpty }.map { [$0, "x", ""] }
        let text = rows.map { CSV.row($0) }.joined()
        let r = Self.ours(text)
        #expect(r.problems.isEmpty && r.rows == rows)
        #expect(r.rows == (try Self.pythonCSV(text)))
    }

    @Test func problemsAreSaidNotPaperedOver() {
        var reader = CSVReader(Array("a,b\n1,\"x".utf8) + [0xC3] + Array("\"\n2,\"open".utf8))
        #expect(reader.next()?.problem == nil)
        let bad = reader.next()
        #expect(bad?.line == 2 && bad?.problem == .notUTF8(column: 5))
        #expect(Array(reader.lastRecordBytes) == Array("1,\"x".utf8) + [0xC3, 0x22])
        let open = reader.next()
        #expect(open?.line == 3 && open?.problem == .unclosedQuote)
        #expect(reader.next() == nil)
        var strict = CSVReader(Array("\"a\"b,c\n".utf8))
        strict.refusesTextAfterClosingQuote = true
        #expect(strict.next()?.problem == .textAfterClosingQuote)
        var lenient = CSVReader(Array("\"a\"b,c\n".utf8))
        #expect(lenient.next()?.fields == ["ab", "c"])
    }

    /// A chunk that ends inside a CRLF, a quoted field or a record: the records and lines are those of the
    /// whole input.
    @Test func chunksReadAsTheWhole() {
        let bytes = Array("h1,h2\r\n\r\n\"q\r\nq\",1\r\r\nx,\"y\"\"\"\n\rlast,2".utf8)
        var whole = CSVReader(bytes)
        var expected: [String] = []
        while let r = whole.next() { expected.append("\(r.line):\(r.fields)") }
        for size in 1...bytes.count {
            var got: [String] = []
            var at = 0
            var carry: [UInt8] = []
            var line = 1
            while true {
                let end = min(at + size, bytes.count)
                var reader = CSVReader(carry + bytes[at..<end], firstLine: line, isFinal: end == bytes.count)
                while let r = reader.next() { got.append("\(r.line):\(r.fields)") }
                if end == bytes.count { break }
                carry = Array(reader.remainder)
                line = reader.line
                at = end
            }
            #expect(got == expected, "chunks of \(size)")
        }
    }

    /// A fraction of minutes (`10:00.5`, half a minute in ISO 8601) was read as 500 milliseconds; a fraction
    /// without digits was read as none. Both are refused now.
    @Test func iso8601RefusesFractionsThatAreNotOfSeconds() {
        #expect(ISO8601.parse("2026-01-05T10:00.5Z") == nil)
        #expect(ISO8601.parse("2026-01-05T10:00:00.Z") == nil)
        #expect(ISO8601.parse("2026-01-05T10:00:00.5Z") == ISO8601.parse("2026-01-05T10:00:00Z")! + 500)
        #expect(ISO8601.parse("2026-01-05T10:00:00,25+01:00") == ISO8601.parse("2026-01-05T09:00:00Z")! + 250)
        #expect(ISO8601.parse("2026-02-31") == nil && ISO8601.parse("2026-04-31T10:00:00Z") == nil)
    }

    /// Names, contents, CRC-32s, the MS-DOS time (UTC), the mode and the method as Python's `zipfile` reads them.
    @Test func storedZipAsPythonReadsIt() throws {
        let members: [(name: String, bytes: [UInt8])] = [
            ("a.txt", Array("hello\n".utf8)), ("dir/b.bin", (0..<300).map { UInt8($0 % 256) }), ("empty", []),
            ("naïve.txt", Array("é".utf8)),
        ]
        let modified = ISO8601.seconds(year: 2026, month: 2, day: 25, hour: 6, minute: 13, second: 21)
        let zip = try StoredZip.archive(members, modified: modified)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.zip").path
        try Data(zip).write(to: URL(fileURLWithPath: path))
        let out = try PythonReference.run(
            """
            import sys, zipfile
            z = zipfile.ZipFile(sys.stdin.readline().strip())
            assert z.testzip() is None
            for i in z.infolist():
                print(i.filename, z.read(i).hex(), i.date_time, oct(i.external_attr >> 16), i.compress_type, i.flag_bits)
            """, input: path + "\n")
        let expected = members.map { m in
            "\(m.name) \(Hex.encode(m.bytes)) (2026, 2, 25, 6, 13, 20) 0o100644 0 \(m.name == "naïve.txt" ? 2048 : 0)"
        }
        #expect(out.split(separator: "\n").map(String.init) == expected)
        // Before 1980, the MS-DOS fields hold 1980-01-01 00:00:00.
        let early = dir.appendingPathComponent("early.zip").path
        try Data(try StoredZip.archive([("x", [1])], modified: 0)).write(to: URL(fileURLWithPath: early))
        let date = try PythonReference.run(
            "import sys, zipfile; print(zipfile.ZipFile(sys.stdin.readline().strip()).infolist()[0].date_time)",
            input: early + "\n")
        #expect(date == "(1980, 1, 1, 0, 0, 0)\n")
    }

    /// More members than a zip without zip64 holds is an error, not a wrapped count.
    @Test func storedZipRefusesWhatNeedsZip64() {
        let many = (0..<65_535).map { (name: "m\($0)", bytes: [UInt8]()) }
        #expect(throws: StoredZip.TooLarge.self) { try StoredZip.archive(many, modified: 0) }
    }
}
