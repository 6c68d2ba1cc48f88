/// The invented world the cases happen in. Everything here is reserved or made up, and every case README says
/// so: surnames built on the word "example" in the region's languages (Primerović, Shembulli, Örnekoğlu…),
/// domains under `.example` and `example.com/.net/.org` (RFC 2606), IPv4 addresses from the documentation
/// ranges (RFC 5737), phone numbers from Ofcom's range reserved for drama (+44 7700 900xxx), card numbers on the
/// schemes' test prefixes passing Luhn, IBANs with bank codes of all nines passing mod-97, and Bitcoin testnet
/// addresses (`tb1…`) that can never hold real coins.
enum Fiction {
    static let firstNames = [
        "Ana", "Marko", "Jelena", "Nikola", "Arben", "Elira", "Mehmet", "Ayşe", "Luka", "Mila", "Dritan", "Besa",
        "Emre", "Zeynep", "Stefan", "Ivana", "Amra", "Edin", "Teuta", "Petar",
    ]
    static let surnames = [
        "Primerović", "Primjerić", "Shembulli", "Örnekoğlu", "Uzorković", "Obrazacki", "Modelović", "Shembullaku",
        "Örnekçi", "Primerski",
    ]

    static func person(_ rng: inout SeededRandom) -> String { rng.pick(firstNames) + " " + rng.pick(surnames) }

    /// `ana.primerovic`, ASCII for an e-mail local part.
    static func localPart(_ name: String) -> String {
        let map: [Character: String] = [
            "ć": "c", "č": "c", "š": "s", "ž": "z", "đ": "dj", "ö": "o", "ü": "u", "ş": "s", "ç": "c", "ğ": "g",
            "ı": "i", "ë": "e", "Ö": "o", "Ş": "s",
        ]
        return name.lowercased().map { map[$0] ?? String($0) }.joined().replacingOccurrences(of: " ", with: ".")
    }

    static func documentationIP(_ rng: inout SeededRandom) -> String {
        rng.pick(["192.0.2", "198.51.100", "203.0.113"]) + "." + String(rng.int(1...254))
    }

    /// +44 7700 900123, written as people write it.
    static func phone(_ rng: inout SeededRandom) -> String { "+44 7700 900" + rng.digits(3) }

    static func iban(_ country: String, _ rng: inout SeededRandom) -> String {
        switch country {
        case "RS": return Identifiers.iban("RS", "999" + rng.digits(15))
        case "ME": return Identifiers.iban("ME", "999" + rng.digits(15))
        case "AL": return Identifiers.iban("AL", "99999999" + rng.digits(16))
        case "MK": return Identifiers.iban("MK", "999" + rng.digits(12))
        case "XK": return Identifiers.iban("XK", "9999" + rng.digits(12))
        case "BA": return Identifiers.iban("BA", "9999" + rng.digits(12))
        case "TR": return Identifiers.iban("TR", "99999" + "0" + rng.digits(16))
        case "LT": return Identifiers.iban("LT", "99999" + rng.digits(11))
        default: preconditionFailure("no IBAN layout for \(country)")
        }
    }

    /// An IBAN written in groups of four, as on an invoice.
    static func grouped(_ iban: String) -> String {
        var out = ""
        for (k, c) in iban.enumerated() {
            if k > 0 && k % 4 == 0 { out += " " }
            out.append(c)
        }
        return out
    }

    static let loremBusiness = [
        "Please find attached the delivery note for last week's order.",
        "We confirm the meeting on Thursday at 10:00 in our office.",
        "The goods left our warehouse this morning and should arrive within three days.",
        "Could you send us the updated price list for the second quarter?",
        "Thank you for the quick payment of the previous invoice.",
        "Our accountant will contact you about the year-end reconciliation.",
        "The technician will visit the site on Monday to finish the installation.",
        "Kindly confirm receipt of the signed contract.",
        "We have reserved the trucks for the next delivery as agreed.",
        "The quality report for batch 14 is ready; no defects were found.",
    ]

    /// A paragraph of harmless office prose (no personal data: nothing a detector should find).
    static func prose(_ rng: inout SeededRandom, sentences: Int) -> String {
        (0..<sentences).map { _ in rng.pick(loremBusiness) }.joined(separator: " ")
    }

    /// A JPEG-looking file: the JFIF header, then noise, so no tool mistakes it for an archive.
    static func photo(_ rng: inout SeededRandom, size: Int) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01] + rng.bytes(size) + [0xFF, 0xD9]
    }
}
