import EvidenceKit
import ProceedsGraph
import SampleCases
import SharingKit

/// Every exit status of iproceeds, and the one place where a failure's code decides it.
///
/// docs/exit-codes.md lists each status once with the codes that lead to it; a test reads that table and fails
/// when a code has no row or a row disagrees with these functions. Nothing here looks at a message's text.
enum ExitStatus: Int32, CaseIterable {
    /// The command did what it was asked and found nothing wrong.
    case success = 0
    /// The command completed, but found problems it reports (unreadable items, mismatches, skipped rows).
    case completedWithProblems = 1
    /// The command line is wrong (sysexits `EX_USAGE`).
    case usage = 64
    /// An input or case file was read but cannot be used (`EX_DATAERR`).
    case unusableInput = 65
    /// An input or case file does not exist or cannot be read (`EX_NOINPUT`).
    case missingInput = 66
    /// The case server cannot be reached; nothing was written (`EX_UNAVAILABLE`).
    case unavailable = 69
    /// iproceeds found a fault in its own results (`EX_SOFTWARE`): a bug to report.
    case internalError = 70
    /// An output cannot be written (`EX_IOERR`).
    case cannotWrite = 74
    /// The examiner's key is missing, unsafe, or not registered in the case (`EX_NOPERM`).
    case examinerKey = 77
    /// Interrupted (Ctrl-C, SIGTERM) during a long acquisition, which leaves its output marked incomplete
    /// (128 + SIGINT, as shells report it).
    case interrupted = 130

    static func of(_ code: EvidenceError.Code) -> ExitStatus {
        switch code {
        case .invalidArgument: .usage
        case .caseFile, .hashSet: .unusableInput
        case .manifest, .caseFileMissing, .sourceMissing, .hashSetMissing: .missingInput
        case .examiner, .storeAccessDenied: .examinerKey
        case .storeUnavailable: .unavailable
        case .io, .library, .outputExists: .cannotWrite
        }
    }

    static func of(_ code: SharingError.Code) -> ExitStatus {
        switch code {
        case .invalidArgument: .usage
        case .policy, .pseudonymKey, .vault, .sharingInput, .sharingPackage: .unusableInput
        case .policyUnreadable, .pseudonymKeyUnreadable, .vaultMissing, .inputUnreadable: .missingInput
        case .pseudonymKeyExists, .io, .library: .cannotWrite
        case .examiner: .examinerKey
        }
    }

    static func of(_ code: ProceedsError.Code) -> ExitStatus {
        switch code {
        case .invalidOption: .usage
        case .unusableInput: .unusableInput
        case .unreadableInput: .missingInput
        case .internalInconsistency: .internalError
        }
    }

    static func of(_ code: SampleCaseError.Code) -> ExitStatus {
        switch code {
        case .destinationNotEmpty: .usage
        case .cannotWrite: .cannotWrite
        }
    }

    static func of(_ code: CLIError.Code) -> ExitStatus {
        switch code {
        case .cannotRead: .missingInput
        case .unusableInput: .unusableInput
        case .cannotWrite, .outputExists: .cannotWrite
        case .internalError: .internalError
        }
    }

    /// The status and the one-line message for a failure that stopped a command. An error of no kit's type is
    /// a fault of iproceeds itself.
    static func of(_ error: Error) -> (ExitStatus, String) {
        switch error {
        case let e as CLIError: (of(e.code), e.description)
        case let e as EvidenceError: (of(e.code), e.description)
        case let e as SharingError: (of(e.code), e.description)
        case let e as ProceedsError: (of(e.code), e.description)
        case let e as SampleCaseError: (of(e.code), e.description)
        default: (.internalError, "\(error)")
        }
    }
}
