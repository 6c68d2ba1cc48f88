import EvidenceKit

/// Bitcoin and Ethereum addresses.
enum CryptoAddresses {
    // MARK: Base58Check

    private static let base58Alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let base58Values: [Int8] = {
        var v = [Int8](repeating: -1, count: 256)
        for (i, c) in base58Alphabet.enumerated() { v[Int(c)] = Int8(i) }
        return v
    }()

    /// A Base58Check Bitcoin address (P2PKH `1…`, P2SH `3…`, testnet `m…`/`n…`/`2…`): 25–35 characters that
    /// decode to 25 bytes whose last four are the first four of the double SHA-256 of the other 21, with a
    /// version byte of 0x00, 0x05, 0x6F or 0xC4.
    static func base58CheckValid(_ s: [UInt8]) -> Bool {
        guard s.count >= 25, s.count <= 35, let first = s.first, "123mn".utf8.contains(first) else { return false }
        var bytes = [UInt8](repeating: 0, count: 25)
        for c in s {
            let v = base58Values[Int(c)]
            guard v >= 0 else { return false }
            var carry = Int(v)
            for j in stride(from: 24, through: 0, by: -1) {
                carry += 58 * Int(bytes[j])
                bytes[j] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            guard carry == 0 else { return false }
        }
        // Leading '1's stand for leading zero bytes; the decoded value must have exactly that many.
        let ones = s.prefix { $0 == 0x31 }.count
        let zeros = bytes.prefix { $0 == 0 }.count
        guard ones == zeros else { return false }
        guard [0x00, 0x05, 0x6F, 0xC4].contains(bytes[0]) else { return false }
        let check = sha256(sha256(Array(bytes[0..<21])))
        return Array(check[0..<4]) == Array(bytes[21..<25])
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array(digestHex(.sha256, of: bytes).utf8)
        return stride(from: 0, to: hex.count, by: 2).map {
            UInt8(Ascii.hexValue(hex[$0]) << 4 | Ascii.hexValue(hex[$0 + 1]))
        }
    }

    // MARK: Bech32 / Bech32m

    private static let bech32Charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let bech32Values: [Int8] = {
        var v = [Int8](repeating: -1, count: 256)
        for (i, c) in bech32Charset.enumerated() {
            v[Int(c)] = Int8(i)
            v[Int(Ascii.upper(c))] = Int8(i)
        }
        return v
    }()

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let gen: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= gen[i] }
        }
        return chk
    }

    /// A SegWit address (BIP-173 Bech32 for version 0, BIP-350 Bech32m for versions 1–16): human-readable
    /// part `bc`, `tb` or `bcrt`, one case throughout, a valid checksum, and a witness program of the length
    /// its version allows (20 or 32 bytes for version 0, 2–40 otherwise).
    static func segwitValid(_ s: [UInt8]) -> Bool {
        guard s.count >= 14, s.count <= 90 else { return false }
        let hasLower = s.contains { Ascii.isLower($0) }
        let hasUpper = s.contains { Ascii.isUpper($0) }
        guard !(hasLower && hasUpper), let sep = s.lastIndex(of: 0x31) else { return false }
        let hrp = s[0..<sep].map { Ascii.lower($0) }
        guard hrp == Array("bc".utf8) || hrp == Array("tb".utf8) || hrp == Array("bcrt".utf8) else { return false }
        var data: [UInt8] = []
        for c in s[(sep + 1)...] {
            let v = bech32Values[Int(c)]
            guard v >= 0 else { return false }
            data.append(UInt8(v))
        }
        guard data.count >= 7 else { return false }
        var expanded = hrp.map { $0 >> 5 }
        expanded.append(0)
        expanded += hrp.map { $0 & 31 }
        let check = polymod(expanded + data)
        let version = data[0]
        guard version <= 16 else { return false }
        guard check == (version == 0 ? 1 : 0x2bc8_30a3) else { return false }
        // 5-bit groups to bytes, no padding beyond 4 zero bits.
        var acc = 0
        var bits = 0
        var program: [UInt8] = []
        for v in data[1..<(data.count - 6)] {
            acc = acc << 5 | Int(v)
            bits += 5
            if bits >= 8 {
                bits -= 8
                program.append(UInt8((acc >> bits) & 0xFF))
            }
        }
        guard bits < 5, acc & ((1 << bits) - 1) == 0 else { return false }
        guard program.count >= 2, program.count <= 40 else { return false }
        return version != 0 || program.count == 20 || program.count == 32
    }

    // MARK: Ethereum

    /// `0x` and 40 hexadecimal digits; when the letters are of mixed case, the EIP-55 checksum must hold (a
    /// letter is uppercase exactly when the matching nibble of the Keccak-256 of the lowercase address is 8 or
    /// more). All-lowercase and all-uppercase addresses carry no checksum and are accepted.
    static func ethereumValid(_ hex: [UInt8]) -> Bool {
        guard hex.count == 40, hex.allSatisfy(Ascii.isHex) else { return false }
        let hasLower = hex.contains { Ascii.isLower($0) }
        let hasUpper = hex.contains { Ascii.isUpper($0) }
        guard hasLower && hasUpper else { return true }
        let hash = Keccak256.hash(hex.map(Ascii.lower))
        for (i, c) in hex.enumerated() where Ascii.isLetter(c) {
            let nibble = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0x0F
            if (nibble >= 8) != Ascii.isUpper(c) { return false }
        }
        return true
    }
}
