import EvidenceKit
import Foundation
import IProceedsBase

/// Times in the forms the package formats want, from milliseconds since the epoch, UTC, without the locale or
/// the time zone of the machine.
enum PackageTime {
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// `2026-03-01T10:00:00.000Z` (STIX timestamps, the manifest).
    static func iso(milliseconds ms: Int64) -> String { ISO8601.format(milliseconds: ms, fraction: .milliseconds) }

    /// `2026-03-01` (MISP `date`).
    static func day(milliseconds ms: Int64) -> String { String(iso(milliseconds: ms).prefix(10)) }

    /// Whether `text` is a calendar date `YYYY-MM-DD` (a day the month has: not 31 February).
    static func isDay(_ text: String) -> Bool {
        guard text.utf8.count == 10, let ms = ISO8601.parse(text) else { return false }
        return day(milliseconds: ms) == text
    }
}

/// The identifiers a package uses, all name-based (UUID version 5) so that the same request gives the same ids.
enum PackageIDs {
    /// The STIX 2.1 namespace for cyber-observable ids (§2.9).
    static let stixObservableNamespace = UUID(uuidString: "00abedb4-aa42-466c-9c01-fed23315a9b7")!

    /// iproceeds' own namespace: UUIDv5 of `https://iproceeds.invalid/sharing-package` in the RFC 9562 URL
    /// namespace. Ids that should be the same across packages (the sender's identity) live here.
    static let iproceedsNamespace = UUID(
        uuidString: NameBasedUUID.v5(
            namespace: NameBasedUUID.urlNamespace, name: "https://iproceeds.invalid/sharing-package"))!

    /// The id of a STIX cyber-observable: UUIDv5 in the STIX namespace over the RFC 8785 form of its
    /// id-contributing properties.
    static func observable(type: String, contributing: JSONValue) -> String {
        type + "--" + NameBasedUUID.v5(namespace: stixObservableNamespace, name: contributing.canonical)
    }

    /// A stable id for the sending organisation (the STIX identity and the MISP `Orgc` share it).
    static func organisation(_ name: String) -> String {
        NameBasedUUID.v5(namespace: iproceedsNamespace, name: "organisation:" + name)
    }
}
