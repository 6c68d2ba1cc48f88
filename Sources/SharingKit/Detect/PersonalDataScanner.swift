/// Finds personal data in bytes: e-mail and IP addresses, URLs, IBANs, card and phone numbers, crypto addresses,
/// national identity numbers and person names, each validated (checksums, lengths, dates) and reported as an
/// exact span of UTF-8 bytes.
///
/// Input is treated as bytes, never decoded as a whole: invalid UTF-8 around a value neither stops the scan nor
/// moves an offset. Hits never overlap; when candidates of different types overlap, ``HitPrecedence`` decides
/// which one is reported.
///
/// `Sendable`: immutable after `init`; one scanner can serve many threads at once.
package struct PersonalDataScanner: Sendable {
    /// The types reported. Detection always runs for every type, so that a phone number inside an IPv4 address
    /// is not reported even when only phone numbers are asked for.
    package let types: Set<PersonalDataType>
    let names: NameList?

    /// Creates a scanner.
    /// - Parameters:
    ///   - types: The types to report (default: all).
    ///   - names: Person names to find anywhere in the text, matched on word boundaries regardless of case
    ///     (Latin, Turkish and Cyrillic letters are folded); empty names are ignored.
    package init(types: Set<PersonalDataType> = Set(PersonalDataType.allCases), names: [String] = []) {
        self.types = types
        let list = NameList(names)
        self.names = list.isEmpty ? nil : list
    }

    /// The longest span any detector reports; a longer URL is reported as its first `maxHitLength` bytes. The
    /// streaming scan keeps this much (plus context) between chunks.
    package static let maxHitLength = 16_384
    /// Bytes before a value that a detector may read to decide on it (word boundaries, field labels).
    static let leftContext = 512
    /// Bytes after a value's longest possible end that a detector may read.
    static let rightContext = 512

    /// Every hit in `bytes`, in order of start.
    package func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> [Hit] {
        var resolver = HitResolver()
        var hits: [Hit] = []
        var candidates: [Hit] = []
        collect(in: ByteText(bytes), starts: 0..<bytes.count, into: &candidates)
        for c in candidates { resolver.add(c) { if types.contains($0.type) { hits.append($0) } } }
        resolver.finish { if types.contains($0.type) { hits.append($0) } }
        return hits
    }

    /// Every hit in `bytes`, in order of start.
    package func scan(_ bytes: [UInt8]) -> [Hit] { bytes.withUnsafeBufferPointer { scan($0) } }

    /// Every hit in the UTF-8 bytes of `text`, in order of start.
    package func scan(_ text: String) -> [Hit] { scan(Array(text.utf8)) }

    /// Appends the candidates (unresolved, possibly overlapping) whose start lies in `starts`, sorted by start,
    /// then longest first, then by precedence. A candidate depends only on the bytes from `leftContext` before
    /// its start to `rightContext` after its end, so a chunked scan finds the same ones as a whole-file scan.
    func collect(in text: ByteText, starts: Range<Int>, into out: inout [Hit]) {
        let first = out.count
        collectPlain(in: text, starts: starts, into: &out)
        EvasionView.collect(text, starts, into: &out) { view, viewStarts, found in
            collectPlain(in: view, starts: viewStarts, into: &found)
        }
        out[first...].sort(by: HitPrecedence.scanOrder)
    }

    /// The candidates of every detector on the bytes as written.
    func collectPlain(in text: ByteText, starts: Range<Int>, into out: inout [Hit]) {
        NetworkDetectors.emails(text, starts, &out)
        NetworkDetectors.urls(text, starts, &out)
        NetworkDetectors.ipv6(text, starts, &out)
        HostAddresses.ptrNames(text, starts, &out)
        NumberDetectors.scan(text, starts, &out)
        TokenDetectors.scan(text, starts, &out)
        if types.contains(.person) {
            PersonNameDetector.labelledFields(text, starts, &out)
            names?.scan(text, starts, &out)
        }
    }
}
