import Foundation
import ProceedsGraph

extension LedgerOptions {
    /// Warnings about what was imported that a seed or a figure could trip on: transfer ids that several rows
    /// carry (each with every place it occurs), and rows an importer set aside by rule (zero amounts, pending
    /// bank rows), counted.
    func printImportNotes(_ ledger: Ledger) {
        let duplicates = ledger.duplicateTransferIDs()
        for d in duplicates.prefix(20) {
            let places = d.places.prefix(10).joined(separator: ", ") + (d.places.count > 10 ? ", …" : "")
            FileHandle.standardError.write(
                Data(
                    "iproceeds: warning: transfer id \(d.id) occurs \(d.places.count) times (\(places)); to seed one, give --seed-tx FILE:LINE or ID@FILE:LINE\n"
                        .utf8))
        }
        if duplicates.count > 20 {
            FileHandle.standardError.write(
                Data("iproceeds: warning: … and \(duplicates.count - 20) more transfer ids occur more than once\n".utf8)
            )
        }
        for (reason, count) in ledger.setAside.sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(Data("iproceeds: note: \(count) rows set aside: \(reason)\n".utf8))
        }
    }

    /// What a bitcoin-etl import assumed or filled in, and transaction hashes that occur more than once.
    func printNotes(_ loaded: UTXOImport) {
        if let note = loaded.chainNote { FileHandle.standardError.write(Data("iproceeds: note: \(note)\n".utf8)) }
        if loaded.inputsResolved > 0 {
            FileHandle.standardError.write(
                Data(
                    "iproceeds: note: \(loaded.inputsResolved) input values were missing from the export and were taken from the outputs they spend\n"
                        .utf8))
        }
        for d in loaded.duplicateHashes.prefix(20) {
            FileHandle.standardError.write(
                Data(
                    "iproceeds: warning: transaction \(d.id) occurs \(d.places.count) times (\(d.places.joined(separator: ", "))); a seed naming it is refused\n"
                        .utf8))
        }
    }
}
