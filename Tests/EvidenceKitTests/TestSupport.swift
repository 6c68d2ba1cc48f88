import EvidenceKit
import Foundation
import Testing

/// A scratch directory removed when the value goes away.
final class Scratch {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("iproceeds-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `contents` at `relative`, creating folders.
    @discardableResult
    func write(_ relative: String, _ contents: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents).write(to: file)
        return file.path
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String { try write(relative, Array(text.utf8)) }

    /// Runs a tool with this directory as the working directory; fails the test if it exits non-zero.
    @discardableResult
    func run(_ tool: String, _ args: [String], input: Data? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        p.currentDirectoryURL = url
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if p.terminationStatus != 0 {
            throw TestFailure("\(tool) \(args.joined(separator: " ")) exited \(p.terminationStatus): \(text)")
        }
        return text
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Fingerprints `paths` (relative to `cwd`) and returns the records in order, with paths relative to `cwd` again.
///
/// The paths are made absolute rather than changing the working directory, which is global to the process
/// and would race with tests running in parallel.
func fingerprint(_ paths: [String], in cwd: String, _ configure: (inout FingerprintOptions) -> Void = { _ in }) throws
    -> [FingerprintRecord]
{
    var options = FingerprintOptions()
    configure(&options)
    let prefix = Array((cwd + "/").utf8)
    var records: [FingerprintRecord] = []
    _ = try Fingerprinter(options: options).run(paths.map { RawName(cwd + "/" + $0) }) { record in
        var r = record
        if r.path.bytes.starts(with: prefix) { r.path = RawName(Array(r.path.bytes.dropFirst(prefix.count))) }
        records.append(r)
    }
    return records
}

/// The JSON Lines manifest for `records`.
func jsonl(_ records: [FingerprintRecord], _ algorithms: [DigestAlgorithm] = [.sha256]) -> String {
    records.map { JSONLinesWriter.line($0, algorithms: algorithms) + "\n" }.joined()
}

/// Deterministic pseudo-random bytes (SplitMix64).
func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var out = [UInt8]()
    out.reserveCapacity(count + 8)
    while out.count < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        withUnsafeBytes(of: z) { out.append(contentsOf: $0) }
    }
    return Array(out.prefix(count))
}
