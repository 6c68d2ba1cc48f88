import EvidenceKit
import Foundation
import TestSupport
import Testing
import IProceedsBase

@testable import SharingKit

/// The test key: bytes 00 01 02 … 1f.
private let testKey = try! PseudonymKey(bytes: Array(0..<32))

@Suite struct PseudonymTokenTests {
    @Test func tokenIsHMACSHA256OfTypeZeroValue() {
        // python3 -c "import hmac,hashlib; print(hmac.new(bytes(range(32)), b'email\x00alice@example.com',
        //     hashlib.sha256).hexdigest())"
        let expected = "c89de65dbbe2070217a4f4e9ffec5f85cfa15653f1bfd31285e9ce87175633b4"
        #expect(Hex.encode(Pseudonymiser(key: testKey).token(.email, normalised: "alice@example.com")) == expected)
    }

    @Test func keyIDMatchesIndependentComputation() {
        // python3 -c "import hashlib; print(hashlib.sha256(b'iproceeds-pseudonym-key-id\x00'+bytes(range(32)))
        //     .hexdigest()[:16])"
        #expect(testKey.id == "72076538609bfe7c")
        #expect(testKey.id == PseudonymVectors.keyID)
    }

    @Test func everyTypeMatchesTheIndependentPythonImplementation() throws {
        let p = Pseudonymiser(key: testKey)
        for (typeName, value, expected) in PseudonymVectors.values {
            let type = try #require(PersonalDataType(rawValue: typeName))
            #expect(p.pseudonym(value, type: type) == expected, "\(typeName) \(value)")
        }
    }

    @Test func sameValueDifferentSpellingsOneToken() {
        let p = Pseudonymiser(key: testKey)
        #expect(p.pseudonym("alice@example.com", type: .email) == p.pseudonym(" ALICE@Example.com ", type: .email))
        #expect(
            p.pseudonym("RS35260005601001611379", type: .iban)
                == p.pseudonym("rs35 2600-0560 1001 6113 79", type: .iban))
        #expect(p.pseudonym("4111 1111 1111 1111", type: .card) == p.pseudonym("4111-1111-1111-1111", type: .card))
        #expect(p.pseudonym("+381 64 123 4567", type: .phone) == p.pseudonym("00381641234567", type: .phone))
        #expect(p.pseudonym("2001:DB8::1", type: .ipv6) == p.pseudonym("2001:db8:0:0:0:0:0:1", type: .ipv6))
        #expect(p.pseudonym("Ana  Petrović", type: .person) == p.pseudonym("ana petrović", type: .person))
        // Base58 is case-sensitive: these are two different addresses.
        #expect(
            p.pseudonym("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", type: .bitcoinAddress)
                != p.pseudonym("1boatSLRHtKNngkdXEeobR76b53LETtpyT", type: .bitcoinAddress))
    }

    @Test func deterministicAcrossInstancesAndKeyReloads() throws {
        let a = Pseudonymiser(key: testKey)
        let b = Pseudonymiser(key: try PseudonymKey(bytes: Array(0..<32)))
        for type in PersonalDataType.allCases {
            let value = type == .ipv4 ? "198.51.100.7" : type == .ipv6 ? "2001:db8::7" : "Value-42"
            #expect(a.pseudonym(value, type: type) == b.pseudonym(value, type: type))
        }
    }

    @Test func differentKeyGivesDifferentPseudonyms() throws {
        let other = Pseudonymiser(key: try PseudonymKey(bytes: Array(1...32)))
        let p = Pseudonymiser(key: testKey)
        #expect(p.pseudonym("alice@example.com", type: .email) != other.pseudonym("alice@example.com", type: .email))
        #expect(p.pseudonym("198.51.100.7", type: .ipv4) != other.pseudonym("198.51.100.7", type: .ipv4))
        #expect(p.pseudonym("Ana", type: .person) != other.pseudonym("Ana", type: .person))
    }

    @Test func differentTypesGiveDifferentTokens() {
        let p = Pseudonymiser(key: testKey)
        let tokens = Set(
            [PersonalDataType.jmbg, .turkishID, .albanianID, .person, .card, .phone].map {
                Hex.encode(p.token($0, normalised: "10000000146"))
            })
        #expect(tokens.count == 6)
    }

    @Test func subkeysAreDistinctFromTheKeyAndEachOther() {
        let cpan = testKey.subkey("crypto-pan")
        let vault = testKey.subkey("vault-aes-256-gcm")
        #expect(cpan != vault && cpan != testKey.bytes && vault != testKey.bytes)
    }
}

