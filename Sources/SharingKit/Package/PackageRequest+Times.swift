import Foundation
import IProceedsBase

extension PackageRequest {
    /// Parses a creation time with the toolkit's one ISO 8601 parser (``ISO8601/parse(_:)``): `YYYY-MM-DD`,
    /// optionally followed by `T` or a space and `HH:MM[:SS[.fraction]]`, then `Z`, `±HH:MM`, `±HHMM` or nothing
    /// (UTC), offsets within ±14:00. Milliseconds are kept. A day the month does not have (31 February) is `nil`,
    /// never rolled into the next month.
    package static func time(parsing text: String) -> Date? {
        ISO8601.parse(text).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// The calendar day (UTC) of a time, `YYYY-MM-DD`, as `reviewBy` wants it.
    package static func day(_ date: Date) -> String { PackageTime.day(milliseconds: PackageTime.milliseconds(date)) }

    /// Whether `text` is a calendar date `YYYY-MM-DD`.
    package static func isDay(_ text: String) -> Bool { PackageTime.isDay(text) }

    /// Whether `text` is an Admiralty grade: source reliability A–F and information credibility 1–6 (`B2`).
    package static func isReliabilityGrade(_ text: String) -> Bool {
        let u = Array(text.utf8)
        return u.count == 2 && (0x41...0x46).contains(u[0]) && (0x31...0x36).contains(u[1])
    }
}
