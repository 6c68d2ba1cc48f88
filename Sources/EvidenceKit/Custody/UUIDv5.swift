import Foundation
import IProceedsBase

/// Name-based UUIDs (RFC 9562 §5.5, version 5: SHA-1), so that exported documents get the same identifiers
/// every time they are made from the same case.
package enum NameBasedUUID {
    /// The RFC 9562 URL namespace, `6ba7b811-9dad-11d1-80b4-00c04fd430c8`.
    package static let urlNamespace = UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!

    /// The version 5 UUID of `name` in `namespace`, lowercase.
    package static func v5(namespace: UUID, name: String) -> String {
        let ns = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        var bytes = Array(Hex.decode(digestHex(.sha1, of: ns + Array(name.utf8)))!.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Hex.encode(bytes)
        let i = Array(hex)
        return String(i[0..<8]) + "-" + String(i[8..<12]) + "-" + String(i[12..<16]) + "-" + String(i[16..<20]) + "-"
            + String(i[20..<32])
    }
}
