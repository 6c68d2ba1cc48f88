import Foundation
import TestSupport
import Testing

/// `iproceeds trace import`: the ledger as read, and every statement reconciled against its own balances.
@Suite struct TraceImportTests {
    /// Two statements of one account: the first adds up (100.00 + 50.00 − 30.00 = 120.00), the second claims a
    /// closing balance 1.00 short of its entries.
    static let statements = """
        {1:F01BANKMEPGAXXX0000000000}{2:O940BANKMEPGAXXXN}{4:\r
        :20:S-1\r
        :25:ME25505000012345678951\r
        :28C:1/1\r
        :60F:C260104EUR100,00\r
        :61:2601050105C50,00NTRFNONREF//B1\r
        :86:/IBAN/DE89370400440532013000/NAME/Mule X\r
        :61:2601050105D30,00NTRFEREF//B2\r
        :86:/IBAN/NL66RABO0160878799/NAME/Shop\r
        :62F:C260105EUR120,00\r
        -}\r
        {1:F01BANKMEPGAXXX0000000000}{2:O940BANKMEPGAXXXN}{4:\r
        :20:S-2\r
        :25:ME25505000012345678951\r
        :28C:2/1\r
        :60F:C260105EUR120,00\r
        :61:2601060106D10,00NMSCNONREF\r
        :62F:C260106EUR111,00\r
        -}\r

        """

