/// Phone numbers: international (`+CC …` or `00CC …`, with the ITU country code and that country's length) and
/// the national formats of Albania, Bosnia and Herzegovina, Kosovo, Montenegro, North Macedonia, Serbia,
/// Turkey and the EU states.
///
/// A number is digit groups separated by single spaces, hyphens, dots or slashes, with optional parentheses
/// around a group (`(064) 123-4567`, `+381 (0)64 123 4567`, `0 (532) 123 45 67`). The longest run of whole
/// groups that validates is the hit.
enum PhoneNumbers {
    private static let maxDigits = 17

    /// A cheap test before ``phone(_:runStart:)``: a `+` or `(` before the run, eight digits or more, or a
    /// separator and another group after it. Most digit runs in logs (ports, times, counters) fail it.
    @inline(__always) static func mayStart(_ t: ByteText, _ s: Int, runEnd e: Int) -> Bool {
        let before = t[s - 1]
        if before == 0x2B || before == 0x28 { return true }
        if e - s >= 8 { return true }
        return continuesGroups(t, e) && (t[s] == 0x30 || e - s <= 4)
    }

    /// The phone number whose first digit run starts at `s` (the number itself may start at a `+` or `(`
    /// just before it), or nil.
    static func phone(_ t: ByteText, runStart s: Int) -> Hit? {
        var start = s
        var plus = false
        var paren = false
        if t[s - 1] == 0x2B {
            plus = true
            start = s - 1
            // "++441772285411": a doubled plus, as dialled or mistyped, is one international prefix.
            if t[s - 2] == 0x2B { start = s - 2 }
        } else if t[s - 1] == 0x28 {
            paren = true
            start = s - 1
        }
        guard boundaryBefore(t, start) else { return nil }
        // Digits right after "13:53:" continue a time ("13:53:08 2017-05-16" in OpenStack logs), not a number.
        if t[start - 1] == 0x3A, Ascii.isDigit(t[start - 2]) { return nil }
        if !plus, !paren, t[s] != 0x30 {
            // A no-trunk national number (ES 612 345 678): only written in groups, first digit 2–9.
            guard t[s] != 0x31 else { return nil }
        }

        var digits = SIMD32<UInt8>()
        var n = 0
        var k = s
        var openParen = paren
        var best: Int? = nil
        var bestIsFull = false
        var separators = 0
        var groupSizes = SIMD8<UInt8>()
        var groupCount = 0
        var sepKinds: UInt8 = 0  // bit 1 space, 2 hyphen, 4 dot, 8 slash
        var firstSeps: (UInt8, UInt8) = (0, 0)  // the separators after the first and second groups
        var trunkInParens = false
        var shortGroups = true  // every group so far has 2–4 digits
        var bestGroups = 0  // groups in the number ending at `best`
        var runEnd = s  // the end of the last group read

        while true {
            // One group of digits.
            let g = k
            while Ascii.isDigit(t[k]), n < maxDigits + 1 {
                digits[n] = t[k] &- 0x30
                n += 1
                k += 1
            }
            if n > maxDigits || Ascii.isDigit(t[k]) { break }
            if groupCount < 8 { groupSizes[groupCount] = UInt8(truncatingIfNeeded: k - g) }
            groupCount += 1
            shortGroups = shortGroups && k - g >= 2 && k - g <= 4
            var after = k
            if openParen {
                guard t[k] == 0x29 else { break }
                openParen = false
                after = k + 1
            }
            runEnd = after
            // Is the number complete here?
            let full = !continuesGroups(t, after)
            if !t.wordAt(after), !(NumberDetectors.continuesNumber(t, after) && full),
                valid(digits, n, plus: plus, separators: separators, full: full && shortGroups)
            {
                best = after
                bestIsFull = full
                bestGroups = groupCount
            }
            // The next group: separator, "(0)" trunk, or "(".
            var m = after
            var sepKind: UInt8 = 0
            switch t[m] {
            case 0x20: sepKind = 1
            case 0x2D: sepKind = 2
            case 0x2E: sepKind = 4
            case 0x2F: sepKind = 8
            default: break
            }
            if sepKind != 0 { m += 1 }
            if plus, !trunkInParens, t[m] == 0x28, t[m + 1] == 0x30, t[m + 2] == 0x29, groupCount == 1 {
                // "+381 (0)64": the trunk zero is not dialled from abroad.
                trunkInParens = true
                m += 3
                if t[m] == 0x20 { m += 1 }
            } else if t[m] == 0x28, Ascii.isDigit(t[m + 1]), sepKind == 1 || sepKind == 0 {
                openParen = true
                m += 1
            }
            guard Ascii.isDigit(t[m]), m > after else { break }
            if sepKind != 0 {
                sepKinds |= sepKind
                separators += 1
            }
            if groupCount == 1 { firstSeps.0 = sepKind } else if groupCount == 2 { firstSeps.1 = sepKind }
            k = m
        }
        guard let end = best else { return nil }
        _ = bestIsFull
        if notAPhoneNumber(
            t, start: start, end: end, runEnd: runEnd, sizes: groupSizes, groups: bestGroups,
            dotsOnly: sepKinds == 4, international: plus || (t[s] == 0x30 && t[s + 1] == 0x30))
        {
            return nil
        }
        // Dots in a phone number are only accepted when they are its only separator (06.12.34.56.78), and a
        // date-shaped number (2024-03-12, 01.02.2024, 12/03/2024) is not a phone number.
        if sepKinds & 4 != 0, sepKinds != 4 { return nil }
        if groupCount >= 3, firstSeps.0 == firstSeps.1, firstSeps.0 > 1, looksLikeDate(groupSizes, groups: groupCount) {
            return nil
        }
        if amountAfter(t, end) { return nil }
        // Thirteen unbroken digits starting with a date are a JMBG (a mistyped one if its check digit failed).
        if !plus, !paren, end - s == 13, NumberDetectors.jmbgShaped(t, s) {
            var unbroken = true
            for j in s..<end where !Ascii.isDigit(t[j]) { unbroken = false }
            if unbroken { return nil }
        }
        return Hit(type: .phone, start: start, end: end)
    }

