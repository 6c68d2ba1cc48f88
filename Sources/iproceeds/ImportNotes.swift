import Foundation
import ProceedsGraph

extension LedgerOptions {
    /// The import's warnings and notes (``Ledger/importNotes()``) on standard error.
    func printImportNotes(_ ledger: Ledger) {
        for note in ledger.importNotes() { FileHandle.standardError.write(Data("iproceeds: \(note)\n".utf8)) }
    }

    /// What a bitcoin-etl import assumed or filled in (``UTXOImport/importNotes()``) on standard error.
    func printNotes(_ loaded: UTXOImport) {
        for note in loaded.importNotes() { FileHandle.standardError.write(Data("iproceeds: \(note)\n".utf8)) }
    }
}
