/// Warnings and notes about what an import read, for standard error: what a seed or a figure could trip on.
/// Each is one line, starting with `warning:` or `note:`, without a trailing newline.
extension Ledger {
    /// Transfer ids that several rows carry (the first twenty, each with up to ten places it occurs, then a
    /// count), and rows an importer set aside by rule (zero amounts, pending bank rows), counted per reason.
    package func importNotes() -> [String] {
        var notes: [String] = []
        let duplicates = duplicateTransferIDs()
        for d in duplicates.prefix(20) {
            let places = d.places.prefix(10).joined(separator: ", ") + (d.places.count > 10 ? ", …" : "")
            notes.append(
                "warning: transfer id \(d.id) occurs \(d.places.count) times (\(places)); to seed one, give --seed-tx FILE:LINE or ID@FILE:LINE"
            )
        }
        if duplicates.count > 20 {
            notes.append("warning: … and \(duplicates.count - 20) more transfer ids occur more than once")
        }
        for (reason, count) in setAside.sorted(by: { $0.key < $1.key }) {
            notes.append("note: \(count) rows set aside: \(reason)")
        }
        return notes
    }
}

extension UTXOImport {
    /// What a bitcoin-etl import assumed or filled in, and transaction hashes that occur more than once (the
    /// first twenty).
    package func importNotes() -> [String] {
        var notes: [String] = []
        if let chainNote { notes.append("note: \(chainNote)") }
        if inputsResolved > 0 {
            notes.append(
                "note: \(inputsResolved) input values were missing from the export and were taken from the outputs they spend"
            )
        }
        for d in duplicateHashes.prefix(20) {
            notes.append(
                "warning: transaction \(d.id) occurs \(d.places.count) times (\(d.places.joined(separator: ", "))); a seed naming it is refused"
            )
        }
        return notes
    }
}
