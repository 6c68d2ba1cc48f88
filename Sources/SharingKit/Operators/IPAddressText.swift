#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parsing and printing of IP address literals through the C library, so that SharingKit reads and writes
/// addresses exactly as the system's network tools do.
enum IPAddressText {
    /// The 4 bytes of a dotted-quad IPv4 address, or `nil`. Strict: four decimal parts, no leading zeros beyond
    /// what `inet_pton` accepts, no CIDR suffix. The corresponding C function is `inet_pton(AF_INET)`.
    static func ipv4(_ text: String) -> [UInt8]? {
        var addr = in_addr()
        guard inet_pton(AF_INET, text, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }

    /// The 16 bytes of an IPv6 address, or `nil`. A zone (`%eth0`) or brackets are not accepted.
    /// The corresponding C function is `inet_pton(AF_INET6)`.
    static func ipv6(_ text: String) -> [UInt8]? {
        var addr = in6_addr()
        guard inet_pton(AF_INET6, text, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }

    /// The dotted quad of 4 bytes.
    static func format(ipv4 bytes: [UInt8]) -> String {
        precondition(bytes.count == 4)
        return bytes.map(String.init).joined(separator: ".")
    }

    /// The RFC 5952 text form of 16 bytes (lower case, longest zero run compressed), as `inet_ntop` writes it.
    static func format(ipv6 bytes: [UInt8]) -> String {
        precondition(bytes.count == 16)
        var addr = in6_addr()
        withUnsafeMutableBytes(of: &addr) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count)) != nil else {
            preconditionFailure("inet_ntop(AF_INET6) failed on 16 bytes")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `bytes` with every bit after the first `prefix` cleared.
    static func network(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        var out = bytes
        for i in out.indices {
            let keep = max(0, min(8, prefix - i * 8))
            out[i] &= keep == 0 ? 0 : ~UInt8(0) << UInt8(8 - keep)
        }
        return out
    }
}
