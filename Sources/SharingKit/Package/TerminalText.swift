/// Text from a package or an input, made safe to print on a terminal.
///
/// A package's member names, its sender and recipient, a MISP organisation name are chosen by whoever made the
/// package. Printed raw, an escape sequence or a carriage return in one can move the cursor, recolour the screen
/// or overwrite a line, so that a package paints "Intact" over its own problems. Every such string is printed
/// through ``escaped(_:)``: control characters, and the invisible format characters that reorder or hide text,
/// become visible escapes, and a backslash is doubled so that an escape cannot be faked.
package enum TerminalText {
    /// `s` with every C0 and C1 control character, DEL, backslash, and every Unicode format, line or paragraph
    /// separator character (bidirectional overrides, zero-width characters) written as a visible escape:
    /// `\x1b`, `\x0d`, `\\`, `\u{202e}`.
    package static func escaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v == 0x5C {
                out += "\\\\"
            } else if v < 0x20 || v == 0x7F {
                out += "\\x" + (v < 0x10 ? "0" : "") + String(v, radix: 16)
            } else if (0x80...0x9F).contains(v) || isInvisible(scalar) {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// ``escaped(_:)`` between single quotes, for naming an untrusted value inside a sentence.
    package static func quoted(_ s: String) -> String { "'" + escaped(s) + "'" }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
