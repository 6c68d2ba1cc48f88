/// Prefix-preserving address anonymisation, Crypto-PAn (J. Xu, J. Fan, M. Ammar, S. Moon, "Prefix-preserving
/// IP address anonymization", ICNP 2002), with AES-128 as the pseudo-random function, extended to 128 bits for
/// IPv6 the way the common implementations do.
///
/// Bit `i` of the output is bit `i` of the input XOR the first bit of AES(K, the input's first `i` bits followed
/// by the pad's remaining bits). Output bit `i` therefore depends only on input bits `0..<i`: two addresses that
/// share exactly their first `k` bits map to two addresses that share exactly their first `k` bits. The mapping
/// is a bijection on each address width.
///
/// The 32-byte key is split as the reference implementation splits it: bytes 0–15 are the AES key, bytes 16–31,
/// encrypted under that key, are the pad.
struct CryptoPAn: Sendable {
    private let aesKey: [UInt8]
    private let pad: [UInt8]

    init(key: [UInt8]) {
        precondition(key.count == 32, "a Crypto-PAn key is 32 bytes")
        aesKey = Array(key[0..<16])
        pad = AES128BlockEncryptor.withEncryptor(key: aesKey) { $0.encrypt(Array(key[16..<32])) }
    }

    /// The anonymised form of an IPv4 (4-byte) or IPv6 (16-byte) address in network byte order.
    func anonymise(_ address: [UInt8]) -> [UInt8] {
        precondition(address.count == 4 || address.count == 16, "an IP address is 4 or 16 bytes")
        let bits = address.count * 8
        var flips = [UInt8](repeating: 0, count: address.count)
        AES128BlockEncryptor.withEncryptor(key: aesKey) { aes in
            // `block` starts as the pad; before round `pos` its first `pos` bits are replaced by the address's.
            var block = pad
            for pos in 0..<bits {
                if pos > 0 {
                    let byte = (pos - 1) / 8
                    let mask = UInt8(0x80) >> UInt8((pos - 1) % 8)
                    block[byte] = (block[byte] & ~mask) | (address[byte] & mask)
                }
                if aes.encrypt(block)[0] & 0x80 != 0 {
                    flips[pos / 8] |= UInt8(0x80) >> UInt8(pos % 8)
                }
            }
        }
        return zip(address, flips).map { $0 ^ $1 }
    }
}