    /// Digit groups shaped like a phone number that are something else, found on real logs and MISP events:
    /// - followed by `:` and a letter or digit: a time or a log stamp (`[0701/114930:WARNING`, `Oct 27 2015 12:44`);
    /// - two years joined by a hyphen: a range (`(C) 2000-2002`);
    /// - dots as the only separator and fewer than three groups: a decimal (`0.4256971`, `04.201000`);
    /// - pairs of hex digits in a longer run or between `|`: bytes (a Snort rule's `|01 00 00 01 00 00|`);
    /// - without an international prefix, a first group of five digits or more and a last of one or two: a time
    ///   and a process id (`044304 35` in HDFS logs); national numbers are not grouped that way; nor does a
    ///   number without `+` start right after another digit group (`081110 010354 5184`, `081110 004657 17337`).
    static func notAPhoneNumber(
        _ t: ByteText, start: Int, end: Int, runEnd: Int, sizes: SIMD8<UInt8>, groups: Int, dotsOnly: Bool,
        international: Bool
    ) -> Bool {
        if t[runEnd] == 0x3A, Ascii.isAlnum(t[runEnd + 1]) { return true }
        // A national number does not start in the middle of a run of digit groups (`081110 010354 5184`, a
        // date, a time and a process id in HDFS logs).
        if t[start] != 0x2B, t[start - 1] == 0x20 || t[start - 1] == 0x2D, Ascii.isDigit(t[start - 2]) { return true }
        if t[end] == 0x3A, Ascii.isAlnum(t[end + 1]) { return true }
        if groups == 2, end - start == 9, t[start + 4] == 0x2D, isYear(t, start), isYear(t, start + 5) { return true }
        if dotsOnly, groups < 3 { return true }
        if groups >= 2, groups <= 8, hexPairs(t, start: start, end: end) { return true }
        if !international, groups >= 2, groups <= 8, sizes[0] >= 5, sizes[groups - 1] <= 2 { return true }
        return false
    }

    @inline(__always) static func isYear(_ t: ByteText, _ i: Int) -> Bool {
        (t[i] == 0x31 && t[i + 1] == 0x39) || (t[i] == 0x32 && t[i + 1] == 0x30)
    }

