import IProceedsBase

/// The members every ProceedsGraph report ends with, built once.
enum ReportJSON {
    /// `{"name": "iproceeds", "version": "…"}`.
    static let tool: JSONValue = .object([
        ("name", .string(ToolIdentity.name)), ("version", .string(ToolIdentity.version)),
    ])

    /// The input files, each `{"path": …, "sha256": …}`, in the order read.
    static func inputs(_ ledger: Ledger) -> JSONValue {
        .array(ledger.inputs.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })
    }
}
