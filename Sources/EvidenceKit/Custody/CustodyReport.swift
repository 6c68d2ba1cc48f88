import Foundation
import IProceedsBase

/// The ledger and its verification as people and scripts read them: `custody log`, `custody export --format
/// json` and `custody verify`. JSON is built from values (``JSONValue``) with keys sorted.
package enum CustodyReport {
    /// One ledger entry with every stored field, under its JSON name.
    package static func entry(_ e: CustodyEntry) -> JSONValue {
        func references(_ refs: [HashReference]) -> JSONValue {
            .array(refs.map { .object([("name", .string($0.name)), ("sha256", .string($0.sha256))]) })
        }
        return .object([
            ("seq", .int(e.seq)), ("time", .string(e.time)), ("case_id", .string(e.caseID)),
            ("examiner_id", .string(e.examinerID)), ("public_key", .string(e.publicKey)), ("action", .string(e.action)),
            ("items", .strings(e.items)), ("inputs", references(e.inputs)), ("outputs", references(e.outputs)),
            ("tool", .string(e.tool)), ("tool_version", .string(e.toolVersion)),
            ("parameters", .object(e.parameters.map { ($0.key, .string($0.value)) })), ("note", .string(e.note)),
            ("prev_hash", .string(e.prevHash)), ("entry_hash", .string(e.entryHash)),
            ("signature", .string(e.signature)),
        ])
    }

    /// The entries as a JSON array, one entry (keys sorted) a line.
    package static func json(_ entries: [CustodyEntry]) -> String {
        "[\n" + entries.map { entry($0).canonical }.joined(separator: ",\n") + "\n]\n"
    }

    /// The entries as a table for a terminal: the details an examiner reads (to, from, location, …, note),
    /// long cells cut with an ellipsis.
    package static func table(_ entries: [CustodyEntry]) -> String {
        let shown = ["to", "from", "location", "description", "examiner_id", "title", "command", "policy", "policies"]
        let rows = entries.map { e -> [String] in
            var what = e.parameters.keys.sorted().filter { shown.contains($0) }.map { "\($0)=\(e.parameters[$0]!)" }
            if !e.note.isEmpty { what.append("note=\(e.note)") }
            return [
                String(e.seq), e.time, e.examinerID, e.action, e.items.joined(separator: ","),
                what.joined(separator: "; "), String(e.entryHash.prefix(16)),
            ]
        }
        let header = ["SEQ", "TIME (UTC)", "EXAMINER", "ACTION", "ITEMS", "DETAILS", "ENTRY HASH"]
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = min(max(widths[i], c.count), i == 5 ? 60 : 40) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let clipped = c.count > widths[i] ? String(c.prefix(widths[i] - 1)) + "…" : c
                return clipped + String(repeating: " ", count: widths[i] - clipped.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    /// What `custody verify` prints: the head to write on a seal form, the evidence re-read, and either the
    /// verdict or the first bad entry and every other problem.
    /// - Parameter rehash: whether the evidence was re-read (it is then named in the verdict).
    package static func text(_ v: CustodyVerification, rehash: Bool) -> String {
        var s = "Case \(v.caseID): \(v.entries) entries\n"
        s += "Head: \(v.headSeq):\(v.headHash)\n"
        for r in v.rehashed { s += "Evidence \(r.item): \(r.matched) items matched, \(r.differing) differ\n" }
        for k in v.keys where k.revokedSeq != nil {
            s += "Revoked key: \(k.fingerprint) of \(k.examinerID) (\(k.name)) in entry \(k.revokedSeq!)"
            s += k.revocationReason.map { $0.isEmpty ? "" : ": \($0)" } ?? ""
            s += "\n"
        }
        if let first = v.firstProblem {
            s += "NOT INTACT: first bad entry \(first.seq): \(first.kind.rawValue) — \(first.detail)\n"
            for p in v.problems.dropFirst() { s += "  also entry \(p.seq): \(p.kind.rawValue) — \(p.detail)\n" }
        } else {
            s +=
                "Intact: every link, signature and signer checks out\(rehash ? ", and the evidence matches its manifests" : "").\n"
        }
        return s
    }

    /// A key registered in the case, as JSON: `public_key` (hex), `public_key_fingerprint` (``Ed25519/fingerprint(_:)``),
    /// `examiner_id`, `examiner_name`, `registered_seq`, and `revoked_seq` and `revocation_reason` (null unless
    /// revoked). The same names as a sharing package's `sender`.
    package static func key(_ k: SignerKey) -> JSONValue {
        .object([
            ("examiner_id", .string(k.examinerID)), ("examiner_name", .string(k.name)),
            ("public_key", .string(k.publicKey)), ("public_key_fingerprint", .string(k.fingerprint)),
            ("registered_seq", .int(k.registeredSeq)), ("revoked_seq", k.revokedSeq.map { .int($0) } ?? .null),
            ("revocation_reason", k.revocationReason.map { .string($0) } ?? .null),
        ])
    }

    /// `custody verify --format json`: one object, keys sorted, and a newline.
    package static func json(_ v: CustodyVerification, rehash: Bool) -> String {
        var members: [(String, JSONValue)] = [
            ("case_id", .string(v.caseID)), ("entries", .int(v.entries)),
            ("head", .object([("seq", .int(v.headSeq)), ("hash", .string(v.headHash))])), ("intact", .bool(v.intact)),
            ("keys", .array(v.keys.map(key))),
            (
                "problems",
                .array(
                    v.problems.map {
                        .object([
                            ("seq", .int($0.seq)), ("kind", .string($0.kind.rawValue)), ("detail", .string($0.detail)),
                        ])
                    })
            ),
        ]
        if rehash {
            members.append(
                (
                    "evidence",
                    .array(
                        v.rehashed.map {
                            .object([
                                ("item", .string($0.item)), ("matched", .int($0.matched)),
                                ("differing", .int($0.differing)),
                            ])
                        })
                ))
        }
        return JSONValue.object(members).canonical + "\n"
    }
}
