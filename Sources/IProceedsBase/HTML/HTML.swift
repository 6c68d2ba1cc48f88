/// A fragment of HTML (or of SVG inside HTML) built by construction: the markup written in the source code
/// goes in as it is, and every value interpolated into it is escaped.
///
/// ```swift
/// let row: HTML = "<tr><td class=\"mono\">\(account)</td><td>\(amount)</td></tr>"
/// ```
///
/// Only a string *literal* becomes markup: the literal type is `StaticString`, so no `String` read at run time
/// (from evidence, a ledger, a case file, an input, an argument) can be turned into markup, by accident or
/// otherwise. A `String` interpolated into a fragment is escaped for both text and quoted attribute values;
/// an `HTML` interpolated into a fragment is nested as built. There is deliberately no `raw(String)`.
///
/// Rules for the literals (the only place markup comes from): quote every attribute value with `"`, and never
/// interpolate into `<style>` or `<script>` (their content is not parsed for character references).
package struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup, ready to write.
    package private(set) var markup: String

    /// An empty fragment.
    package init() { markup = "" }

    /// Markup written in the source code.
    package init(stringLiteral literal: StaticString) { markup = literal.description }

    /// Markup with escaped values interpolated.
    package init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    /// Text, escaped.
    package init(text: String) { markup = HTML.escape(text) }

    package var description: String { markup }

    /// Appends another fragment.
    package mutating func append(_ other: HTML) { markup += other.markup }

    /// Both fragments, one after the other.
    package static func + (a: HTML, b: HTML) -> HTML {
        var r = a
        r.append(b)
        return r
    }

    /// Appends `b` to `a`.
    package static func += (a: inout HTML, b: HTML) { a.append(b) }

    /// Builds the interpolated fragments: literals as markup, values escaped.
    package struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        package init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        /// Markup from the source code.
        package mutating func appendLiteral(_ literal: StaticString) { markup += literal.description }

        /// Text or an attribute value, escaped.
        package mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        /// Text or an attribute value, escaped.
        package mutating func appendInterpolation(_ text: Substring) { markup += HTML.escape(String(text)) }

        /// A number, in decimal digits.
        package mutating func appendInterpolation<T: BinaryInteger>(_ number: T) { markup += String(number) }

        /// A fragment built by construction, nested as it is.
        package mutating func appendInterpolation(_ fragment: HTML) { markup += fragment.markup }

        /// Fragments built by construction, one after the other.
        package mutating func appendInterpolation(_ fragments: [HTML]) {
            for f in fragments { markup += f.markup }
        }
    }

    /// Escapes text for HTML character data and for a double- or single-quoted attribute value (the same rules
    /// serve both, so a value cannot end up in the wrong context unescaped).
    ///
    /// `&`, `<`, `>`, `"`, `'` and carriage return become character references. Characters an HTML parser reports as errors are
    /// made visible rather than passed through: C0 controls other than tab, line feed and carriage return, and
    /// DEL, become their Unicode control pictures (U+0000 → U+2400 `␀`, U+001B → U+241B `␛`, DEL → U+2421 `␡`);
    /// C1 controls and the noncharacters U+FFFE and U+FFFF become U+FFFD. Everything else (U+2028 included) is
    /// written as UTF-8. A `String` cannot hold invalid UTF-8: bytes that were not UTF-8 were already replaced
    /// by U+FFFD when they were decoded.
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&#39;"
            case 0x09, 0x0A: out.unicodeScalars.append(scalar)
            // A parser turns a literal CR (and CR LF) into LF; the reference keeps it.
            case 0x0D: out += "&#13;"
            case 0x00...0x1F: out.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: out += "\u{2421}"
            case 0x80...0x9F, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Sequence where Element == HTML {
    /// The fragments one after the other, with `separator` between them.
    package func joined(separator: HTML = HTML()) -> HTML {
        var out = HTML()
        var first = true
        for f in self {
            if !first { out.append(separator) }
            out.append(f)
            first = false
        }
        return out
    }
}
