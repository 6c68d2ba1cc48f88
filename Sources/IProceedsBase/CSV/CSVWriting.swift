/// CSV as RFC 4180 writes it: the one CSV writer of the toolkit.
package enum CSV {
    /// A field: as it is, or in double quotes (quotes doubled) when it holds a comma, a quote, CR or LF.
    package static func field(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out = "\""
        for c in s.unicodeScalars {
            if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }

    /// A record: the fields quoted where needed, joined by commas, ended by `lineEnd` (CRLF, as RFC 4180 asks).
    package static func row(_ fields: [String], lineEnd: String = "\r\n") -> String {
        fields.map(field).joined(separator: ",") + lineEnd
    }
}
