import Foundation
import TestSupport
import Testing

@testable import ProceedsGraph

/// `../shared/fixtures/real-world/finance` beside the repository (CI lays a copy of shared/ there).
enum StatementFixtures {
    static let root: URL = RealWorldFixtures.url("finance")

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// Every statement file of a fixture folder (not its SOURCES.md), sorted; fails when the folder is missing.
    static func files(_ folder: String) throws -> [String] {
        let dir = url(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "SOURCES.md" }.sorted()
        return names.map { dir.appendingPathComponent($0).path }
    }
}

/// Every public MT940 and camt fixture, imported, and compared with an independent reader
/// (Tests/Vectors/statement-crosscheck.py: the `mt940` package for MT940, Python's xml.etree for camt) on the figures
/// that matter: statements, booked entries, the sums of credits and debits, opening and closing balances.
/// docs/importers-tested.md lists the outcome file by file; the differences expected here are the ones explained
/// there.
@Suite struct StatementCrossCheckTests {
    /// Files where the two readings differ, and why (each checked by hand against the file).
    static let knownDifferences: [String: String] = [
        "wolph_betterplace_sepa_mt9401.sta":
            "mt940 books the reversal of a credit (RC) as a credit; the file's own balances reconcile only with RC as a debit",
        "wolph_self-provided_february_30.sta":
            "value date 30 February: refused here (an error naming the line), read by mt940",
        "wolph_self-provided_transaction_details_wrapped.sta": "value date 30 February, as above",
        "wolph_self-provided_wrapped_timestamp.sta": "value date 30 February, as above",
        "wolph_betterplace_empty_entry_date.sta":
            "a lone :61: line with no :25: account: no transfer can be made (error naming the line)",
        "wolph_cmxl_statement_line.sta": "a lone :61: line with no :25: account, as above",
        "wolph_self-provided_sparkassen.sta": "a lone :61: line with no :25: account, as above",
        "wolph_betterplace_amount_formats.sta": "six :60F: lines and nothing else: refused as no statement",
        "wolph_betterplace_missing_crlf_at_end.sta": "a lone :62F: line: refused as no statement",
        "wolph_self-provided_raphaelm.sta":
            ":62M:/:62F: without a currency code: refused with the line; mt940 reads the digits of the date and amount as the amount",
        "oca10_mt940_base_test-ing.940": "mt940 cannot read it (:28C: wrapped over two lines)",
        "oca10_mt940_nl_ing_test-ing-old.940": "mt940 cannot read it (:28C: wrapped over two lines)",
        "oca10_mt940_base_test-sns.940":
            "mt940 cannot read it without a bank-specific tag (its :61: carries the counterparty's IBAN as reference)",
    ]

    struct Figures: Equatable, CustomStringConvertible {
        var opening: MinorUnits?
        var closing: MinorUnits?
        var entries: Int
        var credits: MinorUnits
        var debits: MinorUnits
        var description: String {
            "opening \(opening.map { "\($0)" } ?? "-") closing \(closing.map { "\($0)" } ?? "-") entries \(entries) credits \(credits) debits \(debits)"
        }
    }

    static func independent(_ kind: String, _ files: [String]) throws -> [String: Any] {
        let script = Repository.url("Tests/Vectors/statement-crosscheck.py").path
        let r = try ChildProcess.run("python3", [script, kind] + files)
        try #require(
            r.status == 0, "statement-crosscheck.py failed (is the mt-940 package installed? make pydeps): \(r.stderr)")
        let data = r.stdoutBytes
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The other reader's figures for one file, at `scale` decimals, or nil when it refused the file.
    static func theirs(_ value: Any?, scale: Int) -> [Figures]? {
        guard let list = value as? [[String: Any]] else { return nil }
        func amount(_ v: Any?) -> MinorUnits? { (v as? String).flatMap { ExactDecimal.parse($0, scale: scale) } }
        return list.map { s in
            Figures(
                opening: amount(s["opening"]), closing: amount(s["closing"]), entries: s["entries"] as? Int ?? -1,
                credits: amount(s["credits"]) ?? -1, debits: amount(s["debits"]) ?? -1)
        }
    }

    /// Imports each file alone; returns its figures, or nil when the import refused the file.
    static func ours(_ path: String, format: ImportFormat) -> (ledger: Ledger?, figures: [Figures]?) {
        var options = ImportOptions()
        options.scales["DEM"] = 2  // legacy currency of two German fixtures
        guard let ledger = try? LedgerImporter.load([path], format: format, options: options) else { return (nil, nil) }
        let figures = ledger.statements.map {
            Figures(
                opening: $0.opening?.amount, closing: $0.closing?.amount, entries: $0.entries, credits: $0.credits,
                debits: $0.debits)
        }
        return (ledger, figures)
    }

    func compare(_ folder: String, kind: String, format: ImportFormat) throws -> [String] {
        let files = try StatementFixtures.files(folder)
        try #require(files.count >= 19, "fixtures missing under \(StatementFixtures.url(folder).path)")
        let reference = try Self.independent(kind, files)
        var differing: [String] = []
        var table: [String] = []
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let (ledger, mine) = Self.ours(path, format: format)
            let scale = ledger?.statements.first?.scale ?? 2
            let theirs = Self.theirs(reference[path], scale: scale)
            // A statement with no entries and no balances (a lone :25:) is no statement to either reader.
            func meaningful(_ f: [Figures]?) -> [Figures]? {
                f?.filter { $0.entries > 0 || $0.opening != nil || $0.closing != nil }
            }
            let same = meaningful(mine) == meaningful(theirs) || (mine == nil && (meaningful(theirs) ?? []).isEmpty)
            if !same { differing.append(name) }
            let reconciles = ledger?.statements.map { $0.reconciles.map { $0 ? "yes" : "NO" } ?? "no balances" } ?? []
            table.append(
                "| \(name) | \(ledger.map { "\($0.statements.count)" } ?? "refused") | \(ledger?.statements.reduce(0) { $0 + $1.entries } ?? 0) "
                    + "| \(ledger?.transfers.count ?? 0) | \(ledger?.issues.count ?? 0) | \(Set(reconciles).sorted().joined(separator: ", ")) "
                    + "| \(same ? "yes" : "no: " + (Self.knownDifferences[name] ?? "UNEXPLAINED")) |")
            if !same, Self.knownDifferences[name] == nil {
                Issue.record(
                    "\(name): ours \(mine.map { "\($0)" } ?? "refused"), independent \(theirs.map { "\($0)" } ?? "refused")"
                )
            }
        }
        // The table of docs/importers-tested.md, printed for whoever updates it.
        print(table.joined(separator: "\n"))
        return differing
    }

    @Test func everyMT940FixtureAgreesWithTheMT940Package() throws {
        let differing = try compare("mt940", kind: "mt940", format: .mt940)
        #expect(Set(differing) == Set(Self.knownDifferences.keys))
    }

    @Test func everyCamtFixtureAgreesWithXMLElementTree() throws {
        let differing = try compare("camt053", kind: "camt", format: .camt053)
        #expect(differing.isEmpty)
    }
}
