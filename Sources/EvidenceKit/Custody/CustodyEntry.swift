import IProceedsBase

/// What was done to evidence, as a custody ledger records it.
package enum CustodyAction: String, CaseIterable, Sendable, Codable {
    // The first entry of every case, signed by the examiner who opened it (who is thereby registered).
    case opened
    // Registers another examiner's public key; signed by an examiner already registered.
    case examinerRegistered = "examiner-registered"
    // Revokes a registered key (lost, stolen, compromised): signed by a registered examiner whose key is not
    // revoked, often another examiner (the key is lost) or the key itself (it is compromised but still held).
    // What the key signed before stays valid; what it signs after is refused and reported.
    case revoked
    case acquired, sealed, transferred
    case checkedOut = "checked-out"
    case checkedIn = "checked-in"
    case examined, imaged, analysed, reported, shared, returned, destroyed, note

    /// The actions an examiner may record by hand with `custody record`.
    package static var recordable: [CustodyAction] {
        [
            .sealed, .transferred, .checkedOut, .checkedIn, .examined, .imaged, .analysed, .reported, .shared,
            .returned, .destroyed, .note,
        ]
    }
}

/// A file or other object named by its SHA-256, as an input or output of a custody action.
package struct HashReference: Sendable, Equatable, Codable {
    /// What it is ("manifest", "report.html", a path).
    package var name: String
    package var sha256: String

    package init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }
}

/// One entry of a custody ledger: who did what to which items, when, with which tool, on which inputs and
/// producing which outputs, chained to the entry before it and signed.
///
/// `entryHash` is SHA-256 over ``canonicalContent`` (every other field, `prevHash` included); `signature` is
/// Ed25519 by `publicKey` over the 32 bytes of `entryHash`. See `docs/custody-model.md`.
package struct CustodyEntry: Sendable, Equatable {
    package var seq: Int64
    /// UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`.
    package var time: String
    package var caseID: String
    package var examinerID: String
    /// The signer's Ed25519 public key, hex.
    package var publicKey: String
    package var action: String
    package var items: [String]
    package var inputs: [HashReference]
    package var outputs: [HashReference]
    package var tool: String
    package var toolVersion: String
    package var parameters: [String: String]
    package var note: String
    /// The previous entry's `entryHash`; 64 zeros for the first entry.
    package var prevHash: String
    package var entryHash: String
    /// Ed25519 signature, hex.
    package var signature: String

    package static let genesisPrevHash = String(repeating: "0", count: 64)

    /// The canonical serialisation that `entryHash` covers: a JSON object of every field but `entry_hash` and
    /// `signature`, in RFC 8785 (JCS) form — keys sorted, no white space, minimal string escapes, UTF-8.
    package var canonicalContent: [UInt8] {
        let fields: JSONValue = .object([
            ("action", .string(action)),
            ("case_id", .string(caseID)),
            ("examiner_id", .string(examinerID)),
            ("inputs", Self.json(inputs)),
            ("items", .strings(items)),
            ("note", .string(note)),
            ("outputs", Self.json(outputs)),
            ("parameters", Self.json(parameters)),
            ("prev_hash", .string(prevHash)),
            ("public_key", .string(publicKey)),
            ("seq", .int(seq)),
            ("time", .string(time)),
            ("tool", .string(tool)),
            ("tool_version", .string(toolVersion)),
        ])
        return Array(fields.canonical.utf8)
    }

    /// SHA-256 of ``canonicalContent``, hex.
    package var computedHash: String { digestHex(.sha256, of: canonicalContent) }
}

extension CustodyEntry {
    /// The public key (hex) a `revoked` entry revokes, as it signed it; nil for every other entry.
    package var revokedKey: String? {
        action == CustodyAction.revoked.rawValue ? parameters["public_key"]?.lowercased() : nil
    }

    /// References as the ledger stores and hashes them: `[{"name":…,"sha256":…}]`.
    static func json(_ refs: [HashReference]) -> JSONValue {
        .array(refs.map { .object([("name", .string($0.name)), ("sha256", .string($0.sha256))]) })
    }

    /// Parameters as an object (its canonical form sorts the keys).
    static func json(_ parameters: [String: String]) -> JSONValue {
        .object(parameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}
