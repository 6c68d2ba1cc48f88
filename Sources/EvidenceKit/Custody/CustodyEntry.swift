/// What was done to evidence, as a custody ledger records it.
public enum CustodyAction: String, CaseIterable, Sendable, Codable {
    // The first entry of every case, signed by the examiner who opened it (who is thereby registered).
    case opened
    // Registers another examiner's public key; signed by an examiner already registered.
    case examinerRegistered = "examiner-registered"
    case acquired, sealed, transferred
    case checkedOut = "checked-out"
    case checkedIn = "checked-in"
    case examined, imaged, analysed, reported, shared, returned, destroyed, note

    /// The actions an examiner may record by hand with `custody record`.
    public static var recordable: [CustodyAction] {
        [.sealed, .transferred, .checkedOut, .checkedIn, .examined, .imaged, .analysed, .reported, .shared, .returned, .destroyed, .note]
    }
}

/// A file or other object named by its SHA-256, as an input or output of a custody action.
public struct HashReference: Sendable, Equatable, Codable {
    /// What it is ("manifest", "report.html", a path).
    public var name: String
    public var sha256: String

    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }
}

/// One entry of a custody ledger: who did what to which items, when, with which tool, on which inputs and
/// producing which outputs, chained to the entry before it and signed.
///
/// `entryHash` is SHA-256 over ``canonicalContent`` (every other field, `prevHash` included); `signature` is
/// Ed25519 by `publicKey` over the 32 bytes of `entryHash`. See `docs/custody-model.md`.
public struct CustodyEntry: Sendable, Equatable {
    public var seq: Int64
    /// UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`.
    public var time: String
    public var caseID: String
    public var examinerID: String
    /// The signer's Ed25519 public key, hex.
    public var publicKey: String
    public var action: String
    public var items: [String]
    public var inputs: [HashReference]
    public var outputs: [HashReference]
    public var tool: String
    public var toolVersion: String
    public var parameters: [String: String]
    public var note: String
    /// The previous entry's `entryHash`; 64 zeros for the first entry.
    public var prevHash: String
    public var entryHash: String
    /// Ed25519 signature, hex.
    public var signature: String

    public static let genesisPrevHash = String(repeating: "0", count: 64)

    /// The canonical serialisation that `entryHash` covers: a JSON object of every field but `entry_hash` and
    /// `signature`, in RFC 8785 (JCS) form — keys sorted, no white space, minimal string escapes, UTF-8.
    public var canonicalContent: [UInt8] {
        var fields: [(String, String)] = [
            ("action", CanonicalJSON.string(action)),
            ("case_id", CanonicalJSON.string(caseID)),
            ("examiner_id", CanonicalJSON.string(examinerID)),
            ("inputs", CanonicalJSON.references(inputs)),
            ("items", "[" + items.map(CanonicalJSON.string).joined(separator: ",") + "]"),
            ("note", CanonicalJSON.string(note)),
            ("outputs", CanonicalJSON.references(outputs)),
            ("parameters", CanonicalJSON.object(parameters)),
            ("prev_hash", CanonicalJSON.string(prevHash)),
            ("public_key", CanonicalJSON.string(publicKey)),
            ("seq", String(seq)),
            ("time", CanonicalJSON.string(time)),
            ("tool", CanonicalJSON.string(tool)),
            ("tool_version", CanonicalJSON.string(toolVersion)),
        ]
        fields.sort { $0.0 < $1.0 }
        return Array(("{" + fields.map { CanonicalJSON.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}").utf8)
    }

    /// SHA-256 of ``canonicalContent``, hex.
    public var computedHash: String { digestHex(.sha256, of: canonicalContent) }
}

/// RFC 8785 (JSON Canonicalization Scheme) output for the values a custody entry holds: strings, integers,
/// arrays and objects with string values.
enum CanonicalJSON {
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Keys sorted by UTF-16 code units, as JCS requires.
    static func object(_ dict: [String: String]) -> String {
        let keys = dict.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        return "{" + keys.map { string($0) + ":" + string(dict[$0]!) }.joined(separator: ",") + "}"
    }

    static func references(_ refs: [HashReference]) -> String {
        "[" + refs.map { "{\"name\":" + string($0.name) + ",\"sha256\":" + string($0.sha256) + "}" }.joined(separator: ",") + "]"
    }
}
