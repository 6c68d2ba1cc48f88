import Foundation
import Testing

@testable import ProceedsGraph

@Suite struct MT940Tests {
    static let statement = """
        {1:F01BANKMEPGAXXX0000000000}{2:O9400000000000BANKMEPGAXXX00000000000000000000N}{4:
        :20:STMT-2026-01-06
        :25:BANKMEPG/ME25505000012345678951
        :28C:00006/001
        :60F:C260105EUR0,00
        :61:2601050105C48000,00NTRFINV-2026-014//M-0001
        :86:/EREF/INV-2026-014/ORDP//NAME/Victim d.o.o./IBAN/RS35105008123123123173
        /REMI/Invoice 2026-014
        :61:2601060106D20000,00NTRFNONREF//M-0002
        :86:?00Ueberweisung?20Exchange top-up?31EXCHACC0000000000077?32ExampleX VASP
        :61:2601060106D9000,00NMSCNONREF
        :86:Cash withdrawal ATM 42
        :61:260106RC100,00NTRFNONREF//M-0004
        :86:/NAME/Refund Shop/
        :61:2601X6D1,00NTRF
        :62F:C260106EUR18900,00
        -}
        """

    @Test func statementLinesBecomeTransfers() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mt940-\(UUID().uuidString).sta").path
        try Data(Self.statement.utf8).write(to: URL(fileURLWithPath: path))
        let ledger = try LedgerImporter.load([path], format: .mt940)
        #expect(ledger.transfers.count == 4)
        let t = ledger.transfers
        #expect(t[0].id == "M-0001" && t[0].from == "RS35105008123123123173" && t[0].to == "ME25505000012345678951")
        #expect(t[0].amount == 4_800_000 && t[0].time == Timestamp.parse("2026-01-05"))
        #expect(t[0].source.line == 6)
        #expect(t[1].to == "EXCHACC0000000000077" && t[1].amount == 2_000_000)
        #expect(t[2].to == "unknown counterparty of ME25505000012345678951" && t[2].amount == 900_000)
        // RC: the reversal of a credit takes money out.
        #expect(t[3].from == "ME25505000012345678951" && t[3].to == "Refund Shop" && t[3].amount == 10_000)
        #expect(ledger.issues.count == 1 && ledger.issues[0].line == 15)
    }
}
