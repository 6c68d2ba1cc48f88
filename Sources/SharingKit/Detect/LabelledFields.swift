/// Person names and account names in labelled fields: `name=VALUE`, `"full_name": "VALUE"`, `Name: VALUE`,
/// IntelMQ `source.account`, and the display names of `From:`, `To:`, `Cc:`, `Reply-To:` and `Sender:` mail
/// headers. The span is the value only, without quotes or surrounding spaces.
enum PersonNameDetector {
    enum KeyKind {
        /// The value must look like a person's name (letters, spaces, `.`, `-`, `'`).
        case personName
        /// The bare key `name`, which labels many things that are not people (`name=eth0`, MISP's
        /// `"Orgc": {"name": "CIRCL"}`, a galaxy's `"name": "Threat Actor"`, Have I Been Pwned's
        /// `"Name":"Adobe"`, Android's `Surface(name=SurfaceView`, macOS's `Name: OneStats`): a person only in
        /// JSON inside an object named for a person (`"user": {"name": …}`, see ``personParents``), or unquoted
        /// when the value is two or more words written as a person's name (`name=Ana Marković`).
        case capitalizedName
        /// An account name: one token of letters, digits, `.`, `_`, `-`.
        case account
        /// A mail header: the display names of its addresses.
        case mailHeader
    }

    static let keys: [String: KeyKind] = {
        var d: [String: KeyKind] = [:]
        let personKeys = [
            "full_name", "fullname", "full-name", "first_name", "firstname", "first-name", "given_name",
            "givenname", "given-name", "last_name", "lastname", "last-name", "surname", "family_name",
            "familyname", "family-name", "middle_name", "display_name", "displayname", "display-name", "contact",
            "contact_name", "contactname", "contact-name", "contact_person", "person", "person_name", "owner",
            "owner_name", "holder", "holder_name", "account_holder", "accountholder", "cardholder", "card_holder",
            "customer_name", "client_name", "sender_name", "recipient_name", "beneficiary", "beneficiary_name",
            "suspect", "suspect_name", "victim", "victim_name", "reporter", "reporter_name", "contact.name",
            "person.name", "owner.name", "customer.name", "holder.name", "sender.name", "recipient.name",
            "user.full_name", "ime", "prezime", "ime_prezime", "ime i prezime", "emri", "mbiemri", "ad", "soyad",
            "ad_soyad", "adi", "soyadi",
        ]
        for k in personKeys { d[k] = .personName }
        d["name"] = .capitalizedName
        for k in ["source.account", "destination.account", "account", "account_name", "accountname"] {
            d[k] = .account
        }
        for k in ["from", "to", "cc", "bcc", "reply-to", "sender"] { d[k] = .mailHeader }
        return d
    }()

    private static let keyHashes: [UInt64: [UInt8]] = {
        var d: [UInt64: [UInt8]] = [:]
        for k in keys.keys { d[hash(Array(k.utf8))] = Array(k.utf8) }
        return d
    }()

    @inline(__always) static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    static func labelledFields(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        // A value starts at most 10 bytes after its separator, a display name at most 420 bytes after its header's.
        let anchors = max(starts.lowerBound - 420, 0)..<starts.upperBound
        for sep: UInt8 in [0x3D, 0x3A] {
            t.forEach(sep, in: anchors) { a in field(t, separator: a, starts, &out) }
        }
    }

