/// The kinds of personal data SharingKit finds. The raw value is the name used in `share scan` output, in
/// policies and in redaction logs.
package enum PersonalDataType: String, CaseIterable, Sendable, Codable, Comparable {
    case email
    case ipv4
    case ipv6
    case url
    case iban
    /// Payment card number (Luhn-valid, spaces or dashes allowed).
    case card
    case phone
    /// Bitcoin address: Base58Check (P2PKH, P2SH) or Bech32/Bech32m (SegWit).
    case bitcoinAddress = "btc_address"
    /// Ethereum address (EIP-55 checksum enforced when mixed case).
    case ethereumAddress = "eth_address"
    /// JMBG: Serbia, Bosnia and Herzegovina, Montenegro, North Macedonia.
    case jmbg
    /// Turkish T.C. Kimlik No.
    case turkishID = "tr_id"
    /// Albanian national identity number (NID).
    case albanianID = "al_nid"
    /// A person's name: from the policy's names list or a labelled field.
    case person

    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One finding: a type and an exact span of UTF-8 bytes, `start` inclusive, `end` exclusive, counted from the
/// start of the input.
package struct Hit: Sendable, Hashable {
    package var type: PersonalDataType
    package var start: Int
    package var end: Int

    package init(type: PersonalDataType, start: Int, end: Int) {
        self.type = type
        self.start = start
        self.end = end
    }
}
