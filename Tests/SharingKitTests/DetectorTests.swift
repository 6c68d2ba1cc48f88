import Foundation
import Testing

@testable import SharingKit

/// What a scan of `text` reports, as (type, value) pairs in order.
private func found(_ text: String, names: [String] = []) -> [Pair] {
    let bytes = Array(text.utf8)
    return PersonalDataScanner(names: names).scan(bytes).map {
        Pair($0.type, String(decoding: bytes[$0.start..<$0.end], as: UTF8.self))
    }
}

/// The values of one type found in `text`.
private func values(_ type: PersonalDataType, in text: String, names: [String] = []) -> [String] {
    found(text, names: names).filter { $0.type == type }.map(\.value)
}

private struct Pair: Equatable, CustomStringConvertible {
    let type: PersonalDataType
    let value: String
    init(_ type: PersonalDataType, _ value: String) {
        self.type = type
        self.value = value
    }
    var description: String { "\(type.rawValue):\(value)" }
}

@Suite struct EmailTests {
    @Test func keyValueSpanIsTheAddressOnly() {
        let text = "user=alice@example.com"
        let hits = PersonalDataScanner().scan(text)
        #expect(hits == [Hit(type: .email, start: 5, end: 22)])
    }

    @Test func practicalAddresses() {
        #expect(
            values(.email, in: "to: <first.last+tag@mail.example.co.uk>, x") == ["first.last+tag@mail.example.co.uk"])
        #expect(values(.email, in: "\"from\":\"ana_m-1@xn--80ak6aa92e.com\"") == ["ana_m-1@xn--80ak6aa92e.com"])
        #expect(values(.email, in: "Contact alice@example.com.") == ["alice@example.com"])
        #expect(values(.email, in: "mailto:bob@example.org?subject=x") == ["bob@example.org"])
    }

    @Test func notAddresses() {
        #expect(values(.email, in: "alice@localhost") == [])
        #expect(values(.email, in: "a..b@example.com") == [])
        #expect(values(.email, in: "alice.@example.com") == [])
        #expect(values(.email, in: "@example.com") == [])
        #expect(values(.email, in: "alice@example.c0m") == [])
    }

    @Test func urlInsideAnEmailIsNotReported() {
        #expect(found("alice@www.example.com") == [Pair(.email, "alice@www.example.com")])
    }
}

@Suite struct URLTests {
    @Test func fullURLWithQueryIsOneSpan() {
        let text = "GET url=https://evil.example.com/a/b.php?id=1&u=bob@example.org#top rest"
        #expect(found(text) == [Pair(.url, "https://evil.example.com/a/b.php?id=1&u=bob@example.org#top")])
    }

    @Test func schemesAndDefanged() {
        #expect(values(.url, in: "see hxxp://bad.example/x.") == ["hxxp://bad.example/x"])
        #expect(values(.url, in: "see hxxps[:]//bad[.]example/x ok") == ["hxxps[:]//bad[.]example/x"])
        #expect(values(.url, in: "ftp://files.example.org/pub") == ["ftp://files.example.org/pub"])
        #expect(values(.url, in: "(see http://example.com/wiki/A_(b))") == ["http://example.com/wiki/A_(b)"])
        #expect(values(.url, in: "'http://example.com/x'") == ["http://example.com/x"])
        #expect(values(.url, in: "http://example.museum/") == ["http://example.museum/"])
    }

    @Test func withoutScheme() {
        #expect(values(.url, in: "go to www.example.co.uk now") == ["www.example.co.uk"])
        #expect(values(.url, in: "host=evil.example.xyz/payload.exe end") == ["evil.example.xyz/payload.exe"])
        #expect(values(.url, in: "c2 evil.example:8080/gate.php") == ["evil.example:8080/gate.php"])
    }

