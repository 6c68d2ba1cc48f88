import Foundation
import TestSupport
import Testing
import IProceedsBase

@testable import ProceedsGraph

/// `../shared/fixtures/real-world/finance` beside the repository (CI lays a copy of shared/ there), the shipped
/// profiles, and the independent reader (`Tests/Vectors/independent-importers.py`).
enum ImporterFixtures {
    static let root = RealWorldFixtures.url("finance")
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static func profile(_ name: String) -> String {
        Repository.url("Samples/bank-profiles/\(name).json").path
    }

    /// Runs the independent reader and returns its JSON figures.
    static func independent(_ kind: String, _ files: [String]) throws -> [String: Any] {
        for f in files { #expect(FileManager.default.fileExists(atPath: f), "fixture missing: \(f)") }
        let r = try ChildProcess.run(
            "python3", [Repository.url("Tests/Vectors/independent-importers.py").path, kind] + files)
        try #require(r.status == 0, "independent reader failed on \(files): \(r.stderr)")
        let data = r.stdoutBytes
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// Every public bank CSV fixture through its shipped profile, compared with an independent reading of the same
/// file (row count, money in, money out, fees, rows set aside, rows refused). The table in
/// docs/importers-tested.md is these figures.
@Suite struct BankCSVFixtureTests {
    static let cases: [(file: String, profile: String, account: String?)] = [
        ("austrian_easybank-creditcard.csv", "at-easybank-giro", nil),
        ("austrian_easybank-giro.csv", "at-easybank-giro", nil),
        ("austrian_ing-diba.csv", "at-ing-diba", nil),
        ("austrian_livebank.csv", "at-livebank", nil),
        ("austrian_oberbank.csv", "at-oberbank", "AT022050302101023600"),
        ("austrian_raiffeisen.csv", "at-raiffeisen", "AT-RAIFFEISEN-ACCOUNT"),
        ("oca_paypal_activity_en.csv", "paypal-activity", "paypal@my-company.com"),
        ("oca_paypal_statement_en.csv", "paypal-statement-en", "paypal@my-company.com"),
        ("oca_paypal_statement_es.csv", "paypal-statement-es", "paypal@my-company.com"),
        ("oca_sheet_balance.csv", "oca-sheet-signed", "OCA-ACCOUNT"),
        ("oca_sheet_debit_credit.csv", "oca-sheet-dc-column", "OCA-ACCOUNT"),
        ("oca_sheet_debit_credit_amount.csv", "oca-sheet-debit-credit", "OCA-ACCOUNT"),
        ("oca_sheet_meta_data_separated_credit_debit.csv", "oca-sheet-preamble", "08088804068"),
        ("oca_sheet_multi_currency.csv", "oca-sheet-signed-currency", "OCA-ACCOUNT"),
        ("oca_sheet_original_currency.csv", "oca-sheet-signed-currency", "OCA-ACCOUNT"),
        ("oca_sheet_sample_statement_credit_card_inverse_sign_en.csv", "oca-sheet-credit-card-inverse", "OCA-ACCOUNT"),
        ("oca_sheet_sample_statement_en.csv", "oca-sheet-signed-currency", "OCA-ACCOUNT"),
    ]

    @Test(arguments: cases.map(\.file))
    func matchesTheIndependentReader(_ file: String) throws {
        let c = Self.cases.first { $0.file == file }!
        let path = ImporterFixtures.path("bank-csv/" + file)
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(ImporterFixtures.profile(c.profile))
        options.statementAccount = c.account
        let ledger = try LedgerImporter.load([path], format: .bankCSV, options: options)
        let payments = ledger.transfers.filter { $0.extra["fee"] == nil }
        let fees = ledger.transfers.filter { $0.extra["fee"] != nil }
        func sum(_ ts: [Transfer], _ direction: String) -> MinorUnits {
            ts.filter { $0.extra["direction"] == direction }.reduce(0) { $0 + $1.amount }
        }
        let expected = try ImporterFixtures.independent("bank", [path])
        #expect(payments.count == expected["rows"] as? Int, "\(file): rows")
        #expect(ExactDecimal.format(sum(payments, "CRDT"), scale: 2) == expected["in"] as? String, "\(file): money in")
        #expect(
            ExactDecimal.format(sum(payments, "DBIT"), scale: 2) == expected["out"] as? String, "\(file): money out")
        #expect(
            ExactDecimal.format(sum(fees, "DBIT") - sum(fees, "CRDT"), scale: 2) == expected["fees"] as? String,
            "\(file): fees")
        #expect(ledger.setAside.values.reduce(0, +) == expected["set_aside"] as? Int, "\(file): set aside")
        #expect(ledger.issues.count == expected["refused"] as? Int, "\(file): refused rows \(ledger.issues)")
        for issue in ledger.issues { #expect(issue.line > 1 && !issue.reason.isEmpty) }
        // Every counterparty the file names was read (no row fell back to an unknown counterparty when a name
        // or account was there to read), and every row has a real time.
        #expect(payments.allSatisfy { $0.time > ISO8601.parse("2000-01-01")! })
    }

    /// The issue's case: ING-DiBa's header is ISO-8859-1 ("Währung"). Read as UTF-8 the import is refused with
    /// the line and what to set; and a profile naming a column the header does not have is refused naming both.
    @Test func latin1HeaderIsNeverReadSilently() throws {
        let path = ImporterFixtures.path("bank-csv/austrian_ing-diba.csv")
        var profile = try BankCSVProfile.load(ImporterFixtures.profile("at-ing-diba"))
        profile.encoding = nil
        var options = ImportOptions()
        options.profile = profile
        let e = try #require(throws: ProceedsError.self) {
            try LedgerImporter.load([path], format: .bankCSV, options: options)
        }
        #expect(e.line == 1 && e.reason.contains("not UTF-8") && e.reason.contains("encoding"))

        profile.encoding = "iso-8859-1"
        profile.counterpartyAccountColumn = "Gegenkonto"
        options.profile = profile
        let missing = try #require(throws: ProceedsError.self) {
            try LedgerImporter.load([path], format: .bankCSV, options: options)
        }
        #expect(
            missing.line == 1 && missing.reason.contains("counterparty_account_column \"Gegenkonto\"")
                && missing.reason.contains("Kontonummer;Text;Datum;Währung;Soll;Haben"))
    }

    /// A credit column holding a negative figure is not money in: refused by default, with field and value.
    @Test func negativeCreditIsRefusedWithItsReason() throws {
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(ImporterFixtures.profile("oca-sheet-debit-credit"))
        options.statementAccount = "A"
        let ledger = try LedgerImporter.load(
            [ImporterFixtures.path("bank-csv/oca_sheet_debit_credit_amount.csv")], format: .bankCSV, options: options)
        #expect(ledger.issues.map(\.line) == [3, 4])
        #expect(
            ledger.issues[0].reason.contains("credit \"Credit\" '-13.50'")
                && ledger.issues[0].reason.contains("negative_figures"))
        #expect(!ledger.transfers.contains { $0.amount == 1350 })
    }

    /// PayPal: pending rows set aside and counted; fees their own transfers; the time zone per row.
    @Test func payPalStatusFeesAndZones() throws {
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(ImporterFixtures.profile("paypal-activity"))
        options.statementAccount = "paypal@my-company.com"
        let ledger = try LedgerImporter.load(
            [ImporterFixtures.path("bank-csv/oca_paypal_activity_en.csv")], format: .bankCSV, options: options)
        #expect(ledger.setAside.keys.contains { $0.contains("Pending") })
        let first = try #require(ledger.transfers.first { $0.id == "TID1" })
        // 29/12/2015 07:45:51 PST = 15:45:51 UTC.
        #expect(
            first.time == ISO8601.parse("2015-12-29T15:45:51Z") && first.from == "paypal@partner1.com"
                && first.amount == 8400)
        let fee = try #require(ledger.transfers.first { $0.id == "TID1:fee" })
        #expect(fee.from == "paypal@my-company.com" && fee.to == "fees:paypal-activity" && fee.amount == 425)
    }
}