    /// Whether `start..<end` is groups of two digits inside a run of space-separated two-character hex tokens
    /// that is longer than a phone number's five pairs, holds a hex letter, or is fenced by `|`.
    static func hexPairs(_ t: ByteText, start: Int, end: Int) -> Bool {
        var k = start
        while k < end {
            guard Ascii.isDigit(t[k]), Ascii.isDigit(t[k + 1]), k + 2 == end || t[k + 2] == 0x20 else { return false }
            k += 3
        }
        @inline(__always) func pair(_ i: Int) -> Bool {
            Ascii.isHex(t[i]) && Ascii.isHex(t[i + 1]) && !Ascii.isAlnum(t[i - 1]) && !Ascii.isAlnum(t[i + 2])
        }
        var count = (end - start + 1) / 3
        var letters = false
        var lo = start
        while t[lo - 1] == 0x20, pair(lo - 3), count < 64 {
            lo -= 3
            count += 1
            letters = letters || !Ascii.isDigit(t[lo]) || !Ascii.isDigit(t[lo + 1])
        }
        var hi = end
        while t[hi] == 0x20, pair(hi + 1), count < 64 {
            letters = letters || !Ascii.isDigit(t[hi + 1]) || !Ascii.isDigit(t[hi + 2])
            hi += 3
            count += 1
        }
        return count > 5 || letters || t[lo - 1] == 0x7C || t[hi] == 0x7C
    }

    /// Whether another digit group follows `i` (after one separator or an opening parenthesis).
    @inline(__always) static func continuesGroups(_ t: ByteText, _ i: Int) -> Bool {
        let b = t[i]
        if b == 0x20 || b == 0x2D || b == 0x2E || b == 0x2F {
            return Ascii.isDigit(t[i + 1]) || (t[i + 1] == 0x28 && Ascii.isDigit(t[i + 2]))
        }
        return b == 0x28 && Ascii.isDigit(t[i + 1])
    }

    /// The byte before a number may be a space, a quote, a bracket, `:`, `=`, `;`, `|`, a line break, or a comma
    /// that separates fields (`…,+381641234567,…`), but not a letter, digit, currency sign or a character that
    /// joins it to a longer token (`.`, `/`, `-`, `_`, `#`, `$`, `%`, `&`, a comma inside a number as in
    /// `1,064 123 4567`; see ``NumberDetectors/commaJoins(_:_:)``).
    @inline(__always) static func boundaryBefore(_ t: ByteText, _ i: Int) -> Bool {
        let b = t[i - 1]
        switch b {
        case 0x2C: return !NumberDetectors.commaJoins(t, i - 1)
        case 0x2E, 0x2F, 0x2D, 0x5F, 0x23, 0x24, 0x25, 0x26, 0x2B, 0x2A: return false
        default: break
        }
        if t.wordBefore(i) { return false }
        // €, £ (and ¥) before the number: an amount.
        if t[i - 1] == 0xAC, t[i - 2] == 0x82, t[i - 3] == 0xE2 { return false }
        if (t[i - 1] == 0xA3 || t[i - 1] == 0xA5), t[i - 2] == 0xC2 { return false }
        return true
    }

    /// First groups shaped like a date: 4-2-2 or 2-2-4 (1/2-1/2-2 only when there are just three groups).
    static func looksLikeDate(_ g: SIMD8<UInt8>, groups: Int) -> Bool {
        let (a, b, c) = (g[0], g[1], g[2])
        if a == 4, b <= 2, c <= 2 { return true }
        if a <= 2, b <= 2, c == 4 || (c == 2 && groups == 3) { return true }
        return false
    }

    /// A decimal part or currency after the number: an amount, not a phone number.
    static func amountAfter(_ t: ByteText, _ e: Int) -> Bool {
        var k = e
        if t[k] == 0x20 { k += 1 }
        let codes: [StaticString] = [
            "eur", "usd", "rsd", "try", "all", "bam", "mkd", "gbp", "chf", "huf", "pln", "czk", "sek", "dkk", "ron",
            "bgn", "din", "tl ", "kn ",
        ]
        for code in codes where t.matches(code, at: k) && !Ascii.isLetter(t[k + code.utf8CodeUnitCount]) {
            return true
        }
        if t[k] == 0xE2, t[k + 1] == 0x82, t[k + 2] == 0xAC { return true }
        return false
    }

