import Foundation
import Testing

/// What the trace commands say about what they imported: duplicate ids, ambiguous seeds, and input that left
/// nothing to trace.
@Suite struct ImportCLITests {
    @Test func ambiguousSeedIsRefusedAndAQualifiedOneTraces() throws {
        let w = try Workspace()
        try w.write(
            "a.csv", "id,timestamp,from,to,amount,currency\nPAY-1,2026-01-05T09:00:00Z,VICTIM,MULE,100.00,EUR\n")
        try w.write(
            "b.csv", "id,timestamp,from,to,amount,currency\nPAY-1,2026-01-06T09:00:00Z,INNOCENT,SHOP,70.00,EUR\n")
        let r = try CLI.run(
            ["trace", "run", "--transfers", "a.csv", "b.csv", "--seed-tx", "PAY-1", "--policy", "fifo"], in: w.path)
        #expect(r.status == 64)
        #expect(r.stderr.contains("transfer id PAY-1 occurs 2 times (a.csv:2, b.csv:2)"))
        #expect(r.stderr.contains("--seed-tx PAY-1 names 2 transfers") && r.stderr.contains("PAY-1@b.csv:2"))
        let one = try CLI.run(
            [
                "trace", "run", "--transfers", "a.csv", "b.csv", "--seed-tx", "a.csv:2", "--policy", "fifo", "--format",
                "csv",
            ], in: w.path)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("MULE") && !one.stdout.contains("SHOP"))
    }

    @Test func everyRowSkippedExits65() throws {
        let w = try Workspace()
        try w.write(
            "l.csv",
            "id,timestamp,from,to,amount,currency\nT1,2026-02-30T09:00:00Z,A,B,12,50,EUR\nT2,2026-01-05T09:00:00Z,A,B,\"1 000,00\",EUR\n"
        )
        let r = try CLI.run(
            ["trace", "run", "--transfers", "l.csv", "--seed-tx", "T1", "--policy", "fifo"], in: w.path)
        #expect(r.status == 65)
        #expect(r.stderr.contains("all 2 rows were skipped") && r.stderr.contains("l.csv line 3: amount '1 000,00'"))
    }
}