/// The shipped Western Balkans and Turkish profiles on their example exports (our own, in their encodings).
@Suite struct RegionalProfileTests {
    @Test func serbianWindows1250WithPreambleDirectionStatusAndFee() throws {
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(ImporterFixtures.profile("rs-windows-1250-dc"))
        let path = Repository.root.appendingPathComponent(
            "Samples/bank-profiles/rs-windows-1250-dc.example.csv"
        ).path
        let ledger = try LedgerImporter.load([path], format: .bankCSV, options: options)
        #expect(ledger.issues.isEmpty)
        #expect(ledger.setAside.values.reduce(0, +) == 1)  // "Na čekanju" (pending)
        let out = try #require(ledger.transfers.first { $0.id == "RS-0001" })
        #expect(out.from == "160-0000000012345-67" && out.to == "RS35105008123123123173" && out.amount == 4_800_000)
        // 05.01.2026 09:14 in Belgrade (UTC+1) is 08:14 UTC.
        #expect(out.time == ISO8601.parse("2026-01-05T08:14:00Z"))
        let incoming = try #require(ledger.transfers.first { $0.id == "RS-0002" })
        #expect(incoming.from == "Kupac a.d. Čačak" && incoming.amount == 125_050)
        #expect(ledger.transfers.first { $0.id == "RS-0001:fee" }?.amount == 1250)
    }

