import IProceedsBase

extension UTXOLedger {
    /// The transactions as transfers between addresses, for path searches: each output is a transfer from each
    /// distinct input address (`coinbase` for newly mined coins) to the output's address, with id `HASH:INDEX`,
    /// the output's value, and the transaction's time and place in its block. Outputs of no value move nothing
    /// and are left out, as the account importers set zero amounts aside.
    package func addressTransfers() -> [Transfer] {
        var out: [Transfer] = []
        for tx in transactions {
            var senders: [String] = []
            for i in tx.inputs where !senders.contains(i.address) { senders.append(i.address) }
            if senders.isEmpty { senders = ["coinbase"] }
            for o in tx.outputs where o.value > 0 {
                for a in senders {
                    out.append(
                        Transfer(
                            id: "\(tx.hash):\(o.index)", time: tx.time, orderKey: [tx.block, tx.indexInBlock], from: a,
                            to: o.address, amount: o.value, asset: asset, scale: scale, source: tx.source))
                }
            }
        }
        return out
    }
}

/// A ledger for path searches across conversions (``MixedTracer/pathLedger(_:utxo:conversions:)``).
package struct ConversionPathLedger: Sendable {
    /// The account ledger and the UTXO ledger's address transfers, with funding transfers paid into and funded
    /// ones paid out of the conversion nodes.
    package var ledger: Ledger
    /// Each conversion node with its funding and funded totals: how an amount after the conversion is taken
    /// back into the funding asset (`amount × funding ÷ funded`) to compare widths along a path.
    package var rates: [String: (funding: MinorUnits, funded: MinorUnits)]
}

extension MixedTracer {
    /// One ledger in which `trace paths` can cross conversions: what ``run(_:utxo:conversions:seeds:policy:until:asset:)``
    /// traces, as transfers. Funding transfers (or the address transfers of a funding output) are paid into
    /// `conversion:ID`, and funded ones out of it, so a path reaches the funded side only through the conversion.
    /// - Throws: ``ProceedsError`` for a conversion record that does not fit the ledgers, as `run` does.
    package static func pathLedger(_ ledger: Ledger, utxo: UTXOLedger?, conversions: [ConversionRecord]) throws
        -> ConversionPathLedger
    {
        if let utxo, ledger.transfers.assetCodes.contains(utxo.asset) {
            throw ProceedsError(
                .unusableInput,
                "the account ledgers hold \(utxo.asset) transfers and the bitcoin-etl export is \(utxo.asset) too: "
                    + "leave the \(utxo.asset) transfers out of the account ledgers")
        }
        var (rewritten, links) = try link(ledger, utxo, conversions)
        var rates: [String: (funding: MinorUnits, funded: MinorUnits)] = [:]
        var into: [String: String] = [:]  // funding output -> node
        var outOf: [String: String] = [:]  // funded output -> node
        for l in links {
            rates[l.record.node] = (l.fundingAmount, l.funded.reduce(0) { $0 + $1.amount })
            if l.fromUTXO { for id in l.fundingOutputs { into[id] = l.record.node } }
            if l.toUTXO { for f in l.funded { outOf[f.id] = l.record.node } }
        }
        if let utxo {
            var paidOut = Set<String>()
            var transfers: [Transfer] = []
            for var t in utxo.addressTransfers() {
                if let node = into[t.id] { t.to = node }
                if let node = outOf[t.id] {
                    // Paid by the conversion, once, whoever's coins the exchange spent.
                    guard paidOut.insert(t.id).inserted else { continue }
                    t.from = node
                }
                transfers.append(t)
            }
            rewritten.transfers += transfers
        }
        return ConversionPathLedger(ledger: rewritten, rates: rates)
    }
}
