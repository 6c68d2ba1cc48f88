import Foundation
import Testing

@testable import ProceedsGraph

/// The worked example of docs/tracing-policies.md ("Statement accounts start with their opening balance").
@Suite struct StatementTraceTests {
    static let statement = """
        :20:S1
        :25:ME25505000012345678951
        :60F:C260104EUR1000,00
        :61:2601050105C500,00NTRFNONREF//B1
        :86:/IBAN/DE89370400440532013000/NAME/Mule X
        :61:2601060106D500,00NTRFNONREF//B2
        :86:/IBAN/NL66RABO0160878799/NAME/Shop
        :62F:C260106EUR1000,00
        """

    static func held(_ r: TraceResult, _ account: String) -> MinorUnits {
        r.accounts.first { $0.account == account }?.taintedHeld ?? 0
    }

    @Test func theDeclaredOpeningBalanceIsCleanFunds() throws {
        let path = try MT940Tests.file(Self.statement, name: "a.sta")
        let ledger = try LedgerImporter.load([path], format: .mt940)
        let seeds = TraceSeeds(transferIDs: ["a.sta:4"])
        let own = "ME25505000012345678951"
        let shop = "NL66RABO0160878799"
        let fifo = try TaintTracer.run(ledger, seeds: seeds, policy: .fifo)
        #expect(fifo.accounts.first { $0.account == own }?.opening == 100_000)
        // The shop is paid from the 1,000.00 the account held before the tainted 500.00 arrived.
        #expect(Self.held(fifo, shop) == 0 && Self.held(fifo, own) == 50_000)
        let lifo = try TaintTracer.run(ledger, seeds: seeds, policy: .lifo)
        #expect(Self.held(lifo, shop) == 50_000 && Self.held(lifo, own) == 0)
        // Haircut: 500 × 500 / 1,500 = 166.666… → 166.67 leaves with the payment.
        let haircut = try TaintTracer.run(ledger, seeds: seeds, policy: .haircut)
        #expect(Self.held(haircut, shop) == 16_667 && Self.held(haircut, own) == 33_333)
        #expect(haircut.conservation.balanced && haircut.conservation.valueConserved)

        // Without the statement's balances, the opening is what the account needs never to go negative: nothing.
        var bare = ledger
        bare.statements = []
        let invented = try TaintTracer.run(bare, seeds: seeds, policy: .fifo)
        #expect(Self.held(invented, shop) == 50_000 && invented.accounts.first { $0.account == own }?.opening == 0)
    }
}