    @Test func notURLs() {
        #expect(values(.url, in: "saved file.txt and archive.tar.gz") == [])
        #expect(values(.url, in: "/var/log/app.log/x and docs/readme.md") == [])
        #expect(values(.url, in: "example.com alone is a host name") == [])
        #expect(values(.url, in: "Mozilla/5.0 text/html") == [])
        // An sshd key fingerprint whose base64 starts with "//".
        #expect(values(.url, in: "ssh2: ED25519 SHA256://tG8Nt5bPBBxD10YADGQ4KBIPTKWU5kDddaMoHItAa") == [])
    }
}

@Suite struct IPTests {
    @Test func ipv4() {
        #expect(
            values(.ipv4, in: "src=192.168.1.10 dst=8.8.8.8:53 net 10.0.0.0/8") == [
                "192.168.1.10", "8.8.8.8", "10.0.0.0",
            ])
        #expect(values(.ipv4, in: "[255.255.255.255]") == ["255.255.255.255"])
    }

    @Test func notIPv4() {
        #expect(values(.ipv4, in: "version 1.2.3.4.5 and 256.1.1.1 and 1.2.3") == [])
        #expect(values(.ipv4, in: "v1.2.3.4 Chrome/120.0.0.0 1.2.3.4a") == [])
    }

    @Test func ipv6AllForms() {
        let text =
            "a 2001:0db8:85a3:0000:0000:8a2e:0370:7334 b 2001:db8::1 c ::1 d fe80::1%eth0 e ::ffff:192.0.2.1 f 2001:db8:: g [2001:db8::2]:443"
        #expect(
            values(.ipv6, in: text) == [
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8::1", "::1", "fe80::1%eth0", "::ffff:192.0.2.1",
                "2001:db8::", "2001:db8::2",
            ])
        #expect(found("::ffff:192.0.2.1") == [Pair(.ipv6, "::ffff:192.0.2.1")])
    }

    @Test func notIPv6() {
        #expect(values(.ipv6, in: "12:30:45 std::string 00:1a:2b:3c:4d:5e Abc::Def 1:2:3:4:5:6:7:8:9 :: x") == [])
        #expect(values(.ipv6, in: "2001:db8::1::2") == [])
    }
}

@Suite struct IBANTests {
    /// Example IBANs from the SWIFT IBAN registry and the national banks (all pass mod-97).
    static let valid = [
        "AL47212110090000000235698741", "BA391290079401028494", "ME25505000012345678951", "MK07250120000058984",
        "RS35260005601001611379", "TR330006100519786457841326", "XK051212012345678906", "DE89370400440532013000",
        "GB29NWBK60161331926819", "FR1420041010050500013M02606", "NL91ABNA0417164300", "AT611904300234573201",
        "HR1210010051863000160", "SI56263300012039086", "BG80BNBG96611020345678", "RO49AAAA1B31007593840000",
        "HU42117730161111101800000000", "PL61109010140000071219812874", "IT60X0542811101000000123456",
        "ES9121000418450200051332", "GR1601101250000000012300695",
    ]

    @Test(arguments: valid) func compactAndGrouped(_ iban: String) {
        #expect(found("IBAN: \(iban).") == [Pair(.iban, iban)])
        var grouped = ""
        for (i, c) in iban.enumerated() {
            if i > 0, i % 4 == 0 { grouped += " " }
            grouped.append(c)
        }
        #expect(found("iban=\(grouped) ok") == [Pair(.iban, grouped)])
    }

    @Test func checkDigitsOutsideTwoToNinetyEight() {
        // NL00WRJK5358510567 passes mod-97 (its real check digits are 97) but 00 is never issued.
        #expect(values(.iban, in: "NL00WRJK5358510567") == [])
    }

    @Test func badChecksumOrLength() {
        #expect(values(.iban, in: "RS35260005601001611378") == [])
        #expect(values(.iban, in: "RS3526000560100161137") == [])
        #expect(values(.iban, in: "QQ35260005601001611379") == [])
        #expect(values(.iban, in: "XRS35260005601001611379") == [])
    }

