/// E-mail addresses, URLs and IP addresses.
enum NetworkDetectors {
    // MARK: E-mail

    /// A byte allowed in the local part: letters, digits and `. _ % + -` (the practical subset of RFC 5321's
    /// atext). `=`, `/`, `:`, quotes and the other atext symbols are left out, so `user=alice@example.com`
    /// gives `alice@example.com`.
    @inline(__always) static func isLocalByte(_ b: UInt8) -> Bool {
        Ascii.isAlnum(b) || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D
    }

    @inline(__always) static func isHostByte(_ b: UInt8) -> Bool { Ascii.isAlnum(b) || b == 0x2D }

    /// Finds e-mail addresses from each `@`: the local part (at most 64 bytes, well-formed non-ASCII letters
    /// allowed, no leading, trailing or doubled dot) and a domain of at least two labels ending in a TLD of
    /// letters (or an `xn--` label).
    static func emails(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        t.forEach(0x40, in: starts.lowerBound..<(starts.upperBound + 70)) { at in
            // Local part, walking back.
            var s = at
            while s > at - 64 {
                let b = t[s - 1]
                if b < 0x80 {
                    guard isLocalByte(b) else { break }
                    s -= 1
                } else {
                    guard let u = t.utf8Start(before: s), Unicode.isWordScalar(t.scalar(at: u, length: s - u)) else {
                        break
                    }
                    s = u
                }
            }
            while s < at, t[s] == 0x2E { s += 1 }  // "...alice@" starts at alice
            guard s < at, starts.contains(s), t[at - 1] != 0x2E, !t.wordBefore(s) else { return }
            // A local part 64 bytes long that runs on further is not one.
            if s == at - 64, isLocalByte(t[s - 1]) { return }
            var k = s
            while k < at - 1 {
                if t[k] == 0x2E, t[k + 1] == 0x2E { return }
                k += 1
            }
            guard let end = domainEnd(t, from: at + 1, needsLetterTLD: true) else { return }
            out.append(Hit(type: .email, start: s, end: end))
        }
    }

    /// The end of a domain name starting at `i`: labels of letters, digits and hyphens (or well-formed non-ASCII
    /// letters), not starting or ending with a hyphen, at most 63 bytes each, at least two of them, the last
    /// made of letters (2–63) or an `xn--` label. A trailing dot is not part of it.
    static func domainEnd(_ t: ByteText, from i: Int, needsLetterTLD: Bool) -> Int? {
        var k = i
        var labels = 0
        var lastLabelStart = i
        var lastLabelEnd = i
        while true {
            let ls = k
            while k - ls < 64 {
                let b = t[k]
                if b < 0x80 {
                    guard isHostByte(b) else { break }
                    k += 1
                } else {
                    let len = t.utf8Length(at: k)
                    guard len > 0, Unicode.isWordScalar(t.scalar(at: k, length: len)) else { break }
                    k += len
                }
            }
            if k == ls || k - ls > 63 || t[ls] == 0x2D || t[k - 1] == 0x2D {
                if k == ls && labels >= 2 { break }  // trailing dot: end before it
                return nil
            }
            labels += 1
            lastLabelStart = ls
            lastLabelEnd = k
            if t[k] == 0x2E, isHostByte(t[k + 1]) || t[k + 1] >= 0x80 {
                k += 1
                continue
            }
            break
        }
        guard labels >= 2, lastLabelEnd - i <= 253 else { return nil }
        if needsLetterTLD {
            let n = lastLabelEnd - lastLabelStart
            var letters = n >= 2
            for j in lastLabelStart..<lastLabelEnd where !Ascii.isLetter(t[j]) && t[j] < 0x80 { letters = false }
            if !letters && !t.matches("xn--", at: lastLabelStart) { return nil }
        }
        // Glued to more word characters (an invalid byte counts as a boundary): not a domain.
        if t.wordAt(lastLabelEnd) { return nil }
        return lastLabelEnd
    }

    // MARK: URL

    /// A byte that may continue a URL: printable ASCII except space, quotes, `<`, `>`, `\`, `^`, backtick,
    /// `{`, `|`, `}`. Non-ASCII is checked separately (well-formed UTF-8 only).
    @inline(__always) static func isURLByte(_ b: UInt8) -> Bool {
        guard b > 0x20, b < 0x7F else { return false }
        switch b {
        case 0x22, 0x27, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D: return false
        default: return true
        }
    }

