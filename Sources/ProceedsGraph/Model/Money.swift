/// An amount of money: an exact integer count of an asset's minor units (cents, satoshi, wei).
///
/// `Int128` holds 1.7 × 10³⁸ minor units: every ether ever issued, in wei, many times over. Money is never a
/// binary floating-point number anywhere in ProceedsGraph.
@usableFromInline package typealias MinorUnits = Int128

/// Parsing and printing decimal amounts exactly.
package enum ExactDecimal {
    /// Parses `text` into minor units at `scale` decimals, under one strict grammar (docs/tracing-policies.md,
    /// "Amounts"):
    ///
    ///     amount  = blanks? sign? integer (separator digit+)? blanks?
    ///     integer = digit+                                    (no grouping), or
    ///               digit{1,3} (mark digit{3})+               (one grouping mark, the same throughout)
    ///
    /// A grouping mark is accepted only where a thousands group ends, and only if it is one of `grouping`: so
    /// with a decimal point and no grouping, `12,50`, `1,5` and `1 000,00` are refused instead of being read
    /// as 1250.00, 15.00 and 100000.00.
    /// - Parameters:
    ///   - decimalSeparator: `.` or `,`.
    ///   - grouping: the thousands marks the source uses (`","`, `"."`, `" "`, `"'"`; a space also stands for
    ///     the no-break spaces U+00A0 and U+202F). Empty (the default): no grouping at all.
    /// - Returns: `nil` when the text is not an amount under this grammar, or has more decimals than `scale`
    ///   that are not zeros (money is never rounded on import).
    package static func parse(
        _ text: String, scale: Int, decimalSeparator: Character = ".", grouping: String = ""
    ) -> MinorUnits? {
        // Bytes, not Characters: this runs once per ledger row.
        let separator = decimalSeparator.asciiValue ?? UInt8(ascii: ".")
        let marks = Set(grouping.utf8.filter { $0 != separator })
        var text = text
        return text.withUTF8 { u -> MinorUnits? in
            var i = 0
            var end = u.count
            while i < end && (u[i] == 0x20 || u[i] == 0x09) { i += 1 }
            while end > i && (u[end - 1] == 0x20 || u[end - 1] == 0x09) { end -= 1 }
            guard i < end else { return nil }
            var negative = false
            if u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") {
                negative = u[i] == UInt8(ascii: "-")
                i += 1
            }
            /// The grouping mark at `i` (its length in bytes and its kind), or nil.
            func mark(at i: Int) -> (length: Int, kind: UInt8)? {
                guard i < end else { return nil }
                let c = u[i]
                if marks.contains(c) { return (1, c) }
                guard marks.contains(0x20) else { return nil }
                if c == 0xC2 && i + 1 < end && u[i + 1] == 0xA0 { return (2, 0x20) }  // U+00A0
                if c == 0xE2 && i + 2 < end && u[i + 1] == 0x80 && u[i + 2] == 0xAF { return (3, 0x20) }  // U+202F
                return nil
            }
            var whole: MinorUnits = 0
            var groupKind: UInt8?
            var groupDigits = 0  // digits since the last mark (or the start)
            var digits = 0
            var groups = 0
            while i < end && u[i] != separator {
                if let (length, kind) = mark(at: i) {
                    // A mark closes a group: 1–3 digits before the first one, exactly 3 between later ones.
                    guard groupKind == nil || groupKind == kind, groupDigits >= 1,
                        groups == 0 ? groupDigits <= 3 : groupDigits == 3
                    else { return nil }
                    groupKind = kind
                    groups += 1
                    groupDigits = 0
                    i += length
                    continue
                }
                let c = u[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(MinorUnits(c - 0x30))
                guard !o1, !o2 else { return nil }
                whole = a
                digits += 1
                groupDigits += 1
                i += 1
            }
            guard digits > 0, groups == 0 || groupDigits == 3 else { return nil }
            var fraction: MinorUnits = 0
            var fractionDigits = 0
            if i < end {  // at the decimal separator
                i += 1
                guard i < end else { return nil }  // "12." has no decimals
                while i < end {
                    let c = u[i]
                    guard c >= 0x30 && c <= 0x39 else { return nil }
                    let d = MinorUnits(c - 0x30)
                    if fractionDigits < scale {
                        fraction = fraction * 10 + d
                        fractionDigits += 1
                    } else if d != 0 {
                        return nil  // more precision than the asset has: refuse rather than round money
                    }
                    i += 1
                }
            }
            while fractionDigits < scale {
                fraction *= 10
                fractionDigits += 1
            }
            let (m, o1) = whole.multipliedReportingOverflow(by: pow10(scale))
            let (v, o2) = m.addingReportingOverflow(fraction)
            guard !o1, !o2 else { return nil }
            return negative ? -v : v
        }
    }

    /// What ``parse(_:scale:decimalSeparator:grouping:)`` accepts, in words for an error message.
    package static func grammar(scale: Int, decimalSeparator: Character = ".", grouping: String = "") -> String {
        let marks = grouping.filter { $0 != decimalSeparator }.map { $0 == " " ? "space" : "'\($0)'" }
        let groups =
            marks.isEmpty
            ? "no thousands separators" : "thousands groups of 3 separated by \(marks.joined(separator: " or "))"
        return "digits with an optional sign, '\(decimalSeparator)' before at most \(scale) decimals, \(groups)"
    }

    /// The amount as a decimal string at its scale: `4800000` at scale 2 is `"48000.00"`.
    package static func format(_ value: MinorUnits, scale: Int) -> String {
        let negative = value < 0
        let magnitude = negative ? -value : value
        let digits = String(magnitude)
        guard scale > 0 else { return (negative ? "-" : "") + digits }
        let padded = digits.count <= scale ? String(repeating: "0", count: scale - digits.count + 1) + digits : digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }

    package static func pow10(_ n: Int) -> MinorUnits {
        var v: MinorUnits = 1
        for _ in 0..<n { v *= 10 }
        return v
    }
}

extension MinorUnits {
    /// `self × numerator / denominator`, rounded to the nearest integer, ties to even — computed exactly with a
    /// 256-bit intermediate, so no product overflows. All three must be non-negative and `denominator > 0`.
    @inlinable
    package func scaled(by numerator: MinorUnits, over denominator: MinorUnits) -> MinorUnits {
        precondition(self >= 0 && numerator >= 0 && denominator > 0)
        let a = UInt128(self)
        let product = a.multipliedFullWidth(by: UInt128(numerator))
        let d = UInt128(denominator)
        precondition(product.high < d, "quotient does not fit")
        let (q, r) = d.dividingFullWidth(product)
        // Compare the remainder with half the divisor without overflowing: r ≥ d - r.
        let twice = r >= d - r
        let exactHalf = r == d - r
        var result = q
        if twice && (!exactHalf || q & 1 == 1) { result += 1 }
        return MinorUnits(result)
    }
}

import Foundation
