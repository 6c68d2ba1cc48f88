import EvidenceKit
import Foundation
import IProceedsBase

/// The package's own bookkeeping files: `redaction-log.json`, `SHA256SUMS` and `manifest.json`.
enum PackageManifest {
    static let format = "iproceeds-sharing-package/1"

    /// `redaction-log.json`: counts per type, field, rule and action, with totals; names and numbers only.
    static func redactionLog(_ c: PackageContents) -> JSONValue {
        let log = c.request.redactionLog
        var merged: [RedactionLog.Count: Int] = [:]
        for entry in log.counts {
            var key = entry
            key.count = 0
            merged[key, default: 0] += entry.count
        }
        let counts = merged.map { key, n -> RedactionLog.Count in
            var k = key
            k.count = n
            return k
        }.sorted { ($0.type, $0.field, $0.rule, $0.action) < ($1.type, $1.field, $1.rule, $1.action) }
        func totals(_ by: (RedactionLog.Count) -> String) -> JSONValue {
            var sums: [String: Int] = [:]
            for entry in counts { sums[by(entry), default: 0] += entry.count }
            return .object(sums.keys.sorted().map { ($0, .int(Int64(sums[$0]!))) })
        }
        // `notes` only when there are any, so that a log without them is the same bytes as before they existed.
        return .members([
            ("format", "iproceeds-redaction-log/1"),
            ("package_id", .string(c.packageID)),
            ("policy_sha256", .string(c.request.policyHash)),
            ("pseudonym_key_id", .string(c.request.keyID)),
            (
                "records",
                .object([
                    ("read", .int(Int64(log.recordsRead))), ("dropped", .int(Int64(log.recordsDropped))),
                    ("malformed", .int(Int64(log.recordsMalformed))),
                    ("shared", .int(Int64(c.request.records.count))),
                ])
            ),
            (
                "findings",
                .array(
                    log.findings.map {
                        .object([
                            ("input", .string($0.input)), ("line", .int(Int64($0.line))),
                            ("reason", .string($0.reason)),
                        ])
                    })
            ),
            ("notes", log.notes.isEmpty ? nil : JSONValue.strings(log.notes)),
            (
                "counts",
                .array(
                    counts.map {
                        .object([
                            ("type", .string($0.type)), ("field", .string($0.field)), ("rule", .string($0.rule)),
                            ("action", .string($0.action)), ("count", .int(Int64($0.count))),
                        ])
                    })
            ),
            (
                "totals",
                .object([
                    ("by_type", totals(\.type)), ("by_field", totals(\.field)), ("by_rule", totals(\.rule)),
                    ("by_action", totals(\.action)),
                ])
            ),
        ])
    }

    /// `SHA256SUMS` in `sha256sum` form (`HASH  NAME`), for a check without iproceeds: `sha256sum -c SHA256SUMS`.
    static func sha256sums(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        Array(files.map { digestHex(.sha256, of: $0.bytes) + "  " + $0.name + "\n" }.joined().utf8)
    }

    /// `manifest.json` in RFC 8785 canonical form; `manifest.sig` signs exactly these bytes.
    static func manifest(_ c: PackageContents, files: [(name: String, bytes: [UInt8])]) -> JSONValue {
        let r = c.request
        let key = c.signer.key.publicKey
        return JSONValue.members([
            ("format", .string(format)),
            ("package_id", .string(c.packageID)),
            ("created", .string(c.createdISO)),
            ("title", .string(r.title)),
            (
                "sender",
                .object([
                    ("organisation", .string(r.senderOrganisation)), ("examiner_id", .string(c.signer.id)),
                    ("examiner_name", .string(c.signer.name)), ("public_key", .string(Hex.encode(key))),
                    ("public_key_fingerprint", .string(Ed25519.fingerprint(key))),
                ])
            ),
            ("recipient", .string(r.recipient)),
            ("purpose", .string(r.purpose)),
            ("legal_basis", .string(r.legalBasis)),
            (
                "tlp",
                .object([
                    ("label", .string(r.tlp.label)), ("value", .string(r.tlp.rawValue)),
                    ("allows", .string(r.tlp.allows)),
                    ("stix_marking_definition", .string(r.tlp.stixMarkingID)),
                ])
            ),
            ("review_by", .string(r.reviewBy)),
            ("data_subject_categories", JSONValue.strings(r.dataSubjectCategories)),
            ("reliability", r.reliability.map { .string($0) }),
            ("policy_sha256", .string(r.policyHash)),
            ("pseudonym_key_id", .string(r.keyID)),
            (
                "custody_head",
                c.custodyHead.map {
                    .object([
                        ("case_id", .string($0.caseID)), ("seq", .int($0.seq)), ("entry_hash", .string($0.entryHash)),
                    ])
                }
            ),
            ("inputs", .array(r.inputs.map { .object([("name", .string($0.name)), ("sha256", .string($0.sha256))]) })),
            ("records", .int(Int64(r.records.count))),
            (
                "files",
                .array(
                    files.map {
                        .object([
                            ("name", .string($0.name)), ("sha256", .string(digestHex(.sha256, of: $0.bytes))),
                            ("size", .int(Int64($0.bytes.count))),
                        ])
                    })
            ),
            (
                "signature",
                .object([
                    ("algorithm", "Ed25519"), ("file", "manifest.sig"), ("encoding", "base64"),
                    ("signed_bytes", "manifest.json, exactly as stored"),
                ])
            ),
            (
                "tool",
                .object([("name", .string(ToolIdentity.name)), ("version", .string(ToolIdentity.version))])
            ),
        ])
    }
}