    /// The key before the separator at `a`, its kind, and whether it is quoted and begins a line.
    private static func field(_ t: ByteText, separator a: Int, _ starts: Range<Int>, _ out: inout [Hit]) {
        var k = a
        while k > a - 4, t[k - 1] == 0x20 { k -= 1 }
        var quote: UInt8 = 0
        if t[k - 1] == 0x22 || t[k - 1] == 0x27 {
            quote = t[k - 1]
            k -= 1
        }
        let keyEnd = k
        while k > keyEnd - 40 {
            let b = t[k - 1]
            guard Ascii.isAlnum(b) || b == 0x5F || b == 0x2E || b == 0x2D || (quote != 0 && b == 0x20) else { break }
            k -= 1
        }
        let keyStart = k
        guard keyEnd - keyStart >= 2, Ascii.isLetter(t[keyStart]) else { return }
        if quote != 0 { guard t[keyStart - 1] == quote else { return } } else if t.wordBefore(keyStart) { return }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for j in keyStart..<keyEnd { h = (h ^ UInt64(Ascii.lower(t[j]))) &* 0x0000_0100_0000_01B3 }
        guard let key = keyHashes[h], key.count == keyEnd - keyStart else { return }
        for (j, c) in key.enumerated() where Ascii.lower(t[keyStart + j]) != c { return }
        let kind = keys[String(decoding: key, as: UTF8.self)]!

        var v = a + 1
        while v < a + 9, Ascii.isSpace(t[v]) { v += 1 }
        if kind == .mailHeader {
            // Only a real header: key at the start of a line, colon separator.
            let lineStart = keyStart == 0 || Ascii.isLineBreak(t[keyStart - 1])
            guard t[a] == 0x3A, quote == 0, lineStart else { return }
            mailboxNames(t, from: v, starts, &out)
            return
        }
        // An unquoted `key:value` with nothing between is a MAC address, a time or an IPv6 group (`ad:ed`), not a
        // labelled field: a name after a colon follows a space (`Ad: Ayşe`) or is quoted.
        if t[a] == 0x3A, quote == 0, v == a + 1, t[v] != 0x22, t[v] != 0x27 { return }
        let span: Range<Int>
        if t[v] == 0x22 || t[v] == 0x27 {
            let q = t[v]
            var e = v + 1
            while e < v + 258, t[e] != q, !Ascii.isLineBreak(t[e]), e < t.count {
                if t[e] == 0x5C { e += 1 }
                e += 1
            }
            guard t[e] == q else { return }
            span = (v + 1)..<e
        } else if kind == .account {
            var e = v
            while e < v + 64, Ascii.isAlnum(t[e]) || t[e] == 0x2E || t[e] == 0x5F || t[e] == 0x2D || t.wordAt(e) {
                e += max(t.utf8Length(at: e), 1)
            }
            span = v..<e
        } else {
            span = v..<unquotedNameEnd(t, from: v, headerStyle: t[a] == 0x3A)
        }
        guard let trimmed = trim(t, span), starts.contains(trimmed.lowerBound) else { return }
        switch kind {
        case .account:
            guard accountLike(t, trimmed) else { return }
        case .personName:
            guard nameLike(t, trimmed, capitalized: false) else { return }
        case .capitalizedName:
            guard nameLike(t, trimmed, capitalized: true) else { return }
            if quote != 0 {
                guard personParent(t, keyQuote: keyStart - 1) else { return }
            } else {
                guard personNameWords(t, trimmed) else { return }
            }
        case .mailHeader:
            return
        }
        out.append(Hit(type: .person, start: trimmed.lowerBound, end: trimmed.upperBound))
    }

    /// Keys of JSON objects whose `"name"` is a person's.
    static let personParents: Set<String> = [
        "user", "users", "person", "persons", "people", "contact", "contacts", "owner", "customer", "client",
        "sender", "recipient", "victim", "suspect", "reporter", "holder", "account_holder", "beneficiary",
        "employee", "member", "subscriber", "author", "assignee", "registrant", "cardholder", "patient",
    ]

    /// Whether the JSON key whose opening quote is at `q` belongs to an object that is the value of a key in
    /// ``personParents`` (directly or as an element of its array), looking back at most 400 bytes.
    static func personParent(_ t: ByteText, keyQuote q: Int) -> Bool {
        var k = q - 1
        var depth = 0
        while k > q - 400, k >= 0 {
            let b = t[k]
            if b == 0x7D || b == 0x5D {
                depth += 1
            } else if b == 0x7B || b == 0x5B {
                if depth == 0 { break }
                depth -= 1
            }
            k -= 1
        }
        guard t[k] == 0x7B else { return false }
        k -= 1
        while Ascii.isSpace(t[k]) || Ascii.isLineBreak(t[k]) { k -= 1 }
        if t[k] == 0x5B {
            k -= 1
            while Ascii.isSpace(t[k]) || Ascii.isLineBreak(t[k]) { k -= 1 }
        }
        guard t[k] == 0x3A else { return false }
        k -= 1
        while Ascii.isSpace(t[k]) { k -= 1 }
        guard t[k] == 0x22 else { return false }
        let end = k
        k -= 1
        while k > end - 40, t[k] != 0x22, t[k] != 0x2E { k -= 1 }
        guard t[k] == 0x22 || t[k] == 0x2E else { return false }
        let key = String(decoding: t.bytes((k + 1)..<end).map(Ascii.lower), as: UTF8.self)
        return personParents.contains(key)
    }

