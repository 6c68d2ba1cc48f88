import Foundation
import Testing
import IProceedsBase

@testable import ProceedsGraph

@Suite struct ImportTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func canonicalCSVWithExtraColumnsAndMalformedRows() throws {
        let path = try Self.file(
            """
            id,timestamp,from,to,amount,currency,memo
            T1,2026-01-05T09:00:00Z,RS35105008123123123173,ACC-2,48000.00,EUR,"invoice 2026-014, paid"
            T2,2026-01-05T09:30:00+01:00,ACC-2,ACC-3,0.41,BTC,"multi
            line memo"
            T3,yesterday,ACC-2,ACC-3,10.00,EUR,x
            T4,2026-01-05T10:00:00Z,ACC-2,ACC-3,10.001,EUR,x
            T5,2026-01-05T10:00:00Z,ACC-2,ACC-3,10.00,XYZ,x
            T6,2026-01-05T10:00:00Z,ACC-2,ACC-3,-5.00,EUR,x

            """)
        let ledger = try LedgerImporter.load([path], format: .canonical)
        #expect(ledger.transfers.map(\.id) == ["T1", "T2"])
        #expect(ledger.transfers[0].amount == 4_800_000)
        #expect(ledger.transfers[0].extra["memo"] == "invoice 2026-014, paid")
        #expect(ledger.transfers[1].amount == 41_000_000)
        #expect(ledger.transfers[1].time == ISO8601.parse("2026-01-05T08:30:00Z"))
        #expect(ledger.transfers[1].source.location == "line 3")
        #expect(ledger.issues.map(\.line) == [5, 6, 7, 8])
        #expect(ledger.issues[0].reason.contains("not ISO 8601"))
        #expect(ledger.issues[1].reason.contains("at most 2 decimals"))
        #expect(ledger.issues[2].reason.contains("unknown currency 'XYZ'"))
        #expect(ledger.issues[3].reason.contains("positive"))
        #expect(ledger.inputs.first?.sha256.count == 64)
        var strict = ImportOptions()
        strict.strict = true
        #expect(throws: ProceedsError.self) { try LedgerImporter.load([path], format: .canonical, options: strict) }
    }

    @Test func amlsimTransactions() throws {
        let path = try Self.file(
            """
            tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id
            1,A1,A2,TRANSFER,465.05,2017-01-01T00:00:00Z,False,-1
            2,A2,A3,TRANSFER,465.05,2017-01-02T00:00:00Z,True,7
            3,A2,A3,TRANSFER,abc,2017-01-02T00:00:00Z,True,7

            """)
        let ledger = try LedgerImporter.load([path], format: .amlsim)
        #expect(ledger.transfers.count == 2)
        #expect(ledger.transfers[1].extra["is_sar"] == "True")
        #expect(ledger.transfers[0].asset == "USD")
        #expect(ledger.issues.count == 1 && ledger.issues[0].line == 4)
        #expect(throws: ProceedsError.self) { try LedgerImporter.load([path], format: .canonical) }
    }

    @Test func timestamps() {
        #expect(ISO8601.parse("1970-01-01T00:00:00Z") == 0)
        #expect(ISO8601.parse("2026-01-02T03:04:05Z") == 1_767_323_045_000)
        #expect(ISO8601.parse("2026-01-02T04:04:05.5+01:00") == 1_767_323_045_500)
        #expect(ISO8601.parse("2026-01-02") == 1_767_312_000_000)
        #expect(ISO8601.parse("2026-13-02") == nil)
        #expect(ISO8601.format(1_767_323_045_500) == "2026-01-02T03:04:05.500Z")
        #expect(ISO8601.format(0) == "1970-01-01T00:00:00Z")
    }
}
