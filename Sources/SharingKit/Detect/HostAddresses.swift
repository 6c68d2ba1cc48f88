/// Host names that spell an IP address: reverse-DNS names of access networks (`93-143-146-237.adsl.net.t-com.hr`,
/// `220-135-151-1.hinet-ip.hinet.net`, `ip-10-0-0-5.ec2.internal`, `host129.206.196.21.example.com`) and PTR
/// names (`4.3.2.1.in-addr.arpa`, the 32 nibbles of `….ip6.arpa`).
///
/// Such a name beside the pseudonym of the same address would hand the recipient the pair, so the whole host name
/// is reported as `ipv4` (`ipv6` for `ip6.arpa`) and treated by the address's rule. The value is a host name, not
/// an address: an operator that maps addresses (pseudonym, prefix) cannot read it and removes it instead.
enum HostAddresses {
    /// At the digit run starting at `s`: four octets 0–255 joined by `-` (anywhere in a host name) or by `.` when
    /// glued to a label before them (`host129.206.196.21`), inside a host name with a TLD of letters.
    static func atRun(_ t: ByteText, _ s: Int, _ starts: Range<Int>, _ out: inout [Hit]) {
        guard let (sep, k) = octets(t, s) else { return }
        let prev = t[s - 1]
        if sep == 0x2E {
            // A dotted quad on its own is an ordinary IPv4 hit; only one glued to a label is a host name here.
            guard Ascii.isLetter(prev) || prev == 0x2D || (prev == 0x2E && NetworkDetectors.isHostByte(t[s - 2])) else {
                return
            }
        } else if Ascii.isDigit(prev) {
            return
        }
        if sep == 0x2D, bareLabel(t, s, end: k, starts, &out) { return }
        // The octets continue the name: a dot and another label, or a hyphen and letters (`1-2-3-4-static.`).
        guard
            (t[k] == 0x2E || t[k] == 0x2D) && NetworkDetectors.isHostByte(t[k + 1])
                && !(t[k] == sep && Ascii.isDigit(t[k + 1]))
        else { return }
        var hs = s
        while hs > s - 64,
            NetworkDetectors.isHostByte(t[hs - 1]) || (t[hs - 1] == 0x2E && NetworkDetectors.isHostByte(t[hs - 2]))
        {
            hs -= 1
        }
        guard starts.contains(hs), !t.wordBefore(hs), t[hs - 1] != 0x2E, t[hs - 1] != 0x40,
            let he = NetworkDetectors.domainEnd(t, from: hs, needsLetterTLD: true), he > k
        else { return }
        // At least one dot after the octets: a label of its own (`1-2-3-4` alone is no host name).
        var dot = false
        for j in k..<he where t[j] == 0x2E { dot = true }
        guard dot else { return }
        out.append(Hit(type: .ipv4, start: hs, end: he))
    }

    /// A host name of one label, a word starting with a letter then the octets joined by hyphens, as syslog writes
    /// a short host name (`calvisitor-10-105-162-178`, `airbears2-10-142-108-38`, `ip-10-0-0-5`): reported whole
    /// when nothing of a name follows it.
    static func bareLabel(_ t: ByteText, _ s: Int, end k: Int, _ starts: Range<Int>, _ out: inout [Hit]) -> Bool {
        guard t[s - 1] == 0x2D, Ascii.isAlnum(t[s - 2]), !NetworkDetectors.isHostByte(t[k]), t[k] != 0x2E,
            t[k] != 0x40
        else { return false }
        var hs = s - 1
        while hs > s - 64, NetworkDetectors.isHostByte(t[hs - 1]) { hs -= 1 }
        guard Ascii.isLetter(t[hs]), starts.contains(hs), !t.wordBefore(hs), t[hs - 1] != 0x2E, t[hs - 1] != 0x2F,
            t[hs - 1] != 0x40
        else { return false }
        out.append(Hit(type: .ipv4, start: hs, end: k))
        return true
    }

    /// Four octets (1–3 digits, at most 255) from `s` with one separator, `-` or `.`; the separator and the end.
    static func octets(_ t: ByteText, _ s: Int) -> (UInt8, Int)? {
        var k = s
        var sep: UInt8 = 0
        for octet in 0..<4 {
            let os = k
            var v = 0
            while k - os < 3, Ascii.isDigit(t[k]) {
                v = v * 10 + Int(t[k] &- 0x30)
                k += 1
            }
            guard k > os, v <= 255, !Ascii.isDigit(t[k]) else { return nil }
            if octet < 3 {
                if octet == 0 {
                    guard t[k] == 0x2D || t[k] == 0x2E else { return nil }
                    sep = t[k]
                } else {
                    guard t[k] == sep else { return nil }
                }
                guard Ascii.isDigit(t[k + 1]) else { return nil }
                k += 1
            }
        }
        return (sep, k)
    }

    /// PTR names: `d.c.b.a.in-addr.arpa` (one to four decimal labels) and `….ip6.arpa` (one to 32 hex nibbles),
    /// any case, found from each `arpa`.
    static func ptrNames(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        let lo = max(starts.lowerBound, 0)
        let hi = min(starts.upperBound + 96, t.count)
        for letter: UInt8 in [0x70, 0x50] {  // the "p" of "arpa", either case
            t.forEach(letter, in: lo..<hi) { pp in
                let p = pp - 2
                guard t.matches("arpa", at: p), t[p - 1] == 0x2E, !t.wordAt(p + 4) else { return }
                if t.matches("in-addr.", at: p - 8) {
                    ptr(t, zoneStart: p - 8, end: p + 4, ipv6: false, starts, &out)
                } else if t.matches("ip6.", at: p - 4) {
                    ptr(t, zoneStart: p - 4, end: p + 4, ipv6: true, starts, &out)
                }
            }
        }
    }

    private static func ptr(
        _ t: ByteText, zoneStart z: Int, end: Int, ipv6: Bool, _ starts: Range<Int>, _ out: inout [Hit]
    ) {
        var s = z
        var labels = 0
        while labels < (ipv6 ? 32 : 4), t[s - 1] == 0x2E {
            var b = s - 1
            if ipv6 {
                guard Ascii.isHex(t[b - 1]), !Ascii.isAlnum(t[b - 2]) || t[b - 2] == 0x2E else { break }
                b -= 1
            } else {
                var v = 0
                var m = 1
                while b > s - 4, Ascii.isDigit(t[b - 1]) {
                    v += Int(t[b - 1] &- 0x30) * m
                    m *= 10
                    b -= 1
                }
                guard b < s - 1, v <= 255, !Ascii.isAlnum(t[b - 1]) else { break }
            }
            s = b
            labels += 1
        }
        guard labels > 0, starts.contains(s), !t.wordBefore(s) else { return }
        out.append(Hit(type: ipv6 ? .ipv6 : .ipv4, start: s, end: end))
    }
}
