import IProceedsBase

/// What an investigator knows about an account: a label, a category and the institution that holds it.
package struct AccountLabel: Sendable, Equatable {
    package var account: String
    package var label: String
    /// victim, suspect, mule, exchange, merchant, cash-out, institution, …
    package var category: String
    /// BIC or VASP name; accounts of one institution are grouped in freezing requests.
    package var institution: String
}

/// Labels read from `account,label,category[,institution]` CSV.
package enum LabelFile {
    /// - Throws: ``ProceedsError`` when the file cannot be read or lacks the columns.
    package static func load(_ path: String) throws -> [String: AccountLabel] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProceedsError(.unreadableInput, file: path, line: 0, reason: "cannot read the labels file")
        }
        var reader = CSVReader([UInt8](data))
        let index = try LedgerImporter.header(&reader, path: path, required: ["account", "label", "category"])
        var labels: [String: AccountLabel] = [:]
        while let (line, f, problem) = reader.next() {
            try LedgerImporter.requireRow(
                f, line: line, problem: problem, columns: index.count, path: path, what: "labels")
            func v(_ k: String) -> String { index[k].map { f[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            labels[v("account")] = AccountLabel(
                account: v("account"), label: v("label"), category: v("category").lowercased(),
                institution: v("institution"))
        }
        return labels
    }
}

import Foundation
