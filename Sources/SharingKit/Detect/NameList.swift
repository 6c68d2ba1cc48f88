/// The names list of a sharing policy, as a trie over case-folded UTF-8, matched at word starts.
///
/// `Sendable`: immutable after `init`.
struct NameList: Sendable {
    private var root = [Int32](repeating: -1, count: 256)
    private var edges: [UInt64: Int32] = [:]
    private var terminal: [Bool] = [false]
    private(set) var isEmpty = true

    init(_ names: [String]) {
        for name in names {
            var folded: [UInt8] = []
            var pendingSpace = false
            for scalar in name.unicodeScalars {
                if scalar == " " || scalar == "\t" || scalar == "\u{A0}" || scalar == "\n" {
                    pendingSpace = !folded.isEmpty
                    continue
                }
                if pendingSpace { folded.append(0x20) }
                pendingSpace = false
                NameList.appendUTF8(NameList.fold(scalar.value), to: &folded)
            }
            guard !folded.isEmpty else { continue }
            var node: Int32 = 0
            for (depth, b) in folded.enumerated() {
                let next: Int32?
                if depth == 0 {
                    next = root[Int(b)] >= 0 ? root[Int(b)] : nil
                } else {
                    next = edges[UInt64(node) << 8 | UInt64(b)]
                }
                if let next {
                    node = next
                } else {
                    let created = Int32(terminal.count)
                    terminal.append(false)
                    if depth == 0 { root[Int(b)] = created } else { edges[UInt64(node) << 8 | UInt64(b)] = created }
                    node = created
                }
            }
            terminal[Int(node)] = true
            isEmpty = false
        }
    }

    /// Simple case folding for the scripts names in this region are written in: ASCII, Latin-1, Latin
    /// Extended-A (Č, Ć, Đ, Š, Ž, Ş, Ğ, Ë, Ç…), Greek and Cyrillic. The Turkish I, İ and ı all fold to i.
    static func fold(_ v: UInt32) -> UInt32 {
        switch v {
        case 0x41...0x5A: return v + 0x20
        case 0x130, 0x131: return 0x69
        case 0xC0...0xDE where v != 0xD7: return v + 0x20
        case 0x100...0x137, 0x14A...0x177: return v | 1
        case 0x139...0x148, 0x179...0x17E: return v % 2 == 1 ? v + 1 : v
        case 0x178: return 0xFF
        case 0x391...0x3A9 where v != 0x3A2: return v + 0x20
        case 0x400...0x40F: return v + 0x50
        case 0x410...0x42F: return v + 0x20
        default: return v
        }
    }

    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        guard let s = Unicode.Scalar(v) else { return }
        out.append(contentsOf: UTF8.encode(s)!)
    }

    /// Appends a hit for each name found at a word start in `starts`: the longest name that ends at a word
    /// boundary. A space in a name matches a run of spaces and tabs.
    func scan(_ t: ByteText, _ starts: Range<Int>, _ out: inout [Hit]) {
        var i = max(starts.lowerBound, 0)
        let hi = min(starts.upperBound, t.count)
        while i < hi {
            let b = t.base[i]
            guard Ascii.isAlnum(b) || b >= 0x80 else {
                i += 1
                continue
            }
            if !t.wordBefore(i), let end = longestMatch(t, at: i) {
                out.append(Hit(type: .person, start: i, end: end))
            }
            // Skip the rest of the word.
            i += 1
            while i < hi, Ascii.isAlnum(t.base[i]) || t.base[i] == 0x5F || (t.base[i] >= 0x80 && t.wordAt(i)) { i += 1 }
            if i < hi, t.base[i] >= 0x80, !t.wordAt(i) { i += max(t.utf8Length(at: i), 1) }
        }
    }

    private func longestMatch(_ t: ByteText, at s: Int) -> Int? {
        var node: Int32 = -1
        var k = s
        var best: Int? = nil
        var buf: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        while k < t.count, k - s < 256 {
            // The next folded character, as UTF-8 bytes.
            var len = 1
            var consumed = 1
            let b = t[k]
            if b < 0x80 {
                if Ascii.isSpace(b) {
                    consumed = 1
                    while Ascii.isSpace(t[k + consumed]) { consumed += 1 }
                    buf.0 = 0x20
                } else {
                    buf.0 = Ascii.lower(b)
                }
            } else {
                let n = t.utf8Length(at: k)
                guard n > 0 else { break }
                consumed = n
                var bytes: [UInt8] = []
                NameList.appendUTF8(NameList.fold(t.scalar(at: k, length: n)), to: &bytes)
                len = bytes.count
                buf.0 = bytes[0]
                if len > 1 { buf.1 = bytes[1] }
                if len > 2 { buf.2 = bytes[2] }
                if len > 3 { buf.3 = bytes[3] }
            }
            for j in 0..<len {
                let byte = j == 0 ? buf.0 : j == 1 ? buf.1 : j == 2 ? buf.2 : buf.3
                let next = node < 0 ? root[Int(byte)] : (edges[UInt64(node) << 8 | UInt64(byte)] ?? -1)
                if next < 0 { return best }
                node = next
            }
            k += consumed
            if terminal[Int(node)], !t.wordAt(k) { best = k }
        }
        return best
    }
}