@Suite struct PseudonymRenderingTests {
    let p = Pseudonymiser(key: testKey)

    @Test func emailPseudonymIsAnAddressInTheReservedDomain() throws {
        let e = try #require(p.pseudonym("victim@example.rs", type: .email))
        let parts = e.split(separator: "@")
        #expect(parts.count == 2)
        #expect(parts[1] == "pseudonym.invalid")
        #expect(parts[0].allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        #expect(ValueKind.recognise(e) == .personalData(.email))
    }

    @Test func urlPseudonymIsAURLInTheReservedDomain() throws {
        let u = try #require(p.pseudonym("http://victim.example/reset?t=abc", type: .url))
        let parsed = try #require(URL(string: u))
        #expect(parsed.scheme == "https")
        #expect(parsed.host?.hasSuffix(".pseudonym.invalid") == true)
    }

    @Test func ipv4PseudonymsAreDottedQuadsInTheReservedRange() throws {
        for (address, _, _) in PseudonymVectors.ipv4.prefix(50) {
            let r = try #require(p.pseudonym(address, type: .ipv4))
            let bytes = try #require(IPAddressText.ipv4(r))
            #expect(bytes[0] >= 240, "\(r) is not in 240.0.0.0/4")
        }
    }

    @Test func ipv6PseudonymsAreInTheDocumentationPrefix() throws {
        let r = try #require(p.pseudonym("2a02:2278:1:2::abcd", type: .ipv6))
        let bytes = try #require(IPAddressText.ipv6(r))
        #expect(Array(bytes.prefix(4)) == [0x20, 0x01, 0x0D, 0xB8])
    }

    @Test func ibanPseudonymIsMarkedAndOfNoCountry() throws {
        let i = try #require(p.pseudonym("DE89 3704 0044 0532 0130 00", type: .iban))
        #expect(i.hasPrefix("XX"))
        #expect(i.dropFirst(4).hasPrefix("PSEUDO"))
        #expect(i.count <= 34 && i.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) })
        // Syntax-checking tools accept it: the check digits are right for its (non-existent) country.
        #expect(IBANCheck.mod97(i) == 1)
        // A real IBAN passes the same check, so the test itself can fail.
        #expect(IBANCheck.mod97("DE89370400440532013000") == 1)
        #expect(IBANCheck.mod97("DE88370400440532013000") != 1)
    }

    @Test func cardPseudonymIsLuhnValidWithIssuerDigitZero() throws {
        let c = try #require(p.pseudonym("4111 1111 1111 1111", type: .card))
        #expect(c.count == 16 && c.allSatisfy(\.isNumber))
        #expect(c.hasPrefix("0000"))
        #expect(LuhnCheck.isValid(c))
        #expect(LuhnCheck.isValid("4111111111111111") && !LuhnCheck.isValid("4111111111111112"))
    }

    @Test func phonePseudonymIsE164UnderUnassignedCode999() throws {
        let n = try #require(p.pseudonym("+381 64 123 4567", type: .phone))
        #expect(n.hasPrefix("+999"))
        #expect(n.count == 16 && n.dropFirst().allSatisfy(\.isNumber))  // 15 digits, E.164's maximum
    }

