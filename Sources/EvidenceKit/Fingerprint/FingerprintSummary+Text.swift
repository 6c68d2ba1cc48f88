import Foundation

/// A byte count as people read it: `512 B`, `1.5 MiB`, `3.2 GiB` (powers of 1024, one decimal).
package enum ByteSize {
    package static func text(_ n: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension FingerprintSummary {
    /// The line `evidence hash` ends with: what was hashed, where it went, and how many records carry an error.
    package func text(destination: String) -> String {
        var text = "\(items) items (\(members) archive members), \(ByteSize.text(bytes)) hashed → \(destination)"
        if known > 0 {
            text += "; \(known) known" + (knownSkipped > 0 ? " (\(knownSkipped) left out by --skip-known)" : "")
        }
        if alerts > 0 { text += "; \(alerts) ALERT\(alerts == 1 ? "" : "S"): in a --known-bad set, see \"alert\"" }
        if errors > 0 { text += "; \(errors) could not be read whole: see their \"error\" field" }
        return text
    }

    /// The lines `evidence add` prints once an item is in the case: what was recorded, the manifest's hash and
    /// the entry that signs it, and how many records carry an error.
    package func acquisitionText(item: String, entry: CustodyEntry) -> String {
        var s =
            "Recorded \(item): \(items) items (\(members) archive members), manifest sha256 \(entry.outputs[0].sha256)\n"
        s += "Entry \(entry.seq) acquired; ledger head: \(entry.seq):\(entry.entryHash)\n"
        if errors > 0 { s += "\(errors) items could not be read whole; they are in the manifest with their reasons\n" }
        return s
    }
}
