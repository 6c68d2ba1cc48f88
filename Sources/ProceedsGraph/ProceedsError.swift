/// An error that stopped a ProceedsGraph operation: an import, a trace, a path search or a pattern scan.
///
/// Rows an importer cannot read are not thrown (unless the import is strict): they are recorded as the ledger's
/// ``Ledger/issues`` with their file, line and reason, and the rest is imported.
package struct ProceedsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is: a stable code. The CLI decides its exit status from the code alone
    /// (docs/exit-codes.md lists them).
    package enum Code: String, CaseIterable, Sendable, CustomStringConvertible {
        /// An input file does not exist, is a folder, or cannot be read.
        case unreadableInput = "unreadable-input"
        /// An input could not be imported: not the format given, a header or profile that does not fit, a
        /// malformed row with strict reading, or no transfer imported at all.
        case unusableInput = "unusable-input"
        /// An option does not fit the ledger: a seed that is not there or is ambiguous, an amount with too many
        /// decimals for the asset, several assets where one must be chosen, a pattern option out of range.
        case invalidOption = "invalid-option"
        /// A computation did not come out as it must (conversion figures that do not settle): a bug to report.
        case internalInconsistency = "internal-inconsistency"

        package var description: String { rawValue }
    }

    package var code: Code
    /// The input file at fault, when there is one.
    package var file: String?
    /// The line (1-based) in ``file``, or 0.
    package var line: Int
    /// What is wrong, without the file and line.
    package var reason: String

    /// An error about the options or the computation.
    package init(_ code: Code, _ reason: String) {
        self.code = code
        self.file = nil
        self.line = 0
        self.reason = reason
    }

    /// An error about an input file, at `line` (0 for the whole file).
    package init(_ code: Code = .unusableInput, file: String, line: Int, reason: String) {
        self.code = code
        self.file = file
        self.line = line
        self.reason = reason
    }

    package var description: String {
        guard let file else { return reason }
        return line > 0 ? "\(file) line \(line): \(reason)" : "\(file): \(reason)"
    }
}
