import CaseStorePostgres
import EvidenceKit
import Foundation

/// The case `--case` (or `IPROCEEDS_CASE`) names, a case file or a `postgresql://` URL; the store's notices go
/// to standard error.
func openCaseStore(_ argument: String, readOnly: Bool = false) throws -> any CaseStore {
    try CaseStores.open(argument, readOnly: readOnly, notice: printNotice)
}

/// One line on standard error, for what the user should know but that is not an error.
func printNotice(_ text: String) {
    FileHandle.standardError.write(Data("iproceeds: note: \(text)\n".utf8))
}
