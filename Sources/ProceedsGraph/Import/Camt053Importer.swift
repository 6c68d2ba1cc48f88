import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// ISO 20022 bank-to-customer cash management messages, any version: camt.053 statements (`Stmt`), camt.052
/// account reports (`Rpt`) and camt.054 debit/credit notifications (`Ntfctn`), which share the entry (`Ntry`)
/// structure. Every booked entry becomes one transfer, or one per transaction detail of a batch whose amounts add
/// up to the entry's (docs/formats.md).
///
/// - The statement's own account is `Acct/Id/IBAN` or `Acct/Id/Othr/Id` of the statement, never an owner's or
///   servicer's identification. The other side is the counterparty's account (IBAN or other id), else its name,
///   else an account `unknown:<file>#<entry>` of its own.
/// - A debit (`DBIT`) goes from the statement account to the creditor, a credit (`CRDT`) from the debtor to it.
///   A reversal (`RvslInd` true) is booked in its own direction (a `CRDT` reversal brings a debited amount back)
///   and its counterparty is the original payment's.
/// - The time is `BookgDt` (`Dt` or `DtTm`; an `xs:date` with a zone is that calendar day), else `ValDt` with a
///   note in the statement summary. Entries not booked (`PDNG`, `INFO`) are reported, not imported.
/// - Balances: `OPBD` (else `PRCD`) opening, `CLBD` closing, `CLAV` available.
/// - Transfer ids: the entry's `AcctSvcrRef` (with `/k` per transaction of a batch) when present and unique in
///   the file, else `<file name>#<statement>.<entry>`.
/// - The bytes are checked as UTF-8 before the XML parser sees them: FoundationXML's parser stops the process on
///   some invalid bytes instead of reporting them.
final class Camt053Importer: NSObject, XMLParserDelegate {
    private let path: String
    private let name: String
    private let sha256: String
    private let options: ImportOptions
    private(set) var transfers: [Transfer] = []
    private(set) var issues: [ImportIssue] = []
    private(set) var statements: [StatementSummary] = []
    private var parser: XMLParser?
    private var aborted: ImportIssue?

    // Parse state.
    private var stack: [String] = []
    private var counts: [[String: Int]] = [[:]]
    private var indexedPath: [String] = []
    private var text = ""
    private var summary: StatementSummary?
    private var accountCurrency = ""
    private var balance: (code: String, amount: String, currency: String, direction: String, date: String?)?
    private var entry: Entry?
    private var detail: Detail?
    private var entryOrdinal = 0
    private var kind = "camt.053"
    private var pending: [(transfer: Transfer, refID: String?, position: String)] = []

    private struct Detail {
        var amount: String?
        var currency: String?
        var direction: String?
        var endToEndID: String?
        var reference: String?
        var debtorAccount: String?
        var debtorName: String?
        var creditorAccount: String?
        var creditorName: String?
        var remittance: String?
        var charges: [String] = []
    }

    private struct Entry {
        var line: Int
        var path: String
        var ordinal: Int
        var amount = ""
        var currency = ""
        var direction = ""
        var reversal = false
        var status = ""
        var booked: String?
        var bookedIsDateTime = false
        var value: String?
        var valueIsDateTime = false
        var reference: String?
        var charges: [String] = []
        var details: [Detail] = []
    }

    init(path: String, sha256: String, options: ImportOptions) {
        self.path = path
        self.name = URL(fileURLWithPath: path).lastPathComponent
        self.sha256 = sha256
        self.options = options
    }