    @Test func noPhoneInsideAnIBAN() {
        #expect(found("TR33 0006 1005 1978 6457 8413 26") == [Pair(.iban, "TR33 0006 1005 1978 6457 8413 26")])
        #expect(found("RS35 2600 0560 1001 6113 79") == [Pair(.iban, "RS35 2600 0560 1001 6113 79")])
    }
}

@Suite struct CardTests {
    /// Test numbers published by the card schemes and payment processors.
    static let valid = [
        "4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000",
        "4012888888881881", "36227206271667", "2223003122003222",
    ]

    @Test(arguments: valid) func unbroken(_ card: String) {
        #expect(found("card=\(card);") == [Pair(.card, card)])
    }

    @Test func grouped() {
        #expect(values(.card, in: "4111 1111 1111 1111 12/25") == ["4111 1111 1111 1111"])
        #expect(values(.card, in: "5555-5555-5555-4444") == ["5555-5555-5555-4444"])
        #expect(values(.card, in: "3782 822463 10005") == ["3782 822463 10005"])
        #expect(found("card 5555 5555 5555 4444") == [Pair(.card, "5555 5555 5555 4444")])
    }

    @Test func notCards() {
        #expect(values(.card, in: "4111111111111112") == [])  // Luhn
        #expect(values(.card, in: "4111 1111-1111 1111") == [])  // mixed separators
        #expect(values(.card, in: "1234567812345670") == [])  // Luhn-valid, no issuer
        #expect(values(.card, in: "41111111111111111111") == [])  // 20 digits
        #expect(values(.card, in: "ts=1700000000000") == [])
    }
}

@Suite struct PhoneTests {
    @Test func international() {
        #expect(values(.phone, in: "tel:+381641234567") == ["+381641234567"])
        #expect(values(.phone, in: "call +381 64 123 4567 now") == ["+381 64 123 4567"])
        #expect(values(.phone, in: "+381 (0)11 123 4567") == ["+381 (0)11 123 4567"])
        #expect(values(.phone, in: "+90 (532) 123 45 67") == ["+90 (532) 123 45 67"])
        #expect(values(.phone, in: "+355 69 123 4567") == ["+355 69 123 4567"])
        #expect(values(.phone, in: "+387 61 123 456") == ["+387 61 123 456"])
        #expect(values(.phone, in: "+382 67 123 456") == ["+382 67 123 456"])
        #expect(values(.phone, in: "+389 70 123 456") == ["+389 70 123 456"])
        #expect(values(.phone, in: "+383 44 123 456") == ["+383 44 123 456"])
        #expect(values(.phone, in: "+49 151 23456789") == ["+49 151 23456789"])
        #expect(values(.phone, in: "+33 6 12 34 56 78") == ["+33 6 12 34 56 78"])
        #expect(values(.phone, in: "00381641234567") == ["00381641234567"])
        #expect(values(.phone, in: "0049 30 1234567") == ["0049 30 1234567"])
    }

    @Test func nationalFormats() {
        #expect(values(.phone, in: "mob 064 123 4567;") == ["064 123 4567"])  // Serbia
        #expect(values(.phone, in: "tel 064/123-4567") == ["064/123-4567"])  // Serbia
        #expect(values(.phone, in: "tel=011 123 4567") == ["011 123 4567"])  // Belgrade
        #expect(values(.phone, in: "0532 123 45 67") == ["0532 123 45 67"])  // Turkey
        #expect(values(.phone, in: "0 (532) 123 45 67") == ["0 (532) 123 45 67"])  // Turkey
        #expect(values(.phone, in: "(0212) 123 45 67") == ["(0212) 123 45 67"])  // Istanbul
        #expect(values(.phone, in: "069 123 4567") == ["069 123 4567"])  // Albania
        #expect(values(.phone, in: "061 123 456") == ["061 123 456"])  // Bosnia and Herzegovina
        #expect(values(.phone, in: "067 123 456") == ["067 123 456"])  // Montenegro
        #expect(values(.phone, in: "070 123 456") == ["070 123 456"])  // North Macedonia
        #expect(values(.phone, in: "044 123 456") == ["044 123 456"])  // Kosovo
        #expect(values(.phone, in: "06 12 34 56 78") == ["06 12 34 56 78"])  // France
        #expect(values(.phone, in: "06.12.34.56.78") == ["06.12.34.56.78"])  // France
        #expect(values(.phone, in: "0151 23456789") == ["0151 23456789"])  // Germany
        #expect(values(.phone, in: "612 345 678") == ["612 345 678"])  // Spain
        #expect(values(.phone, in: "333 123 4567") == ["333 123 4567"])  // Italy
        #expect(values(.phone, in: "06 30 123 4567") == ["06 30 123 4567"])  // Hungary
    }