    /// The end of a URL's remainder from `i`, trailing punctuation and unbalanced closing brackets trimmed,
    /// capped so that the whole span from `start` is at most ``PersonalDataScanner/maxHitLength`` bytes.
    static func urlEnd(_ t: ByteText, start: Int, from i: Int) -> Int {
        let cap = start + PersonalDataScanner.maxHitLength
        var k = i
        var parens = 0
        var brackets = 0
        while k < cap {
            let b = t[k]
            if b < 0x80 {
                guard isURLByte(b) else { break }
                if b == 0x2C, valueFollows(t, k + 1) { break }
                switch b {
                case 0x28: parens += 1
                case 0x29: parens -= 1
                case 0x5B: brackets += 1
                case 0x5D: brackets -= 1
                default: break
                }
                k += 1
            } else {
                let len = t.utf8Length(at: k)
                guard len > 0, Unicode.isWordScalar(t.scalar(at: k, length: len)), k + len <= cap else { break }
                k += len
            }
        }
        while k > i {
            let b = t[k - 1]
            if b == 0x2E || b == 0x2C || b == 0x3B || b == 0x3A || b == 0x21 || b == 0x3F {
                k -= 1
            } else if b == 0x29, parens < 0 {
                parens += 1
                k -= 1
            } else if b == 0x5D, brackets < 0 {
                brackets += 1
                k -= 1
            } else {
                break
            }
        }
        return k
    }

    /// Whether a value of another kind starts at `i`, just after a comma inside what would be a URL: an e-mail
    /// address, another URL (`scheme://`, `www.`), an IP address, an IBAN, a card, phone or identity number, a
    /// crypto address or an Albanian NID, each validated as the detectors do. A URL ends at such a comma, as in a
    /// CSV row (`https://evil.example/x,+381641234567,RS35…`); other commas stay in it (`?ids=1,2,3`,
    /// `/@44.81,20.46,15z`).
    static func valueFollows(_ t: ByteText, _ i: Int) -> Bool {
        let b = t[i]
        guard Ascii.isAlnum(b) || (b == 0x2B && Ascii.isDigit(t[i + 1])) else { return false }
        var found: [Hit] = []
        NumberDetectors.scan(t, i..<(i + 1), &found)
        TokenDetectors.scan(t, i..<(i + 1), &found)
        if found.contains(where: { $0.start == i }) { return true }
        guard Ascii.isAlnum(b) else { return false }
        // An e-mail address: a local part up to an "@" and a domain.
        var k = i
        while k < i + 64, isLocalByte(t[k]) { k += 1 }
        if t[k] == 0x40, k > i, t[k - 1] != 0x2E, domainEnd(t, from: k + 1, needsLetterTLD: true) != nil { return true }
        // Another URL: a scheme followed by "://", or "www.".
        if t.matches("www.", at: i) { return true }
        k = i
        while k < i + 32, Ascii.isAlnum(t[k]) || t[k] == 0x2B || t[k] == 0x2D || t[k] == 0x2E { k += 1 }
        return k - i >= 2 && t[k] == 0x3A && t[k + 1] == 0x2F && t[k + 2] == 0x2F
    }