    /// - Throws: ``ProceedsError`` when the bytes are not UTF-8, the XML is not well-formed, or it holds no
    ///   statement, report or notification; with `strict`, the first entry that cannot be imported.
    func run(_ data: Data) throws {
        try Self.checkUTF8([UInt8](data), path: path)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = self
        self.parser = parser
        let finished = parser.parse()
        if let aborted { throw ProceedsError(file: aborted.file, line: aborted.line, reason: aborted.reason) }
        // FoundationXML may recover from a damaged document and report success: the first error it signalled,
        // a closing tag that is not the open element's, or elements still open at the end all mean the file is
        // not well-formed, and nothing read from it is used.
        if let malformed {
            throw ProceedsError(file: path, line: malformed.line, reason: malformed.reason)
        }
        if !finished || parser.parserError != nil || !stack.isEmpty {
            let code = (parser.parserError as NSError?)?.code ?? 5
            throw ProceedsError(
                file: path, line: parser.lineNumber,
                reason:
                    "not well-formed XML at column \(parser.columnNumber)\(stack.isEmpty ? "" : ", inside \(currentPath)")"
                    + " (\(Self.xmlProblem(code))); the file may be cut short or not a camt message")
        }
        if statements.isEmpty {
            throw ProceedsError(
                file: path, line: 0,
                reason: "no camt.053 statement, camt.052 report or camt.054 notification (BkToCstmrStmt/Stmt, "
                    + "BkToCstmrAcctRpt/Rpt, BkToCstmrDbtCdtNtfctn/Ntfctn) found; if the file is in another format, give it with --import-format"
            )
        }
        // Ids: the bank's entry reference when it is a real one and unique in the file, else the entry's position.
        var uses: [String: Int] = [:]
        for p in pending { if let r = p.refID { uses[r, default: 0] += 1 } }
        transfers = pending.map { p in
            var t = p.transfer
            if let r = p.refID, uses[r] == 1 { t.id = r } else { t.id = p.position }
            return t
        }
    }

    /// libxml2's codes as FoundationXML reports them, for the ones a damaged statement gives.
    static func xmlProblem(_ code: Int) -> String {
        switch code {
        case 4: return "the document is empty"
        case 5: return "the document ends before its elements are closed"
        case 9: return "a character that XML does not allow"
        case 38, 39, 40, 41: return "a malformed attribute"
        case 64: return "the XML declaration is malformed"
        case 68, 73: return "a malformed tag"
        case 76: return "a closing tag does not match the open element"
        case 85: return "an unclosed element"
        default: return "XML parser error \(code)"
        }
    }