    @Test func markedPseudonymsForTypesWithoutAReservedRange() {
        #expect(p.pseudonym("0101990710006", type: .jmbg)?.hasPrefix("PSEUDO-JMBG-") == true)
        #expect(
            p.pseudonym("0x52908400098527886E0F7030069857D2E4169EE7", type: .ethereumAddress)?.hasPrefix("PSEUDO-ETH-")
                == true)
        #expect(p.pseudonym("Ana Petrović", type: .person)?.hasPrefix("Person-") == true)
    }

    @Test func unparseableValuesGiveNoPseudonym() {
        #expect(p.pseudonym("999.1.2.3", type: .ipv4) == nil)
        #expect(p.pseudonym("not-an-address", type: .ipv6) == nil)
        #expect(p.pseudonym(" - ", type: .card) == nil)
    }
}

@Suite struct CryptoPAnTests {
    /// The key of the Crypto-PAn reference distribution's sample.
    static let referenceKey: [UInt8] = [
        21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131, 121, 121, 101, 39,
        98, 87, 76, 45, 42, 132, 34, 2,
    ]

    /// From the reference distribution's `sample_trace_raw.dat` and `sample_trace_sanitized.dat` (as collected by
    /// the Go and Rust ports' test suites).
    static let referenceIPv4: [(String, String)] = [
        ("128.11.68.132", "135.242.180.132"), ("129.118.74.4", "134.136.186.123"),
        ("130.132.252.244", "133.68.164.234"), ("141.223.7.43", "141.167.8.160"),
        ("141.233.145.108", "141.129.237.235"), ("152.163.225.39", "151.140.114.167"),
        ("156.29.3.236", "147.225.12.42"), ("165.247.96.84", "162.9.99.234"), ("166.107.77.190", "160.132.178.185"),
        ("192.102.249.13", "252.138.62.131"), ("192.215.32.125", "252.43.47.189"), ("192.233.80.103", "252.25.108.8"),
        ("192.41.57.43", "252.222.221.184"), ("193.150.244.223", "253.169.52.216"),
        ("195.205.63.100", "255.186.223.5"), ("198.200.171.101", "249.199.68.213"),
        ("198.26.132.101", "249.36.123.202"), ("198.36.213.5", "249.7.21.132"), ("198.51.77.238", "249.18.186.254"),
        ("199.217.79.101", "248.38.184.213"), ("202.49.198.20", "245.206.7.234"), ("203.12.160.252", "244.248.163.4"),
        ("204.184.162.189", "243.192.77.90"), ("204.202.136.230", "243.178.4.198"), ("204.29.20.4", "243.33.20.123"),
        ("205.178.38.67", "242.108.198.51"), ("205.188.147.153", "242.96.16.101"), ("205.188.248.25", "242.96.88.27"),
        ("205.245.121.43", "242.21.121.163"), ("207.105.49.5", "241.118.205.138"),
        ("207.135.65.238", "241.202.129.222"), ("207.155.9.214", "241.220.250.22"),
        ("207.188.7.45", "241.255.249.220"), ("207.25.71.27", "241.33.119.156"), ("207.33.151.131", "241.1.233.131"),
        ("208.147.89.59", "227.237.98.191"), ("208.234.120.210", "227.154.67.17"), ("208.28.185.184", "227.39.94.90"),
        ("208.52.56.122", "227.8.63.165"), ("209.12.231.7", "226.243.167.8"), ("209.238.72.3", "226.6.119.243"),
        ("209.246.74.109", "226.22.124.76"), ("209.68.60.238", "226.184.220.233"), ("209.85.249.6", "226.170.70.6"),
        ("212.120.124.31", "228.135.163.231"), ("212.146.8.236", "228.19.4.234"),
        ("212.186.227.154", "228.59.98.98"), ("212.204.172.118", "228.71.195.169"),
        ("212.206.130.201", "228.69.242.193"), ("216.148.237.145", "235.84.194.111"),
        ("216.157.30.252", "235.89.31.26"), ("216.184.159.48", "235.96.225.78"), ("216.227.10.221", "235.28.253.36"),
        ("216.254.18.172", "235.7.16.162"), ("216.32.132.250", "235.192.139.38"), ("216.35.217.178", "235.195.157.81"),
        ("24.0.250.221", "100.15.198.226"), ("24.13.62.231", "100.2.192.247"), ("24.14.213.138", "100.1.42.141"),
        ("24.5.0.80", "100.9.15.210"), ("24.7.198.88", "100.10.6.25"), ("24.94.26.44", "100.88.228.35"),
        ("38.15.67.68", "64.3.66.187"), ("4.3.88.225", "124.60.155.63"), ("63.14.55.111", "95.9.215.7"),
        ("63.195.241.44", "95.179.238.44"), ("63.97.7.140", "95.97.9.123"), ("64.14.118.196", "0.255.183.58"),
        ("64.34.154.117", "0.221.154.117"), ("64.39.15.238", "0.219.7.41"), ("10.185.25.118", "117.161.29.118"),
    ]

