/// International Bank Account Numbers.
enum BankDetectors {
    /// IBAN lengths by country, from the SWIFT IBAN registry.
    static let ibanLengths: [UInt16: Int] = {
        let table: [(String, Int)] = [
            ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16), ("BG", 22),
            ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22), ("CY", 28), ("CZ", 24),
            ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20), ("EG", 29), ("ES", 24), ("FI", 18),
            ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22), ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27),
            ("GT", 28), ("HN", 28), ("HR", 21), ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26),
            ("IT", 27), ("JO", 30), ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20),
            ("LU", 20), ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
            ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23), ("PK", 24),
            ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22), ("RU", 33), ("SA", 24),
            ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24), ("SM", 27), ("SO", 23), ("ST", 25),
            ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26), ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20),
            ("YE", 30),
        ]
        var d: [UInt16: Int] = [:]
        for (cc, n) in table {
            let u = Array(cc.utf8)
            d[UInt16(u[0]) << 8 | UInt16(u[1])] = n
        }
        return d
    }()

    /// An IBAN starting at `s`: a registry country code, two check digits and the country's length of letters
    /// and digits, written either unbroken or in groups of four separated by single spaces; check digits 02–98
    /// and mod-97 must give 1. Letters are all uppercase or, as typed in a web form, all lowercase
    /// (`rs35260005601001611379`). Returns its end.
    static func ibanEnd(_ t: ByteText, _ s: Int) -> Int? {
        let lower = Ascii.isLower(t[s])
        guard !t.wordBefore(s), let length = ibanLengths[UInt16(Ascii.upper(t[s])) << 8 | UInt16(Ascii.upper(t[s + 1]))]
        else { return nil }
        // Check digits are 02–98 (ISO 13616): 00, 01 and 99 pass mod-97 only by accident.
        let check = Int(t[s + 2] &- 0x30) * 10 + Int(t[s + 3] &- 0x30)
        guard check >= 2, check <= 98 else { return nil }
        // Unbroken, or grouped by four with single spaces.
        let grouped = t[s + 4] == 0x20
        var k = s
        var chars = 0
        var remainder = 0
        // mod 97 over BBAN then country code and check digits, letters as 10–35.
        func feed(_ b: UInt8) {
            if Ascii.isDigit(b) {
                remainder = (remainder * 10 + Int(b &- 0x30)) % 97
            } else {
                remainder = (remainder * 100 + Int(Ascii.upper(b) &- 0x41) + 10) % 97
            }
        }
        while chars < length {
            if grouped, chars > 0, chars % 4 == 0 {
                guard t[k] == 0x20 else { return nil }
                k += 1
            }
            let b = t[k]
            guard Ascii.isDigit(b) || (lower ? Ascii.isLower(b) : Ascii.isUpper(b)) else { return nil }
            if chars >= 4 { feed(b) }
            chars += 1
            k += 1
        }
        if t.wordAt(k) { return nil }
        for j in [s, s + 1, s + 2, s + 3] { feed(t[j]) }
        return remainder == 1 ? k : nil
    }
}
