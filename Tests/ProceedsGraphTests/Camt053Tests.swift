import Foundation
import Testing
import IProceedsBase

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
        #expect(
            first.from == "RS35105008123123123173" && first.to == "ME25505000012345678951" && first.amount == 4_800_000)
        #expect(first.source.line == 8 && first.source.reference == "V-0001")
        #expect(ledger.transfers[1].to == "EXCH-ACC-77" && ledger.transfers[1].amount == 2_000_000)
        #expect(ledger.transfers[2].to == "Cash Courier" && ledger.transfers[2].time == ISO8601.parse("2026-01-06"))
        #expect(ledger.issues.count == 1)
        #expect(ledger.issues[0].reason.contains("PDNG"))

        let trace = try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["V-0001"]), policy: .fifo)
        #expect(trace.accounts.first { $0.account == "ME25505000012345678951" }?.taintedHeld == 1_800_000)
        #expect(trace.accounts.first { $0.account == "EXCH-ACC-77" }?.taintedHeld == 2_000_000)
    }

    @Test func malformedXMLIsAnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).xml").path
        try Data("<Document><BkToCstmrStmt><Stmt>".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ProceedsError.self) { try LedgerImporter.load([path], format: .camt053) }
    }
}

@Suite struct CamtStatementTests {
    static func file(_ text: String, name: String = "camt.xml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("camt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func document(_ entries: String, balances: String = "", owner: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
        <GrpHdr><MsgId>M</MsgId><CreDtTm>2026-01-06T06:00:00Z</CreDtTm></GrpHdr>
        <Stmt><Id>S-1</Id>
        <Acct><Id><IBAN>ME25505000012345678951</IBAN></Id><Ccy>EUR</Ccy>\(owner)</Acct>
        \(balances)
        \(entries)
        </Stmt></BkToCstmrStmt></Document>
        """
    }

    static func entry(
        _ amount: String, _ dir: String, ref: String? = nil, dates: String = "<BookgDt><Dt>2026-01-05</Dt></BookgDt>",
        details: String = "", extra: String = ""
    ) -> String {
        "<Ntry><Amt Ccy=\"EUR\">\(amount)</Amt><CdtDbtInd>\(dir)</CdtDbtInd>\(extra)<Sts>BOOK</Sts>\(dates)"
            + (ref.map { "<AcctSvcrRef>\($0)</AcctSvcrRef>" } ?? "")
            + (details.isEmpty ? "" : "<NtryDtls>\(details)</NtryDtls>") + "</Ntry>\n"
    }

    static func tx(_ amount: String? = nil, creditor: String? = nil, debtor: String? = nil, e2e: String = "E2E-1")
        -> String
    {
        "<TxDtls>" + (amount.map { "<Amt Ccy=\"EUR\">\($0)</Amt>" } ?? "")
            + "<Refs><EndToEndId>\(e2e)</EndToEndId></Refs><RltdPties>"
            + (debtor.map { "<Dbtr><Nm>D</Nm></Dbtr><DbtrAcct><Id><IBAN>\($0)</IBAN></Id></DbtrAcct>" } ?? "")
            + (creditor.map { "<Cdtr><Nm>C</Nm></Cdtr><CdtrAcct><Id><IBAN>\($0)</IBAN></Id></CdtrAcct>" } ?? "")
            + "</RltdPties></TxDtls>"
    }

    static func load(_ text: String, strict: Bool = false) throws -> Ledger {
        var options = ImportOptions()
        options.strict = strict
        return try LedgerImporter.load([try file(text)], format: .camt053, options: options)
    }

    /// The statement account is Acct/Id, never the owner's personal or company id that follows it.
    @Test func accountIsAcctIdNotTheOwnersId() throws {
        let owner = "<Ownr><Nm>Jane</Nm><Id><PrvtId><Othr><Id>1234567890123</Id></Othr></PrvtId></Id></Ownr>"
        let l = try Self.load(
            Self.document(
                Self.entry("10.00", "CRDT", ref: "R1", details: Self.tx(debtor: "RS35105008123123123173")), owner: owner
            ))
        #expect(l.statements[0].account == "ME25505000012345678951" && l.transfers[0].to == "ME25505000012345678951")
    }

    /// Equal entries of one statement are separate payments: none is merged away.
    @Test func entriesOfOneStatementAreNeverMerged() throws {
        let one = Self.entry("381.00", "DBIT", details: Self.tx(creditor: "DE89370400440532013000", e2e: "SAME"))
        let l = try Self.load(Self.document(String(repeating: one, count: 12)))
        #expect(l.transfers.count == 12 && l.duplicatesMerged == 0 && Set(l.transfers.map(\.id)).count == 12)
        #expect(l.transfers[0].id == "camt.xml#1.1" && l.statements[0].debits == 457_200)
    }

    @Test func datesWithZonesAndTheValueDateFallback() throws {
        let entries =
            Self.entry("1.00", "CRDT", ref: "A", dates: "<BookgDt><Dt>2017-04-01+02:00</Dt></BookgDt>")
            + Self.entry("2.00", "CRDT", ref: "B", dates: "<ValDt><Dt>2017-04-02</Dt></ValDt>")
            + Self.entry("3.00", "CRDT", ref: "C", dates: "<BookgDt><DtTm>2017-04-03T10:00:00+02:00</DtTm></BookgDt>")
            + Self.entry("4.00", "CRDT", ref: "D", dates: "")
            + Self.entry("5.00", "CRDT", ref: "E", dates: "<BookgDt><Dt>2017-02-30</Dt></BookgDt>")
        let l = try Self.load(Self.document(entries))
        #expect(
            l.transfers.map(\.time) == [
                ISO8601.parse("2017-04-01"), ISO8601.parse("2017-04-02"), ISO8601.parse("2017-04-03T08:00:00Z"),
            ])
        #expect(l.statements[0].notes.contains { $0.contains("no BookgDt") && $0.contains("2017-04-02") })
        #expect(l.issues.count == 2)
        #expect(
            l.issues[0].reason.contains("/Document/BkToCstmrStmt/Stmt[1]/Ntry[4]")
                && l.issues[0].reason.contains("neither"))
        #expect(l.issues[1].reason.contains("2017-02-30"))
    }

    /// --strict gives the entry's own problem, not the XML parser's "error 111" for the abort.
    @Test func strictGivesTheRealReason() throws {
        let text = Self.document(Self.entry("1.00", "CRDT", ref: "A", dates: ""))
        do {
            _ = try Self.load(text, strict: true)
            Issue.record("no error")
        } catch let e as ProceedsError {
            #expect(e.reason.contains("neither a booking date") && !e.reason.contains("111") && e.line > 0)
        }
    }

    /// A byte that is not UTF-8 in an element name: an error naming the element, not a crash of the process.
    @Test func invalidUTF8IsAnErrorNotACrash() throws {
        var bytes = Array(Self.document(Self.entry("1.00", "CRDT", ref: "A")).utf8)
        let at = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("<CdtDbtInd>".utf8)) })
        bytes.insert(0xFF, at: at + 4)
        let path = try Self.file("")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try LedgerImporter.load([path], format: .camt053)
            Issue.record("no error")
        } catch let e as ProceedsError {
            #expect(e.reason.contains("0xFF") && e.reason.contains("/Document/BkToCstmrStmt/Stmt/Ntry") && e.line == 7)
        }
    }

    /// A file cut short, or with a closing tag that does not match, is not well-formed: an error naming where,
    /// never the statements read before the damage (FoundationXML recovers from both and reports success).
    @Test func damagedXMLIsAnError() throws {
        let whole = Self.document(Self.entry("1.00", "CRDT", ref: "A") + Self.entry("2.00", "CRDT", ref: "B"))
        let cut = String(whole.prefix(upTo: whole.range(of: "<AcctSvcrRef>B")!.lowerBound))
        let mismatched = whole.replacingOccurrences(of: "</CdtDbtInd>", with: "</CdtDbtIndX>")
        for text in [cut, mismatched] {
            do {
                let l = try Self.load(text)
                Issue.record("imported \(l.transfers.count) transfers from a damaged file")
            } catch let e as ProceedsError {
                #expect(e.reason.contains("not well-formed XML") && e.line > 0, "\(e.reason)")
                #expect(e.reason.contains("/Document/BkToCstmrStmt/Stmt[1]/Ntry"), "\(e.reason)")
            }
        }
    }

    @Test func batchesChargesAndReversals() throws {
        let batch = Self.entry(
            "30.00", "DBIT", ref: "B1",
            details: Self.tx("20.00", creditor: "DE89370400440532013000")
                + Self.tx("10.00", creditor: "NL66RABO0160878799"))
        let uneven = Self.entry(
            "31.00", "DBIT", ref: "B2",
            details: Self.tx("20.00", creditor: "DE89370400440532013000")
                + Self.tx("10.00", creditor: "NL66RABO0160878799"))
        let reversal = Self.entry(
            "7.00", "CRDT", ref: "R1",
            details: Self.tx(creditor: "DE89370400440532013000", debtor: "ME25505000012345678951"),
            extra: "<RvslInd>true</RvslInd>")
        let balances = """
            <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-04</Dt></Dt></Bal>
            <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">46.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-05</Dt></Dt></Bal>
            """
        let l = try Self.load(Self.document(batch + uneven + reversal, balances: balances))
        #expect(l.transfers.map(\.id) == ["B1/1", "B1/2", "B2", "R1"])
        #expect(l.transfers.map(\.amount) == [2000, 1000, 3100, 700])
        #expect(l.transfers[2].to == "unknown:\(l.inputs[0].path)#2")
        #expect(l.statements[0].notes.contains { $0.contains("do not add up") })
        // The reversal brings money back from the original payee.
        #expect(
            l.transfers[3].from == "DE89370400440532013000" && l.transfers[3].to == "ME25505000012345678951"
                && l.transfers[3].extra["reversal"] == "true")
        #expect(
            l.statements[0].opening?.amount == 10_000 && l.statements[0].closing?.amount == 4_600
                && l.statements[0].reconciles == true)
    }

    @Test func camt052And054AndPublicFiles() throws {
        for (name, kind) in [
            ("genkgo_camt052.v2.xml", "camt.052"), ("genkgo_camt054.v2.xml", "camt.054"),
            ("oca_test-camt054.xml", "camt.054"),
        ] {
            let l = try LedgerImporter.load([StatementFixtures.url("camt053/" + name).path], format: .camt053)
            #expect(l.statements.first?.kind == kind && l.transfers.count == 1, "\(name)")
        }
        let multi = try LedgerImporter.load(
            [StatementFixtures.url("camt053/genkgo_camt053.v2.multi.statement.xml").path], format: .camt053)
        #expect(multi.statements.count == 2 && multi.statements.allSatisfy { $0.reconciles == true })
    }
}