    @Test func notPhones() {
        #expect(values(.phone, in: "2024-03-12 10:15:30") == [])
        #expect(values(.phone, in: "12.03.2024 and 01/02/2024") == [])
        #expect(values(.phone, in: "port 8080, pid 12345, 1700000000") == [])
        #expect(values(.phone, in: "amount 612 345 678 EUR, €064 123 4567, 064 123 4567,50") == [])
        #expect(values(.phone, in: "612345678") == [])  // no trunk prefix and no grouping
        #expect(values(.phone, in: "+0 123 456 789, +999 1") == [])
        #expect(values(.phone, in: "ID-0641234567 x_0641234567") == [])
        #expect(values(.phone, in: "\"GET / HTTP/1.1\" 200 82757 \"-\"") == [])  // status and size
    }

    @Test func notPhonesFoundByTheBenchmark() {
        #expect(values(.phone, in: "jmbg 0608985106587 rejected") == [])  // a JMBG with a wrong check digit
        #expect(values(.phone, in: "0605948732105") == [])  // ditto, day 06, month 05
        #expect(values(.phone, in: "+43 664 1234567 and 06641234567") == ["+43 664 1234567", "06641234567"])
    }

    @Test func noPhoneInsideAnIPv4AddressOrCard() {
        #expect(found("10.64.123.45") == [Pair(.ipv4, "10.64.123.45")])
        #expect(found("192.168.064.123") == [Pair(.ipv4, "192.168.064.123")])
        #expect(found("6011 1111 1111 1117") == [Pair(.card, "6011 1111 1111 1117")])
    }
}

