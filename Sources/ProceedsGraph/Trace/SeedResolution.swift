import Foundation
import IProceedsBase

/// Where a transfer id occurs more than once in the imported data.
package struct DuplicateTransferID: Sendable, Equatable {
    package var id: String
    /// Each occurrence as `FILE:LINE` (the file as given on import).
    package var places: [String]
}

extension Ledger {
    /// Transfer ids that more than one row carries, in order of first occurrence, each with every place it
    /// occurs. An id that is not unique cannot pick a seed on its own (see ``TraceSeeds/resolveRows(in:)``).
    package func duplicateTransferIDs() -> [DuplicateTransferID] {
        var first: [String: Int] = [:]
        var repeats: [String: [Int]] = [:]
        let table = transfers
        for row in 0..<table.count {
            let id = table.id(row)
            if let f = first[id] {
                repeats[id, default: [f]].append(row)
            } else {
                first[id] = row
            }
        }
        return repeats.values.sorted { $0[0] < $1[0] }.map { rows in
            DuplicateTransferID(id: table.id(rows[0]), places: rows.map { SeedReference.place(table, $0) })
        }
    }
}

/// How a seed names one transfer: its id when unique, else `FILE:LINE` or `ID@FILE:LINE`.
enum SeedReference {
    static func place(_ table: TransferTable, _ row: Int) -> String {
        let (file, line) = table.location(row)
        return "\(file):\(line)"
    }

    /// `FILE:LINE`, `ID@FILE:LINE` or nil.
    static func qualified(_ token: String) -> (id: String?, file: String, line: Int)? {
        var rest = Substring(token)
        var id: String?
        if let at = rest.lastIndex(of: "@") {
            id = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        guard let colon = rest.lastIndex(of: ":"), let line = Int(rest[rest.index(after: colon)...]), line >= 0 else {
            return nil
        }
        let file = String(rest[..<colon])
        return file.isEmpty ? nil : (id, file, line)
    }

    static func sameFile(_ given: String, _ imported: String) -> Bool {
        given == imported || (URL(fileURLWithPath: imported).lastPathComponent == given && !given.contains("/"))
    }
}

extension TraceSeeds {
    /// The rows of `table` that `transferIDs` name.
    ///
    /// A token is first taken as a transfer id. An id that more than one row carries (the same reference in two
    /// files, two statements, or a format whose ids repeat) is refused with every candidate listed, never seeded
    /// several times. A token that is no id is read as `FILE:LINE` or `ID@FILE:LINE` (FILE as given on import,
    /// or its last path component): the transfer imported from that line.
    /// - Returns: the rows, and the tokens that named nothing.
    /// - Throws: ``ProceedsError`` when a token names more than one transfer.
    package func resolveRows(in table: TransferTable) throws -> (rows: Set<Int>, unmatched: [String]) {
        guard !transferIDs.isEmpty else { return ([], []) }
        var byID: [String: [Int]] = [:]
        for row in 0..<table.count {
            let id = table.id(row)
            if transferIDs.contains(id) { byID[id, default: []].append(row) }
        }
        var rows = Set<Int>()
        var unmatched: [String] = []
        var ambiguous: [String] = []
        for token in transferIDs.sorted() {
            var found = byID[token] ?? []
            if found.isEmpty, let q = SeedReference.qualified(token) {
                for row in 0..<table.count {
                    let (file, line) = table.location(row)
                    if line == q.line, SeedReference.sameFile(q.file, file), q.id == nil || q.id == table.id(row) {
                        found.append(row)
                    }
                }
            }
            switch found.count {
            case 0: unmatched.append(token)
            case 1: rows.insert(found[0])
            default:
                let candidates = found.prefix(20).map { row in
                    let t = table[row]
                    return
                        "  \(t.id)@\(SeedReference.place(table, row))  \(ISO8601.format(t.time)) \(t.from) -> \(t.to) "
                        + "\(ExactDecimal.format(t.amount, scale: t.scale)) \(t.asset)"
                }
                let more = found.count > 20 ? "\n  … and \(found.count - 20) more" : ""
                ambiguous.append(
                    "--seed-tx \(token) names \(found.count) transfers:\n" + candidates.joined(separator: "\n") + more)
            }
        }
        guard ambiguous.isEmpty else {
            throw ProceedsError(
                .invalidOption,
                ambiguous.joined(separator: "\n") + "\nA seed must name one transfer. Give the one you mean as "
                    + "FILE:LINE or ID@FILE:LINE (as listed), or list several of them separated by commas.")
        }
        return (rows, unmatched)
    }
}
