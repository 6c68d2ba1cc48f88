/// Everything that starts a run of ASCII letters and digits: IBANs, Albanian identity numbers and crypto
/// addresses.
enum TokenDetectors {
    static func scan(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        var i = max(starts.lowerBound, 0)
        let hi = min(starts.upperBound, t.count)
        while i < hi {
            if !Ascii.isAlnum(t.base[i]) || Ascii.isAlnum(t[i - 1]) {
                i += 1
                continue
            }
            let s = i
            var e = s + 1
            while Ascii.isAlnum(t[e]) { e += 1 }
            i = e
            let len = e - s
            guard len >= 4 else { continue }
            let b = t.base[s]
            if (Ascii.isUpper(b) && Ascii.isUpper(t[s + 1])) || (Ascii.isLower(b) && Ascii.isLower(t[s + 1])),
                Ascii.isDigit(t[s + 2]), Ascii.isDigit(t[s + 3])
            {
                if let end = BankDetectors.ibanEnd(t, s) { out.append(Hit(type: .iban, start: s, end: end)) }
                continue
            }
            // Only these lengths can be an NID, an Ethereum or a Bitcoin address.
            guard len == 10 || len >= 14, len <= 90, !t.wordBefore(s), !t.wordAt(e) else { continue }
            if len == 10, Ascii.isLetter(b), NationalIDs.albanianValid(t, s) {
                out.append(Hit(type: .albanianID, start: s, end: e))
            } else if len == 42, b == 0x30, t[s + 1] | 0x20 == 0x78 {
                if CryptoAddresses.ethereumValid(t.bytes((s + 2)..<e)) {
                    out.append(Hit(type: .ethereumAddress, start: s, end: e))
                }
            } else if len >= 25, len <= 35, b == 0x31 || b == 0x33 || b == 0x6D || b == 0x6E || b == 0x32,
                CryptoAddresses.base58CheckValid(t.bytes(s..<e))
            {
                out.append(Hit(type: .bitcoinAddress, start: s, end: e))
            } else if len >= 14, len <= 90, b | 0x20 == 0x62 || b | 0x20 == 0x74,
                CryptoAddresses.segwitValid(t.bytes(s..<e))
            {
                out.append(Hit(type: .bitcoinAddress, start: s, end: e))
            }
        }
    }
}

/// National identity numbers that are not all digits.
enum NationalIDs {
    /// Weights' alphabet of the Albanian check letter: W is 0, A–V are 1–22.
    private static let checkLetters = Array("WABCDEFGHIJKLMNOPQRSTUV".utf8)

    /// Albanian NID (numri personal), e.g. `J00101999W`: a decade letter (A–T for 1900–2090), the year's last
    /// digit, the month (01–12 male, 51–62 female; 31–42 and 81–92 for foreign residents), the day (a real
    /// date), a three-digit serial and a check letter. The check letter is the weighted sum of the first nine
    /// characters (weights 1, 1, 2, …, 8; the decade letter valued by its place in `WABC…V`) mod 23, as
    /// `WABC…V` again. No official statement of the rule is published; it is the one the open-source nidx
    /// library documents, and it holds for the published sample numbers.
    static func albanianValid(_ t: ByteText, _ s: Int) -> Bool {
        let decade = Ascii.upper(t[s])
        guard decade >= 0x41, decade <= 0x54 else { return false }
        for k in 1...8 where !Ascii.isDigit(t[s + k]) { return false }
        let check = Ascii.upper(t[s + 9])
        guard let checkValue = checkLetters.firstIndex(of: check) else { return false }
        // Letters and digits must not mix case oddly: both letters upper or both lower.
        guard Ascii.isUpper(t[s]) == Ascii.isUpper(t[s + 9]) else { return false }
        let year = 1900 + Int(decade - 0x41) * 10 + NumberDetectors.digit(t, s + 1)
        let code = NumberDetectors.digit(t, s + 2) * 10 + NumberDetectors.digit(t, s + 3)
        let month: Int
        switch code {
        case 1...12: month = code
        case 31...42: month = code - 30
        case 51...62: month = code - 50
        case 81...92: month = code - 80
        default: return false
        }
        let day = NumberDetectors.digit(t, s + 4) * 10 + NumberDetectors.digit(t, s + 5)
        guard NumberDetectors.isDate(year: year, month: month, day: day) else { return false }
        var total = checkLetters.firstIndex(of: decade)!
        for k in 1...8 { total += k * NumberDetectors.digit(t, s + k) }
        return total % 23 == checkValue
    }
}
