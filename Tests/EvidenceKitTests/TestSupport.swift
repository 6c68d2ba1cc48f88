import EvidenceKit
import Foundation
import Testing

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