    @Test func turkishWindows1254WithBorcAlacak() throws {
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(ImporterFixtures.profile("tr-windows-1254-ba"))
        let path = Repository.root.appendingPathComponent(
            "Samples/bank-profiles/tr-windows-1254-ba.example.csv"
        ).path
        let ledger = try LedgerImporter.load([path], format: .bankCSV, options: options)
        #expect(ledger.issues.isEmpty && ledger.transfers.count == 2)
        #expect(
            ledger.transfers[0].to == "TR320010009999901234567890" && ledger.transfers[0].amount == 1_250_000
                && ledger.transfers[0].asset == "TRY")
        #expect(ledger.transfers[1].from == "Çağlar İnşaat" && ledger.transfers[1].amount == 325_075)
        #expect(ledger.transfers[0].time == ISO8601.parse("2026-01-05T06:14:00Z"))  // Istanbul is UTC+3
    }

    /// Bytes the declared encoding does not define are refused with their line, never dropped.
    @Test func undefinedBytesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("enc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let profile = dir.appendingPathComponent("p.json")
        try Data(
            #"{"name":"t","encoding":"windows-1254","delimiter":";","decimal_separator":",","date_format":"DD.MM.YYYY","date_column":"D","amount_column":"A","currency":"TRY","counterparty_name_column":"N"}"#
                .utf8
        ).write(to: profile)
        let csv = dir.appendingPathComponent("x.csv")
        // 0x9E is not defined in Windows-1254 (Foundation decodes it to the invisible control U+009E).
        try Data("D;A;N\r\n01.02.2026;1,00;ok\r\n02.02.2026;2,00;ba".utf8 + [0x9E] + Array("d\r\n".utf8)).write(to: csv)
        var options = ImportOptions()
        options.profile = try BankCSVProfile.load(profile.path)
        options.statementAccount = "X"
        let e = try #require(throws: ProceedsError.self) {
            try LedgerImporter.load([csv.path], format: .bankCSV, options: options)
        }
        #expect(e.line == 3 && e.reason.contains("windows-1254") && e.reason.contains("U+9E"))
    }

    /// A header-less export whose columns are named by position, and `#N` refused in a profile with a name.
    @Test func headerlessProfilesNameColumnsByPosition() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let profile = dir.appendingPathComponent("p.json")
        try Data(
            ##"{"name":"t","header":false,"delimiter":";","decimal_separator":",","date_format":"DD.MM.YYYY","date_column":"Datum","amount_column":"#2","currency":"EUR"}"##
                .utf8
        ).write(to: profile)
        let e = try #require(throws: ProceedsError.self) { try BankCSVProfile.load(profile.path) }
        #expect(e.reason.contains("date_column is \"Datum\""))
    }
}