    /// The 128-bit extension as the Go port (Yawning Angel's cryptopan) computes it with the same key.
    static let referenceIPv6: [(String, String)] = [
        ("::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"), ("::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"),
        ("::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"),
        ("2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"),
        ("2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"),
    ]

    @Test func matchesTheReferenceImplementationsSample() throws {
        let cpan = CryptoPAn(key: Self.referenceKey)
        for (raw, sanitised) in Self.referenceIPv4 {
            let out = cpan.anonymise(try #require(IPAddressText.ipv4(raw)))
            #expect(IPAddressText.format(ipv4: out) == sanitised, "\(raw)")
        }
        for (raw, sanitised) in Self.referenceIPv6 {
            let out = cpan.anonymise(try #require(IPAddressText.ipv6(raw)))
            #expect(IPAddressText.format(ipv6: out) == sanitised, "\(raw)")
        }
    }

    @Test func pseudonymsMatchTheIndependentPythonImplementation() {
        let p = Pseudonymiser(key: testKey)
        for (address, plain, reserved) in PseudonymVectors.ipv4 {
            #expect(p.pseudonym(address, type: .ipv4, ipScheme: .cryptopan) == plain, "\(address)")
            #expect(p.pseudonym(address, type: .ipv4, ipScheme: .reserved) == reserved, "\(address)")
        }
        for (address, plain, reserved) in PseudonymVectors.ipv6 {
            #expect(p.pseudonym(address, type: .ipv6, ipScheme: .cryptopan) == plain, "\(address)")
            #expect(p.pseudonym(address, type: .ipv6, ipScheme: .reserved) == reserved, "\(address)")
        }
    }

    private static func sharedPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for i in 0..<(a.count * 8) where (a[i / 8] ^ b[i / 8]) & (0x80 >> UInt8(i % 8)) != 0 { return i }
        return a.count * 8
    }

    @Test func preservesPrefixesExactly() {
        var rng = SystemRandomNumberGenerator()
        let cpan = CryptoPAn(key: testKey.subkey("crypto-pan"))
        for width in [4, 16] {
            for _ in 0..<300 {
                let a = (0..<width).map { _ in UInt8.random(in: 0...255, using: &rng) }
                // b shares exactly k leading bits with a.
                let k = Int.random(in: 0..<(width * 8), using: &rng)
                var b = (0..<width).map { _ in UInt8.random(in: 0...255, using: &rng) }
                for i in 0..<k { b[i / 8] = (b[i / 8] & ~(0x80 >> UInt8(i % 8))) | (a[i / 8] & (0x80 >> UInt8(i % 8))) }
                b[k / 8] = (b[k / 8] & ~(0x80 >> UInt8(k % 8))) | (~a[k / 8] & (0x80 >> UInt8(k % 8)))
                #expect(Self.sharedPrefix(a, b) == k)
                #expect(Self.sharedPrefix(cpan.anonymise(a), cpan.anonymise(b)) == k, "width \(width), k \(k)")
            }
        }
    }

    @Test func reservedSchemePreservesPrefixesFromSlash4() throws {
        let p = Pseudonymiser(key: testKey)
        let pairs = [
            ("203.0.113.9", "203.0.113.77", 25), ("203.0.113.9", "203.0.112.9", 23), ("10.1.2.3", "11.1.2.3", 7),
        ]
        for (x, y, k) in pairs {
            let px = try #require(p.pseudonym(x, type: .ipv4))
            let py = try #require(p.pseudonym(y, type: .ipv4))
            let a = try #require(IPAddressText.ipv4(px))
            let b = try #require(IPAddressText.ipv4(py))
            #expect(Self.sharedPrefix(a, b) == k)
        }
    }
}

@Suite struct MaskAndGeneraliseTests {
    @Test func maskKeepsLastDigitsAndSeparators() {
        #expect(Masking.mask("4111 1111 1111 1234", MaskRule(keepLast: 4)) == "**** **** **** 1234")
        #expect(
            Masking.mask("RS35-2600-0560", MaskRule(keepFirst: 2, keepLast: 2, maskCharacter: "X")) == "RSXX-XXXX-XX60")
        #expect(Masking.mask("+381 64 123 4567", MaskRule(keepFirst: 3, keepLast: 2)) == "+381 ** *** **67")
        #expect(Masking.mask("alice@example.com", MaskRule(keepFirst: 1, keepLast: 0)) == "a****@*******.***")
    }

