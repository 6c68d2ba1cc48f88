#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a value may stand in a standard STIX 2.1 cyber-observable, as the STIX JSON schemas (and so
/// `stix2_validator`) check it. A value that fails — typically a pseudonym that no longer looks like an address —
/// goes into the package's own `iproceeds-observable` object instead, so the bundle stays valid.
enum STIXValueSyntax {
    static func fits(_ kind: ObservableKind, _ value: String) -> Bool {
        switch kind {
        case .ipv4: return isIPv4(value)
        case .ipv6: return isIPv6(value)
        case .email: return isEmail(value)
        case .url: return isURI(value)
        case .domain: return isHostname(value)
        case .sha256, .md5, .sha1, .sha512, .ssdeep, .tlsh, .sha224, .sha384, .imphash:
            return isDigest(kind, value)
        case .filename: return isFileName(value)
        default:
            guard kind.isFilenameAndDigest, let digest = kind.digestOfFile, let bar = value.lastIndex(of: "|")
            else { return false }
            return isFileName(String(value[..<bar])) && isDigest(digest, String(value[value.index(after: bar)...]))
        }
    }

    /// A digest in the form its algorithm gives it, as the STIX 2.1 validator checks the ones it knows.
    static func isDigest(_ kind: ObservableKind, _ s: String) -> Bool {
        switch kind {
        case .md5, .imphash: return isHex(s, count: 32)
        case .sha1: return isHex(s, count: 40)
        case .sha224: return isHex(s, count: 56)
        case .sha256: return isHex(s, count: 64)
        case .sha384: return isHex(s, count: 96)
        case .sha512: return isHex(s, count: 128)
        case .tlsh:
            // 70 hex digits, or 72 with the `T1` version prefix.
            return isHex(s, count: 70) || (s.hasPrefix("T1") && isHex(String(s.dropFirst(2)), count: 70))
        case .ssdeep:
            // blocksize:hash:hash, the hashes in base64's alphabet.
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(isDigit) else { return false }
            return parts[1...].allSatisfy { p in
                !p.isEmpty && p.utf8.allSatisfy { isAlnum($0) || $0 == 0x2B || $0 == 0x2F }
            }
        default: return false
        }
    }

    /// A file name as MISP gives one (sometimes with a folder): not empty, no control character.
    static func isFileName(_ s: String) -> Bool {
        !s.isEmpty && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// Dotted quad without leading zeros, optionally `/0`–`/32`: the schema's pattern.
    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 { guard isDecimal(parts[1], max: 32) else { return false } }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { isDecimal($0, max: 255) }
    }

    private static func isDecimal(_ s: Substring, max: Int) -> Bool {
        guard !s.isEmpty, s.count <= 3, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        if s.count > 1, s.first == "0" { return false }
        return Int(s)! <= max
    }

    /// Hex groups only (no embedded IPv4, no zone), as `inet_pton` reads them, optionally `/0`–`/128`.
    static func isIPv6(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 { guard isDecimal(parts[1], max: 128) else { return false } }
        let address = String(parts[0])
        guard address.utf8.allSatisfy({ isHexDigit($0) || $0 == 0x3A }) else { return false }
        var buffer = in6_addr()
        return inet_pton(AF_INET6, address, &buffer) == 1
    }

    /// `local@domain`, one `@`, neither part empty, no white space or control characters.
    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }

    /// An ASCII host name that IDNA 2008 accepts as it is: letter-digit-hyphen labels of 1 to 63 characters, no
    /// hyphen at either end or in the third and fourth places, at most 253 characters. Punycode (`xn--`) labels
    /// are not decoded here, so they are left to the package's own object.
    static func isHostname(_ s: String) -> Bool {
        var name = Substring(s)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let u = Array(label.utf8)
            guard (1...63).contains(u.count), u.first != 0x2D, u.last != 0x2D else { return false }
            guard u.allSatisfy({ isAlnum($0) || $0 == 0x2D }) else { return false }
            if u.count >= 4, u[2] == 0x2D, u[3] == 0x2D { return false }
        }
        return true
    }

    static func isHex(_ s: String, count: Int) -> Bool { s.utf8.count == count && s.utf8.allSatisfy(isHexDigit) }

    // MARK: RFC 3986 URI

    /// An absolute URI by the RFC 3986 grammar (`scheme ":" hier-part [ "?" query ] [ "#" fragment ]`), ASCII only.
    static func isURI(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let colon = u.firstIndex(of: 0x3A), colon > 0, isAlpha(u[0]),
            u[1..<colon].allSatisfy({ isAlnum($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { return false }
        var rest = Array(u[(colon + 1)...])
        if let hash = rest.firstIndex(of: 0x23) {
            guard chars(rest[(hash + 1)...], extra: [0x2F, 0x3F]) else { return false }
            rest = Array(rest[..<hash])
        }
        if let question = rest.firstIndex(of: 0x3F) {
            guard chars(rest[(question + 1)...], extra: [0x2F, 0x3F]) else { return false }
            rest = Array(rest[..<question])
        }
        if rest.starts(with: [0x2F, 0x2F]) {
            let afterSlashes = rest[2...]
            let end = afterSlashes.firstIndex(of: 0x2F) ?? rest.endIndex
            guard authority(Array(rest[2..<end])) else { return false }
            return chars(rest[end...], extra: [0x2F])
        }
        return chars(rest[...], extra: [0x2F])
    }

    private static func authority(_ a: [UInt8]) -> Bool {
        var hostPort = a[...]
        if let at = a.lastIndex(of: 0x40) {
            guard unreservedSubDelims(a[..<at], extra: [0x3A]) else { return false }
            hostPort = a[(at + 1)...]
        }
        var host = hostPort
        if hostPort.first == 0x5B {
            guard let close = hostPort.firstIndex(of: 0x5D) else { return false }
            let literal = String(decoding: hostPort[(hostPort.startIndex + 1)..<close], as: UTF8.self)
            var buffer = in6_addr()
            guard inet_pton(AF_INET6, literal, &buffer) == 1 else { return false }
            let after = hostPort[(close + 1)...]
            if after.isEmpty { return true }
            return after.first == 0x3A && after.dropFirst().allSatisfy(isDigit)
        }
        if let colon = hostPort.lastIndex(of: 0x3A) {
            guard hostPort[(colon + 1)...].allSatisfy(isDigit) else { return false }
            host = hostPort[..<colon]
        }
        return unreservedSubDelims(host, extra: [])
    }

    /// `unreserved / pct-encoded / sub-delims` plus `extra`.
    private static func unreservedSubDelims(_ s: ArraySlice<UInt8>, extra: Set<UInt8>) -> Bool {
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == 0x25 {
                guard i + 2 < s.endIndex, isHexDigit(s[i + 1]), isHexDigit(s[i + 2]) else { return false }
                i += 3
                continue
            }
            guard isUnreserved(c) || isSubDelim(c) || extra.contains(c) else { return false }
            i += 1
        }
        return true
    }

    /// `pchar` (`unreserved / pct-encoded / sub-delims / ":" / "@"`) plus `extra`.
    private static func chars(_ s: ArraySlice<UInt8>, extra: Set<UInt8>) -> Bool {
        unreservedSubDelims(s, extra: extra.union([0x3A, 0x40]))
    }

    private static func isUnreserved(_ c: UInt8) -> Bool {
        isAlnum(c) || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
    }
    private static func isSubDelim(_ c: UInt8) -> Bool { "!$&'()*+,;=".utf8.contains(c) }
    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }
    private static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
}
