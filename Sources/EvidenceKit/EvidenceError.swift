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
public struct EvidenceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is; extensible, compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An option or argument is not acceptable.
        public static let invalidArgument = Code("invalid-argument")
        /// A system call failed on something the run cannot do without (the output file, say).
        public static let io = Code("io")
        /// A manifest could not be read or parsed.
        public static let manifest = Code("manifest")
        /// A case file is missing, foreign, from a newer schema, or refuses the operation.
        public static let caseFile = Code("case-file")
        /// The examiner is not known or not allowed to sign in this case.
        public static let examiner = Code("examiner")
        /// A C library reported a failure that should not happen.
        public static let library = Code("library")
    }

    public let code: Code
    public let message: String
    /// The path involved, when there is one.
    public let path: String?
    /// The C function that failed, when there is one.
    public let function: String?
    /// The `errno` value or library code, when there is one.
    public let systemCode: Int32?

    public init(_ code: Code, _ message: String, path: String? = nil, function: String? = nil, systemCode: Int32? = nil)
    {
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

    public var description: String { message }
}

/// `strerror` text for an errno value, lower-cased as examiners read it in a record ("permission denied").
func describeErrno(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    let s = String(cString: text)
    guard let first = s.first else { return s }
    return first.lowercased() + s.dropFirst()
}