    @Test func maskNeverPassesAShortValueThrough() {
        #expect(Masking.mask("1234", MaskRule(keepLast: 4)) == "****")
        #expect(Masking.mask("12-3", MaskRule(keepFirst: 2, keepLast: 2)) == "**-*")
    }

    @Test func generaliseIPAddresses() {
        let g = GeneraliseRule(ipv4Prefix: 24, ipv6Prefix: 48)
        #expect(Generalisation.generalise("203.0.113.77", kind: .personalData(.ipv4), rule: g) == "203.0.113.0/24")
        #expect(
            Generalisation.generalise("203.0.113.77", kind: .personalData(.ipv4), rule: GeneraliseRule(ipv4Prefix: 20))
                == "203.0.112.0/20")
        #expect(
            Generalisation.generalise("2001:db8:85a3:8d3:1319:8a2e:370:7348", kind: .personalData(.ipv6), rule: g)
                == "2001:db8:85a3::/48")
        #expect(Generalisation.generalise("bogus", kind: .personalData(.ipv4), rule: g) == nil)
    }

    @Test func generaliseTimestamps() {
        let t = "2024-05-06T13:45:12.123+02:00"
        #expect(
            Generalisation.generalise(t, kind: .time, rule: GeneraliseRule(time: .hour)) == "2024-05-06T13:00:00+02:00")
        #expect(
            Generalisation.generalise(t, kind: .time, rule: GeneraliseRule(time: .day)) == "2024-05-06T00:00:00+02:00")
        #expect(
            Generalisation.generalise(t, kind: .time, rule: GeneraliseRule(time: .month)) == "2024-05-01T00:00:00+02:00"
        )
        #expect(
            Generalisation.generalise("2024-05-06 13:45:12Z", kind: .time, rule: GeneraliseRule(time: .minute))
                == "2024-05-06T13:45:00Z")
        #expect(Generalisation.generalise("2024-05-06", kind: .time, rule: GeneraliseRule(time: .hour)) == "2024-05-06")
        #expect(Generalisation.generalise("yesterday", kind: .time, rule: GeneraliseRule(time: .hour)) == nil)
        #expect(Generalisation.generalise("2024-13-06T10:00Z", kind: .time, rule: GeneraliseRule(time: .hour)) == nil)
    }

    @Test func generaliseEmailURLAndPhone() {
        let g = GeneraliseRule()
        #expect(Generalisation.generalise("Alice@Example.COM", kind: .personalData(.email), rule: g) == "*@example.com")
        #expect(
            Generalisation.generalise(
                "HTTPS://user:pw@Evil.Example:8443/login?u=alice#x", kind: .personalData(.url), rule: g)
                == "https://evil.example:8443/")
        #expect(Generalisation.generalise("+381 64 123 4567", kind: .personalData(.phone), rule: g) == "+381")
        #expect(Generalisation.generalise("0044 20 7946 0000", kind: .personalData(.phone), rule: g) == "+44")
        #expect(Generalisation.generalise("+1 202 555 0100", kind: .personalData(.phone), rule: g) == "+1")
        #expect(Generalisation.generalise("064 123 4567", kind: .personalData(.phone), rule: g) == nil)
        #expect(Generalisation.generalise("4111111111111111", kind: .personalData(.card), rule: g) == nil)
    }

    @Test func recognisesFieldValues() {
        #expect(ValueKind.recognise("192.0.2.1") == .personalData(.ipv4))
        #expect(ValueKind.recognise("2001:db8::1") == .personalData(.ipv6))
        #expect(ValueKind.recognise("2024-05-06T13:45:12Z") == .time)
        #expect(ValueKind.recognise("bob@example.org") == .personalData(.email))
        #expect(ValueKind.recognise("hxxp://x.example/a") == .personalData(.url))
        #expect(ValueKind.recognise("bob") == nil)
    }
}