/// Values packed into CSV rows with commas and no spaces: a comma between fields is a boundary, a comma inside a
/// number (`1,234`, `12,50`) is not.
@Suite struct CommaSeparatedFieldTests {
    @Test func packedRowGivesEveryValueWhole() {
        let row = "2024-03-12T10:15:30Z,report,+381641236547,RS35260005601001611379,4012 8888 8888 1881,3112985450122"
        #expect(
            found(row) == [
                Pair(.phone, "+381641236547"), Pair(.iban, "RS35260005601001611379"),
                Pair(.card, "4012 8888 8888 1881"),
                Pair(.jmbg, "3112985450122"),
            ])
    }

    @Test func groupedPhoneKeepsItsCountryCodeAfterAComma() {
        #expect(
            found("Marko,+381 64 123 6547,RS35260005601001611379") == [
                Pair(.phone, "+381 64 123 6547"), Pair(.iban, "RS35260005601001611379"),
            ])
    }

    @Test func numbersBetweenCommas() {
        #expect(found("x,12345678950,y") == [Pair(.turkishID, "12345678950")])
        #expect(
            found("4111111111111111,3112985450122") == [Pair(.card, "4111111111111111"), Pair(.jmbg, "3112985450122")])
        #expect(found("1700000000,4111111111111111,12,2027") == [Pair(.card, "4111111111111111")])
        #expect(found("id,0641234567,10000000146") == [Pair(.phone, "0641234567"), Pair(.turkishID, "10000000146")])
    }

    @Test func commasInsideNumbersStillJoin() {
        #expect(found("1,234,567 and 12,50 and 0,064 123 4567") == [])
        #expect(found("12,3112985450122") == [Pair(.jmbg, "3112985450122")])  // no decimal has 13 digits
        #expect(
            found("LV68 IPFO Z2HZ 64U4 N49V 1,4164 9438 3354 1183") == [
                Pair(.iban, "LV68 IPFO Z2HZ 64U4 N49V 1"), Pair(.card, "4164 9438 3354 1183"),
            ])
        #expect(values(.phone, in: "064 123 4567,50 EUR") == [])
        #expect(values(.card, in: "4111111111111111,50 EUR") == [])
    }

    @Test func urlEndsAtACommaBeforeAnotherValue() {
        let row = "https://evil.example/login.php?id=7,+381641236547,bob@example.org,10.0.0.1,www.example.org/x"
        #expect(
            found(row) == [
                Pair(.url, "https://evil.example/login.php?id=7"), Pair(.phone, "+381641236547"),
                Pair(.email, "bob@example.org"), Pair(.ipv4, "10.0.0.1"), Pair(.url, "www.example.org/x"),
            ])
        #expect(
            found("evil.example/x,RS35260005601001611379,4012888888881881")
                == [
                    Pair(.url, "evil.example/x"), Pair(.iban, "RS35260005601001611379"),
                    Pair(.card, "4012888888881881"),
                ])
    }

    @Test func urlKeepsCommasOfItsOwn() {
        #expect(
            values(.url, in: "https://maps.example.com/@44.8176,20.4633,15z x") == [
                "https://maps.example.com/@44.8176,20.4633,15z"
            ])
        #expect(values(.url, in: "https://example.com/a?ids=1,2,3&q=a,b") == ["https://example.com/a?ids=1,2,3&q=a,b"])
    }
}

@Suite struct CryptoAddressTests {
    @Test func keccak256KnownAnswers() {
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(Keccak256.hash([])) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(
            hex(Keccak256.hash(Array("abc".utf8))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
        )
        // Two blocks (200 bytes > the 136-byte rate); expected value from pycryptodome's Keccak, run once.
        #expect(
            hex(Keccak256.hash([UInt8](repeating: 0x61, count: 200)))
                == "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d")
    }

    @Test func base58Check() {
        #expect(
            values(.bitcoinAddress, in: "pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now") == [
                "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
            ])
        #expect(
            values(.bitcoinAddress, in: "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy") == ["3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"])
        #expect(
            values(.bitcoinAddress, in: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa") == ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"])
        #expect(values(.bitcoinAddress, in: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3") == [])
        #expect(values(.bitcoinAddress, in: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2x") == [])
    }

    /// Valid addresses from BIP-173 and BIP-350.
    static let segwitValid = [
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "BC1SW50QGDZ25J", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    ]
    /// Invalid addresses from BIP-350 (wrong HRP, wrong checksum variant, bad character, bad program length).
    static let segwitInvalid = [
        "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
        "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
        "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
        "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
        "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
        "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "bc1pw5dgrnzv",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  // mixed case of a valid one
    ].map { $0 == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" ? "bc1qw508d6qejxtdg4y5R3zarvary0c5xw7kv8f3t4" : $0 }

    @Test(arguments: segwitValid) func bech32Valid(_ a: String) {
        #expect(found("addr \(a) end") == [Pair(.bitcoinAddress, a)])
    }

    @Test(arguments: segwitInvalid) func bech32Invalid(_ a: String) {
        #expect(values(.bitcoinAddress, in: "addr \(a) end") == [])
    }

    /// EIP-55 test vectors (mixed case), and unchecksummed all-lower and all-upper addresses.
    static let ethereumValid = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7", "0xde709f2102306220921060314715629080e2fb77",
    ]

    @Test(arguments: ethereumValid) func ethereum(_ a: String) {
        #expect(found("to=\(a)") == [Pair(.ethereumAddress, a)])
    }

    @Test func ethereumNegatives() {
        #expect(values(.ethereumAddress, in: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") == [])  // EIP-55
        #expect(values(.ethereumAddress, in: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00") == [])  // 42 hex
        #expect(
            values(.ethereumAddress, in: "tx 0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b")
                == [])
    }
}