    /// Two to six words written as a person's name: each starts with a capital letter and has no other capital
    /// except after `-` or `'` (`Ana Marković`, `Jean-Luc O'Neill`; not `OneStats`, `CIRCL` or `SurfaceView`).
    static func personNameWords(_ t: ByteText, _ r: Range<Int>) -> Bool {
        var words = 0
        var k = r.lowerBound
        while k < r.upperBound {
            while k < r.upperBound, t[k] == 0x20 { k += 1 }
            guard k < r.upperBound else { break }
            words += 1
            let b = t[k]
            if b < 0x80 { guard Ascii.isUpper(b) else { return false } }
            k += max(t.utf8Length(at: k), 1)
            var lowerSeen = false
            while k < r.upperBound, t[k] != 0x20 {
                let c = t[k]
                if Ascii.isUpper(c), t[k - 1] != 0x2D, t[k - 1] != 0x27 { return false }
                if Ascii.isLower(c) || c >= 0x80 { lowerSeen = true }
                k += 1
            }
            guard lowerSeen else { return false }
        }
        return words >= 2
    }

    /// An unquoted name value: words of name characters, continued across single spaces while the next word
    /// starts with a capital letter and is not itself a key (`name=Ana Marković age=30` gives `Ana Marković`).
    /// After a colon (`Name: Ana Marković`) the value runs to the end of the line or a `,` `;` `|` `<` `(`.
    static func unquotedNameEnd(_ t: ByteText, from v: Int, headerStyle: Bool) -> Int {
        var e = v
        var lastWordEnd = v
        while e < v + 128 {
            // One word.
            let ws = e
            while e < v + 128 {
                let b = t[e]
                if b < 0x80 {
                    guard Ascii.isLetter(b) || b == 0x2E || b == 0x2D || b == 0x27 else { break }
                    e += 1
                } else {
                    let n = t.utf8Length(at: e)
                    guard n > 0,
                        Unicode.isWordScalar(t.scalar(at: e, length: n)) || t.scalar(at: e, length: n) == 0x2019
                    else { break }
                    e += n
                }
            }
            if e == ws { break }
            // A word glued to a digit, '@', '/' or '=' is not a name word.
            let stop = t[e]
            if Ascii.isDigit(stop) || stop == 0x40 || stop == 0x2F || stop == 0x3D || stop == 0x5F {
                return ws == v ? v : lastWordEnd
            }
            lastWordEnd = e
            guard t[e] == 0x20, !Ascii.isSpace(t[e + 1]) else { break }
            let next = t[e + 1]
            if !headerStyle {
                guard Ascii.isUpper(next) || next >= 0x80 else { break }
                // The next word is a key of its own ("name=Ana age=30").
                var w = e + 1
                while Ascii.isAlnum(t[w]) || t[w] == 0x5F || t[w] >= 0x80 { w += 1 }
                if t[w] == 0x3D || t[w] == 0x3A { break }
            }
            e += 1
        }
        return lastWordEnd
    }

    /// The span without spaces at either end, or nil if nothing is left.
    static func trim(_ t: ByteText, _ r: Range<Int>) -> Range<Int>? {
        var lo = r.lowerBound
        var hi = r.upperBound
        while lo < hi, Ascii.isSpace(t[lo]) { lo += 1 }
        while hi > lo, Ascii.isSpace(t[hi - 1]) { hi -= 1 }
        return lo < hi ? lo..<hi : nil
    }

    private static let placeholders: Set<String> = [
        "null", "none", "nil", "n/a", "na", "unknown", "true", "false", "anonymous", "redacted", "test",
    ]