@Suite struct RedactorTests {
    static let policy = SharingPolicy.shippedDefault

    @Test func needsAKeyWhenThePolicyPseudonymises() {
        #expect(throws: SharingError.self) { try Redactor(policy: Self.policy, key: nil) }
        let keepAll = try! SharingPolicy.parse(
            Array("{\"version\":1,\"name\":\"k\",\"unlisted_types\":\"keep\"}".utf8), format: .json, source: "t")
        #expect((try? Redactor(policy: keepAll, key: nil)) != nil)
    }

    @Test func redactsHitsInTextByTypeRules() throws {
        let r = try Redactor(policy: Self.policy, key: testKey)
        let text =
            "Mail from alice@example.com on 4111 1111 1111 1234 via https://evil.example/a?u=alice, pay bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
        func hit(_ s: String, _ t: PersonalDataType) -> Hit {
            let start = text.utf8.count - text[text.range(of: s)!.lowerBound...].utf8.count
            return Hit(type: t, start: start, end: start + s.utf8.count)
        }
        let hits = [
            hit("alice@example.com", .email), hit("4111 1111 1111 1234", .card),
            hit("https://evil.example/a?u=alice", .url),
            hit("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", .bitcoinAddress),
        ]
        let out = r.redact(text, hits: hits)
        let email = try #require(Pseudonymiser(key: testKey).pseudonym("alice@example.com", type: .email))
        #expect(
            out.text
                == "Mail from \(email) on **** **** **** 1234 via https://evil.example/, pay bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
        )
        #expect(out.records == [PseudonymRecord(pseudonym: email, type: .email, value: "alice@example.com")])
        #expect(out.replacements.map(\.outcome.applied) == [.pseudonymise, .mask, .generalise, .keep])
    }

    @Test func dropWritesAMarkerInTextAndFailsClosed() throws {
        let policy = try SharingPolicy.parse(
            Array("{\"version\":1,\"name\":\"t\",\"types\":{\"ipv4\":\"pseudonymise\"}}".utf8), format: .json,
            source: "t")
        let r = try Redactor(policy: policy, key: testKey)
        let text = "a 999.1.1.1 b x@y.example"
        let out = r.redact(text, hits: [Hit(type: .ipv4, start: 2, end: 11), Hit(type: .email, start: 14, end: 25)])
        // The "address" does not parse, so it cannot be pseudonymised: it is removed, not passed on.
        #expect(out.text == "a [REDACTED:ipv4] b [REDACTED:email]")
        #expect(out.replacements[0].outcome.requested == .pseudonymise)
        #expect(out.replacements[0].outcome.applied == .drop)
    }

    @Test func overlappingHitsTheFirstAndLongestWins() throws {
        let r = try Redactor(policy: Self.policy, key: testKey)
        let text = "see http://x.example/?m=bob@example.org end"
        let out = r.redact(text, hits: [Hit(type: .email, start: 24, end: 39), Hit(type: .url, start: 4, end: 39)])
        #expect(out.text == "see http://x.example/ end")
        #expect(out.replacements.count == 1)
    }

    @Test func fieldsFollowFieldRules() throws {
        let r = try Redactor(policy: Self.policy, key: testKey)
        let p = Pseudonymiser(key: testKey)
        let noDetectors: (String) -> [Hit] = { _ in [] }
        #expect(r.redactField("source.ip", value: "198.51.100.7", detect: noDetectors).output == "198.51.100.7")
        #expect(
            r.redactField("destination.ip", value: "198.51.100.7", detect: noDetectors).output
                == p.pseudonym("198.51.100.7", type: .ipv4))
        #expect(
            r.redactField("destination.ip", value: "2001:db8::5", detect: noDetectors).output
                == p.pseudonym("2001:db8::5", type: .ipv6))
        #expect(r.redactField("raw", value: "c2VjcmV0", detect: noDetectors).output == nil)
        #expect(
            r.redactField("time.observation", value: "2024-05-06T13:45:12+00:00", detect: noDetectors).output
                == "2024-05-06T13:00:00+00:00")
        #expect(r.redactField("source.geolocation.city", value: "Novi Sad", detect: noDetectors).output == "Novi Sad")
        #expect(r.redactField("destination.geolocation.city", value: "Novi Sad", detect: noDetectors).output == nil)
        #expect(r.redactField("destination.geolocation.cc", value: "RS", detect: noDetectors).output == "RS")
        // A non-address account cannot be pseudonymised without a kind: removed.
        let account = r.redactField("destination.account", value: "jdoe", detect: noDetectors)
        #expect(account.output == nil && account.outcomes[0].applied == .drop)
        #expect(
            r.redactField("target-user", value: "Ana Petrović", detect: noDetectors).output
                == p.pseudonym("Ana Petrović", type: .person))
    }

    @Test func unlistedFieldsAreScanned() throws {
        let r = try Redactor(policy: Self.policy, key: testKey)
        let out = r.redactField("comment", value: "call +381641234567") { text in
            [Hit(type: .phone, start: 5, end: text.utf8.count)]
        }
        #expect(out.rule.action == .scan)
        #expect(out.output == "call " + Pseudonymiser(key: testKey).pseudonym("+381641234567", type: .phone)!)
        #expect(out.records.count == 1)
    }
}