    /// Refuses bytes that are not UTF-8, naming the line, the byte and the element it sits in.
    static func checkUTF8(_ bytes: [UInt8], path: String) throws {
        // ISO 20022 messages are UTF-8; a declaration of another encoding is refused rather than half-read.
        let head = String(decoding: bytes.prefix(200), as: UTF8.self).lowercased()
        if head.hasPrefix("<?xml"), let decl = head.split(separator: ">").first, let r = decl.range(of: "encoding=") {
            let enc = decl[r.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" }
            guard enc == "utf-8" || enc == "utf8" || bytes.allSatisfy({ $0 < 0x80 }) else {
                throw ProceedsError(
                    file: path, line: 1,
                    reason:
                        "the XML declaration says encoding \"\(enc)\"; ISO 20022 messages are UTF-8: convert the file "
                        + "(iconv -f \(enc) -t utf-8) and keep the original beside it")
            }
        }
        var i = 0
        var line = 1
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b == 0x0A { line += 1 }
                i += 1
                continue
            }
            var need = 0
            var min: UInt32 = 0
            var cp: UInt32 = 0
            if b & 0xE0 == 0xC0 {
                need = 1; min = 0x80; cp = UInt32(b & 0x1F)
            } else if b & 0xF0 == 0xE0 {
                need = 2; min = 0x800; cp = UInt32(b & 0x0F)
            } else if b & 0xF8 == 0xF0 {
                need = 3; min = 0x10000; cp = UInt32(b & 0x07)
            }
            var ok = need > 0
            if ok {
                for k in 1...need {
                    guard i + k < n, bytes[i + k] & 0xC0 == 0x80 else { ok = false; break }
                    cp = cp << 6 | UInt32(bytes[i + k] & 0x3F)
                }
            }
            if ok, cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) { ok = false }
            guard ok else {
                let hex = String(b, radix: 16, uppercase: true)
                let at = elementPath(Array(bytes[..<i]))
                throw ProceedsError(
                    file: path, line: line,
                    reason:
                        "byte 0x\(hex.count == 1 ? "0" + hex : hex) at offset \(i) is not UTF-8\(at.isEmpty ? "" : " (in \(at))"); "
                        + "ISO 20022 messages are UTF-8: ask the bank for the file as sent, or convert it (iconv) and keep both"
                )
            }
            i += need + 1
        }
    }

    /// The open elements at the end of `prefix` (a rough scan of tags, for error messages only).
    static func elementPath(_ prefix: [UInt8]) -> String {
        var stack: [String] = []
        var i = 0
        while i < prefix.count {
            guard prefix[i] == UInt8(ascii: "<"), i + 1 < prefix.count else { i += 1; continue }
            let c = prefix[i + 1]
            if c == UInt8(ascii: "?") || c == UInt8(ascii: "!") { i += 2; continue }
            let closing = c == UInt8(ascii: "/")
            var j = i + (closing ? 2 : 1)
            let start = j
            while j < prefix.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/")].contains(prefix[j])
            { j += 1 }
            var nameBytes = Array(prefix[start..<j])
            if let colon = nameBytes.lastIndex(of: UInt8(ascii: ":")) { nameBytes = Array(nameBytes[(colon + 1)...]) }
            let name = String(decoding: nameBytes, as: UTF8.self)
            var k = j
            while k < prefix.count, prefix[k] != UInt8(ascii: ">") { k += 1 }
            let selfClosing = k > 0 && k < prefix.count && prefix[k - 1] == UInt8(ascii: "/")
            if closing { if !stack.isEmpty { stack.removeLast() } } else if !selfClosing { stack.append(name) }
            i = k + 1
        }
        return stack.isEmpty ? "" : "/" + stack.joined(separator: "/")
    }

    private var currentPath: String { "/" + indexedPath.joined(separator: "/") }

    private func within(_ suffix: String...) -> Bool {
        stack.count >= suffix.count && stack[(stack.count - suffix.count)...].elementsEqual(suffix)
    }

    private static let containers: Set<String> = ["Stmt", "Rpt", "Ntfctn"]

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        stack.append(name)
        let n = (counts[counts.count - 1][name] ?? 0) + 1
        counts[counts.count - 1][name] = n
        counts.append([:])
        indexedPath.append(
            n > 1 || Self.containers.contains(name) || name == "Ntry" || name == "TxDtls" ? "\(name)[\(n)]" : name)
        text = ""
        switch name {
        case "BkToCstmrAcctRpt": kind = "camt.052"
        case "BkToCstmrDbtCdtNtfctn": kind = "camt.054"
        case "BkToCstmrStmt": kind = "camt.053"
        default: break
        }
        if Self.containers.contains(name), stack.count >= 2, stack[stack.count - 2].hasPrefix("BkToCstmr") {
            summary = StatementSummary(
                file: path, fileSHA256: sha256, index: statements.count + 1,
                location: "line \(parser.lineNumber), \(currentPath)",
                kind: kind)
            accountCurrency = ""
        } else if name == "Ntry", summary != nil {
            entryOrdinal += 1
            entry = Entry(line: parser.lineNumber, path: currentPath, ordinal: entryOrdinal)
        } else if name == "TxDtls", entry != nil {
            detail = Detail()
        } else if name == "Bal", summary != nil, entry == nil {
            balance = ("", "", "", "", nil)
        } else if name == "Amt" {
            if detail != nil {
                if within("TxDtls", "Amt") || within("AmtDtls", "TxAmt", "Amt") { detail!.currency = attributes["Ccy"] }
            } else if entry != nil, within("Ntry", "Amt") {
                entry!.currency = attributes["Ccy"] ?? ""
            } else if balance != nil, within("Bal", "Amt") {
                balance!.currency = attributes["Ccy"] ?? ""
            }
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        noteMalformed(parser, Self.xmlProblem((parseError as NSError).code))
    }

    private var malformed: ImportIssue?

    private func noteMalformed(_ parser: XMLParser, _ why: String) {
        guard malformed == nil else { return }
        malformed = ImportIssue(
            file: path, line: parser.lineNumber,
            reason:
                "not well-formed XML at column \(parser.columnNumber)\(stack.isEmpty ? "" : ", inside \(currentPath)") (\(why)); "
                + "the file may be cut short or damaged, or not a camt message")
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.last != name {
            noteMalformed(parser, "closing tag \(name) does not match the open element \(stack.last ?? "(none)")")
            return
        }
        defer {
            stack.removeLast()
            counts.removeLast()
            indexedPath.removeLast()
            text = ""
        }
        if Self.containers.contains(name), let s = summary, entry == nil, stack.count >= 2,
            stack[stack.count - 2].hasPrefix("BkToCstmr")
        {
            var s = s
            if s.currency.isEmpty { s.currency = accountCurrency }
            statements.append(s)
            summary = nil
            return
        }
        guard summary != nil else { return }
        if detail != nil {
            endDetail(name, value)
            return
        }
        if entry != nil {
            endEntry(name, value)
            return
        }
        if balance != nil {
            switch name {
            case "Cd" where within("Bal", "Tp", "CdOrPrtry", "Cd"): balance!.code = value
            case "Amt" where within("Bal", "Amt"): balance!.amount = value
            case "CdtDbtInd" where within("Bal", "CdtDbtInd"): balance!.direction = value
            case "Dt" where within("Bal", "Dt", "Dt"), "DtTm" where within("Bal", "Dt", "DtTm"): balance!.date = value
            case "Bal": endBalance(parser.lineNumber)
            default: break
            }
            return
        }
        // The statement's own account: Stmt/Acct/Id/IBAN or Stmt/Acct/Id/Othr/Id, nothing deeper (Ownr, Svcr).
        if stack.count >= 4, Self.containers.contains(stack[stack.count - 4]), within("Acct", "Id", "IBAN") {
            setAccount(value)
        } else if stack.count >= 5, Self.containers.contains(stack[stack.count - 5]), within("Acct", "Id", "Othr", "Id")
        {
            if summary!.account.isEmpty { setAccount(value) }
        } else if stack.count >= 3, Self.containers.contains(stack[stack.count - 3]), within("Acct", "Ccy") {
            accountCurrency = value.uppercased()
        } else if stack.count >= 2, Self.containers.contains(stack[stack.count - 2]) {
            if name == "Id" { summary!.reference = value }
            if name == "ElctrncSeqNb" || name == "LglSeqNb" { summary!.number = summary!.number ?? value }
        }
    }

    private func setAccount(_ value: String) {
        summary!.accountAsWritten = value
        summary!.account = StatementText.normalizedAccount(value)
    }

    private func endBalance(_ line: Int) {
        guard let b = balance else { return }
        balance = nil
        let currency = b.currency.uppercased()
        guard let scale = options.scale(of: currency) else {
            return fail(
                line,
                "\(currentPath): balance \(b.code) in unknown currency '\(currency)' (give its decimals with --scale \(currency)=N)"
            )
        }
        guard case .success(let v) = StatementText.amount(b.amount, scale: scale) else {
            return fail(
                line,
                "\(currentPath)/Amt: balance \(b.code) amount '\(b.amount)' is not a number with at most \(scale) decimals"
            )
        }
        let date = b.date.flatMap {
            $0.count > 10 && $0.contains("T") ? StatementText.isoDateTime($0) : StatementText.isoDate($0)
        }
        let balance = StatementBalance(amount: b.direction == "DBIT" ? -v : v, date: date, kind: b.code)
        if summary!.currency.isEmpty { summary!.currency = currency }
        summary!.scale = scale
        switch b.code {
        case "OPBD": summary!.opening = balance
        case "PRCD": if summary!.opening == nil { summary!.opening = balance }
        case "CLBD": summary!.closing = balance
        case "CLAV": summary!.available = balance
        default: break
        }
    }

    private func endDetail(_ name: String, _ value: String) {
        switch name {
        case "Amt" where within("TxDtls", "Amt"): detail!.amount = value
        case "Amt" where within("AmtDtls", "TxAmt", "Amt"): if detail!.amount == nil { detail!.amount = value }
        case "CdtDbtInd" where within("TxDtls", "CdtDbtInd"): detail!.direction = value
        case "EndToEndId" where within("Refs", "EndToEndId"): detail!.endToEndID = value
        case "AcctSvcrRef" where within("Refs", "AcctSvcrRef"): detail!.reference = value
        case "Nm" where within("Dbtr", "Nm") || within("Dbtr", "Pty", "Nm"): detail!.debtorName = value
        case "Nm" where within("Cdtr", "Nm") || within("Cdtr", "Pty", "Nm"): detail!.creditorName = value
        case "Ustrd" where within("RmtInf", "Ustrd"):
            detail!.remittance = [detail!.remittance, value].compactMap { $0 }.joined(separator: " ")
        case "Amt" where stack.contains("Chrgs"): detail!.charges.append(value)
        case "TxDtls":
            entry!.details.append(detail!)
            detail = nil
            return
        default: break
        }
        // Counterparty accounts: …Acct/Id/IBAN, or …Acct/Id/Othr/Id.
        if within("DbtrAcct", "Id", "IBAN") || within("DbtrAcct", "Id", "Othr", "Id") {
            if detail!.debtorAccount == nil || name == "IBAN" {
                detail!.debtorAccount = StatementText.normalizedAccount(value)
            }
        }
        if within("CdtrAcct", "Id", "IBAN") || within("CdtrAcct", "Id", "Othr", "Id") {
            if detail!.creditorAccount == nil || name == "IBAN" {
                detail!.creditorAccount = StatementText.normalizedAccount(value)
            }
        }
    }

    private func endEntry(_ name: String, _ value: String) {
        switch name {
        case "Amt" where within("Ntry", "Amt"): entry!.amount = value
        case "CdtDbtInd" where within("Ntry", "CdtDbtInd"): entry!.direction = value
        case "RvslInd" where within("Ntry", "RvslInd"): entry!.reversal = value == "true" || value == "1"
        // Sts holds the code directly (up to 001.08) or in Sts/Cd (later versions).
        case "Sts" where within("Ntry", "Sts") && !value.isEmpty, "Cd" where within("Ntry", "Sts", "Cd"):
            entry!.status = value
        case "DtTm" where within("BookgDt", "DtTm"), "DtTm" where within("BookgDt", "Dt", "DtTm"):
            entry!.booked = value
            entry!.bookedIsDateTime = true
        case "Dt" where within("Ntry", "BookgDt", "Dt") && !value.isEmpty:
            if entry!.booked == nil { entry!.booked = value }
        case "DtTm" where within("ValDt", "DtTm"), "DtTm" where within("ValDt", "Dt", "DtTm"):
            entry!.value = value
            entry!.valueIsDateTime = true
        case "Dt" where within("Ntry", "ValDt", "Dt") && !value.isEmpty: if entry!.value == nil { entry!.value = value }
        case "AcctSvcrRef" where within("Ntry", "AcctSvcrRef"): entry!.reference = value
        case "Amt" where stack.contains("Chrgs"): entry!.charges.append(value)
        case "Ntry":
            finish(entry!)
            entry = nil
        default: break
        }
    }

    private func fail(_ line: Int, _ why: String) {
        let issue = ImportIssue(file: path, line: line, reason: why)
        issues.append(issue)
        if options.strict, aborted == nil {
            aborted = issue
            parser?.abortParsing()
        }
    }

    private func finish(_ e: Entry) {
        func skip(_ why: String) {
            summary!.skipped += 1
            fail(e.line, "\(e.path): \(why)")
        }
        guard e.status.isEmpty || e.status == "BOOK" else {
            // Not booked: not part of the balances either, so not counted as skipped.
            fail(e.line, "\(e.path): entry \(e.reference ?? "") is \(e.status), not booked: not imported")
            return
        }
        guard e.direction == "DBIT" || e.direction == "CRDT" else {
            return skip("CdtDbtInd '\(e.direction)' is neither DBIT nor CRDT")
        }
        let time: Int64
        func parseDate(_ s: String, _ isDateTime: Bool) -> Int64? {
            isDateTime ? StatementText.isoDateTime(s) : StatementText.isoDate(s)
        }
        if let b = e.booked {
            guard let t = parseDate(b, e.bookedIsDateTime) else {
                return skip(
                    "BookgDt '\(b)' is not an ISO 8601 date or date-time (such as 2026-01-05, 2026-01-05+01:00 or 2026-01-05T09:00:00Z)"
                )
            }
            time = t
        } else if let v = e.value {
            guard let t = parseDate(v, e.valueIsDateTime) else {
                return skip("ValDt '\(v)' is not an ISO 8601 date or date-time")
            }
            time = t
            summary!.notes.append("entry \(e.ordinal) (\(e.path)) has no BookgDt: timed by its ValDt \(v)")
        } else {
            return skip("entry has neither a booking date (BookgDt) nor a value date (ValDt)")
        }
        guard !summary!.account.isEmpty else {
            return skip("the statement has no account (Acct/Id/IBAN or Acct/Id/Othr/Id)")
        }
        let currency = (e.currency.isEmpty ? accountCurrency : e.currency).uppercased()
        guard let scale = options.scale(of: currency) else {
            return skip("Amt: unknown currency '\(currency)' (give its decimals with --scale \(currency)=N)")
        }
        let entryAmount: MinorUnits
        switch StatementText.amount(e.amount, scale: scale) {
        case .success(let v): entryAmount = v
        case .failure(.tooManyDecimals(let n)):
            return skip(
                "Amt '\(e.amount)' has \(n) decimals, \(currency) has \(scale) (if it has more here, give --scale \(currency)=\(n))"
            )
        case .failure: return skip("Amt '\(e.amount)' is not an amount")
        }
        if summary!.currency.isEmpty { summary!.currency = currency }
        summary!.scale = scale
        let debit = e.direction == "DBIT"
        summary!.entries += 1
        if debit {
            summary!.debits += entryAmount
            summary!.debitCount += 1
        } else {
            summary!.credits += entryAmount
            summary!.creditCount += 1
        }
        guard entryAmount > 0 else {
            summary!.notes.append("entry \(e.ordinal) (\(e.path)) of 0 moves no money; no transfer made")
            return
        }
        // A batch becomes one transfer per transaction when their amounts (same currency) add up to the entry;
        // otherwise the entry is one transfer and the batch is noted.
        var parts: [(Detail, MinorUnits)] = []
        if e.details.count > 1 {
            var sum: MinorUnits = 0
            var ok = true
            for d in e.details {
                guard let a = d.amount, (d.currency ?? currency).uppercased() == currency,
                    case .success(let v) = StatementText.amount(a, scale: scale),
                    d.direction == nil || d.direction == e.direction, v > 0
                else { ok = false; break }
                parts.append((d, v))
                sum += v
            }
            if !ok || sum != entryAmount {
                parts = []
                summary!.notes.append(
                    "entry \(e.ordinal) (\(e.path)): its \(e.details.count) transactions do not add up to the entry's amount; imported as one transfer"
                )
            }
        }
        let split = !parts.isEmpty
        if parts.isEmpty { parts = [(e.details.count == 1 ? e.details[0] : Detail(), entryAmount)] }
        let account = summary!.account
        for (k, (d, amount)) in parts.enumerated() {
            // A reversal's parties are the original payment's: its counterparty is on the other side.
            let creditorSide = debit != e.reversal
            var counterparty = creditorSide ? d.creditorAccount ?? d.creditorName : d.debtorAccount ?? d.debtorName
            if counterparty == account { counterparty = creditorSide ? d.creditorName : d.debtorName }
            if !split, e.details.count > 1 {
                // One transfer for a batch: its counterparty only when every transaction names the same one.
                let all = Set(
                    e.details.map {
                        creditorSide ? $0.creditorAccount ?? $0.creditorName : $0.debtorAccount ?? $0.debtorName
                    })
                counterparty = all.count == 1 ? all.first! : nil
            }
            let other = counterparty.map(StatementText.collapsed) ?? "unknown:\(path)#\(e.ordinal)"
            let reference = d.reference ?? e.reference
            let real = reference.flatMap { $0.isEmpty || $0 == "NOTPROVIDED" || $0 == "NONREF" ? nil : $0 }
            let suffix = split ? "/\(k + 1)" : ""
            var extra: [String: String] = [
                "direction": e.direction, "statement_account": account, "statement": "\(summary!.index)",
                "element_path": e.path,
            ]
            extra["end_to_end_id"] = d.endToEndID
            extra["debtor_name"] = d.debtorName
            extra["creditor_name"] = d.creditorName
            extra["bank_reference"] = e.reference
            extra["value_date"] = e.value.map { String($0.prefix(10)) }
            extra["remittance"] = d.remittance
            if e.reversal { extra["reversal"] = "true" }
            let charges = e.charges + d.charges
            if !charges.isEmpty { extra["charges"] = charges.joined(separator: " ") }
            if e.details.count > 1 { extra["batch"] = "\(e.details.count) transactions" }
            let transfer = Transfer(
                id: "", time: time, orderKey: [Int64(e.ordinal), Int64(k)], from: debit ? account : other,
                to: debit ? other : account,
                amount: amount, asset: currency, scale: scale,
                source: SourceReference(file: path, fileSHA256: sha256, line: e.line, reference: reference),
                extra: extra)
            pending.append((transfer, real.map { $0 + suffix }, "\(name)#\(summary!.index).\(e.ordinal)\(suffix)"))
            summary!.transfers += 1
        }
    }
}