    @Test func reconcilesEachStatementAndNamesTheOneThatDoesNot() throws {
        let ws = try Workspace()
        try ws.write("s.sta", Self.statements)
        let r = try CLI.run(
            [
                "trace", "import", "--import-format", "mt940", "--transfers", "s.sta", "--format", "json", "-o",
                "a.json",
            ], in: ws.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("warning: s.sta statement 2 (line 13, reference S-2) does not reconcile"))
        #expect(r.stderr.contains("= 110.00, but the closing balance is 111.00 (difference 1.00)"))
        #expect(!r.stderr.contains("statement 1 (line 2, reference S-1) does not"))
        #expect(!r.stderr.contains("entries are missing between them"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ws.read("a.json").utf8)) as? [String: Any])
        let transfers = try #require(json["transfers"] as? [[String: Any]])
        #expect(transfers.map { $0["id"] as? String } == ["s.sta:6", "s.sta:8", "s.sta:17"])
        #expect(transfers.map { $0["source_line"] as? Int } == [6, 8, 17])
        #expect(transfers.map { $0["amount"] as? String } == ["50.00", "30.00", "10.00"])
        #expect(transfers[1]["bank_reference"] as? String == "B2" && transfers[2]["to"] as? String == "unknown:s.sta#3")
        let statements = try #require(json["statements"] as? [[String: Any]])
        #expect(statements.map { $0["reconciles"] as? Bool } == [true, false])
        #expect(
            statements[0]["opening"] as? String == "100.00" && statements[0]["credits"] as? String == "50.00"
                && statements[0]["debits"] as? String == "30.00" && statements[0]["closing"] as? String == "120.00")
        #expect(
            statements[1]["computed_closing"] as? String == "110.00"
                && statements[1]["account"] as? String == "ME25505000012345678951")
        // Deterministic: the same input gives the same bytes.
        _ = try CLI.run(
            [
                "trace", "import", "--import-format", "mt940", "--transfers", "s.sta", "--format", "json", "-o",
                "b.json",
            ], in: ws.path)
        #expect(try ws.read("a.json") == ws.read("b.json"))
    }

    @Test func csvLedgerImportsBackAsCanonical() throws {
        let ws = try Workspace()
        try ws.write("s.sta", Self.statements)
        let r = try CLI.run(
            [
                "trace", "import", "--import-format", "mt940", "--transfers", "s.sta", "--format", "csv", "-o",
                "ledger.csv",
                "--statements", "statements.csv",
            ], in: ws.path)
        #expect(r.status == 1)
        let lines = try ws.read("ledger.csv").components(separatedBy: "\r\n")
        #expect(
            lines[0].hasPrefix("id,timestamp,from,to,amount,currency,source_file,source_line,element_path,statement"))
        #expect(
            lines[1].hasPrefix(
                "s.sta:6,2026-01-05T00:00:00Z,DE89370400440532013000,ME25505000012345678951,50.00,EUR,s.sta,6,"))
        let st = try ws.read("statements.csv").components(separatedBy: "\r\n")
        #expect(st.count == 4 && st[1].contains(",yes,") && st[2].contains(",NO,"))
        // The table goes to standard error with csv.
        #expect(r.stderr.contains("DOES NOT RECONCILE (difference 1.00)"))
        let back = try CLI.run(["trace", "import", "--transfers", "ledger.csv"], in: ws.path)
        #expect(back.status == 0 && back.stdout.hasPrefix("3 transfers from 1 file, 0 statements"))
    }

    /// The second statement does not open where the first closed: a gap in the account's history.
    @Test func aGapBetweenStatementsIsAWarning() throws {
        let ws = try Workspace()
        try ws.write(
            "s.sta", Self.statements.replacingOccurrences(of: ":60F:C260105EUR120,00", with: ":60F:C260105EUR121,00"))
        let r = try CLI.run(["trace", "import", "--import-format", "mt940", "--transfers", "s.sta"], in: ws.path)
        #expect(r.status == 1)
        #expect(
            r.stderr.contains(
                "warning: s.sta statement 2 (line 13, reference S-2) opens with 121.00, but the account's statement before it, "
                    + "s.sta statement 1 (line 2, reference S-1), closed with 120.00: entries are missing between them")
        )
    }

    @Test func publicStatementReconcilesAndExitsZero() throws {
        let ws = try Workspace()
        let rabo = RealWorldFixtures.path("finance/mt940/oca10_mt940_base_test-rabo.swi")
        let r = try CLI.run(["trace", "import", "--import-format", "mt940", "--transfers", rabo], in: ws.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("2 transfers from 1 file, 4 statements"))
        #expect(r.stdout.components(separatedBy: ": reconciles").count == 5)
    }

    /// A camt file with a byte that is not UTF-8 in an element name: exit 65 with the element, not a crash.
    @Test func hostileCamtIsAnErrorNotACrash() throws {
        let ws = try Workspace()
        var bytes = Array(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
            <Acct><Id><IBAN>ME25505000012345678951</IBAN></Id></Acct>
            <Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry></Stmt></BkToCstmrStmt></Document>
            """.utf8)
        let at = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("<CdtDbtInd".utf8)) })
        bytes.insert(0xC3, at: at + 3)
        bytes.insert(0x28, at: at + 4)
        try ws.write("hostile.xml", Data(bytes))
        let r = try CLI.run(
            ["trace", "import", "--import-format", "camt.053", "--transfers", "hostile.xml"], in: ws.path)
        #expect(r.status == 65)
        #expect(
            r.stderr.contains("hostile.xml line 4: byte 0xC3") && r.stderr.contains("/Document/BkToCstmrStmt/Stmt/Ntry")
        )
        // --strict names the entry's own problem.
        try ws.write("nodate.xml", String(decoding: bytes.filter { $0 != 0xC3 && $0 != 0x28 }, as: UTF8.self))
        let s = try CLI.run(
            ["trace", "import", "--import-format", "camt", "--strict", "--transfers", "nodate.xml"], in: ws.path)
        #expect(
            s.status == 65 && s.stderr.contains("neither a booking date (BookgDt) nor a value date")
                && !s.stderr.contains("111"))
    }

    @Test func helpTeachesReconciliation() throws {
        let r = try CLI.run(["trace", "import", "--help"], in: FileManager.default.temporaryDirectory.path)
        #expect(
            r.status == 0 && r.stdout.contains("opening + credits - debits = closing")
                && r.stdout.contains("--statements"))
    }
}
