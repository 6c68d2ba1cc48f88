import Foundation
import Testing
import IProceedsBase

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

    static func file(_ text: String, name: String = "mt940.sta") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mt940-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func load(_ text: String, strict: Bool = false) throws -> Ledger {
        var options = ImportOptions()
        options.strict = strict
        return try LedgerImporter.load([try file(text)], format: .mt940, options: options)
    }

    @Test func statementLinesBecomeTransfers() throws {
        let path = try Self.file(Self.statement)
        let ledger = try LedgerImporter.load([path], format: .mt940)
        #expect(ledger.transfers.count == 4)
        let t = ledger.transfers
        // Ids are the file and the line of the :61:; the bank's reference is kept beside it.
        #expect(
            t[0].id == "mt940.sta:6" && t[0].extra["bank_reference"] == "M-0001"
                && t[0].extra["customer_reference"] == "INV-2026-014")
        #expect(t[0].from == "RS35105008123123123173" && t[0].to == "ME25505000012345678951")
        #expect(t[0].amount == 4_800_000 && t[0].time == ISO8601.parse("2026-01-05"))
        #expect(t[0].source.line == 6 && t[0].extra["counterparty_name"] == "Victim d.o.o.")
        #expect(
            t[1].to == "EXCHACC0000000000077" && t[1].amount == 2_000_000 && t[1].extra["customer_reference"] == nil)
        // Nothing names the ATM withdrawal's counterparty: an account of its own, not one shared by every entry.
        #expect(t[2].to == "unknown:\(path)#3" && t[2].amount == 900_000)
        // RC: the reversal of a credit takes money out.
        #expect(t[3].from == "ME25505000012345678951" && t[3].to == "Refund Shop" && t[3].amount == 10_000)
        #expect(ledger.issues.count == 1 && ledger.issues[0].line == 15)
        let s = try #require(ledger.statements.first)
        #expect(s.account == "ME25505000012345678951")
        #expect(s.opening?.amount == 0 && s.closing?.amount == 1_890_000 && s.skipped == 1)
    }

    /// CRLF (SWIFT FIN, most downloads), CR only and mixed line ends read the same as LF.
    @Test func lineEnds() throws {
        let lf = try Self.load(Self.statement)
        for text in [
            Self.statement.replacingOccurrences(of: "\n", with: "\r\n"),
            Self.statement.replacingOccurrences(of: "\n", with: "\r"),
        ] {
            let other = try Self.load(text)
            #expect(other.transfers.map(\.amount) == lf.transfers.map(\.amount))
            // Unidentified counterparties are named after the file, which differs here: compare their entry numbers.
            func tail(_ s: String) -> String { String(s.split(separator: "#").last ?? "") }
            #expect(other.transfers.map { tail($0.to) } == lf.transfers.map { tail($0.to) })
            #expect(other.transfers.map(\.source.line) == lf.transfers.map(\.source.line))
        }
        var lines = Self.statement.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in lines.indices where i % 2 == 0 { lines[i] += "\r" }
        #expect(try Self.load(lines.joined(separator: "\n")).transfers.map(\.amount) == lf.transfers.map(\.amount))
        // The public Sberbank file uses CRLF throughout.
        let sber = try LedgerImporter.load(
            [StatementFixtures.url("mt940/wolph_sberbank_171011_01234945.sta").path], format: .mt940)
        #expect(sber.transfers.count == 3 && sber.statements.first?.reconciles == true)
    }

    /// `:61:` by the SWIFT layout: '.' decimals, a missing type code, a blank entry date, funds codes.
    @Test func statementLineLayout() throws {
        let text = """
            :20:X
            :25:NL34RABO0142623393 EUR
            :60F:C140101EUR000000001000,00
            :61:140102C12.50NTRFNONREF
            :61:1401020102D3,NONREF//BANK-2
            :61:140102    CR7,1N541EREF
            NL66RABO0160878799
            :61:1412310102RD0,05NMSC
            :62F:C140102EUR1016,65
            """
        let l = try Self.load(text)
        #expect(l.issues.isEmpty)
        let t = l.transfers
        #expect(t.map(\.amount) == [1250, 300, 710, 5])
        #expect(
            t[1].extra["type"] == nil && t[1].extra["customer_reference"] == nil
                && t[1].extra["bank_reference"] == "BANK-2")
        #expect(t[2].extra["funds_code"] == "R" && t[2].extra["type"] == "N541" && t[2].extra["entry_date"] == nil)
        // The counterparty's IBAN in the supplementary details; the placeholder reference EREF is not an id.
        #expect(t[2].from == "NL66RABO0160878799" && t[2].id == "mt940.sta:6")
        // An entry date across New Year belongs to the next year.
        #expect(
            t[3].time == ISO8601.parse("2015-01-02") && t[3].extra["mark"] == "RD" && t[3].to == "NL34RABO0142623393")
        #expect(l.statements[0].account == "NL34RABO0142623393" && l.statements[0].reconciles == true)
        // More decimals than the currency has is an error with the --scale hint, never a cut.
        let cut = try Self.load(":25:DE1\n:60F:C140101EUR0,\n:61:140102C1,234NTRF\n")
        #expect(
            cut.transfers.isEmpty && cut.issues[0].reason.contains("3 decimals")
                && cut.issues[0].reason.contains("--scale EUR=3"))
    }

    /// The public Rabobank file of the older layout: amounts with leading zeros, account with its currency.
    @Test func publicFilesReadAsTheBankWroteThem() throws {
        let rabo = try LedgerImporter.load(
            [StatementFixtures.url("mt940/oca10_mt940_base_test-rabo.swi").path], format: .mt940)
        #expect(
            rabo.statements.count == 4
                && rabo.statements.allSatisfy { $0.account == "NL34RABO0142623393" && $0.reconciles == true })
        #expect(
            rabo.transfers.map(\.from).first == "NL66RABO0160878799"
                && rabo.transfers.first?.extra["counterparty_name"] == "R. SMITH")
        // ING: :25: IBAN with the currency glued on; /CNTP/ names the counterparty; EREF is a placeholder.
        let ing = try LedgerImporter.load(
            [StatementFixtures.url("mt940/oca10_mt940_base_test-ing.940").path], format: .mt940)
        #expect(ing.statements.count == 1 && ing.statements[0].account == "NL77INGB0574908765")
        #expect(
            ing.transfers[0].from == "NL32INGB0000012345"
                && ing.transfers[0].extra["counterparty_name"] == "ING BANK NV INZAKE WEB")
        #expect(ing.issues.isEmpty && ing.transfers.count == 8)
        // Ids stay unique where bank references repeat (97 entries, many NONREF or KREF+).
        let sepa = try LedgerImporter.load(
            [StatementFixtures.url("mt940/wolph_betterplace_sepa_mt9401.sta").path], format: .mt940)
        #expect(Set(sepa.transfers.map(\.id)).count == 97 && sepa.transfers.count == 97)
        #expect(sepa.statements.count == 26 && sepa.statements.allSatisfy { $0.reconciles != false })
        // Counterparties from ?31 (an IBAN) and ?32/?33.
        let sparse = sepa.transfers.filter { $0.from.hasPrefix("unknown:") || $0.to.hasPrefix("unknown:") }
        #expect(Set(sparse.map { $0.from.hasPrefix("unknown:") ? $0.from : $0.to }).count == sparse.count)
    }

    @Test func accountForms() {
        #expect(MT940Importer.account("BANKMEPG/ME25505000012345678951", currency: "EUR") == "ME25505000012345678951")
        #expect(MT940Importer.account("50880050/0194774600888", currency: "EUR") == "50880050/0194774600888")
        #expect(MT940Importer.account("51210600/9223382012EUR", currency: nil) == "51210600/9223382012")
        #expect(
            MT940Importer.account("UBRTHUHB/123456789150ABCDEF002/HUF", currency: "HUF")
                == "UBRTHUHB/123456789150ABCDEF002")
        #expect(MT940Importer.account("NL34RABO0142623393 EUR", currency: "EUR") == "NL34RABO0142623393")
        #expect(MT940Importer.account("NL77INGB0574908765EUR", currency: "EUR") == "NL77INGB0574908765")
        #expect(
            MT940Importer.account("PL29114010810000267002001002", currency: "PLN") == "PL29114010810000267002001002")
        #expect(MT940Importer.account("123456789", currency: "USD") == "123456789")
    }

    /// `:86:` layouts banks in the region use: `/BENM/`, SEPA keywords in free text, German subfields.
    @Test func counterpartiesFromDetails() throws {
        let text = """
            :20:S1
            :25:ME25505000012345678951
            :60F:C260101EUR1000,00
            :61:260102D100,00NTRFNONREF
            :86:/BENM//NAME/Mule One/ACCT/ME25505000099999999999/REMI/rent
            :61:260102D50,00NTRFNONREF
            :86:EREF+E2E-7 SVWZ+invoice 7 IBAN+DE89 3704 0044 0532 0130 00 BIC+COBADEFFXXX
            :61:260102C25,00NTRFNONREF
            :86:166?00GUTSCHRIFT?20EREF+E-1?21SVWZ+Gehalt?30COBADEFF?31DE89370400440532013000?32KARL?33 KAUFMANN
            :61:260102D1,00NMSCNONREF
            :61:260102D2,00NMSCNONREF
            :62F:C260102EUR872,00
            """
        let l = try Self.load(text)
        let t = l.transfers
        #expect(t[0].to == "ME25505000099999999999" && t[0].extra["counterparty_name"] == "Mule One")
        #expect(
            t[1].to == "DE89370400440532013000" && t[1].extra["end_to_end_id"] == "E2E-7"
                && t[1].extra["remittance"] == "invoice 7")
        #expect(
            t[2].from == "DE89370400440532013000" && t[2].extra["counterparty_name"] == "KARL KAUFMANN"
                && t[2].extra["end_to_end_id"] == "E-1")
        // Two entries with nothing to say who got the money: two accounts, not one.
        #expect(t[3].to != t[4].to && t[3].to.hasPrefix("unknown:") && t[4].to.hasPrefix("unknown:"))
        #expect(l.statements[0].reconciles == true)
    }

    @Test func invalidDatesAreErrorsNamingFileAndLine() throws {
        let path = StatementFixtures.url("mt940/wolph_self-provided_february_30.sta").path
        let l = try LedgerImporter.load([path], format: .mt940)
        #expect(l.transfers.isEmpty && l.issues.count == 1)
        #expect(l.issues[0].file == path && l.issues[0].line == 6 && l.issues[0].reason.contains("160230"))
        #expect(l.statements[0].reconciles == false)
        #expect(throws: ProceedsError.self) {
            try LedgerImporter.load(
                [path], format: .mt940,
                options: {
                    var o = ImportOptions(); o.strict = true; return o
                }())
        }
    }

    @Test func interimReportsAreMarked() throws {
        let l = try LedgerImporter.load([StatementFixtures.url("mt940/wolph_mBank_mt942.sta").path], format: .mt940)
        #expect(
            l.statements.count == 1 && l.statements[0].kind == "MT942" && l.statements[0].currency == "PLN"
                && l.transfers.count == 3)
        #expect(l.statements[0].notes.contains { $0.contains("do not import both") })
    }

    /// Same-day entries keep the file's order (line 9 before line 11, not "…:11" < "…:9" as text).
    @Test func sameDayEntriesKeepFileOrder() throws {
        var text = ":20:S\n:25:DE89370400440532013000\n:60F:C260101EUR0,\n"
        for k in 1...12 { text += ":61:260102C\(k),00NTRF\n" }
        let l = try Self.load(text)
        let rows = l.transfers.rows(asset: "EUR")
        #expect(rows.map { l.transfers[$0].amount } == (1...12).map { MinorUnits($0 * 100) })
    }

    @Test func sameFileTwiceIsReportedNotDoubled() throws {
        let path = try Self.file(Self.statement)
        let l = try LedgerImporter.load([path, path], format: .mt940)
        #expect(l.transfers.count == 4 && l.issues.contains { $0.reason.contains("not imported a second time") })
    }
}
