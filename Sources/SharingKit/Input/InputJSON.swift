import IProceedsBase

/// JSON as an input holds it, read by the foundation's strict parser: object members in the source's order,
/// numbers as written (so that a port or an id is shared exactly), duplicate keys refused (which reader would
/// win is not defined, and a policy decision must not depend on it), at most 512 levels deep.
enum InputJSON {
    /// Why a text is not JSON. The reason names a position and what was expected, never the text.
    struct Malformed: Error {
        var reason: String
    }

    /// Parses one JSON text (RFC 8259).
    static func parse(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> JSONValue {
        do {
            return try JSONValue.parse(bytes, maxDepth: 512)
        } catch {
            throw Malformed(
                reason: "not valid JSON: \(error.reason) (line \(error.line), column \(error.column) of the value)")
        }
    }
}

extension JSONValue {
    /// The value as field text: strings as they are, numbers as written, booleans `true`/`false`, arrays and
    /// objects as compact JSON; `nil` for null.
    var fieldText: String? {
        switch self {
        case .null: nil
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n
        case .string(let s): s
        case .array, .object: compact
        }
    }
}