@Suite struct NationalIDTests {
    // Check digits computed once with an independent Python one-liner (weights 7,6,5,4,3,2,7,6,5,4,3,2;
    // m = 11 - sum % 11; m > 9 gives 0), not with this code:
    //   python3 -c 'w=[7,6,5,4,3,2]*2;f=lambda d:d+str((lambda m:0 if m>9 else m)(11-sum(int(a)*b for a,b in zip(d,w))%11));print(f("010199071000"))'
    static let jmbgValid = ["0101990710008", "1505965800016", "3112985450122", "1207985740019", "0503034456781"]

    @Test(arguments: jmbgValid) func jmbg(_ n: String) {
        #expect(found("JMBG: \(n)") == [Pair(.jmbg, n)])
    }

    @Test func jmbgNegatives() {
        #expect(values(.jmbg, in: "0101990710006") == [])  // check digit
        #expect(values(.jmbg, in: "2902040500031") == [])  // year 2040
        #expect(values(.jmbg, in: "3102990710008") == [])  // 31 February
        #expect(values(.jmbg, in: "01019907100081") == [])  // 14 digits
    }

    // T.C. Kimlik check digits computed once with an independent Python one-liner:
    //   d10 = (7*(d1+d3+d5+d7+d9) - (d2+d4+d6+d8)) % 10, d11 = sum(d1..d10) % 10.
    static let tcknValid = ["10000000146", "12345678950", "98765432150", "55544433340"]

    @Test(arguments: tcknValid) func tckn(_ n: String) {
        #expect(found("tckn=\(n)") == [Pair(.turkishID, n)])
    }

    @Test func tcknNegatives() {
        #expect(values(.turkishID, in: "10000000147") == [])
        #expect(values(.turkishID, in: "02345678950") == [])
    }

    @Test func albanian() {
        #expect(found("NID J00101999W") == [Pair(.albanianID, "J00101999W")])
        #expect(values(.albanianID, in: "J05115999K") == ["J05115999K"])  // female, born 1990-01-15
        #expect(values(.albanianID, in: "J00101999X") == [])  // check letter
        #expect(values(.albanianID, in: "J00230123C") == [])  // 30 February
        #expect(values(.albanianID, in: "Z00101999W") == [])  // decade letter
    }
}

@Suite struct PersonNameTests {
    @Test func namesList() {
        let names = ["Ana Marković", "Mehmet Yılmaz", "ПЕТАР ПЕТРОВИЋ"]
        #expect(
            values(.person, in: "seen ana  MARKOVIĆ and MEHMET YILMAZ", names: names) == [
                "ana  MARKOVIĆ", "MEHMET YILMAZ",
            ])
        #expect(values(.person, in: "Петар Петровић је", names: names) == ["Петар Петровић"])
        #expect(values(.person, in: "Anna Markovićeva", names: names) == [])
        #expect(values(.person, in: "xAna Marković", names: names) == [])
    }

    @Test func labelledFields() {
        #expect(values(.person, in: "name=Ana Marković age=30") == ["Ana Marković"])
        #expect(values(.person, in: "{\"full_name\": \"Marko Petrović\", \"x\": 1}") == ["Marko Petrović"])
        #expect(values(.person, in: "{\"source.account\": \"jdoe\"}") == ["jdoe"])
        #expect(values(.person, in: "From: \"Petrović, Marko\" <m@example.rs>\n") == ["Petrović, Marko"])
        #expect(
            values(.person, in: "To: Ana Marković <ana@example.rs>, Bob <b@example.org>\n") == ["Ana Marković", "Bob"])
        #expect(values(.person, in: "Contact_Name: Elif Şahin\n") == ["Elif Şahin"])
    }

    @Test func macAddressGroupsAreNotLabelledNames() {
        // "ad" (Turkish for name) followed by a colon inside a MAC address.
        #expect(found("MAC=ad:bb:65:d5:33:fa x=d1:12:b6:ad:ef:ad") == [])
        #expect(values(.person, in: "Ad: Ayşe\n\"ad\":\"Zeynep\"") == ["Ayşe", "Zeynep"])
    }

    @Test func labelledFieldsThatAreNotNames() {
        #expect(values(.person, in: "name=eth0 name=\"null\" full_name=\"\"") == [])
        #expect(values(.person, in: "{\"source.account\": \"alice@example.com\"}") == [])
        #expect(values(.person, in: "Subject: From: nobody") == [])
    }

    @Test func emailWinsOverALabelledValue() {
        #expect(found("name=alice@example.com") == [Pair(.email, "alice@example.com")])
    }
}

