/// Everything that starts at a run of digits: IPv4 addresses, payment cards, JMBG and T.C. Kimlik numbers, and
/// phone numbers (which may also start at the `+` or `(` before the run).
enum NumberDetectors {
    static func scan(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        // A phone number may start one byte before its first digit ("+", "("), so runs starting one byte past
        // the range are looked at too; a host name that spells an address up to 64 bytes before its octets.
        var i = max(starts.lowerBound, 0)
        let hi = min(starts.upperBound + 65, t.count)
        while i < hi {
            // Find the next digit that starts a run.
            if !Ascii.isDigit(t.base[i]) || Ascii.isDigit(t[i - 1]) {
                i += 1
                continue
            }
            let s = i
            var e = s + 1
            while Ascii.isDigit(t[e]) { e += 1 }
            var isIPv4 = false
            if t[e] == 0x2D || t[e] == 0x2E { HostAddresses.atRun(t, s, starts, &out) }
            guard s <= starts.upperBound else {
                i = e
                continue
            }
            if starts.contains(s) { isIPv4 = runStart(t, s, runEnd: e, &out) }
            // A phone number inside an IPv4 address would lose to it; one needs a prefix, 8+ digits or groups.
            if !isIPv4, starts.contains(s - 1) || starts.contains(s), PhoneNumbers.mayStart(t, s, runEnd: e),
                let hit = PhoneNumbers.phone(t, runStart: s), starts.contains(hit.start)
            {
                out.append(hit)
            }
            i = e
        }
    }

    /// The detectors anchored exactly at the run's first digit; true when an IPv4 address starts there.
    @inline(__always) static func runStart(_ t: ByteText, _ s: Int, runEnd e: Int, _ out: inout [Hit]) -> Bool {
        let len = e - s
        if len <= 3, t[e] == 0x2E, let end = NetworkDetectors.ipv4(at: s, t) {
            out.append(Hit(type: .ipv4, start: s, end: end))
            return true
        }
        guard len >= 4, !t.wordBefore(s), !joinedBefore(t, s) else { return false }
        let closed = !t.wordAt(e) && !continuesNumber(t, e)
        if closed, len == 13, jmbgValid(t, s) { out.append(Hit(type: .jmbg, start: s, end: e)) }
        if closed, len == 11, tcknValid(t, s) { out.append(Hit(type: .turkishID, start: s, end: e)) }
        if let end = cardEnd(t, s, runEnd: e) { out.append(Hit(type: .card, start: s, end: end)) }
        return false
    }

    /// A byte before a digit run that makes it the tail of a longer number or code (`1.5`, `A-123`, `x_1`). A
    /// comma is one only between numbers (see ``commaJoins(_:_:)``).
    @inline(__always) static func isNumberJoiner(_ b: UInt8) -> Bool {
        b == 0x2E || b == 0x2D || b == 0x2F || b == 0x5F
    }

    /// Whether the digit run starting at `s` is the tail of a longer number or code (`1.5`, `A-123`, `x_1`,
    /// `1,234`).
    @inline(__always) static func joinedBefore(_ t: ByteText, _ s: Int) -> Bool {
        let b = t[s - 1]
        return isNumberJoiner(b) || (b == 0x2C && commaJoins(t, s - 1))
    }

    /// Whether the comma at `c` is a thousands or decimal separator rather than a field separator: it stands
    /// between a number of one to three digits and a run of one to three digits (`1,234,567`, `12,5`, `1,064`).
    /// After a longer digit run or anything else (`…1379,4012 8888 8888 1881`, `RS35…,`, `name,`), or before four
    /// digits or more (`N49V 1,4164 9438 3354 1183`, `12,3112985450122`), it separates fields, so the value after
    /// it is looked at on its own.
    @inline(__always) static func commaJoins(_ t: ByteText, _ c: Int) -> Bool {
        guard Ascii.isDigit(t[c - 1]), Ascii.isDigit(t[c + 1]) else { return false }
        var k = c - 1
        while k > c - 3, Ascii.isDigit(t[k - 1]) { k -= 1 }
        guard !Ascii.isDigit(t[k - 1]), !t.wordBefore(k) else { return false }
        var e = c + 1
        while e < c + 5, Ascii.isDigit(t[e]) { e += 1 }
        return e - c - 1 <= 3
    }

