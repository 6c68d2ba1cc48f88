import EvidenceKit
import IProceedsBase

/// An error that stopped a SharingKit operation: a policy, key, vault, input or package that cannot be used.
///
/// Failures of the operations SharingKit calls (writing an output through IProceedsBase's `OutputFile`, say) pass
/// through as ``SharingError``. A record that cannot be read is not thrown but reported in the run, unless
/// the run is strict.
package struct SharingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is: a stable code, written in audit lines as its raw value. The CLI decides its
    /// exit status from the code alone (docs/exit-codes.md lists them).
    package enum Code: String, CaseIterable, Sendable, CustomStringConvertible {
        /// An option or request is not acceptable (an unknown case item, an output that exists).
        case invalidArgument = "invalid-argument"
        /// A sharing policy is unparseable or invalid (an unknown key, type, action or parameter).
        case policy
        /// A sharing policy file does not exist or cannot be read.
        case policyUnreadable = "policy-unreadable"
        /// A pseudonym key file is malformed or too widely readable, or a policy needs a key and none was given.
        case pseudonymKey = "pseudonym-key"
        /// A pseudonym key file does not exist or cannot be read.
        case pseudonymKeyUnreadable = "pseudonym-key-unreadable"
        /// A new pseudonym key would overwrite an existing one.
        case pseudonymKeyExists = "pseudonym-key-exists"
        /// A re-identification vault is unreadable, was written under another key, or failed authentication.
        case vault
        /// There is no re-identification vault at the path given.
        case vaultMissing = "vault-missing"
        /// An input is empty, a folder, or holds a record that cannot be read (with strict reading).
        case sharingInput = "sharing-input"
        /// An input file does not exist or cannot be read.
        case inputUnreadable = "input-unreadable"
        /// A package request lacks something a package needs, or states it in the wrong form.
        case sharingPackage = "sharing-package"
        /// The signer is not registered in the case the package is recorded in.
        case examiner
        /// A system call failed on something the run cannot do without (the package file, /dev/urandom).
        case io
        /// A C library reported a failure that should not happen.
        case library

        package var description: String { rawValue }
    }

    package let code: Code
    package let message: String
    /// The path involved, when there is one.
    package let path: String?
    /// The C function that failed, when there is one.
    package let function: String?
    /// The `errno` value or library code, when there is one.
    package let systemCode: Int32?

    package init(
        _ code: Code, _ message: String, path: String? = nil, function: String? = nil, systemCode: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.function = function
        self.systemCode = systemCode
    }

    package var description: String { message }
}

extension SharingError {
    /// An ``OutputFileError`` as SharingKit reports it: an existing output or a folder given for a file is a wrong
    /// request (`.invalidArgument`), anything else `.io`; message, path, function and `errno` are kept.
    package init(_ e: OutputFileError) {
        let code: Code = e.code == .io ? .io : .invalidArgument
        self.init(code, e.message, path: e.path, function: e.function, systemCode: e.systemCode)
    }

    /// Runs `body`, which writes through ``OutputFile``, turning its ``OutputFileError`` into a `SharingError`.
    package static func writing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as OutputFileError { throw SharingError(e) }
    }
}
