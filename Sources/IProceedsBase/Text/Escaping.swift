/// Escaping of text for the markup formats the toolkit writes.
package enum Escaping {
    /// XML character data or attribute value: `&`, `<`, `>`, `"` escaped, tab, LF and CR as character
    /// references (so an attribute keeps them); characters XML 1.0 forbids (other controls, U+FFFE, U+FFFF)
    /// written as U+FFFD — where the exact bytes matter they travel in a companion hex field.
    package static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// HTML text or attribute value (either quote): `&`, `<`, `>`, `"` and `'` escaped, everything else as is.
    package static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
