import Foundation
import Testing

@testable import ProceedsGraph

@Suite struct EthereumETLTests {
    @Test func eighteenDecimalTokenTransfersInBlockAndLogOrder() throws {
        let token = "0x1111111111111111111111111111111111111111"
        let csv = """
            token_address,from_address,to_address,value,transaction_hash,log_index,block_number
            \(token),0xVICTIM,0xMULE,120000000000000000000000000,0xaaa,7,100
            \(token),0xMULE,0xEXCHANGE,100000000000000000000000000,0xbbb,2,101
            \(token),0xCLEAN,0xMULE,30000000000000000000000000,0xccc,1,101
            \(token),0xMULE,0xX,abc,0xddd,3,101
            0x2222222222222222222222222222222222222222,0xA,0xB,5,0xeee,1,99

            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eth-\(UUID().uuidString).csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        var options = ImportOptions()
        options.scales[token] = 18
        let ledger = try LedgerImporter.load([path], format: .ethereumETL, options: options)
        #expect(ledger.transfers.count == 3)
        #expect(ledger.issues.map(\.line) == [5, 6])  // bad value; token of unknown decimals
        #expect(ledger.transfers[0].amount == ExactDecimal.parse("120000000", scale: 18))
        // Block 101: log 1 (clean in) applies before log 2 (out), whatever the file order.
        let lifo = try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["0xaaa:7"]), policy: .lifo)
        let exchange = try #require(lifo.accounts.first { $0.account == "0xexchange" })
        #expect(ExactDecimal.format(exchange.taintedHeld, scale: 18) == "70000000.000000000000000000")
        let haircut = try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["0xaaa:7"]), policy: .haircut)
        // 100M × 120/150 = 80M exactly.
        #expect(
            ExactDecimal.format(haircut.accounts.first { $0.account == "0xexchange" }!.taintedHeld, scale: 18)
                == "80000000.000000000000000000")
        #expect(haircut.conservation.balanced)
    }
}
