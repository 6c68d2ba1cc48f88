import IProceedsBase

/// One bank transfer of a case, as the generator plans it; each ledger format below writes it in its own words.
struct PlannedTransfer {
    var id: String
    var time: Int64
    var from: String
    var to: String
    /// Minor units of `currency`.
    var amount: Int64
    var currency = "EUR"
    var memo = ""
    /// The end-to-end id both banks' statements carry.
    var endToEnd = ""
    var fromName = ""
    var toName = ""
}

/// ISO 20022 camt.053.001.08 statements: one statement of one account, every entry booked, one transaction
/// detail per entry, the counterparty's IBAN (or other id) and name.
enum Camt053Writer {
    static func statement(
        account: String, owner: String, bic: String, id: String, created: Int64, currency: String,
        entries: [(transfer: PlannedTransfer, reference: String)]
    ) -> String {
        var x = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
              <BkToCstmrStmt>
                <GrpHdr><MsgId>\(id)</MsgId><CreDtTm>\(SampleClock.iso(created))</CreDtTm></GrpHdr>
                <Stmt>
                  <Id>\(id)</Id>
                  <CreDtTm>\(SampleClock.iso(created))</CreDtTm>
                  <Acct><Id><IBAN>\(account)</IBAN></Id><Ccy>\(currency)</Ccy><Ownr><Nm>\(xml(owner))</Nm></Ownr><Svcr><FinInstnId><BICFI>\(bic)</BICFI></FinInstnId></Svcr></Acct>

            """
        for (t, ref) in entries {
            let debit = t.from == account
            let other = debit ? t.to : t.from
            let otherName = debit ? t.toName : t.fromName
            let otherID =
                other.count >= 15 && other.prefix(2).allSatisfy(\.isLetter)
                    && other.dropFirst(2).prefix(2).allSatisfy(\.isNumber)
                ? "<IBAN>\(other)</IBAN>" : "<Othr><Id>\(xml(other))</Id></Othr>"
            let party =
                debit
                ? "<Cdtr><Pty><Nm>\(xml(otherName))</Nm></Pty></Cdtr><CdtrAcct><Id>\(otherID)</Id></CdtrAcct>"
                : "<Dbtr><Pty><Nm>\(xml(otherName))</Nm></Pty></Dbtr><DbtrAcct><Id>\(otherID)</Id></DbtrAcct>"
            x += """
                      <Ntry>
                        <Amt Ccy="\(t.currency)">\(Amount.text(t.amount))</Amt><CdtDbtInd>\(debit ? "DBIT" : "CRDT")</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                        <BookgDt><DtTm>\(SampleClock.iso(t.time))</DtTm></BookgDt><ValDt><Dt>\(SampleClock.date(t.time))</Dt></ValDt><AcctSvcrRef>\(ref)</AcctSvcrRef>
                        <BkTxCd><Prtry><Cd>\(debit ? "PMNT-OUT" : "PMNT-IN")</Cd></Prtry></BkTxCd>
                        <NtryDtls><TxDtls>
                          <Refs><AcctSvcrRef>\(ref)</AcctSvcrRef><EndToEndId>\(t.endToEnd.isEmpty ? "NOTPROVIDED" : t.endToEnd)</EndToEndId></Refs>
                          <RltdPties>\(party)</RltdPties>
                          <RmtInf><Ustrd>\(xml(t.memo))</Ustrd></RmtInf>
                        </TxDtls></NtryDtls>
                      </Ntry>

                """
        }
        x += """
                </Stmt>
              </BkToCstmrStmt>
            </Document>

            """
        return x
    }

    static func xml(_ s: String) -> String { Escaping.xml(s) }
}

/// Bank CSV exports in the layouts of `Samples/bank-profiles/`.
enum BankCSVWriter {
    /// The generic layout (`generic-signed-amount.json`): commas, ISO dates, one signed amount.
    static let genericHeader = "Date,Transaction ID,Counterparty,Counterparty IBAN,Amount,Currency\n"

    static func genericRow(_ t: PlannedTransfer, account: String, id: String) -> String {
        let out = t.from == account
        return "\(SampleClock.date(t.time)),\(id),\(csv(out ? t.toName : t.fromName)),\(out ? t.to : t.from),"
            + "\(Amount.text(out ? -t.amount : t.amount)),\(t.currency)\n"
    }

    /// The Serbian layout (`rs-semicolon-debit-credit.json`): semicolons, decimal comma, `DD.MM.YYYY`,
    /// separate debit and credit columns, the account in every row.
    static let serbianHeader =
        "Racun;Datum knjizenja;Referenca;Naziv primaoca/platioca;Racun primaoca/platioca;Duguje;Potrazuje;Valuta\n"

    static func serbianRow(_ t: PlannedTransfer, account: String, id: String) -> String {
        let out = t.from == account
        let name = (out ? t.toName : t.fromName).replacingOccurrences(of: ";", with: ",")
        return "\(account);\(SampleClock.dottedDate(t.time));\(id);\(name);\(out ? t.to : t.from);"
            + "\(out ? Amount.commaText(t.amount) : "");\(out ? "" : Amount.commaText(t.amount));\(t.currency)\n"
    }

    static func csv(_ s: String) -> String { CSV.field(s) }
}

/// The canonical ledger CSV of `trace run` (`id,timestamp,from,to,amount,currency,memo`).
enum CanonicalCSV {
    static let header = "id,timestamp,from,to,amount,currency,memo\n"

    static func row(_ t: PlannedTransfer, scale: Int = 2) -> String {
        "\(t.id),\(SampleClock.iso(t.time)),\(t.from),\(t.to),\(Amount.text(t.amount, scale: scale)),\(t.currency),\(BankCSVWriter.csv(t.memo))\n"
    }
}

/// Puts a chain's planned transactions in blocks: blocks every ten minutes from three days before the case's first
/// event, from a block height drawn once; a transaction carries its block's time and a position within it.
struct BlockClock {
    let origin: Int64
    let baseBlock: Int64
    private var perBlock: [Int64: Int] = [:]

    /// Draws the first block's height from `rng`.
    init(start: Int64, _ rng: inout SeededRandom) {
        origin = start - 86400 * 3
        baseBlock = Int64(2_800_000 + rng.int(0...200_000))
    }

    /// The transaction `label` at `time` (its hash drawn from `rng`), placed in the block that time falls in.
    mutating func transaction(
        _ label: String, _ time: Int64, _ inputs: [PlannedBitcoinTransaction.Input],
        _ outputs: [PlannedBitcoinTransaction.Output], _ rng: inout SeededRandom
    ) -> PlannedBitcoinTransaction {
        let block = baseBlock + (time - origin) / 600
        perBlock[block, default: 0] += 1
        return PlannedBitcoinTransaction(
            hash: Identifiers.txHash("\(label) \(rng.next())"), block: block,
            time: origin + (block - baseBlock) * 600 + 540,
            index: perBlock[block]! * 7, inputs: inputs, outputs: outputs)
    }
}

/// One bitcoin-etl `transactions` record (JSON Lines, values in satoshi).
struct PlannedBitcoinTransaction {
    struct Output {
        var address: String
        var value: Int64
    }
    struct Input {
        var spentTransaction: String
        var spentOutput: Int
        var address: String
        var value: Int64
    }
    var hash: String
    var block: Int64
    var time: Int64
    var index: Int
    var inputs: [Input]
    var outputs: [Output]

    var fee: Int64 { inputs.reduce(0) { $0 + $1.value } - outputs.reduce(0) { $0 + $1.value } }

    /// The record, keys in bitcoin-etl's order.
    var jsonLine: String {
        let ins = inputs.enumerated().map { k, i in
            "{\"index\":\(k),\"spent_transaction_hash\":\"\(i.spentTransaction)\",\"spent_output_index\":\(i.spentOutput),"
                + "\"script_asm\":\"\",\"script_hex\":\"\",\"sequence\":4294967293,\"required_signatures\":null,"
                + "\"type\":\"witness_v0_keyhash\",\"addresses\":[\"\(i.address)\"],\"value\":\(i.value)}"
        }
        let outs = outputs.enumerated().map { k, o in
            "{\"index\":\(k),\"script_asm\":\"\",\"script_hex\":\"\",\"required_signatures\":1,"
                + "\"type\":\"witness_v0_keyhash\",\"addresses\":[\"\(o.address)\"],\"value\":\(o.value)}"
        }
        let inValue = inputs.reduce(0) { $0 + $1.value }
        let outValue = outputs.reduce(0) { $0 + $1.value }
        return
            "{\"hash\":\"\(hash)\",\"size\":\(110 + 68 * inputs.count + 31 * outputs.count),\"virtual_size\":\(110 + 68 * inputs.count + 31 * outputs.count),"
            + "\"version\":2,\"lock_time\":0,\"block_number\":\(block),\"block_hash\":\"\(Identifiers.txHash("block \(block)"))\","
            + "\"block_timestamp\":\(time),\"is_coinbase\":false,\"index\":\(index),\"inputs\":[\(ins.joined(separator: ","))],"
            + "\"outputs\":[\(outs.joined(separator: ","))],\"input_count\":\(inputs.count),\"output_count\":\(outputs.count),"
            + "\"input_value\":\(inValue),\"output_value\":\(outValue),\"fee\":\(inValue - outValue)}\n"
    }
}
