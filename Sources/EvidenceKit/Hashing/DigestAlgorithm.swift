import Foundation

/// A digest algorithm iproceeds can compute, by its manifest name.
///
/// Every manifest lists digests in the order of `allCases`, whatever order the user asked for them in,
/// so that output does not depend on how a command line was typed.
package enum DigestAlgorithm: String, CaseIterable, Sendable, Comparable, Codable {
    case md5
    case sha1
    case sha256
    case sha512
    case sha3_256 = "sha3-256"
    case blake2b_512 = "blake2b-512"

    /// The OpenSSL name passed to `EVP_MD_fetch`.
    var openSSLName: String {
        switch self {
        case .md5: "MD5"
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha512: "SHA512"
        case .sha3_256: "SHA3-256"
        case .blake2b_512: "BLAKE2B-512"
        }
    }

    /// Length of the digest in bytes.
    package var digestLength: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha256, .sha3_256: 32
        case .sha512, .blake2b_512: 64
        }
    }

    /// Whether hashdeep knows this algorithm, so a hashdeep-format manifest that uses it can be audited by hashdeep.
    package var isHashdeepAlgorithm: Bool { self == .md5 || self == .sha1 || self == .sha256 }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a comma-separated list such as `md5,sha256`, in canonical order without duplicates.
    /// - Throws: ``EvidenceError`` naming the unknown algorithm and the known ones.
    package static func parseList(_ text: String) throws -> [DigestAlgorithm] {
        var set = Set<DigestAlgorithm>()
        for raw in text.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            let alias = name.replacingOccurrences(of: "_", with: "-")
            guard let alg = DigestAlgorithm(rawValue: alias) ?? DigestAlgorithm.aliases[alias] else {
                throw EvidenceError(
                    .invalidArgument,
                    "unknown algorithm '\(raw)'; choose from \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            set.insert(alg)
        }
        guard !set.isEmpty else { throw EvidenceError(.invalidArgument, "no algorithm given") }
        return set.sorted()
    }

    private static let aliases: [String: DigestAlgorithm] = [
        "sha-1": .sha1, "sha-256": .sha256, "sha-512": .sha512, "sha3256": .sha3_256, "blake2b": .blake2b_512,
        "blake2b512": .blake2b_512,
    ]
}
