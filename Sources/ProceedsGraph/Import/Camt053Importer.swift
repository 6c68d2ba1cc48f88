import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// ISO 20022 camt.053 (bank-to-customer statement), any version 001.02 to 001.13: every booked entry (`Ntry`) of
/// every statement, one transfer per transaction detail (`TxDtls`), or per entry when it has none.
///
/// The statement's own account is one side; the other is the counterparty's IBAN (or other id), else its name.
/// A debit (`DBIT`) goes from the statement account to the creditor, a credit (`CRDT`) from the debtor to it.
/// Entries not booked (`PDNG`, `INFO`) are reported, not imported. The same payment seen from both sides (a
/// debit in the sender's statement and a credit in the receiver's) is imported once when both carry the same
/// end-to-end id (see ``LedgerImporter/mergeDuplicates(_:)``).
final class Camt053Importer: NSObject, XMLParserDelegate {
    private let path: String
    private let sha256: String
    private let options: ImportOptions
    private(set) var transfers: [Transfer] = []
    private(set) var issues: [ImportIssue] = []
    private var parser: XMLParser?

    // Parse state.
    private var stack: [String] = []
    private var text = ""
    private var statementAccount = ""
    private var entry: Entry?
    private var detail: Detail?
    private var entryCount = 0

    private struct Detail {
        var amount: String?
        var currency: String?
        var endToEndID: String?
        var reference: String?
        var debtorAccount: String?
        var debtorName: String?
        var creditorAccount: String?
        var creditorName: String?
    }

    private struct Entry {
        var line: Int
        var amount = ""
        var currency = ""
        var direction = ""
        var status = ""
        var booked: String?
        var reference: String?
        var details: [Detail] = []
    }

    init(path: String, sha256: String, options: ImportOptions) {
        self.path = path
        self.sha256 = sha256
        self.options = options
    }

    /// - Throws: ``ImportError`` when the XML is not well-formed or not a camt.053 statement.
    func run(_ data: Data) throws {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = self
        self.parser = parser
        if !parser.parse() {
            let why = parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed XML"
            throw ImportError(file: path, line: parser.lineNumber, reason: "camt.053: \(why)")
        }
        if entryCount == 0 && statementAccount.isEmpty {
            throw ImportError(file: path, line: 0, reason: "no camt.053 statement (BkToCstmrStmt/Stmt) found")
        }
    }

