import IProceedsDigest
import Foundation
import IProceedsBase

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A seized item's content as the generator builds it: plain bytes or an archive of further items.
indirect enum EvidenceNode {
    case bytes([UInt8])
    case tar([(String, EvidenceNode)])
    case tarGz([(String, EvidenceNode)])
    case zip([(String, EvidenceNode)])
    /// A stored zip of plain members, cut `missing` bytes before its end (inside the last member's data), as
    /// a copy interrupted by a failing disk leaves it.
    case damagedZip([(String, [UInt8])], missing: Int)

    static func text(_ s: String) -> EvidenceNode { .bytes(Array(s.utf8)) }

    /// The item's bytes.
    func render(modified: Int64) -> [UInt8] {
        switch self {
        case .bytes(let b): return b
        case .tar(let m):
            return ArchiveWriter.tar(m.map { ($0.0, $0.1.render(modified: modified)) }, modified: modified)
        case .tarGz(let m): return ArchiveWriter.gzip(EvidenceNode.tar(m).render(modified: modified))
        // try!: generated members are far below the 4 GiB and 65,534 members a zip without zip64 holds.
        case .zip(let m):
            return try! StoredZip.archive(m.map { ($0.0, $0.1.render(modified: modified)) }, modified: modified)
        case .damagedZip(let m, let missing):
            let whole = try! StoredZip.archive(m, modified: modified)
            return Array(whole.prefix(whole.count - missing))
        }
    }

    /// The records `evidence hash` must produce for the members inside this item (not the item itself).
    func memberRecords(path: String, within: [String], modified: Int64) -> [ExpectedRecord] {
        let members: [(String, EvidenceNode)]
        switch self {
        case .bytes: return []
        case .tar(let m), .tarGz(let m), .zip(let m): members = m
        case .damagedZip(let m, _):
            // Every member is intact except the last, which the cut falls in.
            return m.enumerated().map { k, member in
                let last = k == m.count - 1
                return ExpectedRecord(
                    path: path, member: within + [member.0], size: member.1.count,
                    sha256: last ? nil : SHA256Digest.hex(of: member.1), error: last)
            }
        }
        var out: [ExpectedRecord] = []
        for (name, node) in members {
            let bytes = node.render(modified: modified)
            let inner = node.memberRecords(path: path, within: within + [name], modified: modified)
            out.append(
                ExpectedRecord(
                    path: path, member: within + [name], size: bytes.count, sha256: SHA256Digest.hex(of: bytes),
                    error: false))
            out += inner
        }
        return out
    }

    var isDamaged: Bool { if case .damagedZip = self { return true } else { return false } }
}

/// One record the answer key expects from `evidence hash`: a file, or a member of an archive.
struct ExpectedRecord {
    var path: String
    var member: [String]
    var size: Int
    /// nil when the record carries an error instead of a digest.
    var sha256: String?
    var error: Bool

    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("path", .string(path))]
        if !member.isEmpty { pairs.append(("member", .strings(member))) }
        pairs += [("size", .int(size)), ("sha256", sha256.map { .string($0) } ?? .null)]
        if error { pairs.append(("error", .bool(true))) }
        return .object(pairs)
    }
}

/// Writes a case into its folder and keeps what the answer key needs to know about what it wrote.
final class CaseBuilder {
    let root: URL
    let scenario: String
    let seed: UInt64
    let scale: Int
    /// The time every evidence file and archive member carries.
    var evidenceTime: Int64
    private(set) var evidence: [ExpectedRecord] = []
    private(set) var written: [(path: String, sha256: String, size: Int)] = []

    init(root: URL, scenario: String, seed: UInt64, scale: Int, evidenceTime: Int64) {
        self.root = root
        self.scenario = scenario
        self.seed = seed
        self.scale = scale
        self.evidenceTime = evidenceTime
    }

    /// Writes a file (creating its folders) and returns its SHA-256.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8], modified: Int64? = nil) throws -> String {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        if let modified { setTime(url.path, modified) }
        let sha = SHA256Digest.hex(of: bytes)
        written.append((relative, sha, bytes.count))
        return sha
    }

    @discardableResult
    func write(_ relative: String, _ text: String, modified: Int64? = nil) throws -> String {
        try write(relative, Array(text.utf8), modified: modified)
    }

    /// Writes a large file line by line through a buffer, hashing as it goes; returns its SHA-256.
    @discardableResult
    func stream(_ relative: String, _ body: (_ emit: (String) -> Void) throws -> Void) throws -> String {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard let handle = fopen(url.path, "wb") else {
            throw SampleCaseError(.cannotWrite, "cannot write \(url.path)")
        }
        defer { fclose(handle) }
        let digester = SHA256Digest()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var size = 0
        func flush() {
            guard !buffer.isEmpty else { return }
            digester.update(buffer)
            buffer.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, handle) }
            size += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        try body { line in
            buffer += line.utf8
            if buffer.count >= 1 << 20 { flush() }
        }
        flush()
        guard ferror(handle) == 0 else { throw SampleCaseError(.cannotWrite, "cannot write \(url.path)") }
        let sha = digester.finalizeHex()
        written.append((relative, sha, size))
        return sha
    }

    /// Writes a seized item (a file, or an archive of items) and records the `evidence hash` records it must give.
    func evidence(_ relative: String, _ node: EvidenceNode) throws {
        let bytes = node.render(modified: evidenceTime)
        let sha = try write(relative, bytes, modified: evidenceTime)
        evidence.append(
            ExpectedRecord(path: relative, member: [], size: bytes.count, sha256: sha, error: node.isDamaged))
        evidence += node.memberRecords(path: relative, within: [], modified: evidenceTime)
    }

    /// Gives every folder under `relative` the evidence time too, so a listing of the seizure is stable.
    func fixFolderTimes(_ relative: String) {
        let base = root.appendingPathComponent(relative)
        if let walker = FileManager.default.enumerator(atPath: base.path) {
            for case let sub as String in walker {
                var isDir: ObjCBool = false
                let p = base.appendingPathComponent(sub).path
                if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
                    setTime(p, evidenceTime)
                }
            }
        }
        setTime(base.path, evidenceTime)
    }

    private func setTime(_ path: String, _ seconds: Int64) {
        var times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    func sha256(of relative: String) -> String? { written.last { $0.path == relative }?.sha256 }
}

/// A case could not be written.
package struct SampleCaseError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is: a stable code. The CLI decides its exit status from the code alone
    /// (docs/exit-codes.md lists them).
    package enum Code: String, CaseIterable, Sendable, CustomStringConvertible {
        /// The folder to write the case into already holds something.
        case destinationNotEmpty = "destination-not-empty"
        /// A file of the case could not be created or written.
        case cannotWrite = "cannot-write"

        package var description: String { rawValue }
    }

    package let code: Code
    package let description: String
    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