@Suite struct KeyFileTests {
    @Test func writeThenLoadRoundTripsWithMode0600() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/share.key"
        let key = try PseudonymKey.generate()
        try key.write(to: path)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let loaded = try PseudonymKey.load(path: path)
        #expect(loaded == key)
        #expect(loaded.id == key.id)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"key_id\": \"\(key.id)\""))
    }

    @Test func refusesToOverwrite() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/share.key"
        try PseudonymKey.generate().write(to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = try #require(throws: SharingError.self) { try PseudonymKey.generate().write(to: path) }
        #expect(error.code == .pseudonymKeyExists)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func missingKeyFileSaysHowToMakeOne() throws {
        let error = try #require(throws: SharingError.self) { try PseudonymKey.load(path: "/nonexistent/k.json") }
        #expect(error.code == .pseudonymKeyUnreadable)
        #expect(error.message.contains("iproceeds share keygen"))
    }

    @Test func refusesAWorldReadableKeyFile() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/share.key"
        try PseudonymKey.generate().write(to: path)
        chmod(path, 0o644)
        let error = try #require(throws: SharingError.self) { try PseudonymKey.load(path: path) }
        #expect(error.message.contains("chmod 600"))
    }

    @Test func refusesAnEditedKeyFile() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/share.key"
        let key = try PseudonymKey.generate()
        try key.write(to: path)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let hex = Hex.encode(key.bytes)
        let changed = String(hex.prefix(63)) + (hex.last == "0" ? "1" : "0")
        text = text.replacingOccurrences(of: hex, with: changed)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let error = try #require(throws: SharingError.self) { try PseudonymKey.load(path: path) }
        #expect(error.message.contains("key_id"))
    }
}

