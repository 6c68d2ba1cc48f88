import IProceedsBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error that stopped an EvidenceKit operation, with the context an examiner needs in an audit trail.
///
/// Expected outcomes on evidence (an unreadable file, a corrupt archive member) are not thrown: they are
/// recorded in a ``FingerprintRecord``'s `error`. This type is for failures that stop a run: bad options,
/// an output that cannot be written, a manifest that cannot be parsed.
package struct EvidenceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is: a stable code, written in audit lines as its raw value. The CLI decides its
    /// exit status from the code alone (docs/exit-codes.md lists them); compare with `==`.
    package enum Code: String, CaseIterable, Sendable, CustomStringConvertible {
        /// An option or argument is not acceptable.
        case invalidArgument = "invalid-argument"
        /// A system call failed on something the run cannot do without (the output file, say).
        case io
        /// A manifest could not be read or parsed.
        case manifest
        /// A case file is foreign, from a newer schema, damaged, or refuses the operation.
        case caseFile = "case-file"
        /// There is no case file at the path given.
        case caseFileMissing = "case-file-missing"
        /// The examiner is not known or not allowed to sign in this case.
        case examiner
        /// A C library reported a failure that should not happen.
        case library
        /// The source to image (or the image to verify) does not exist or cannot be opened.
        case sourceMissing = "source-missing"
        /// An image or log of that name exists and `--replace` was not given.
        case outputExists = "output-exists"
        /// The case store could not be reached (a server that refuses or drops connections, a name that does not
        /// resolve); nothing was written.
        case storeUnavailable = "store-unavailable"
        /// The case store refused the credentials or the role (wrong password, no password, no privilege).
        case storeAccessDenied = "store-access-denied"
        /// A reference hash set (`--known`, `--known-bad`) is not one of the formats read, or a line of it is
        /// malformed (the message names the file and line).
        case hashSet = "hash-set"
        /// A reference hash set does not exist or cannot be read.
        case hashSetMissing = "hash-set-missing"

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

    /// An error from a failed system call, with `errno`'s text.
    static func system(_ function: String, path: String?, errno code: Int32 = errno) -> EvidenceError {
        EvidenceError(
            .io, "\(function)\(path.map { " \($0)" } ?? ""): \(describeErrno(code))", path: path, function: function,
            systemCode: code)
    }

    package var description: String { message }
}

extension EvidenceError {
    /// An ``OutputFileError`` as EvidenceKit reports it: an existing target or a folder given for a file is a wrong
    /// argument (`.invalidArgument`), anything else `.io`; message, path, function and `errno` are kept.
    package init(_ e: OutputFileError) {
        let code: Code = e.code == .io ? .io : .invalidArgument
        self.init(code, e.message, path: e.path, function: e.function, systemCode: e.systemCode)
    }

    /// Runs `body`, which writes through ``OutputFile``, turning its ``OutputFileError`` into an `EvidenceError`.
    package static func writing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as OutputFileError { throw EvidenceError(e) }
    }
}

/// `strerror` text for an errno value, lower-cased as examiners read it in a record ("permission denied").
func describeErrno(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    let s = String(cString: text)
    guard let first = s.first else { return s }
    return first.lowercased() + s.dropFirst()
}
