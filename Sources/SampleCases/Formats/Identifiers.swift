import IProceedsDigest

/// Account numbers and addresses that look and validate like real ones but belong to no one.
enum Identifiers {
    /// An IBAN for `country` with the given BBAN and the ISO 13616 check digits (mod 97 = 1), so validators and
    /// detectors accept it. The generator's BBANs start with bank codes that no bank uses in these samples'
    /// countries as far as we know (all nines, or `000`), and the README of every case says the numbers are
    /// invented.
    static func iban(_ country: String, _ bban: String) -> String {
        let rearranged = bban + country + "00"
        var rem = 0
        for c in rearranged.uppercased() {
            let v: Int
            if let d = c.wholeNumberValue { v = d } else { v = Int(c.asciiValue! - 55) }
            rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97
        }
        let check = 98 - rem
        return country + (check < 10 ? "0" : "") + String(check) + bban
    }

    /// Whether `iban` passes the mod-97 check (used by the generator's own self-checks).
    static func ibanValid(_ iban: String) -> Bool {
        let s = iban.dropFirst(4) + iban.prefix(4)
        var rem = 0
        for c in s.uppercased() {
            guard let v = c.wholeNumberValue ?? c.asciiValue.map({ Int($0) - 55 }) else { return false }
            rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97
        }
        return rem == 1
    }

    /// A Bitcoin **testnet** P2WPKH address (`tb1q…`, BIP-173) over 20 random bytes: it validates, and no
    /// mainnet coins can ever sit at it.
    static func testnetAddress(_ rng: inout SeededRandom) -> String {
        bech32("tb", version: 0, program: rng.bytes(20))
    }

    static func bech32(_ hrp: String, version: UInt8, program: [UInt8]) -> String {
        let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
        var data: [UInt8] = [version]
        var acc = 0
        var bits = 0
        for b in program {
            acc = (acc << 8) | Int(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                data.append(UInt8((acc >> bits) & 31))
            }
        }
        if bits > 0 { data.append(UInt8((acc << (5 - bits)) & 31)) }
        func polymod(_ values: [UInt8]) -> UInt32 {
            let gen: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
            var chk: UInt32 = 1
            for v in values {
                let top = chk >> 25
                chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
                for i in 0..<5 where (top >> i) & 1 == 1 { chk ^= gen[i] }
            }
            return chk
        }
        let expanded = hrp.utf8.map { $0 >> 5 } + [0] + hrp.utf8.map { $0 & 31 }
        let mod = polymod(expanded + data + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> (5 * (5 - UInt32($0)))) & 31) }
        return hrp + "1" + String((data + checksum).map { charset[Int($0)] })
    }

    /// A transaction hash: 64 hex digits, the SHA-256 of a label (so it is stable and unique in a case).
    static func txHash(_ label: String) -> String { SHA256Digest.hex(of: Array(label.utf8)) }

    /// A card number that passes the Luhn check, on the issuer prefixes the card schemes publish for testing.
    static func testCard(_ rng: inout SeededRandom) -> String {
        let prefix = rng.pick(["411111", "400000", "555555", "222300"])
        var digits = Array(prefix + rng.digits(9)).map { $0.wholeNumberValue! }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            let x = i % 2 == 0 ? d * 2 : d
            sum += x > 9 ? x - 9 : x
        }
        digits.append((10 - sum % 10) % 10)
        return digits.map(String.init).joined()
    }
}
