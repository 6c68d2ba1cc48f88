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

    /// Parses the ISO 8601 forms records carry: `YYYY-MM-DD`, then optionally `T` or a space,
    /// `HH:MM[:SS[.fraction]]`, then `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing (taken as UTC).
    /// - Returns: milliseconds since the epoch, or `nil`.
    static func parse(_ text: String) -> Int64? {
        let u = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= u.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard u[i] >= 0x30, u[i] <= 0x39 else { return nil }
                v = v * 10 + Int(u[i] - 0x30)
            }
            return v
        }
        guard let year = digits(0, 4), u.count >= 10, u[4] == 0x2D, u[7] == 0x2D, let month = digits(5, 2),
            let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var millis = 0
        var offset = 0
        var i = 10
        if i < u.count {
            guard u[i] == 0x54 || u[i] == 0x74 || u[i] == 0x20, let h = digits(i + 1, 2), i + 3 < u.count,
                u[i + 3] == 0x3A,
                let m = digits(i + 4, 2)
            else { return nil }
            hour = h
            minute = m
            i += 6
            if i < u.count, u[i] == 0x3A {
                guard let s = digits(i + 1, 2) else { return nil }
                second = s
                i += 3
                if i < u.count, u[i] == 0x2E || u[i] == 0x2C {
                    i += 1
                    var scale = 100
                    let start = i
                    while i < u.count, u[i] >= 0x30, u[i] <= 0x39 {
                        millis += Int(u[i] - 0x30) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > start else { return nil }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
            if i < u.count {
                if u[i] == 0x5A || u[i] == 0x7A {
                    i += 1
                } else if u[i] == 0x2B || u[i] == 0x2D {
                    let sign = u[i] == 0x2B ? 1 : -1
                    guard let oh = digits(i + 1, 2) else { return nil }
                    i += 3
                    var om = 0
                    if i < u.count, u[i] == 0x3A {
                        guard let m = digits(i + 1, 2) else { return nil }
                        om = m
                        i += 3
                    } else if let m = digits(i, 2) {
                        om = m
                        i += 2
                    }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
            guard i == u.count else { return nil }
        }
        // A day past the month's end rolls into the next month, as `timegm` did here before.
        let seconds =
            ISO8601.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            - Int64(offset)
        return seconds * 1000 + Int64(millis)
    }

    /// Whether `text` is a calendar date `YYYY-MM-DD`.
    static func isDay(_ text: String) -> Bool {
        guard text.utf8.count == 10, let ms = parse(text) else { return false }
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
