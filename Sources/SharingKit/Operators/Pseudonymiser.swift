import Foundation

/// How an IP address is pseudonymised.
package enum IPPseudonymScheme: String, CaseIterable, Sendable, Codable {
    /// Crypto-PAn, then placed in a range no real host uses: IPv4 under 240.0.0.0/4 (reserved, RFC 1112 §4),
    /// IPv6 under 2001:db8::/32 (documentation, RFC 3849). Prefixes of /4 (IPv4) or /32 (IPv6) and longer are
    /// preserved; the pseudonym can never be a real subscriber's address.
    case reserved
    /// Plain Crypto-PAn over the whole address space: every prefix length preserved, but the pseudonym looks like
    /// (and may be) somebody's real address.
    case cryptopan
}

/// One pseudonym and what it stands for: a row of the re-identification vault.
package struct PseudonymRecord: Sendable, Hashable, Codable {
    /// The pseudonym as it appears in shared data.
    package var pseudonym: String
    package var type: PersonalDataType
    /// The original value, as found.
    package var value: String

    package init(pseudonym: String, type: PersonalDataType, value: String) {
        self.pseudonym = pseudonym
        self.type = type
        self.value = value
    }
}

/// Makes deterministic keyed pseudonyms: the same value of the same type under the same key gets the same
/// pseudonym in every record, run and package; another key or another type gives an unrelated one.
///
/// A pseudonym is rendered so that it stays a value of its type where a reserved namespace exists (an e-mail
/// address in `.invalid`, an address in a reserved IP range, an IBAN of country `XX`, a card number with issuer
/// digit 0, a phone number under +999), and is a clearly marked string where any well-formed value could be a
/// real one (crypto addresses, national ids, names). See `docs/sharing-policy.md`.
package struct Pseudonymiser: Sendable {
    private let key: PseudonymKey
    private let cryptoPAn: CryptoPAn

    /// The domain every e-mail and URL pseudonym lives in. `.invalid` is reserved by RFC 2606 and RFC 6761 §6.4:
    /// it never resolves, so no mail or request can reach a real person.
    package static let reservedDomain = "pseudonym.invalid"

    package init(key: PseudonymKey) {
        self.key = key
        self.cryptoPAn = CryptoPAn(key: key.subkey("crypto-pan"))
    }

    /// The id of the key the pseudonyms are made with.
    package var keyID: String { key.id }

    /// HMAC-SHA-256(key, `type ‖ 0x00 ‖ normalised value`), the 32 bytes every non-IP pseudonym is drawn from.
    package func token(_ type: PersonalDataType, normalised: String) -> [UInt8] {
        HMACSHA256.mac(key: key.bytes, message: Array(type.rawValue.utf8) + [0] + Array(normalised.utf8))
    }

    /// The pseudonym of `value`, or `nil` when the value cannot be read as its type (an IP address that does not
    /// parse, a card number without digits): the caller then removes it rather than leak it.
    /// - Parameters:
    ///   - ipScheme: how IPv4 and IPv6 addresses are mapped; ignored for other types.
    package func pseudonym(_ value: String, type: PersonalDataType, ipScheme: IPPseudonymScheme = .reserved) -> String?
    {
        switch type {
        case .ipv4:
            guard let bytes = IPAddressText.ipv4(Self.trimmed(value)) else { return nil }
            var out = cryptoPAn.anonymise(bytes)
            if ipScheme == .reserved { out[0] = 0xF0 | (out[0] & 0x0F) }
            return IPAddressText.format(ipv4: out)
        case .ipv6:
            guard let bytes = IPAddressText.ipv6(Self.trimmed(value)) else { return nil }
            var out = cryptoPAn.anonymise(bytes)
            if ipScheme == .reserved { out.replaceSubrange(0..<4, with: [0x20, 0x01, 0x0D, 0xB8]) }
            return IPAddressText.format(ipv6: out)
        default:
            guard let normalised = Self.normalise(value, as: type) else { return nil }
            return Self.render(token(type, normalised: normalised), as: type)
        }
    }

    /// The canonical spelling of a value, so that one value written several ways gets one token; `nil` when
    /// nothing of the type is left. IP addresses are not normalised here: they are mapped from their bytes.
    ///
    /// - e-mail, URL scheme and host, Ethereum address, Bech32 Bitcoin address: lower case (these are
    ///   case-insensitive; an EIP-55 mixed case is only a checksum).
    /// - IBAN, national ids: spaces, dashes and dots removed, upper case.
    /// - card: digits only. Phone: digits, with a leading `+` kept (`00` international prefix read as `+`).
    /// - Base58 Bitcoin address: as written (Base58 is case-sensitive).
    /// - person: Unicode NFC, lower case, runs of white space as one space. Diacritics are kept: folding them
    ///   would merge different people, which is worse than splitting one.
    package static func normalise(_ value: String, as type: PersonalDataType) -> String? {
        let v = trimmed(value)
        let result: String
        switch type {
        case .email, .ethereumAddress:
            result = v.lowercased()
        case .url:
            result = normaliseURL(v)
        case .iban, .jmbg, .turkishID, .albanianID:
            result = String(v.filter { $0 != " " && $0 != "-" && $0 != "." && $0 != "\u{A0}" }).uppercased()
        case .card:
            result = String(v.filter(\.isASCIIDigit))
        case .phone:
            let digits = String(v.filter(\.isASCIIDigit))
            if v.hasPrefix("+") {
                result = digits.isEmpty ? "" : "+" + digits
            } else if digits.hasPrefix("00") {
                result = "+" + digits.dropFirst(2)
            } else {
                result = digits
            }
        case .bitcoinAddress:
            result = v.lowercased().hasPrefix("bc1") ? v.lowercased() : v
        case .person:
            result = v.precomposedStringWithCanonicalMapping.lowercased()
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        case .ipv4, .ipv6:
            result = v
        }
        return result.isEmpty ? nil : result
    }

    /// Lower-cases the scheme and host of a URL and gives an empty path as `/`; the rest is case-sensitive.
    private static func normaliseURL(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd].lowercased()
        var tail = String(rest[authorityEnd...])
        if !tail.hasPrefix("/") { tail = "/" + tail }
        return scheme + "://" + authority + tail
    }

    private static func trimmed(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Renders 32 token bytes as a value of `type` that cannot be a real one.
    static func render(_ token: [UInt8], as type: PersonalDataType) -> String {
        let b32 = Base32.encode(token.prefix(10))  // 80 bits, 16 characters
        switch type {
        case .email:
            return "p-" + b32.lowercased() + "@" + reservedDomain
        case .url:
            return "https://p-" + b32.lowercased() + "." + reservedDomain + "/"
        case .iban:
            // Country XX is assigned to no country (ISO 3166-1 leaves X* to users), so no bank holds such an
            // account; the check digits are the correct mod-97 ones so that syntax-checking tools accept it.
            let bban = "PSEUDO" + b32
            return "XX" + IBANCheck.checkDigits(country: "XX", bban: bban) + bban
        case .card:
            // Issuer digit 0 (ISO/IEC 7812 MII 0) is not used for payment cards; "0000" makes that obvious.
            // 11 digits from the token, then the Luhn check digit, so card-syntax checks accept it.
            let body = "0000" + decimalDigits(token, count: 11)
            return body + String(LuhnCheck.checkDigit(body))
        case .phone:
            // +999 is not assigned to any country by ITU-T E.164; 3 + 12 digits is E.164's maximum of 15.
            return "+999" + decimalDigits(token, count: 12)
        case .bitcoinAddress: return "PSEUDO-BTC-" + b32
        case .ethereumAddress: return "PSEUDO-ETH-" + b32
        case .jmbg: return "PSEUDO-JMBG-" + b32
        case .turkishID: return "PSEUDO-TRID-" + b32
        case .albanianID: return "PSEUDO-ALNID-" + b32
        case .person: return "Person-" + b32
        case .ipv4, .ipv6: preconditionFailure("IP addresses are mapped by Crypto-PAn, not rendered from a token")
        }
    }

    /// `count` (at most 19) decimal digits from the first 8 token bytes, zero-padded.
    private static func decimalDigits(_ token: [UInt8], count: Int) -> String {
        precondition(count <= 19)
        let n = token.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var modulus: UInt64 = 1
        for _ in 0..<count { modulus *= 10 }
        let s = String(n % modulus)
        return String(repeating: "0", count: count - s.count) + s
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// RFC 4648 base32 without padding, upper case.
enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return out
    }
}

