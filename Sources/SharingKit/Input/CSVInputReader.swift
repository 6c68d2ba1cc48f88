import Foundation
import IProceedsBase

/// Reads CSV with a header row (RFC 4180): the header names the fields, each later row is a record.
///
/// The separator is whichever of `,` `;` and tab the header holds most of (`,` on a tie). Quoted cells may hold
/// separators, doubled quotes and line breaks; a record's line is the line it starts on; records end at LF, CRLF
/// or a lone CR. Empty cells are left out of the record; blank lines are skipped. A row with more or fewer cells
/// than the header, a quote that is never closed, text after a closing quote, and a row that is not UTF-8 are
/// findings, and the row is dropped (a cell shifted into the wrong column would be redacted by the wrong rule). A
/// header row with one of those problems drops the whole file, with one finding: no later row could be named.
/// Empty header cells are named `column N`; a repeated name gets `#2`, `#3`.
///
/// The rows come from IProceedsBase's ``CSVReader``, the reader ProceedsGraph's ledgers go through too.
package enum CSVInputReader: SharingInputReader {
    package static let format = InputFormat.csv

    package static func read<S: InputSink>(_ input: SharingInput, into sink: inout S) throws {
        var reader = CSVReader(input.bytes, separator: separator(of: input.bytes))
        // A cell shifted by a stray quote would be redacted by another column's rule: refused, not kept.
        reader.refusesTextAfterClosingQuote = true
        var header: [String]?
        while let (line, cells, problem) = reader.next() {
            if header == nil, let problem {
                // Without a readable header no row can be named: taking the next row as the header would name every
                // field by a value of that row (personal data among them), and no field rule would meet its column.
                try sink.reject(headerFinding(input, line: line, problem, bytes: reader.lastRecordBytes))
                return
            }
            switch problem {
            case .unclosedQuote?:
                try sink.reject(
                    InputFinding(
                        input: input.name, line: line,
                        reason: "a quote opened here is never closed; the rest of the file is dropped"))
                continue
            case .textAfterClosingQuote?:
                try sink.reject(
                    InputFinding(
                        input: input.name, line: line, reason: "text after a closing quote; the row is dropped"))
                continue
            case .notUTF8?:
                try sink.reject(InputLines.notUTF8(input.name, line, reader.lastRecordBytes))
                continue
            case nil: break
            }
            if cells == [""] { continue }  // a line holding only `""`
            guard let names = header else {
                header = uniqueNames(cells)
                continue
            }
            guard cells.count == names.count else {
                try sink.reject(
                    InputFinding(
                        input: input.name, line: line,
                        reason: "\(cells.count) cells where the header has \(names.count); the row is dropped"))
                continue
            }
            let fields = zip(names, cells).filter { !$0.1.isEmpty }.map { (name: $0.0, value: $0.1) }
            try sink.accept(
                InputRecord(
                    id: "\(input.name):\(line)", input: input.name, line: line, format: .csv, fields: fields))
        }
    }

    /// The finding for a header row that cannot be read: the whole input is dropped.
    static func headerFinding(_ input: SharingInput, line: Int, _ problem: CSVReader.Problem, bytes: ArraySlice<UInt8>)
        -> InputFinding
    {
        let what: String
        switch problem {
        case .notUTF8:
            let utf8 = InputLines.notUTF8(input.name, line, bytes).reason
            what = "the header row is " + utf8.prefix { $0 != ";" }
        case .unclosedQuote: what = "the header row opens a quote that is never closed"
        case .textAfterClosingQuote: what = "the header row has text after a closing quote"
        }
        var finding = InputFinding(
            input: input.name, line: line,
            reason: "\(what); without the field names no row can be read, so the whole file is dropped")
        if case .notUTF8 = problem {
            finding.reason += ": convert the file to UTF-8 (iconv -f WINDOWS-1250 -t UTF-8, say) and run again"
        }
        return finding
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
