/// Reads CSV with a header row (RFC 4180): the header names the fields, each later row is a record.
///
/// The separator is whichever of `,` `;` and tab the header holds most of (`,` on a tie). Quoted cells may hold
/// separators, doubled quotes and line breaks; a record's line is the line it starts on. Empty cells are left out
/// of the record; blank lines are skipped. A row with more or fewer cells than the header, a quote that is never
/// closed, text after a closing quote, and a row that is not UTF-8 are findings, and the row is dropped (a cell
/// shifted into the wrong column would be redacted by the wrong rule). Empty header cells are named `column N`;
/// a repeated name gets `#2`, `#3`.
///
/// ProceedsGraph has its own, faster CSV reader for ledgers; SharingKit does not depend on ProceedsGraph.
public enum CSVInputReader: SharingInputReader {
    public static let format = InputFormat.csv

    public static func read<S: InputSink>(_ input: SharingInput, into sink: inout S) throws {
        var parser = CSVRowParser(bytes: input.bytes)
        parser.separator = separator(of: input.bytes)
        var header: [String]?
        while let row = parser.next() {
            switch row {
            case .malformed(let line, let reason):
                try sink.reject(InputFinding(input: input.name, line: line, reason: reason))
            case .row(let line, let cells, let bytes):
                if cells.count == 1, cells[0].isEmpty { continue }  // a blank line
                var texts: [String] = []
                for cell in cells {
                    guard let t = String(validating: cell, as: UTF8.self) else { break }
                    texts.append(t)
                }
                guard texts.count == cells.count else {
                    try sink.reject(InputLines.notUTF8(input.name, line, bytes))
                    continue
                }
                guard let names = header else {
                    header = uniqueNames(texts)
                    continue
                }
                guard texts.count == names.count else {
                    try sink.reject(
                        InputFinding(
                            input: input.name, line: line,
                            reason: "\(texts.count) cells where the header has \(names.count); the row is dropped"))
                    continue
                }
                let fields = zip(names, texts).filter { !$0.1.isEmpty }.map { (name: $0.0, value: $0.1) }
                try sink.accept(
                    InputRecord(
                        id: "\(input.name):\(line)", input: input.name, line: line, format: .csv, fields: fields))
            }
        }
    }

    static func uniqueNames(_ cells: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return cells.enumerated().map { i, raw in
            var name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { name = "column \(i + 1)" }
            seen[name, default: 0] += 1
            return seen[name]! > 1 ? "\(name)#\(seen[name]!)" : name
        }
    }

    /// The separator the first line uses most, outside quotes.
    static func separator(of bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var quoted = false
        for b in bytes {
            if b == 0x22 { quoted.toggle() }
            if !quoted, b == 0x0A { break }
            if !quoted, counts[b] != nil { counts[b]! += 1 }
        }
        let best = counts.max { ($0.value, $0.key == 0x2C ? 1 : 0) < ($1.value, $1.key == 0x2C ? 1 : 0) }!
        return best.value == 0 ? 0x2C : best.key
    }
}

/// An RFC 4180 row parser over bytes.
struct CSVRowParser {
    enum Row {
        case row(line: Int, cells: [ArraySlice<UInt8>], bytes: ArraySlice<UInt8>)
        case malformed(line: Int, reason: String)
    }

    let bytes: [UInt8]
    var separator: UInt8 = 0x2C
    private var at: Int
    private var line = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
        at = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next row, or `nil` at the end. A malformed row is skipped to the next line break outside quotes.
    mutating func next() -> Row? {
        guard at < bytes.count else { return nil }
        let startLine = line
        let rowStart = at
        var cells: [ArraySlice<UInt8>] = []
        var problem: String?
        while true {
            // One cell.
            if at < bytes.count, bytes[at] == 0x22 {
                at += 1
                var cell: [UInt8] = []
                var closed = false
                while at < bytes.count {
                    let b = bytes[at]
                    if b == 0x22 {
                        if at + 1 < bytes.count, bytes[at + 1] == 0x22 {
                            cell.append(0x22)
                            at += 2
                            continue
                        }
                        at += 1
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 }
                    cell.append(b)
                    at += 1
                }
                if !closed {
                    return .malformed(
                        line: startLine, reason: "a quote opened here is never closed; the rest of the file is dropped")
                }
                cells.append(cell[...])
                if at < bytes.count, bytes[at] != separator, bytes[at] != 0x0A, bytes[at] != 0x0D {
                    problem = problem ?? "text after a closing quote; the row is dropped"
                    skipCell()
                }
            } else {
                let s = at
                while at < bytes.count, bytes[at] != separator, bytes[at] != 0x0A { at += 1 }
                var e = at
                if e > s, bytes[e - 1] == 0x0D, at >= bytes.count || bytes[at] == 0x0A { e -= 1 }
                cells.append(bytes[s..<e])
            }
            if at < bytes.count, bytes[at] == 0x0D, at + 1 < bytes.count, bytes[at + 1] == 0x0A { at += 1 }
            if at >= bytes.count { break }
            if bytes[at] == separator {
                at += 1
                continue
            }
            if bytes[at] == 0x0A {
                at += 1
                line += 1
                break
            }
        }
        if let problem { return .malformed(line: startLine, reason: problem) }
        return .row(line: startLine, cells: cells, bytes: bytes[rowStart..<at])
    }

    /// Skips the rest of a malformed cell, up to the next separator or line break.
    private mutating func skipCell() {
        while at < bytes.count, bytes[at] != separator, bytes[at] != 0x0A { at += 1 }
    }
}
