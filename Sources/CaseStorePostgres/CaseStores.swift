import EvidenceKit
import Foundation

/// Opens the case a `--case` argument names: a `postgresql://` URL (``PostgresCaseStore``) or a case file path
/// (``SQLiteCaseStore``). Every command that takes `--case` goes through here, so both work everywhere.
package enum CaseStores {
    /// Opens an existing case.
    /// - Parameters:
    ///   - readOnly: for commands that only read (verify, log, export): a file is opened read-only, a server
    ///     schema is not migrated.
    ///   - notice: receives one-line notices for the user (a reconnection, an entry already recorded).
    package static func open(_ argument: String, readOnly: Bool = false, notice: @escaping (String) -> Void = { _ in })
        throws
        -> any CaseStore
    {
        if PostgresCaseURL.isServerURL(argument) {
            return try PostgresCaseStore.open(try PostgresCaseURL(argument), readOnly: readOnly, notice: notice)
        }
        return try SQLiteCaseStore.open(path: argument, readOnly: readOnly)
    }

    /// Creates a case whole or not at all, `build` writing its opening entry: a new case file, or the case (and the
    /// schema, if the database has none) on the server.
    package static func create(
        _ argument: String, caseID: String, notice: @escaping (String) -> Void = { _ in },
        build: (any CaseStore) throws -> Void
    ) throws -> any CaseStore {
        if PostgresCaseURL.isServerURL(argument) {
            return try PostgresCaseStore.create(try PostgresCaseURL(argument), caseID: caseID, notice: notice) {
                try build($0)
            }
        }
        return try SQLiteCaseStore.create(path: argument) { try build($0) }
    }

    /// The argument as messages may show it: a URL without any password, a path as given.
    package static func display(_ argument: String) -> String {
        guard PostgresCaseURL.isServerURL(argument) else { return argument }
        return (try? PostgresCaseURL(argument).description) ?? PostgresCaseURL.redact(argument)
    }
}
