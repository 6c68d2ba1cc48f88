import Foundation

/// The `mask` operator: letters and digits outside the kept ends are overwritten; separators stay in place.
package enum Masking {
    /// `value` masked by `rule`. When the value has no more letters and digits than the rule keeps, all of them are
    /// masked, so a short value is never passed through whole.
    package static func mask(_ value: String, _ rule: MaskRule) -> String {
        let significant = value.filter { $0.isLetter || $0.isNumber }.count
        let keepAll = significant <= rule.keepFirst + rule.keepLast
        var index = 0
        var out = ""
        for c in value {
            guard c.isLetter || c.isNumber else {
                out.append(c)
                continue
            }
            let visible = !keepAll && (index < rule.keepFirst || index >= significant - rule.keepLast)
            out.append(visible ? c : rule.maskCharacter)
            index += 1
        }
        return out
    }
}

/// The `generalise` operator: a value replaced by a coarser value of the same kind.
package enum Generalisation {
    /// The generalised value, or `nil` when `value` cannot be read as `kind` or `kind` has no generalisation
    /// (the caller then removes the value).
    ///
    /// - IPv4 → its network in CIDR form (`203.0.113.0/24`); IPv6 likewise (`2001:db8:85a3::/48`).
    /// - e-mail → `*@` and the domain, lower case.
    /// - URL → scheme, host and port: `https://host:8443/` (user name, path, query and fragment removed).
    /// - phone in international form (`+` or `00`) → `+` and its E.164 country code; a national number → `nil`.
    /// - time (ISO 8601) → truncated to the minute, hour, day or month, the offset kept as written.
    package static func generalise(_ value: String, kind: ValueKind, rule: GeneraliseRule) -> String? {
        let v = value.trimmingCharacters(in: .whitespacesAndNewlines)
        switch kind {
        case .personalData(.ipv4):
            guard let bytes = IPAddressText.ipv4(v) else { return nil }
            let prefix = rule.ipv4Prefix ?? 24
            return IPAddressText.format(ipv4: IPAddressText.network(bytes, prefix: prefix)) + "/\(prefix)"
        case .personalData(.ipv6):
            guard let bytes = IPAddressText.ipv6(v) else { return nil }
            let prefix = rule.ipv6Prefix ?? 48
            return IPAddressText.format(ipv6: IPAddressText.network(bytes, prefix: prefix)) + "/\(prefix)"
        case .personalData(.email):
            guard let at = v.lastIndex(of: "@"), v.index(after: at) < v.endIndex else { return nil }
            return "*@" + v[v.index(after: at)...].lowercased()
        case .personalData(.url):
            return origin(ofURL: v)
        case .personalData(.phone):
            return countryCode(ofPhone: v).map { "+" + $0 }
        case .time:
            return truncate(timestamp: v, to: rule.time ?? .hour)
        case .personalData:
            return nil
        }
    }

    /// `scheme://host[:port]/` of a URL, lower case; a URL without a scheme keeps none (`host/`).
    static func origin(ofURL url: String) -> String? {
        var scheme = ""
        var rest = Substring(url)
        if let r = url.range(of: "://") {
            scheme = url[..<r.lowerBound].lowercased() + "://"
            rest = url[r.upperBound...]
        }
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else { return nil }
        return scheme + authority.lowercased() + "/"
    }

    /// The E.164 country codes of two digits; those of one digit are 1 and 7, all others have three. The codes
    /// form a prefix code, so the first match is the code.
    private static let twoDigitCountryCodes: Set<String> = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
        "86", "90", "91", "92", "93", "94", "95", "98",
    ]

    /// The country code of a number in international form (`+381 …`, `00381 …`), or `nil`.
    static func countryCode(ofPhone phone: String) -> String? {
        guard let n = Pseudonymiser.normalise(phone, as: .phone), n.hasPrefix("+") else { return nil }
        let digits = n.dropFirst()
        guard digits.count >= 4, let first = digits.first, first != "0" else { return nil }
        if first == "1" || first == "7" { return String(first) }
        if twoDigitCountryCodes.contains(String(digits.prefix(2))) { return String(digits.prefix(2)) }
        return String(digits.prefix(3))
    }

    /// An ISO 8601 date or date-time truncated to `granularity`, in the form `YYYY-MM-DDTHH:MM:SS` followed by the
    /// offset as written (`Z`, `+02:00`); a bare date stays a date. `nil` when `text` is not such a timestamp.
    static func truncate(timestamp text: String, to granularity: TimeGranularity) -> String? {
        let c = Array(text.utf8)
        func digits(_ range: Range<Int>) -> String? {
            guard range.upperBound <= c.count, c[range].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return String(decoding: c[range], as: UTF8.self)
        }
        guard c.count >= 10, let year = digits(0..<4), c[4] == UInt8(ascii: "-"), let month = digits(5..<7),
            c[7] == UInt8(ascii: "-"), let day = digits(8..<10), (1...12).contains(Int(month)!),
            (1...31).contains(Int(day)!)
        else { return nil }
        if c.count == 10 {
            return granularity == .month ? "\(year)-\(month)-01" : text
        }
        guard c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: " ") || c[10] == UInt8(ascii: "t"),
            let hour = digits(11..<13), c.count >= 16, c[13] == UInt8(ascii: ":"), let minute = digits(14..<16),
            Int(hour)! < 24, Int(minute)! < 60
        else { return nil }
        var i = 16
        if i < c.count, c[i] == UInt8(ascii: ":") {
            guard digits(17..<19) != nil else { return nil }
            i = 19
            if i < c.count, c[i] == UInt8(ascii: ".") || c[i] == UInt8(ascii: ",") {
                i += 1
                let start = i
                while i < c.count, (0x30...0x39).contains(c[i]) { i += 1 }
                guard i > start else { return nil }
            }
        }
        let zone = String(decoding: c[i...], as: UTF8.self)
        guard zone.isEmpty || zone == "Z" || zone == "z" || isOffset(zone) else { return nil }
        let (d, h, m): (String, String, String) =
            switch granularity {
            case .minute: (day, hour, minute)
            case .hour: (day, hour, "00")
            case .day: (day, "00", "00")
            case .month: ("01", "00", "00")
            }
        return "\(year)-\(month)-\(d)T\(h):\(m):00" + (zone == "z" ? "Z" : zone)
    }

    /// `+HH:MM`, `-HH:MM`, `+HHMM` or `+HH`.
    private static func isOffset(_ s: String) -> Bool {
        let c = Array(s.utf8)
        guard let sign = c.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return false }
        let body = c.dropFirst().filter { $0 != UInt8(ascii: ":") }
        let colonOK = c.count != 6 || c[3] == UInt8(ascii: ":")
        return (body.count == 2 || body.count == 4) && colonOK && body.allSatisfy { (0x30...0x39).contains($0) }
            && (c.count == 3 || c.count == 5 || c.count == 6)
    }
}

extension ValueKind {
    /// What a field value is, recognised from its text alone for rules without `as`: an IPv4 or IPv6 address, an
    /// ISO 8601 timestamp, an e-mail address or a URL; `nil` for anything else.
    package static func recognise(_ value: String) -> ValueKind? {
        let v = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if IPAddressText.ipv4(v) != nil { return .personalData(.ipv4) }
        if IPAddressText.ipv6(v) != nil { return .personalData(.ipv6) }
        if Generalisation.truncate(timestamp: v, to: .minute) != nil { return .time }
        if !v.contains(where: \.isWhitespace) {
            if let r = v.range(of: "://"), !v[..<r.lowerBound].isEmpty,
                v[..<r.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) })
            {
                return .personalData(.url)
            }
            let parts = v.split(separator: "@", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
                !parts[1].hasSuffix(".")
            {
                return .personalData(.email)
            }
        }
        return nil
    }
}
