import EvidenceKit

// SharingKit reports its failures with EvidenceKit's error type, so that every command maps one type to exit
// statuses and audit lines; these are the codes it adds.
extension EvidenceError.Code {
    /// A sharing policy is missing, unparseable or invalid (an unknown key, type, action or parameter).
    public static let policy = EvidenceError.Code("policy")
    /// A pseudonym key file is missing, unreadable, malformed, too widely readable, or would be overwritten.
    public static let pseudonymKey = EvidenceError.Code("pseudonym-key")
    /// A re-identification vault is unreadable, was written under another key, or failed authentication.
    public static let vault = EvidenceError.Code("vault")
}