    /// Whether `n` digits make a phone number in one of the accepted forms. `full` (for numbers without a
    /// trunk prefix) means the number ends the group run and every group has 2–4 digits.
    static func valid(_ d: SIMD32<UInt8>, _ n: Int, plus: Bool, separators: Int, full: Bool) -> Bool {
        if plus { return international(d, from: 0, n) }
        if n >= 2, d[0] == 0, d[1] == 0 {
            // `00` then the number, or, as dialled through a PBX, `00` and a carrier-select digit
            // (`001447441452805` in an Asterisk log: +44 7441 452805).
            return international(d, from: 2, n) || (separators == 0 && n >= 12 && international(d, from: 3, n))
        }
        // `011`, the North American exit code, before a country code other than 1.
        if separators == 0, n >= 12, d[0] == 0, d[1] == 1, d[2] == 1, d[3] != 1, international(d, from: 3, n) {
            return true
        }
        if d[0] == 0 { return national(d, n) }
        return separators > 0 && full && noTrunkNational(d, n)
    }

    // MARK: International

    /// `+` or `00`, an ITU country code, and a national significant number of the length that country uses
    /// (8–12 digits for countries not in the table; at most 15 digits in all, E.164).
    static func international(_ d: SIMD32<UInt8>, from o: Int, _ n: Int) -> Bool {
        guard n - o >= 7, n - o <= 15, d[o] != 0 else { return false }
        let one = Int(d[o])
        let two = one * 10 + Int(d[o + 1])
        let three = two * 10 + Int(d[o + 2])
        let cc: Int
        if one == 1 || one == 7 {
            cc = one
        } else if twoDigitCodes.contains(two) {
            cc = two
        } else if threeDigitPrefixes.contains(two) {
            cc = three
        } else {
            return false
        }
        let ccLen = cc < 10 ? 1 : cc < 100 ? 2 : 3
        let nsn = n - o - ccLen
        guard d[o + ccLen] != 0 || cc == 39 else { return false }
        let range = nsnLengths[cc] ?? (8...12)
        return range.contains(nsn) && n - o <= 15
    }

    static let twoDigitCodes: Set<Int> = [
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60,
        61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ]
    /// First two digits of the three-digit country codes.
    static let threeDigitPrefixes: Set<Int> = [
        21, 22, 23, 24, 25, 26, 28, 29, 35, 37, 38, 42, 50, 59, 67, 68, 69, 80, 85, 87, 88, 96, 97, 99,
    ]
    /// National significant number lengths: the Western Balkans, Turkey, the EU states and a few others.
    static let nsnLengths: [Int: ClosedRange<Int>] = [
        1: 10...10, 7: 10...10, 30: 10...10, 31: 9...9, 32: 8...9, 33: 9...9, 34: 9...9, 36: 8...9, 39: 6...11,
        40: 9...9, 41: 9...9, 43: 4...13, 44: 9...10, 45: 8...8, 46: 7...10, 47: 8...8, 48: 9...9, 49: 6...13,
        90: 10...10, 351: 9...9, 352: 4...11, 353: 7...9, 355: 8...9, 356: 8...8, 357: 8...8, 358: 5...12,
        359: 7...9, 370: 8...8, 371: 8...8, 372: 7...8, 381: 7...9, 382: 8...8, 383: 8...8, 385: 8...9,
        386: 8...8, 387: 8...9, 389: 8...8, 420: 9...9, 421: 9...9,
    ]

    // MARK: National

    /// A leading-digits rule of a national numbering plan: numbers whose significant part (after the trunk
    /// prefix) starts with `prefix` have one of `lengths` digits.
    struct Plan {
        let prefix: [UInt8]
        let lengths: ClosedRange<Int>
        init(_ prefix: String, _ lengths: ClosedRange<Int>) {
            self.prefix = prefix.utf8.map { $0 - 0x30 }
            self.lengths = lengths
        }