    private func within(_ suffix: String...) -> Bool {
        stack.count >= suffix.count && Array(stack.suffix(suffix.count)) == suffix
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        stack.append(name)
        text = ""
        if name == "Ntry" && stack.contains("Stmt") {
            entry = Entry(line: parser.lineNumber)
            entryCount += 1
        } else if name == "TxDtls", entry != nil {
            detail = Detail()
        } else if name == "Amt" {
            if detail != nil, stack.contains("TxDtls") {
                if detail!.currency == nil || within("AmtDtls", "TxAmt", "Amt") { detail!.currency = attributes["Ccy"] }
            } else if entry != nil, within("Ntry", "Amt") {
                entry!.currency = attributes["Ccy"] ?? ""
            }
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        defer {
            stack.removeLast()
            text = ""
        }
        if entry == nil {
            // The statement's account: Stmt/Acct/Id/IBAN, or Stmt/Acct/Id/Othr/Id.
            if stack.contains("Stmt"), stack.contains("Acct"), !stack.contains("Svcr"), (name == "IBAN" || within("Othr", "Id")) {
                statementAccount = value
            }
            return
        }
        if detail != nil {
            switch name {
            case "Amt" where within("TxDtls", "Amt") || within("AmtDtls", "TxAmt", "Amt"): detail!.amount = value
            case "EndToEndId": detail!.endToEndID = value
            case "AcctSvcrRef" where within("Refs", "AcctSvcrRef"): detail!.reference = value
            case "Nm" where stack.contains("Dbtr") && !stack.contains("DbtrAgt"): detail!.debtorName = value
            case "Nm" where stack.contains("Cdtr") && !stack.contains("CdtrAgt"): detail!.creditorName = value
            case "TxDtls":
                entry!.details.append(detail!)
                detail = nil
            default: break
            }
            // Counterparty accounts: …Acct/Id/IBAN, or …Acct/Id/Othr/Id.
            if name == "IBAN" || within("Othr", "Id") {
                if stack.contains("DbtrAcct") { detail?.debtorAccount = value }
                if stack.contains("CdtrAcct") { detail?.creditorAccount = value }
            }
            return
        }
        switch name {
        case "Amt" where within("Ntry", "Amt"): entry!.amount = value
        case "CdtDbtInd" where within("Ntry", "CdtDbtInd"): entry!.direction = value
        // Sts holds the code directly (up to 001.08) or in Sts/Cd (later versions).
        case "Sts" where within("Ntry", "Sts") && !value.isEmpty, "Cd" where within("Ntry", "Sts", "Cd"): entry!.status = value
        case "DtTm" where within("BookgDt", "DtTm"): entry!.booked = value
        case "Dt" where within("BookgDt", "Dt"): entry!.booked = entry!.booked ?? value
        case "AcctSvcrRef" where within("Ntry", "AcctSvcrRef"): entry!.reference = value
        case "Ntry": finish(entry!)
        default: break
        }
        if name == "Ntry" { entry = nil }
    }

    private func fail(_ line: Int, _ why: String) {
        issues.append(ImportIssue(file: path, line: line, reason: why))
        if options.strict { parser?.abortParsing() }
    }

    private func finish(_ e: Entry) {
        guard e.status.isEmpty || e.status == "BOOK" else {
            fail(e.line, "entry \(e.reference ?? "") is \(e.status), not booked: not imported")
            return
        }
        guard e.direction == "DBIT" || e.direction == "CRDT" else { return fail(e.line, "CdtDbtInd '\(e.direction)' is neither DBIT nor CRDT") }
        guard let bookedText = e.booked, let time = Timestamp.parse(bookedText) else {
            return fail(e.line, "booking date '\(e.booked ?? "")' is missing or not ISO 8601")
        }
        guard !statementAccount.isEmpty else { return fail(e.line, "the statement has no account id") }
        let details = e.details.isEmpty ? [Detail()] : e.details
        for (k, d) in details.enumerated() {
            let currency = (d.currency ?? e.currency).uppercased()
            guard let scale = options.scale(of: currency) else { return fail(e.line, "unknown currency '\(currency)'") }
            let amountText = details.count > 1 ? (d.amount ?? "") : (d.amount ?? e.amount)
            guard let amount = Decimal.parse(amountText, scale: scale), amount > 0 else {
                return fail(e.line, "amount '\(amountText)' is not a positive amount with at most \(scale) decimals")
            }
            let debit = e.direction == "DBIT"
            let counterparty =
                (debit ? d.creditorAccount ?? d.creditorName : d.debtorAccount ?? d.debtorName)
                ?? "unknown counterparty of \(statementAccount)"
            let reference = d.reference ?? e.reference
            let id = reference.map { details.count > 1 ? "\($0)/\(k + 1)" : $0 } ?? "\(URL(fileURLWithPath: path).lastPathComponent):\(e.line)/\(k + 1)"
            var extra: [String: String] = ["direction": e.direction, "statement_account": statementAccount]
            extra["end_to_end_id"] = d.endToEndID
            extra["debtor_name"] = d.debtorName
            extra["creditor_name"] = d.creditorName
            transfers.append(Transfer(
                id: id, time: time, from: debit ? statementAccount : counterparty, to: debit ? counterparty : statementAccount,
                amount: amount, asset: currency, scale: scale,
                source: SourceReference(file: path, fileSHA256: sha256, line: e.line, reference: reference), extra: extra))
        }
    }
}
