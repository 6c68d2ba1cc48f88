import ArgumentParser
import Foundation
import ProceedsGraph

struct TraceImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Show what the importers read: the ledger, and each statement reconciled against its own balances.",
        discussion: """
            Check a bank's files here before tracing. The ledger lists one row per transfer with the file and line \
            (or XML element path) it came from, in the canonical columns, so the CSV imports back with \
            --import-format canonical. For every statement of an MT940 or camt file, the summary gives the account, \
            the currency, the opening and closing balances the file declares, the sums of the credits and debits \
            imported, and whether opening + credits - debits = closing (exact integer arithmetic). A statement that \
            does not reconcile is named in a warning: entries are missing, skipped, or the file is not what it \
            claims to be. So is a statement that does not open with the closing balance of the same account's \
            statement before it (in the order the files are given).

            --format text (the default) prints the statements as a table; csv writes the ledger (and, with \
            --statements FILE, the statements as CSV; the table goes to standard error); json writes both.

            Examples:
              iproceeds trace import --import-format mt940 --transfers statement.sta
              iproceeds trace import --import-format camt.053 --transfers a.xml b.xml --format csv -o ledger.csv --statements statements.csv

            Exit status: 0 everything read and every statement with balances reconciles; 1 rows were skipped, or a \
            statement does not reconcile or does not follow on from the one before (named on standard error); 64 usage; 65 a file could not be imported; 66 a file cannot be read.
            """)

    @OptionGroup var input: LedgerOptions

    @Option(help: "text, csv (the ledger) or json (ledger and statements).")
    var format: Format = .text

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Also write the statement summaries as CSV to this file.", valueName: "file"))
    var statements: String?

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    func validate() throws {
        guard input.importFormat.value != .bitcoinETL else {
            throw ValidationError(
                "bitcoin-etl transactions are traced per transaction (trace run); trace import reads account ledgers")
        }
    }

    func run() throws {
        let ledger = try input.load()
        let report: String
        switch format {
        case .text: report = ImportReport.text(ledger)
        case .csv: report = ImportReport.ledgerCSV(ledger)
        case .json: report = ImportReport.json(ledger)
        }
        try reporting {
            let out = try ReportOutput(path: output)
            out.sink.write(report)
            try out.commit()
            if let statements {
                let file = try ReportOutput(path: statements)
                file.sink.write(ImportReport.statementsCSV(ledger))
                try file.commit()
            }
        }
        if format == .csv { FileHandle.standardError.write(Data(ImportReport.text(ledger).utf8)) }
        var unreconciled = 0
        for st in ledger.statements where st.reconciles == false {
            unreconciled += 1
            let diff = ExactDecimal.format(st.closing!.amount - st.computedClosing!, scale: st.scale)
            FileHandle.standardError.write(
                Data(
                    "iproceeds: warning: \(st.name) does not reconcile: opening + credits - debits = \(ExactDecimal.format(st.computedClosing!, scale: st.scale)), but the closing balance is \(ExactDecimal.format(st.closing!.amount, scale: st.scale)) (difference \(diff))\n"
                        .utf8))
        }
        let gaps = ledger.statementGaps
        for (p, n) in gaps {
            FileHandle.standardError.write(
                Data(
                    "iproceeds: warning: \(n.name) opens with \(ExactDecimal.format(n.opening!.amount, scale: n.scale)), but the account's statement before it, \(p.name), closed with \(ExactDecimal.format(p.closing!.amount, scale: p.scale)): entries are missing between them\n"
                        .utf8))
        }
        if !ledger.issues.isEmpty || unreconciled > 0 || !gaps.isEmpty { throw ExitCode(1) }
    }
}