/// The ISO 13616 IBAN check (mod 97).
enum IBANCheck {
    /// The value mod 97 of an IBAN rearranged (first four characters moved to the end, letters as 10–35);
    /// a valid IBAN gives 1. `nil` when a character is not a digit or an upper-case letter.
    static func mod97(_ iban: String) -> Int? {
        let chars = Array(iban)
        guard chars.count > 4 else { return nil }
        var remainder = 0
        for c in chars[4...] + chars[0..<4] {
            if let d = c.wholeNumberValue, c.isASCII {
                remainder = (remainder * 10 + d) % 97
            } else if let ascii = c.asciiValue, (65...90).contains(ascii) {
                remainder = (remainder * 100 + Int(ascii) - 55) % 97
            } else {
                return nil
            }
        }
        return remainder
    }

    /// The two check digits that make `country + digits + bban` valid.
    static func checkDigits(country: String, bban: String) -> String {
        let r = mod97(country + "00" + bban)!
        let cd = 98 - r
        return cd < 10 ? "0\(cd)" : "\(cd)"
    }
}

/// The Luhn (mod 10) check used by payment card numbers.
enum LuhnCheck {
    /// Whether the digits of `number` pass the Luhn check.
    static func isValid(_ number: String) -> Bool {
        let digits = number.compactMap(\.wholeNumberValue)
        guard digits.count > 1 else { return false }
        return sum(digits, doublingFromRightmost: false) % 10 == 0
    }

    /// The digit to append to `body` to make it Luhn-valid.
    static func checkDigit(_ body: String) -> Int {
        let s = sum(body.compactMap(\.wholeNumberValue), doublingFromRightmost: true)
        return (10 - s % 10) % 10
    }

    private static func sum(_ digits: [Int], doublingFromRightmost: Bool) -> Int {
        var total = 0
        for (i, d) in digits.reversed().enumerated() {
            let double = (i % 2 == 0) == doublingFromRightmost
            total += double ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d
        }
        return total
    }
}