    /// Finds URLs: `scheme://…` for any scheme of letters (defanged `hxxp[:]//` and `[://]` too), `www.` hosts,
    /// and bare domains followed by a path (`example.org/login`, `evil.example:8080/x`). A bare domain without
    /// a path is a host name, not a URL; `file.txt` is not flagged.
    static func urls(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        // scheme://  and defanged scheme[:]//  scheme[://]
        t.forEach(0x3A, in: starts.lowerBound..<(starts.upperBound + 40)) { c in
            var bodyStart: Int
            if t[c + 1] == 0x2F, t[c + 2] == 0x2F {
                bodyStart = c + 3
                if t[c - 1] == 0x5B, t[c + 3] == 0x5D { bodyStart = c + 4 }  // [://]
            } else if t[c - 1] == 0x5B, t[c + 1] == 0x5D, t[c + 2] == 0x2F, t[c + 3] == 0x2F {
                bodyStart = c + 4  // [:]//
            } else {
                return
            }
            let schemeEnd = t[c - 1] == 0x5B ? c - 1 : c
            var s = schemeEnd
            while s > schemeEnd - 32,
                Ascii.isAlnum(t[s - 1]) || t[s - 1] == 0x2B || t[s - 1] == 0x2D || t[s - 1] == 0x2E
            {
                s -= 1
            }
            while s < schemeEnd, !Ascii.isLetter(t[s]) { s += 1 }
            guard schemeEnd - s >= 2, starts.contains(s), !t.wordBefore(s), !isDigestName(t, s, schemeEnd) else {
                return
            }
            let b = t[bodyStart]
            guard b >= 0x80 || (isURLByte(b) && b != 0x2F) else { return }
            let end = urlEnd(t, start: s, from: bodyStart)
            if end > bodyStart { out.append(Hit(type: .url, start: s, end: end)) }
        }
        // www.host
        for w: UInt8 in [0x77, 0x57] {
            t.forEach(w, in: starts) { s in
                guard t.matches("www.", at: s), !t.wordBefore(s), !isHostJoiner(t[s - 1]),
                    let hostEnd = domainEnd(t, from: s, needsLetterTLD: true), hostEnd - s > 4
                else { return }
                // "www.example" alone has only two labels, www and the name: at least a TLD more is needed.
                var dots = 0
                for j in s..<hostEnd where t[j] == 0x2E { dots += 1 }
                guard dots >= 2 else { return }
                let end = isURLContinuation(t[hostEnd]) ? urlEnd(t, start: s, from: hostEnd) : hostEnd
                out.append(Hit(type: .url, start: s, end: end))
            }
        }
        // bare.domain/path and bare.domain:port/path, anchored on the slash.
        t.forEach(0x2F, in: starts.lowerBound..<(starts.upperBound + 270)) { slash in
            var hostEnd = slash
            var k = slash
            while k > slash - 6, Ascii.isDigit(t[k - 1]) { k -= 1 }
            if k < slash, t[k - 1] == 0x3A { hostEnd = k - 1 }
            var s = hostEnd
            while s > hostEnd - 254, isHostByte(t[s - 1]) || t[s - 1] == 0x2E { s -= 1 }
            guard s < hostEnd, starts.contains(s), Ascii.isAlnum(t[s]), !t.wordBefore(s), !isHostJoiner(t[s - 1]),
                domainEnd(t, from: s, needsLetterTLD: true) == hostEnd, !packageName(t, s, slash: slash),
                !dnsQuery(t, slash: slash)
            else { return }
            let end = urlEnd(t, start: s, from: slash)
            out.append(Hit(type: .url, start: s, end: end))
        }
    }

    /// First labels of reversed-domain package names (`com.android.settings/.Settings`,
    /// `com.tencent.mm/.plugin.X`): an Android component or a Java class, not a host. No public host name starts
    /// with one of these labels followed by more labels.
    static let packageRoots: [StaticString] = [
        "com.", "org.", "net.", "android.", "androidx.", "java.", "javax.", "io.",
    ]

    /// Whether the bare host at `s` before `slash` is a reversed-domain package name: it starts with a label of
    /// ``packageRoots``, or the path starts with `.` (`pkg/.Activity`, Android's short class form); or a macOS
    /// bundle (`X.app/Contents/…`).
    static func packageName(_ t: ByteText, _ s: Int, slash: Int) -> Bool {
        if t[slash + 1] == 0x2E, Ascii.isLetter(t[slash + 2]) { return true }
        // A macOS bundle (`Google Chrome.app/Contents/Info.plist`): `.app` is a TLD, `Contents/` says otherwise.
        if t.matches("/contents/", at: slash), t[slash + 1] == 0x43 { return true }
        return packageRoots.contains { t.matches($0, at: s) }
    }

    /// Whether the path after a bare host is a DNS query's type and class or class alone (`example.com/NS/IN`,
    /// `…/AAAA/IN`, `example.com/IN` in BIND's `query … denied` lines): a name in a DNS log, not a URL.
    static func dnsQuery(_ t: ByteText, slash: Int) -> Bool {
        let cls: [StaticString] = ["in", "ch", "hs", "any"]
        // `name/IN` (class only), as BIND writes a refused query.
        if cls.contains(where: {
            t.matches($0, at: slash + 1) && Ascii.isUpper(t[slash + 1]) && !t.wordAt(slash + 1 + $0.utf8CodeUnitCount)
                && t[slash + 1 + $0.utf8CodeUnitCount] != 0x2F
        }) {
            return true
        }
        var k = slash + 1
        while k < slash + 12, Ascii.isUpper(t[k]) || Ascii.isDigit(t[k]) { k += 1 }
        guard k > slash + 1, t[k] == 0x2F else { return false }
        return cls.contains {
            t.matches($0, at: k + 1) && Ascii.isUpper(t[k + 1]) && !t.wordAt(k + 1 + $0.utf8CodeUnitCount)
        }
    }

