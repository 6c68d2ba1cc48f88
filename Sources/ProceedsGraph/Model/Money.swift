/// An amount of money: an exact integer count of an asset's minor units (cents, satoshi, wei).
///
/// `Int128` holds 1.7 × 10³⁸ minor units: every ether ever issued, in wei, many times over. Money is never a
/// binary floating-point number anywhere in ProceedsGraph.
public typealias MinorUnits = Int128

/// Parsing and printing decimal amounts exactly.
public enum Decimal {
    /// Parses `text` ("48000.00", "-12,50", "0.41") into minor units at `scale` decimals.
    /// - Parameters:
    ///   - decimalSeparator: `.` or `,`; the other one (and spaces, apostrophes) is accepted as a grouping mark.
    /// - Returns: `nil` when the text is not a number, or has more decimals than `scale` that are not zeros.
    public static func parse(_ text: String, scale: Int, decimalSeparator: Character = ".") -> MinorUnits? {
        // Bytes, not Characters: this runs once per ledger row.
        let separator = decimalSeparator.asciiValue ?? UInt8(ascii: ".")
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
            var whole: MinorUnits = 0
            var fraction: MinorUnits = 0
            var fractionDigits = 0
            var seenSeparator = false
            var digits = 0
            while i < end {
                let c = u[i]
                i += 1
                if c == separator {
                    guard !seenSeparator else { return nil }
                    seenSeparator = true
                    continue
                }
                // Grouping marks before the decimal separator: , . space ' and a no-break space (C2 A0).
                if !seenSeparator && (c == 0x2C || c == 0x2E || c == 0x20 || c == 0x27) { continue }
                if !seenSeparator && c == 0xC2 && i < end && u[i] == 0xA0 {
                    i += 1
                    continue
                }
                guard c >= 0x30 && c <= 0x39 else { return nil }
                let d = MinorUnits(c - 0x30)
                digits += 1
                if seenSeparator {
                    if fractionDigits < scale {
                        fraction = fraction * 10 + d
                        fractionDigits += 1
                    } else if d != 0 {
                        return nil  // more precision than the asset has: refuse rather than round money
                    }
                } else {
                    let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(d)
                    guard !o1, !o2 else { return nil }
                    whole = a
                }
            }
            guard digits > 0 else { return nil }
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

    /// The amount as a decimal string at its scale: `4800000` at scale 2 is `"48000.00"`.
    public static func format(_ value: MinorUnits, scale: Int) -> String {
        let negative = value < 0
        let magnitude = negative ? -value : value
        let digits = String(magnitude)
        guard scale > 0 else { return (negative ? "-" : "") + digits }
        let padded = digits.count <= scale ? String(repeating: "0", count: scale - digits.count + 1) + digits : digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }

    public static func pow10(_ n: Int) -> MinorUnits {
        var v: MinorUnits = 1
        for _ in 0..<n { v *= 10 }
        return v
    }
}

extension MinorUnits {
    /// `self × numerator / denominator`, rounded to the nearest integer, ties to even — computed exactly with a
    /// 256-bit intermediate, so no product overflows. All three must be non-negative and `denominator > 0`.
    @inlinable
    public func scaled(by numerator: MinorUnits, over denominator: MinorUnits) -> MinorUnits {
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
