/// One value found in a text and what the policy made of it.
package struct TextReplacement: Sendable, Hashable {
    package var type: PersonalDataType
    package var outcome: ValueOutcome
    /// The value as found (decoded, when found through a view); `nil` for the remainder of an overlapping hit.
    package var value: String? = nil
}

/// A text with the policy applied to everything the detectors found in it, plainly or encoded.
package struct RedactedTextResult: Sendable, Hashable {
    package var text: String
    /// In text order; a value found inside a base64 run is listed where the run is.
    package var replacements: [TextReplacement]
}

/// Applies a policy's type rules to a text: the detectors run on the text as written and on its decoded views
/// (percent-encoding, backslash escapes, MIME encoded words, separators with a space after them, base64 runs that
/// decode to text), and every value found in any of them is replaced in the original. A value found in a view is transformed as it decodes (`ana%40example.com` gets the
/// pseudonym of `ana@example.com`); a base64 run with a value in it is decoded, redacted and encoded again.
///
/// Where found values overlap, the one that starts first (the longer, on a tie) is applied, as ``Redactor``
/// does; if a later one reaches past its end, that remainder is removed as well (`[REDACTED:type]`), so that an
/// overlap never lets part of a value through.
///
/// Not `Sendable`: it holds the caller's detection closure.
package struct TextRedactor {
    package let redactor: Redactor
    let detect: (String) -> [Hit]

    /// - Parameter detect: the detectors: every hit in a text, as UTF-8 byte offsets.
    package init(redactor: Redactor, detect: @escaping (String) -> [Hit]) {
        self.redactor = redactor
        self.detect = detect
    }

    private enum Payload {
        case value(PersonalDataType, String)
        case encoded(String, [TextReplacement])

        var type: PersonalDataType? {
            switch self {
            case .value(let t, _): t
            case .encoded(_, let r): r.first?.type
            }
        }
    }

    private struct SeenHit: Hashable {
        var range: Range<Int>
        var type: PersonalDataType
    }

    private struct Candidate {
        var range: Range<Int>
        var payload: Payload
    }

    /// Redacts `text`.
    /// - Parameters:
    ///   - label: the field the text is the value of; the detectors then see `label: text`, so that labelled
    ///     values (a `victim_name` column, `source.account`) are recognised as they are in free text. The last
    ///     dotted part of the name is used (`extra.full_name` → `full_name`).
    package func redact(_ text: String, label: String? = nil) -> RedactedTextResult {
        redact(text, label: label, depth: 0)
    }

    private func redact(_ text: String, label: String?, depth: Int) -> RedactedTextResult {
        let bytes = Array(text.utf8)
        var candidates: [Candidate] = []
        var seen = Set<SeenHit>()
        for hit in hits(text, label: label) {
            seen.insert(SeenHit(range: hit.start..<hit.end, type: hit.type))
            candidates.append(
                Candidate(
                    range: hit.start..<hit.end,
                    payload: .value(hit.type, String(decoding: bytes[hit.start..<hit.end], as: UTF8.self))))
        }
        let views = [
            DecodedView.percentDecoded(bytes), DecodedView.escapeDecoded(bytes), DecodedView.mimeWordsDecoded(bytes),
            DecodedView.separatorsSpaced(bytes),
        ]
        for view in views {
            guard let view else { continue }
            let viewBytes = Array(view.text.utf8)
            for hit in hits(view.text, label: label) {
                let span = view.originalSpan(hit.start, hit.end)
                guard seen.insert(SeenHit(range: span, type: hit.type)).inserted else { continue }
                candidates.append(
                    Candidate(
                        range: span,
                        payload: .value(hit.type, String(decoding: viewBytes[hit.start..<hit.end], as: UTF8.self))))
            }
        }
        if depth < 2 {
            for run in Base64Run.find(bytes) {
                let inner = redact(run.decoded, label: nil, depth: depth + 1)
                guard !inner.replacements.isEmpty else { continue }
                candidates.append(
                    Candidate(range: run.range, payload: .encoded(run.encode(inner.text), inner.replacements)))
            }
        }
        guard !candidates.isEmpty else { return RedactedTextResult(text: text, replacements: []) }

        candidates.sort { ($0.range.lowerBound, -$0.range.upperBound) < ($1.range.lowerBound, -$1.range.upperBound) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var replacements: [TextReplacement] = []
        var cursor = 0
        for c in candidates {
            if c.range.lowerBound >= cursor {
                out.append(contentsOf: bytes[cursor..<c.range.lowerBound])
                switch c.payload {
                case .value(let type, let value):
                    let outcome = redactor.transform(value, type: type)
                    if outcome.applied == .keep {
                        // Kept as written, even where it was found through a decoded view.
                        out.append(contentsOf: bytes[c.range])
                    } else {
                        out.append(contentsOf: Array((outcome.output ?? "[REDACTED:\(type.rawValue)]").utf8))
                    }
                    replacements.append(TextReplacement(type: type, outcome: outcome, value: value))
                case .encoded(let encoded, let inner):
                    out.append(contentsOf: Array(encoded.utf8))
                    replacements.append(contentsOf: inner)
                }
                cursor = c.range.upperBound
            } else if c.range.upperBound > cursor, let type = c.payload.type {
                // Overlaps the value just replaced and reaches past it: remove the rest too.
                let requested = redactor.policy.action(for: type).name
                out.append(contentsOf: Array("[REDACTED:\(type.rawValue)]".utf8))
                replacements.append(
                    TextReplacement(
                        type: type,
                        outcome: ValueOutcome(
                            kind: .personalData(type), requested: requested, applied: .drop, output: nil, record: nil)))
                cursor = c.range.upperBound
            }
        }
        out.append(contentsOf: bytes[cursor...])
        return RedactedTextResult(text: String(decoding: out, as: UTF8.self), replacements: replacements)
    }

    /// The detector hits in `text`, seen after `label: ` when a label is given (offsets are the text's own; a hit
    /// that starts in the label is cut to the text).
    private func hits(_ text: String, label: String?) -> [Hit] {
        guard let label else { return detect(text) }
        let last = label.split(separator: ".").last.map(String.init) ?? label
        let prefix = last.replacingOccurrences(of: " ", with: "_") + ": "
        let p = prefix.utf8.count
        let wholeName = Self.wholeNameSpan(text)
        return detect(prefix + text).compactMap { h in
            guard h.end > p else { return nil }
            var hit = Hit(type: h.type, start: max(h.start, p) - p, end: h.end - p)
            // In a field the detectors take for a name, the value is the name: `Petrović, Marko` whole, where free
            // text would stop at the comma.
            if hit.type == .person, let whole = wholeName, hit.start == whole.lowerBound, hit.end < whole.upperBound {
                hit.end = whole.upperBound
            }
            return hit
        }
    }

    /// The span of a field value that reads as a name as a whole — letters, spaces, commas, periods, hyphens and
    /// apostrophes — without surrounding white space.
    static func wholeNameSpan(_ text: String) -> Range<Int>? {
        let u = Array(text.utf8)
        var lo = 0
        var hi = u.count
        while lo < hi, u[lo] == 0x20 || u[lo] == 0x09 { lo += 1 }
        while hi > lo, u[hi - 1] == 0x20 || u[hi - 1] == 0x09 { hi -= 1 }
        guard lo < hi else { return nil }
        let nameLike = text.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || $0.properties.generalCategory == .nonspacingMark
                || " \t,.'-\u{2019}".unicodeScalars.contains($0)
        }
        return nameLike ? lo..<hi : nil
    }
}
