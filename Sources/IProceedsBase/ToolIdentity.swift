/// The tool's name and version, as every report, manifest and package names it.
///
/// `IProceedsBase` is the foundation under every kit: plain Swift, no C library, nothing domain-specific.
package enum ToolIdentity {
    /// The command's name, as users type it.
    package static let name = "iproceeds"
    /// The release this build reports in its outputs.
    package static let version = "0.1.0"
}