    /// Whether the number ending at `e` goes on as a decimal or a longer code (`.5`, `-7`, `/2`, `,50`). After a
    /// comma only a decimal part of one or two digits that ends there counts (`064 123 4567,50 EUR`, an amount);
    /// longer digits, or a short field followed by another comma, are the next fields of a CSV row
    /// (`4111111111111111,3112985450122`, `4111111111111111,12,2027`).
    @inline(__always) static func continuesNumber(_ t: ByteText, _ e: Int) -> Bool {
        guard Ascii.isDigit(t[e + 1]) else { return false }
        let b = t[e]
        guard b == 0x2C else { return isNumberJoiner(b) }
        let after = Ascii.isDigit(t[e + 2]) ? e + 3 : e + 2
        return !Ascii.isDigit(t[after]) && t[after] != 0x2C
    }

    @inline(__always) static func digit(_ t: ByteText, _ i: Int) -> Int { Int(t[i] &- 0x30) }

    // MARK: JMBG

    /// JMBG (Serbia, Bosnia and Herzegovina, Montenegro, North Macedonia; also the former Yugoslav republics):
    /// DDMMYYYRRBBBK, a real date (YYY 900–999 is 1900–1999, 000–039 is 2000–2039), a region RR other than the
    /// unassigned 60–69, and the mod-11 check digit K (11 − weighted sum mod 11; 10 and 11 give 0).
    static func jmbgValid(_ t: ByteText, _ s: Int) -> Bool {
        let day = digit(t, s) * 10 + digit(t, s + 1)
        let month = digit(t, s + 2) * 10 + digit(t, s + 3)
        let y3 = digit(t, s + 4) * 100 + digit(t, s + 5) * 10 + digit(t, s + 6)
        let region = digit(t, s + 7)
        guard y3 >= 900 || y3 < 40, region != 6 else { return false }
        let year = y3 >= 900 ? 1000 + y3 : 2000 + y3
        guard isDate(year: year, month: month, day: day) else { return false }
        let weights = [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        var sum = 0
        for k in 0..<12 { sum += weights[k] * digit(t, s + k) }
        var m = 11 - sum % 11
        if m > 9 { m = 0 }
        return m == digit(t, s + 12)
    }

    /// Whether the 13 digits at `s` begin with a JMBG birth date DDMMYYY (checked before the check digit), so a
    /// mistyped JMBG is not taken for a phone number.
    static func jmbgShaped(_ t: ByteText, _ s: Int) -> Bool {
        let day = digit(t, s) * 10 + digit(t, s + 1)
        let month = digit(t, s + 2) * 10 + digit(t, s + 3)
        let y3 = digit(t, s + 4) * 100 + digit(t, s + 5) * 10 + digit(t, s + 6)
        guard y3 >= 900 || y3 < 40 else { return false }
        return isDate(year: y3 >= 900 ? 1000 + y3 : 2000 + y3, month: month, day: day)
    }

    static func isDate(year: Int, month: Int, day: Int) -> Bool {
        guard month >= 1, month <= 12, day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    // MARK: T.C. Kimlik No

    /// Turkish identity number: 11 digits, the first not 0; digit 10 is (7 × (d1+d3+d5+d7+d9) − (d2+d4+d6+d8))
    /// mod 10, digit 11 is the sum of the first ten mod 10.
    static func tcknValid(_ t: ByteText, _ s: Int) -> Bool {
        guard t[s] != 0x30 else { return false }
        var odd = 0
        var even = 0
        for k in stride(from: 0, to: 9, by: 2) { odd += digit(t, s + k) }
        for k in stride(from: 1, to: 8, by: 2) { even += digit(t, s + k) }
        let d10 = ((odd * 7 - even) % 10 + 10) % 10
        guard d10 == digit(t, s + 9) else { return false }
        return (odd + even + d10) % 10 == digit(t, s + 10)
    }

    // MARK: Payment cards

    /// A payment card number: 13–19 digits, either unbroken or in groups (the first of four digits, the others
    /// of three to six) separated consistently by single spaces or single hyphens; Luhn-valid; with an issuer
    /// prefix and length that a card scheme uses. When more groups follow ("4111 1111 1111 1111 12/25"), the
    /// longest valid prefix of whole groups is taken.
    static func cardEnd(_ t: ByteText, _ s: Int, runEnd e: Int) -> Int? {
        let first = e - s
        if first >= 13 {
            guard first <= 19, !t.wordAt(e), !continuesNumber(t, e), luhnAndIIN(t, s, e) else { return nil }
            return e
        }
        guard first == 4 else { return nil }
        let sep = t[e]
        guard sep == 0x20 || sep == 0x2D || sep == 0x2E, Ascii.isDigit(t[e + 1]) else { return nil }
        var ends = SIMD8<Int>()  // group ends; at most five groups
        ends[0] = e
        var groups = 1
        var digits = first
        var k = e
        while t[k] == sep, Ascii.isDigit(t[k + 1]), groups < 5 {
            var g = k + 1
            while Ascii.isDigit(t[g]) { g += 1 }
            let n = g - k - 1
            guard n <= 6, digits + n <= 19 else { break }
            digits += n
            k = g
            ends[groups] = g
            groups += 1
        }
        for j in stride(from: groups - 1, through: 1, by: -1) {
            let end = ends[j]
            var ok = true
            for m in 1...j where !(3...6).contains(ends[m] - ends[m - 1] - 1) { ok = false }
            // A group of six is the middle of American Express 4-6-5 or Diners 4-6-4 only (`5015 150454 240` in a
            // HealthApp log is a counter, a time and a step).
            for m in 1...j where ends[m] - ends[m - 1] - 1 == 6 {
                if !(m == 1 && j == 2 && (4...5).contains(ends[2] - ends[1] - 1)) { ok = false }
            }
            guard ok, !t.wordAt(end) else { continue }
            // The last group read must end the number; a shorter prefix is followed by the separator.
            if j == groups - 1, (t[end] == sep && Ascii.isDigit(t[end + 1])) || continuesNumber(t, end) { continue }
            if luhnAndIIN(t, s, end) { return end }
        }
        return nil
    }

    /// Luhn check and issuer prefix/length plausibility over the digits in `s..<e` (separators skipped).
    static func luhnAndIIN(_ t: ByteText, _ s: Int, _ e: Int) -> Bool {
        var n = 0
        var prefix = 0  // first six digits
        var sum = 0
        var k = e - 1
        var double = false
        while k >= s {
            let b = t[k]
            if Ascii.isDigit(b) {
                var d = Int(b &- 0x30)
                if double {
                    d *= 2
                    if d > 9 { d -= 9 }
                }
                sum += d
                double.toggle()
                n += 1
            }
            k -= 1
        }
        guard sum % 10 == 0, n >= 13, n <= 19 else { return false }
        var seen = 0
        k = s
        while seen < 6 {
            if Ascii.isDigit(t[k]) {
                prefix = prefix * 10 + Int(t[k] &- 0x30)
                seen += 1
            }
            k += 1
        }
        return issuerAccepts(prefix: prefix, length: n)
    }

    /// Card schemes by issuer identification number and length: Visa, Mastercard, American Express, Diners,
    /// JCB, Discover, UnionPay, Maestro, Mir, Troy.
    static func issuerAccepts(prefix p: Int, length n: Int) -> Bool {
        let p1 = p / 100_000
        let p2 = p / 10_000
        let p3 = p / 1_000
        let p4 = p / 100
        if p1 == 4 { return n == 13 || n == 16 || n == 19 }
        if (51...55).contains(p2) || (2221...2720).contains(p4) { return n == 16 }
        if p2 == 34 || p2 == 37 { return n == 15 }
        if (300...305).contains(p3) || p2 == 36 || p2 == 38 || p2 == 39 { return n >= 14 }
        if (3528...3589).contains(p4) { return n >= 16 }
        if (2200...2204).contains(p4) { return n >= 16 }
        if p4 == 9792 { return n == 16 }
        if p4 == 6011 || (644...649).contains(p3) || p2 == 65 || p2 == 62 { return n >= 16 }
        if p2 == 50 || (56...69).contains(p2) { return n >= 13 }
        return false
    }
}