    /// Letters (any script), spaces, `.`, `-`, `'` and `’`; one to six words each starting with a letter; at
    /// most 100 bytes; not a placeholder (`null`, `unknown`, `n/a`).
    static func nameLike(_ t: ByteText, _ r: Range<Int>, capitalized: Bool, commas: Bool = false) -> Bool {
        guard r.count <= 100 else { return false }
        var words = 0
        var k = r.lowerBound
        var atWordStart = true
        var letters = 0
        while k < r.upperBound {
            let b = t[k]
            var n = 1
            var isLetter = false
            if b < 0x80 {
                if b == 0x20 || (commas && b == 0x2C) {
                    atWordStart = true
                    k += 1
                    continue
                }
                guard Ascii.isLetter(b) || b == 0x2E || b == 0x2D || b == 0x27 else { return false }
                // A dot glued to a lowercase letter is an identifier (`owner: com.apple.SystemUIServer.agent`);
                // in a name a dot ends an initial (`J.R. Smith`).
                if b == 0x2E, Ascii.isLower(t[k + 1]), k + 1 < r.upperBound { return false }
                isLetter = Ascii.isLetter(b)
            } else {
                n = t.utf8Length(at: k)
                guard n > 0 else { return false }
                let v = t.scalar(at: k, length: n)
                guard Unicode.isWordScalar(v) || v == 0x2019 else { return false }
                isLetter = v != 0x2019
            }
            if atWordStart {
                guard isLetter else { return false }
                if capitalized, b < 0x80, !Ascii.isUpper(b) { return false }
                if capitalized, b >= 0x80, NameList.fold(t.scalar(at: k, length: n)) == t.scalar(at: k, length: n) {
                    return false
                }
                words += 1
                atWordStart = false
            }
            if isLetter { letters += 1 }
            k += n
        }
        guard words >= 1, words <= 6, letters >= 2 else { return false }
        let text = String(decoding: UnsafeBufferPointer(start: t.base + r.lowerBound, count: r.count), as: UTF8.self)
        return !placeholders.contains(text.lowercased())
    }

    /// One token with at least one letter, no `@` (an e-mail address is reported as one), not a placeholder.
    static func accountLike(_ t: ByteText, _ r: Range<Int>) -> Bool {
        var letters = 0
        for k in r {
            if t[k] == 0x40 || Ascii.isSpace(t[k]) { return false }
            if Ascii.isLetter(t[k]) || t[k] >= 0x80 { letters += 1 }
        }
        guard letters > 0 else { return false }
        let text = String(decoding: UnsafeBufferPointer(start: t.base + r.lowerBound, count: r.count), as: UTF8.self)
        return !placeholders.contains(text.lowercased())
    }

    /// The display names in the first 400 bytes of a mail header's address list (the streaming scan keeps 512
    /// bytes of context before a value):
    /// `Ana Marković <ana@example.rs>, "Petrović, Marko" <m@example.rs>`.
    static func mailboxNames(_ t: ByteText, from v: Int, _ starts: Range<Int>, _ out: inout [Hit]) {
        var k = v
        var itemStart = v
        var inQuote = false
        var quoteStart = -1
        var quoteEnd = -1
        while k < v + 400, k < t.count, !Ascii.isLineBreak(t[k]) {
            let b = t[k]
            if b == 0x22 {
                if inQuote { quoteEnd = k } else { quoteStart = k + 1 }
                inQuote.toggle()
            } else if !inQuote, b == 0x3C {
                // The display name is what comes before '<', or the quoted part.
                let r = quoteStart >= itemStart && quoteEnd > quoteStart ? quoteStart..<quoteEnd : itemStart..<k
                if let name = trim(t, r), starts.contains(name.lowerBound),
                    nameLike(t, name, capitalized: false, commas: true)
                {
                    out.append(Hit(type: .person, start: name.lowerBound, end: name.upperBound))
                }
                while k < t.count, t[k] != 0x3E, !Ascii.isLineBreak(t[k]) { k += 1 }
            } else if !inQuote, b == 0x2C {
                itemStart = k + 1
            }
            k += 1
        }
    }
}