        func accepts(_ d: SIMD32<UInt8>, from o: Int, _ n: Int) -> Bool {
            guard lengths.contains(n - o), n - o >= prefix.count else { return false }
            for (j, p) in prefix.enumerated() where d[o + j] != p { return false }
            return true
        }
    }

    /// Trunk-prefix (0) national formats: the significant number after the 0. Serbia 06x/01x–03x, Bosnia and
    /// Herzegovina 06x/03x–05x, Montenegro 06x/02x–05x, North Macedonia 07x/02–04x, Kosovo 043–049/028–039,
    /// Albania 066–069/02x–08x, Turkey 05xx/02xx–04xx/08xx; EU mobile and most fixed ranges.
    static let trunkPlans: [Plan] = [
        // Serbia, Bosnia and Herzegovina, Montenegro, Albania (mobile 6x)
        Plan("6", 8...9),
        // Serbia fixed 1x–3x; Bosnia and Herzegovina 3x–5x; Montenegro 2x–5x; North Macedonia 2x–4x;
        // Kosovo 28/29/38/39; Albania 2x–5x, 8x; Slovenia; Belgium fixed.
        Plan("1", 8...9), Plan("2", 8...9), Plan("3", 8...9), Plan("4", 8...8), Plan("5", 8...8), Plan("8", 8...8),
        // North Macedonia mobile 7x; Kosovo mobile 43–49.
        Plan("7", 8...8), Plan("4", 8...8),
        // Turkey: mobile 5xx, fixed 2xx–4xx, 8xx (10 digits after the 0).
        Plan("5", 10...10), Plan("2", 10...10), Plan("3", 10...10), Plan("4", 10...10), Plan("8", 10...10),
        // France (9 after the 0), Netherlands 06/0xx (9), Belgium mobile 04xx (9), Ireland 08x (9),
        // Sweden 07x (9), Slovakia 09xx (9), Bulgaria 08x/09x (9), Romania 07xx (9), Croatia 09x (8–9),
        // Finland 04x/050 (7–10), Austria 065x–069x (10–12), Germany 015x–017x (10–11).
        Plan("1", 9...9), Plan("2", 9...9), Plan("3", 9...9), Plan("4", 9...9), Plan("5", 9...9),
        Plan("6", 9...9), Plan("7", 9...9), Plan("8", 9...9), Plan("9", 8...9),
        Plan("4", 7...10), Plan("50", 7...10), Plan("65", 10...12), Plan("66", 10...12), Plan("67", 10...12),
        Plan("68", 10...12), Plan("69", 10...12), Plan("15", 10...11), Plan("16", 10...11),
        Plan("17", 10...11),
    ]

    static func national(_ d: SIMD32<UInt8>, _ n: Int) -> Bool {
        guard n >= 8, d[1] != 0 else { return false }
        // Hungary dials 06 then 1, 20, 30, 31, 50, 70 and the rest.
        if d[1] == 6, n == 11, [2, 3, 5, 7].contains(d[2]) { return true }
        return trunkPlans.contains { $0.accepts(d, from: 1, n) }
    }

    /// National formats without a trunk prefix, accepted only when written in groups: Czechia 6xx/7xx,
    /// Estonia 5xxx, Greece 69x/2xx, Italy 3xx, Cyprus 9x, Latvia 2x, Luxembourg 6x1, Malta 7x/9x, Poland
    /// 5xx–8xx, Portugal 9x, Spain 6xx/7xx/9xx, Lithuania 8 6xx. Every group must have 2–4 digits, so a status
    /// and a size in a web log (`200 82757`) are not taken for a Latvian number.
    static let noTrunkPlans: [Plan] = [
        Plan("6", 9...9), Plan("7", 9...9), Plan("5", 7...9), Plan("69", 10...10), Plan("2", 10...10),
        Plan("3", 9...10), Plan("9", 8...9), Plan("2", 8...8), Plan("7", 8...8), Plan("8", 9...9),
    ]

    static func noTrunkNational(_ d: SIMD32<UInt8>, _ n: Int) -> Bool {
        noTrunkPlans.contains { $0.accepts(d, from: 0, n) }
    }
}
