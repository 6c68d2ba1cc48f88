import Foundation
import Testing

@testable import ProceedsGraph

@Suite struct Camt053Tests {
    /// The victim's statement (camt.053.001.02) and the mule's (camt.053.001.08, where names sit under Pty), both
    /// showing the same payment; the mule's also a batch entry of two onward transfers and a pending entry.
    static let victim = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>V-1</MsgId><CreDtTm>2026-01-06T06:00:00Z</CreDtTm></GrpHdr>
            <Stmt>
              <Id>V-STMT-1</Id>
              <Acct><Id><IBAN>RS35105008123123123173</IBAN></Id><Svcr><FinInstnId><BIC>BANKRSBG</BIC></FinInstnId></Svcr></Acct>
              <Ntry>
                <Amt Ccy="EUR">48000.00</Amt>
                <CdtDbtInd>DBIT</CdtDbtInd>
                <Sts>BOOK</Sts>
                <BookgDt><DtTm>2026-01-05T09:00:00Z</DtTm></BookgDt>
                <AcctSvcrRef>V-0001</AcctSvcrRef>
                <NtryDtls><TxDtls>
                  <Refs><EndToEndId>INV-2026-014</EndToEndId></Refs>
                  <RltdPties>
                    <Cdtr><Nm>Dobavljac d.o.o.</Nm></Cdtr>
                    <CdtrAcct><Id><IBAN>ME25505000012345678951</IBAN></Id></CdtrAcct>
                  </RltdPties>
                </TxDtls></NtryDtls>
              </Ntry>
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """

    static let mule = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>M-1</MsgId><CreDtTm>2026-01-06T06:00:00Z</CreDtTm></GrpHdr>
            <Stmt>
              <Id>M-STMT-1</Id>
              <Acct><Id><IBAN>ME25505000012345678951</IBAN></Id></Acct>
              <Ntry>
                <Amt Ccy="EUR">48000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                <BookgDt><DtTm>2026-01-05T09:00:05Z</DtTm></BookgDt><AcctSvcrRef>M-0001</AcctSvcrRef>
                <NtryDtls><TxDtls>
                  <Refs><EndToEndId>INV-2026-014</EndToEndId></Refs>
                  <RltdPties>
                    <Dbtr><Pty><Nm>Victim d.o.o.</Nm></Pty></Dbtr>
                    <DbtrAcct><Id><IBAN>RS35105008123123123173</IBAN></Id></DbtrAcct>
                  </RltdPties>
                </TxDtls></NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="EUR">30000.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                <BookgDt><Dt>2026-01-06</Dt></BookgDt><AcctSvcrRef>M-0002</AcctSvcrRef>
                <NtryDtls>
                  <TxDtls><Amt Ccy="EUR">20000.00</Amt><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
                    <RltdPties><Cdtr><Pty><Nm>Exchange Ltd</Nm></Pty></Cdtr><CdtrAcct><Id><Othr><Id>EXCH-ACC-77</Id></Othr></Id></CdtrAcct></RltdPties></TxDtls>
                  <TxDtls><Amt Ccy="EUR">10000.00</Amt>
                    <RltdPties><Cdtr><Pty><Nm>Cash Courier</Nm></Pty></Cdtr></RltdPties></TxDtls>
                </NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="EUR">500.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
                <BookgDt><Dt>2026-01-07</Dt></BookgDt><AcctSvcrRef>M-0003</AcctSvcrRef>
              </Ntry>
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """

    @Test func statementsFromBothSidesImportEachPaymentOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("camt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let v = dir.appendingPathComponent("victim.xml").path
        let m = dir.appendingPathComponent("mule.xml").path
        try Data(Self.victim.utf8).write(to: URL(fileURLWithPath: v))
        try Data(Self.mule.utf8).write(to: URL(fileURLWithPath: m))
        let ledger = try LedgerImporter.load([v, m], format: .camt053)
        #expect(ledger.duplicatesMerged == 1)
        #expect(ledger.transfers.map(\.id) == ["V-0001", "M-0002/1", "M-0002/2"])
        let first = ledger.transfers[0]
        #expect(first.from == "RS35105008123123123173" && first.to == "ME25505000012345678951" && first.amount == 4_800_000)
        #expect(first.source.line == 8 && first.source.reference == "V-0001")
        #expect(ledger.transfers[1].to == "EXCH-ACC-77" && ledger.transfers[1].amount == 2_000_000)
        #expect(ledger.transfers[2].to == "Cash Courier" && ledger.transfers[2].time == Timestamp.parse("2026-01-06"))
        #expect(ledger.issues.count == 1)
        #expect(ledger.issues[0].reason.contains("PDNG"))

        let trace = try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["V-0001"]), policy: .fifo)
        #expect(trace.accounts.first { $0.account == "ME25505000012345678951" }?.taintedHeld == 1_800_000)
        #expect(trace.accounts.first { $0.account == "EXCH-ACC-77" }?.taintedHeld == 2_000_000)
    }

    @Test func malformedXMLIsAnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).xml").path
        try Data("<Document><BkToCstmrStmt><Stmt>".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ImportError.self) { try LedgerImporter.load([path], format: .camt053) }
    }
}