    /// Whether `s..<e` names a digest (`SHA256`, `sha1`, `MD5`): an SSH key fingerprint in base64 can start with
    /// `//` (`SHA256://tG8N…` in an sshd log), which is no URL.
    static func isDigestName(_ t: ByteText, _ s: Int, _ e: Int) -> Bool {
        let names: [StaticString] = ["sha1", "sha224", "sha256", "sha384", "sha512", "md5"]
        return names.contains { e - s == $0.utf8CodeUnitCount && t.matches($0, at: s) }
    }

    /// A byte before a host that makes it part of something else: a path (`/`), a longer name (`.`, `-`), an
    /// e-mail address (`@`), a scheme (`:`), a Windows path (`\`).
    @inline(__always) static func isHostJoiner(_ b: UInt8) -> Bool {
        b == 0x2F || b == 0x2E || b == 0x2D || b == 0x40 || b == 0x3A || b == 0x5C
    }

    @inline(__always) static func isURLContinuation(_ b: UInt8) -> Bool {
        b == 0x2F || b == 0x3F || b == 0x23 || (b == 0x3A)
    }

    // MARK: IPv4

    /// An IPv4 address at digit-run start `s`: four decimal octets 0–255 (up to three digits each), not part of
    /// a longer dotted number (`1.2.3.4.5`), not glued to letters (`v1.2.3.4`), not a version after a product
    /// name (`Chrome/120.0.0.0`) or after `rv:` (`rv:1.8.1.4` in a browser's user agent). Returns its end.
    static func ipv4(at s: Int, _ t: ByteText) -> Int? {
        let prev = t[s - 1]
        if prev == 0x2E || t.wordBefore(s) { return nil }
        var k = s
        for octet in 0..<4 {
            var v = 0
            let os = k
            while k - os < 3, Ascii.isDigit(t[k]) {
                v = v * 10 + Int(t[k] &- 0x30)
                k += 1
            }
            guard k > os, v <= 255, !Ascii.isDigit(t[k]) else { return nil }
            if octet < 3 {
                guard t[k] == 0x2E else { return nil }
                k += 1
            }
        }
        if t[k] == 0x2E, Ascii.isDigit(t[k + 1]) { return nil }
        if t.wordAt(k) { return nil }
        if prev == 0x2F, Ascii.isAlnum(t[s - 2]), productVersion(t, slash: s - 1, end: k) { return nil }
        if prev == 0x3A, t.matches("rv", at: s - 3), !t.wordBefore(s - 3) { return nil }
        return k
    }

    /// Tokens that name a protocol or an address family, or label an address, before `/` and an IPv4 address:
    /// Asterisk writes `IPV4/UDP/141.255.164.106/5084`, other tools `TCP/192.0.2.1`, `from/192.0.2.1`.
    static let addressTokens: Set<String> = [
        "IP", "IPV4", "IP4", "IPV6", "IP6", "INET", "INET4", "INET6", "IN", "UDP", "TCP", "TLS", "DTLS", "SCTP", "WS",
        "WSS", "SIP", "SIPS", "ICMP", "GRE", "ESP", "ADDR", "ADDRESS", "SRC", "DST", "FROM", "TO", "HOST", "PEER",
        "CLIENT", "SERVER", "REMOTE", "LOCAL", "VIA", "RHOST", "LHOST", "LOCALHOST",
    ]

    /// Whether the dotted quad `slash + 1 ..< end` after `Name/` is a product version (`Chrome/120.0.0.0`,
    /// `Firefox/2.0.0.4`) rather than an address: not when the name is a protocol or family token
    /// (``addressTokens``) or a host name (it holds `-`, `.` or `_`: Java writes `host/address`), nor when a port
    /// or prefix follows the quad (`ADDR/port`, `/24`, `:5060`).
    static func productVersion(_ t: ByteText, slash: Int, end k: Int) -> Bool {
        if t[k] == 0x2F || t[k] == 0x3A, Ascii.isDigit(t[k + 1]) { return false }
        var w = slash
        var hostLike = false
        while w > slash - 64, Ascii.isAlnum(t[w - 1]) || t[w - 1] == 0x2D || t[w - 1] == 0x2E || t[w - 1] == 0x5F {
            hostLike = hostLike || !Ascii.isAlnum(t[w - 1])
            w -= 1
        }
        if Ascii.isAlnum(t[w - 1]) { return true }
        // A number, an address or a host name before the slash is no product: `192.168.56.1/192.168.56.1`
        // (portsentry), Java's `host/address` (`MININT-FNANLI5/127.0.0.1`, `msra-sa-41/10.190.173.170` in Hadoop).
        guard Ascii.isLetter(t[w]), !hostLike else { return false }
        let token = String(decoding: t.bytes(w..<slash).map(Ascii.upper), as: UTF8.self)
        return !addressTokens.contains(token)
    }

