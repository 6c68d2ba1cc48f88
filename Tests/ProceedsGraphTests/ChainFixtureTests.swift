import Foundation
import TestSupport
import Testing

@testable import ProceedsGraph

/// bitcoin-etl and ethereum-etl public fixtures against the independent reader (Python's json with integers
/// read as integers).
@Suite struct ChainFixtureTests {
    static let bitcoinFiles: [(file: String, chain: String)] = [
        ("btcetl_bitcoin_block_0_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_block_1_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_block_with_transactions_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_block_without_transactions_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_stream_50001_50002_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_cash_block_with_duplicate_txid_transactions.json", "bitcoin_cash"),
        ("btcetl_dogecoin_block_with_float_precision_loss_transactions.json", "dogecoin"),
        ("btcetl_dogecoin_block_without_transactions_transactions.json", "dogecoin"),
        ("btcetl_zcash_block_0_transactions.json", "zcash"),
        ("btcetl_zcash_block_with_shielded_addresses_transactions.json", "zcash"),
        ("btcetl_zcash_block_with_value_balance_transactions.json", "zcash"),
    ]

    @Test(arguments: bitcoinFiles.map(\.file))
    func bitcoinETLMatchesTheIndependentReader(_ file: String) throws {
        let chain = Self.bitcoinFiles.first { $0.file == file }!.chain
        let path = ImporterFixtures.path("bitcoin-etl/" + file)
        let r = try BitcoinETLImporter.load([path], chain: chain)
        let expected = try ImporterFixtures.independent("utxo", [path])
        #expect(r.transactions.count == expected["transactions"] as? Int, "\(file): transactions")
        #expect(
            r.issues.count == expected["refused"] as? Int,
            "\(file): refused (un-enriched, spent outputs not in the data)")
        for issue in r.issues { #expect(issue.reason.contains("enrich") && issue.line > 0) }
        let outputs = r.transactions.reduce(0) { $0 + $1.outputs.count } + (expected["refused"] as? Int == 0 ? 0 : 0)
        if r.issues.isEmpty {
            #expect(outputs == expected["outputs"] as? Int)
            #expect(
                String(r.transactions.reduce(MinorUnits(0)) { $0 + $1.outputs.reduce(0) { $0 + $1.value } })
                    == expected["output_value"] as? String)
        }
        #expect(
            String(r.transactions.reduce(MinorUnits(0)) { $0 + $1.inputs.reduce(0) { $0 + $1.value } }) == expected[
                "input_value"] as? String)
        #expect(r.chain.asset == UTXOChain.named(chain)!.asset)
    }

    /// Other chains are not labelled BTC: without --chain, their addresses are refused with the chain they
    /// suggest; with it, the trace is in their asset.
    @Test func otherChainsAreNeverLabelledBTC() throws {
        for (file, suggested) in [
            ("btcetl_dogecoin_block_without_transactions_transactions.json", "dogecoin"),
            ("btcetl_zcash_block_with_shielded_addresses_transactions.json", "zcash"),
            ("btcetl_bitcoin_cash_block_with_duplicate_txid_transactions.json", "bitcoin_cash"),
        ] {
            let path = ImporterFixtures.path("bitcoin-etl/" + file)
            let e = try #require(throws: ProceedsError.self) { try BitcoinETLImporter.load([path], chain: nil) }
            #expect(e.reason.contains(suggested) && e.reason.contains("--chain"), "\(file)")
        }
        let btc = try BitcoinETLImporter.load(
            [ImporterFixtures.path("bitcoin-etl/btcetl_bitcoin_block_0_transactions.json")], chain: nil)
        #expect(btc.chain.asset == "BTC" && btc.chainNote?.contains("--chain") == true)
        let doge = try BitcoinETLImporter.load(
            [ImporterFixtures.path("bitcoin-etl/btcetl_dogecoin_block_without_transactions_transactions.json")],
            chain: "DOGE")
        let r = try UTXOTracer.run(
            doge.transactions, seeds: [doge.transactions[0].hash], policy: .fifo, scale: doge.chain.scale,
            asset: doge.chain.asset)
        #expect(r.asset == "DOGE")
    }

    /// The dogecoin block bitcoin-etl fixed for float precision loss: values are exact integers, the largest
    /// (8,484,129,938,700,000) beyond what a double holds exactly in general; an input value is resolved from
    /// an output in the same file, the others refused with what to do.
    @Test func dogecoinValuesExactAndUnenrichedInputsResolved() throws {
        let r = try BitcoinETLImporter.load(
            [ImporterFixtures.path("bitcoin-etl/btcetl_dogecoin_block_with_float_precision_loss_transactions.json")],
            chain: "dogecoin")
        #expect(r.inputsResolved == 1)
        let spender = try #require(r.transactions.first { $0.hash.hasPrefix("c18d47d6") })
        #expect(
            spender.inputs[0].value == 13_627_613_828_378
                && spender.inputs[0].address == "DQvgsxpGtYoPaC2E8bQCJcGn7i2vkCcW2v")
        #expect(spender.fee == 13_627_613_828_378 - 13_437_727_890_878 - 189_885_937_500)
        // A value with a fraction is refused, not truncated.
        let path = try temporaryFile(
            "f.jsonl",
            #"{"hash":"h","block_number":1,"block_timestamp":1,"inputs":[],"outputs":[{"index":0,"addresses":["1A"],"value":5.5}]}"#
                + "\n")
        let f = try BitcoinETLImporter.load([path], chain: "bitcoin")
        #expect(f.transactions.isEmpty && f.issues.first?.reason.contains("5.5") == true)
    }

    @Test func zcashShieldedValueGoesToThePool() throws {
        let r = try BitcoinETLImporter.load(
            [ImporterFixtures.path("bitcoin-etl/btcetl_zcash_block_with_value_balance_transactions.json")],
            chain: "zcash")
        let deshield = try #require(r.transactions.first { $0.hash.hasPrefix("bf3541c6") })
        #expect(deshield.inputs.map(\.address) == ["zcash-shielded-pool"] && deshield.fee == 10_000)
    }

    static let ethereumFiles = [
        "ethetl_export_block_with_transfers_token_transfers.csv", "ethetl_extract_logs_token_transfers.csv",
        "ethetl_stream_17173049_token_transfers.json", "ethetl_stream_1755634_token_transfers.json",
        "ethetl_export_blocks_with_transactions_transactions.csv",
    ]

    @Test(arguments: ethereumFiles)
    func ethereumETLMatchesTheIndependentReader(_ file: String) throws {
        let path = ImporterFixtures.path("ethereum-etl/" + file)
        // Decimals of every token, as a tokens.csv would give them (the fixtures carry none): 18.
        var tokens = "address,symbol,name,decimals,total_supply,block_number\n"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for match in Set(text.matches(of: /"?token_address"?: "(0x[0-9a-f]{40})"/).map { String($0.1) })
            .union(
                text.split(separator: "\n").dropFirst().compactMap {
                    $0.hasPrefix("0x") && $0.split(separator: ",").count == 7
                        ? String($0.split(separator: ",")[0]) : nil
                })
        {
            tokens += "\(match),T,Token,18,0,1\n"
        }
        let tokensPath = try temporaryFile("tokens.csv", tokens)
        let ledger = try LedgerImporter.load([path, tokensPath], format: .ethereumETL)
        let expected = try ImporterFixtures.independent("eth", [path])
        #expect(ledger.issues.isEmpty, "\(ledger.issues.prefix(3))")
        #expect(ledger.transfers.count == expected["transfers"] as? Int)
        #expect(ledger.setAside.values.reduce(0, +) == expected["zero"] as? Int)
        var perAsset: [String: MinorUnits] = [:]
        for t in ledger.transfers { perAsset[t.asset, default: 0] += t.amount }
        let values = try #require(expected["value"] as? [String: String])
        #expect(perAsset.mapValues { String($0) } == values)
    }

    @Test func tokenDecimalsFromTokensCSVAndNativeEther() throws {
        let transfers = ImporterFixtures.path("ethereum-etl/ethetl_extract_logs_token_transfers.csv")
        let tokens = try temporaryFile(
            "tokens.csv",
            """
            address,symbol,name,decimals,total_supply,block_number
            0xc66ea802717bfb9833400264dd12c2bceaa34a6d,MKR,Maker,18,1000000000000000000000000,1
            0xe0b7927c4af23765cb51314a0e0521a9645f0e2a,DGD,Digix,9,2000000000000000,1

            """)
        let ledger = try LedgerImporter.load([transfers, tokens], format: .ethereumETL)
        #expect(ledger.transfers.map(\.scale) == [18, 9])
        #expect(ExactDecimal.format(ledger.transfers[1].amount, scale: 9) == "40.000000000")
        let native = try LedgerImporter.load(
            [ImporterFixtures.path("ethereum-etl/ethetl_export_blocks_with_transactions_transactions.csv")],
            format: .ethereumETL)
        #expect(
            native.transfers[0].asset == "ETH"
                && ExactDecimal.format(native.transfers[0].amount, scale: 18) == "110.000000000000000000")
        #expect(native.transfers[0].id == "0x99f1097abd8f33a68f0ed63d60de5f3e7e2a3e0579b90d5f46a4f201c658b46d")
        // Without decimals, the refusal says where they come from.
        let bare = try LedgerImporter.load([transfers], format: .ethereumETL)
        #expect(bare.issues.first?.reason.contains("tokens.csv") == true)
    }
}
