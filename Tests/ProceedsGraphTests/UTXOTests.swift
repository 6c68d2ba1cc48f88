import Foundation
import Testing

@testable import ProceedsGraph

@Suite struct UTXOTests {
    static let lines = """
        {"hash":"s","block_number":100,"block_timestamp":1767600000,"index":1,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"v0","spent_output_index":0,"addresses":["VICTIM"],"value":500000000}],"outputs":[{"index":0,"addresses":["M"],"value":400000000},{"index":1,"addresses":["VICTIM"],"value":99990000}]}
        {"hash":"t","block_number":101,"block_timestamp":1767600600,"index":3,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"s","spent_output_index":0,"addresses":["M"],"value":400000000},{"spent_transaction_hash":"c0","spent_output_index":2,"addresses":["C"],"value":600000000}],"outputs":[{"index":0,"addresses":["X"],"value":500000000},{"index":1,"addresses":["M"],"value":499900000}]}
        {"hash":"broken","inputs":[]}

        """

    static func load() throws -> (
        transactions: [UTXOTransaction], issues: [ImportIssue], inputs: [(path: String, sha256: String)]
    ) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("btc-\(UUID().uuidString).jsonl").path
        try Data(Self.lines.utf8).write(to: URL(fileURLWithPath: path))
        return try BitcoinETLImporter.load([path])
    }

    static func held(_ r: TraceResult, _ a: String) -> String {
        ExactDecimal.format(r.accounts.first { $0.account == a }?.taintedHeld ?? 0, scale: 8)
    }

    /// Seed output s:0 (4 BTC to M). Transaction t spends it with 6 BTC clean from C, pays 5 to X, 4.999 back to
    /// M, and a 0.001 fee. By hand: haircut 40 % of each part (2, 1.9996, 0.0004 to the fee); FIFO lays
    /// [4 tainted][6 clean] so X gets the 4 tainted; LIFO lays [6 clean][4 tainted] so X gets none, M's change
    /// 3.999 and the fee 0.001; poison taints everything.
    @Test func policiesPerTransactionByHand() throws {
        let (txs, issues, _) = try Self.load()
        #expect(txs.count == 2 && issues.count == 1 && issues[0].line == 3)
        #expect(txs[1].fee == 100_000)
        let seeds: Set<String> = ["s:0"]
        let haircut = try UTXOTracer.run(txs, seeds: seeds, policy: .haircut)
        #expect(Self.held(haircut, "X") == "2.00000000")
        #expect(Self.held(haircut, "M") == "1.99960000")
        #expect(haircut.conservation.left == 40_000)
        let fifo = try UTXOTracer.run(txs, seeds: seeds, policy: .fifo)
        #expect(
            Self.held(fifo, "X") == "4.00000000" && Self.held(fifo, "M") == "0.00000000" && fifo.conservation.left == 0)
        let lifo = try UTXOTracer.run(txs, seeds: seeds, policy: .lifo)
        #expect(
            Self.held(lifo, "X") == "0.00000000" && Self.held(lifo, "M") == "3.99900000"
                && lifo.conservation.left == 100_000)
        let poison = try UTXOTracer.run(txs, seeds: seeds, policy: .poison)
        #expect(
            Self.held(poison, "X") == "5.00000000" && Self.held(poison, "M") == "4.99900000"
                && poison.conservation.left == 100_000)
        for r in [haircut, fifo, lifo] {
            #expect(r.conservation.injected == 400_000_000)
            #expect(r.conservation.held + r.conservation.left == r.conservation.injected)
            #expect(r.conservation.balanced)
        }
        #expect(Self.held(haircut, "VICTIM") == "0.00000000")  // only output 0 was seeded
        let whole = try UTXOTracer.run(txs, seeds: ["s"], policy: .fifo)
        #expect(whole.conservation.injected == 499_990_000)
    }

    @Test func apportionmentAddsUpExactly() {
        let parts: [MinorUnits] = [1, 1, 1]
        #expect(UTXOTracer.apportion(2, over: parts, total: 3) == [1, 1, 0])
        #expect(UTXOTracer.apportion(10, over: [3, 3, 4], total: 10) == [3, 3, 4])
        let shares = UTXOTracer.apportion(7, over: [5, 5, 5], total: 15)
        #expect(shares.reduce(0, +) == 7 && shares == [3, 2, 2])
    }
}