    // MARK: IPv6

    /// Finds IPv6 addresses in every RFC 4291 text form: eight groups, `::` compression anywhere (`::`, `::1`,
    /// `2001:db8::`), an embedded IPv4 tail (`::ffff:192.0.2.1`), and a zone (`fe80::1%eth0`). At least one
    /// decimal digit is required, so C++ scopes like `Abc::Def` are not taken for addresses.
    static func ipv6(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        var lastStart = -1
        t.forEach(0x3A, in: starts.lowerBound..<(starts.upperBound + 48)) { c in
            var s = c
            while s > c - 48, Ascii.isHex(t[s - 1]) || t[s - 1] == 0x3A { s -= 1 }
            // Not at a word boundary ("Value:dead::1"): the address starts after the next colon.
            while s < c, t.wordBefore(s) {
                let before = s
                while s < c, t[s] != 0x3A { s += 1 }
                if t[s] == 0x3A, t[s + 1] != 0x3A { s += 1 }
                if s == before { break }
            }
            if t[s] == 0x3A, t[s + 1] != 0x3A { s += 1 }  // a lone leading colon is a label separator
            guard s != lastStart else { return }
            lastStart = s
            guard starts.contains(s), t[s - 1] != 0x2E, !t.wordBefore(s), let end = ipv6End(t, from: s) else { return }
            out.append(Hit(type: .ipv6, start: s, end: end))
        }
    }

    static func ipv6End(_ t: ByteText, from s: Int) -> Int? {
        var k = s
        var groups = 0
        var compressed = false
        var digits = false
        if t[k] == 0x3A {
            guard t[k + 1] == 0x3A else { return nil }
            compressed = true
            k += 2
        }
        while true {
            var h = k
            while h - k < 5, Ascii.isHex(t[h]) { h += 1 }
            if h == k { break }
            if h - k > 4 {
                // `2001:db8::1234:58430` (haproxy): five digits after the last colon are a port, not a group.
                guard groups > 0, t[k - 1] == 0x3A, t[k - 2] != 0x3A, !Ascii.isHex(t[h]) else { return nil }
                k -= 1
                break
            }
            // IPv4 tail: a dotted quad in place of the last two groups.
            if t[h] == 0x2E, groups <= 6, let e = ipv4Tail(t, at: k) {
                groups += 2
                k = e
                digits = true
                break
            }
            for j in k..<h where Ascii.isDigit(t[j]) { digits = true }
            groups += 1
            k = h
            if groups > 8 { return nil }
            if t[k] == 0x3A, t[k + 1] == 0x3A {
                if compressed { return nil }
                compressed = true
                k += 2
                continue
            }
            if t[k] == 0x3A, Ascii.isHex(t[k + 1]) {
                k += 1
                continue
            }
            break
        }
        guard digits, compressed ? groups <= 7 && (groups >= 1) : groups == 8 else { return nil }
        if t[k] == 0x2E, Ascii.isDigit(t[k + 1]) { return nil }
        if t[k] == 0x25, Ascii.isAlnum(t[k + 1]) {
            k += 1
            while k - s < 64, Ascii.isAlnum(t[k]) || t[k] == 0x2E || t[k] == 0x5F || t[k] == 0x7E || t[k] == 0x2D {
                k += 1
            }
        }
        if t.wordAt(k) { return nil }
        return k
    }

    /// A dotted quad starting at `i` inside an IPv6 address (no boundary check on the left).
    static func ipv4Tail(_ t: ByteText, at i: Int) -> Int? {
        var k = i
        for octet in 0..<4 {
            var v = 0
            let os = k
            while k - os < 3, Ascii.isDigit(t[k]) {
                v = v * 10 + Int(t[k] &- 0x30)
                k += 1
            }
            guard k > os, v <= 255, !Ascii.isDigit(t[k]) else { return nil }
            if octet < 3 {
                guard t[k] == 0x2E else { return nil }
                k += 1
            }
        }
        return k
    }
}