@Suite struct VaultTests {
    let records = [
        PseudonymRecord(pseudonym: "p-abc@pseudonym.invalid", type: .email, value: "alice@example.com"),
        PseudonymRecord(pseudonym: "240.1.2.3", type: .ipv4, value: "198.51.100.7"),
    ]

    @Test func roundTripAndMerge() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/vault.bin"
        #expect(try ReidentificationVault.merge(records, into: path, key: testKey, packageDirectory: nil) == 2)
        let more = [PseudonymRecord(pseudonym: "Person-XYZ", type: .person, value: "Ana Petrović")]
        #expect(try ReidentificationVault.merge(records + more, into: path, key: testKey, packageDirectory: nil) == 1)
        let vault = try ReidentificationVault.openExisting(path: path, key: testKey)
        #expect(vault.records.count == 3)
        #expect(vault.lookup("P-ABC@pseudonym.invalid") == [records[0]])
        #expect(vault.lookup("person-xyz").first?.value == "Ana Petrović")
        #expect(vault.lookup("240.9.9.9").isEmpty)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        // Nothing of the values is readable in the file.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data("alice".utf8)) == nil)
    }

    @Test func wrongKeyIsRefusedByName() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/vault.bin"
        try ReidentificationVault.merge(records, into: path, key: testKey, packageDirectory: nil)
        let other = try PseudonymKey(bytes: Array(1...32))
        let error = try #require(throws: SharingError.self) { try ReidentificationVault.open(path: path, key: other) }
        #expect(error.code == .vault && error.message.contains(testKey.id))
    }

    @Test func anyFlippedByteFailsAuthentication() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/vault.bin"
        try ReidentificationVault.merge(records, into: path, key: testKey, packageDirectory: nil)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        // Header (version, key id), nonce, ciphertext and tag.
        for offset in [8, 12, 20, 40, original.count - 1] {
            var tampered = original
            tampered[offset] ^= 0x01
            try tampered.write(to: URL(fileURLWithPath: path))
            #expect(throws: SharingError.self) { try ReidentificationVault.open(path: path, key: testKey) }
        }
        var truncated = original
        truncated.removeLast(5)
        try truncated.write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: SharingError.self) {
            try ReidentificationVault.open(path: path, key: testKey)
        }
        #expect(error.message.contains("failed authentication"))
    }

    @Test func eachSaveUsesAFreshNonce() throws {
        let dir = try temporaryDirectory()
        let a = dir + "/a.bin"
        let b = dir + "/b.bin"
        try ReidentificationVault.merge(records, into: a, key: testKey, packageDirectory: nil)
        try ReidentificationVault.merge(records, into: b, key: testKey, packageDirectory: nil)
        let x = try Data(contentsOf: URL(fileURLWithPath: a))
        let y = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(x.count == y.count && x != y)
    }

    @Test func refusesAVaultInsideThePackage() throws {
        let dir = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/pkg/sub", withIntermediateDirectories: true)
        #expect(throws: SharingError.self) {
            try ReidentificationVault.merge(
                self.records, into: dir + "/pkg/sub/vault.bin", key: testKey, packageDirectory: dir + "/pkg")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/pkg/sub/vault.bin"))
        #expect(throws: Never.self) {
            try ReidentificationVault.merge(
                self.records, into: dir + "/pkg-vault.bin", key: testKey, packageDirectory: dir + "/pkg")
        }
    }
}
