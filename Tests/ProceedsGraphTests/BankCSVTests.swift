import Foundation
import Testing
import IProceedsBase

@testable import ProceedsGraph

@Suite struct BankCSVTests {
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/bank-profiles").path

    @Test func shippedSerbianProfileWithDebitAndCreditColumns() throws {
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(Self.profiles + "/rs-semicolon-debit-credit.json")
        let ledger = try LedgerImporter.load(
            [Self.profiles + "/rs-semicolon-debit-credit.example.csv"], format: .bankCSV, options: options)
        #expect(ledger.issues.isEmpty)
        #expect(ledger.transfers.count == 2)
        let out = ledger.transfers[0]
        #expect(out.id == "RF-0001" && out.from == "RS35105008123123123173" && out.to == "ME25505000012345678951")
        #expect(out.amount == 4_800_000 && out.time == ISO8601.parse("2026-01-05"))
        let incoming = ledger.transfers[1]
        #expect(incoming.from == "Kupac a.d." && incoming.to == "RS35105008123123123173" && incoming.amount == 125_050)
    }

    @Test func shippedGenericProfileWithSignedAmountsAndGivenAccount() throws {
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(Self.profiles + "/generic-signed-amount.json")
        let path = Self.profiles + "/generic-signed-amount.example.csv"
        // no account
        #expect(throws: ProceedsError.self) { try LedgerImporter.load([path], format: .bankCSV, options: options) }
        options.statementAccount = "ME25505000012345678951"
        let ledger = try LedgerImporter.load([path], format: .bankCSV, options: options)
        #expect(ledger.transfers.map(\.id) == ["TX-77", "TX-78", "TX-79"])
        #expect(ledger.transfers[0].to == "ME25505000012345678951" && ledger.transfers[0].amount == 4_800_000)
        #expect(
            ledger.transfers[1].from == "ME25505000012345678951"
                && ledger.transfers[1].to == "AL35202111090000000001234567")
        #expect(ledger.transfers[2].to == "ATM withdrawal" && ledger.transfers[2].amount == 50_000)
    }

    /// A key written twice (two `sign` lines left by an edit) is refused with its line: a decoder would keep one of
    /// the two silently, and amounts would come out with the other sign than the examiner read in the file.
    @Test func aProfileWithAKeyWrittenTwiceIsRefusedWithItsLine() throws {
        let shipped = try String(contentsOfFile: Self.profiles + "/generic-signed-amount.json", encoding: .utf8)
        _ = try BankCSVProfile.load(Self.profiles + "/generic-signed-amount.json")
        let lines = shipped.split(separator: "\n", omittingEmptySubsequences: false)
        let at = try #require(lines.firstIndex { $0.contains("\"name\"") })
        var doubled = lines
        doubled.insert(lines[at], at: at + 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("p-\(UUID().uuidString).json").path
        defer { unlink(path) }
        try Data(doubled.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try BankCSVProfile.load(path)
            Issue.record("a profile with a key written twice was accepted")
        } catch let e as ProceedsError {
            #expect(e.line == at + 2 && e.description.contains("a key appears twice"), "\(e)")
        }
    }

    @Test func aProfileWithoutAmountsIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("p-\(UUID().uuidString).json").path
        try Data(#"{"name":"x","date_column":"Date"}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ProceedsError.self) { try BankCSVProfile.load(path) }
    }
}