@Suite struct ScanMechanicsTests {
    @Test func invalidUTF8AroundValues() {
        var bytes: [UInt8] = [0xFF, 0xFE, 0x20]
        bytes += Array("alice@example.com".utf8)
        bytes += [0xC3, 0x28, 0x20, 0x80]
        bytes += Array("192.0.2.1".utf8)
        bytes += [0xED, 0xA0, 0x80]
        let hits = PersonalDataScanner().scan(bytes)
        #expect(hits == [Hit(type: .email, start: 3, end: 20), Hit(type: .ipv4, start: 24, end: 33)])
    }

    @Test func hitsAreOrderedAndDisjoint() {
        let hits = PersonalDataScanner().scan(Array(Self.corpus.utf8))
        #expect(hits.count > 100)
        for (a, b) in zip(hits, hits.dropFirst()) { #expect(a.end <= b.start) }
    }

    @Test func typesFilterKeepsPrecedence() {
        let scanner = PersonalDataScanner(types: [.phone])
        #expect(scanner.scan("10.64.123.45 TR33 0006 1005 1978 6457 8413 26") == [])
    }

    /// A log of every kind of value at many offsets, so that values straddle every chunk boundary.
    static let corpus: String = {
        let records = [
            "user=alice@example.com src=192.168.1.10 dst=2001:db8::1 ", "url=https://evil.example.com/a?x=1&y=2 ",
            "iban RS35 2600 0560 1001 6113 79 card 4111 1111 1111 1111 ", "tel +381 64 123 4567 mob 0532 123 45 67 ",
            "btc bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed ",
            "jmbg 0101990710008 tckn 10000000146 nid J00101999W name=Ana Marković ",
            "ts=2024-03-12T10:15:30Z v1.2.3.4.5 www.example.org/p ::ffff:192.0.2.1 ",
        ]
        var s = ""
        var i = 0
        while s.utf8.count < 30_000 {
            s += String(repeating: "x", count: i % 13) + records[i % records.count]
            if i % 5 == 0 { s += "\n" }
            i += 1
        }
        return s
    }()

    @Test(arguments: [7, 61, 1000, 4096]) func chunkBoundariesChangeNothing(_ chunk: Int) throws {
        let names = ["Ana Marković"]
        let scanner = PersonalDataScanner(names: names)
        let bytes = Array(Self.corpus.utf8)
        let whole = scanner.scan(bytes)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scan-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var streamed: [Hit] = []
        let read = try scanner.scan(
            fileDescriptor: fd, name: path, chunkSize: chunk, keepAhead: 600, leftContext: 512, progress: nil
        ) { streamed.append($0) }
        #expect(read == bytes.count)
        #expect(streamed == whole)
    }

    @Test func defaultStreamingMatchesWholeScan() throws {
        let bytes = Array((Self.corpus + Self.corpus + Self.corpus).utf8)
        let whole = PersonalDataScanner().scan(bytes)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scan-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var streamed: [Hit] = []
        try PersonalDataScanner().scan(fileDescriptor: fd, name: path, chunkSize: 20_000) { streamed.append($0) }
        #expect(streamed == whole)
    }
}
