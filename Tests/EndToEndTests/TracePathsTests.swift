import Foundation
import Testing

@Suite struct TracePathsCLITests {
    static var sample: String { CLI.packageRoot.appendingPathComponent("Samples/proceeds-basic").path }

    @Test func pathsFromTheVictimToTheSkopjeMule() throws {
        let w = try Workspace()
        let args = [
            "trace", "paths", "--transfers", "\(Self.sample)/transfers.csv", "--from", "RS35105008123123123173",
            "--to", "MK07250120000058984", "--format", "json",
        ]
        let r = try CLI.run(args, in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let result = try #require((json["results"] as? [[String: Any]])?.first)
        let paths = try #require(result["paths"] as? [[String: Any]])
        #expect(paths.count == 1)
        #expect(
            (paths[0]["transfers"] as? [[String: Any]])?.map { $0["id"] as? String } == ["T-0001", "T-0002", "T-0006"])
        #expect(paths[0]["bottleneck"] as? String == "600.00")
        #expect(try CLI.run(args, in: w.path).stdoutBytes == r.stdoutBytes)
        // Two hops are not enough.
        let short = try CLI.run(args + ["--max-hops", "2"], in: w.path)
        #expect(short.status == 0 && short.stdout.contains("\"paths\": []"))
    }

    @Test func reachAsCSVAndUnknownAccounts() throws {
        let w = try Workspace()
        let r = try CLI.run(
            [
                "trace", "paths", "--transfers", "\(Self.sample)/transfers.csv", "--from",
                "RS35105008123123123173,NO-SUCH", "--format", "csv",
            ], in: w.path)
        #expect(r.status == 1)  // NO-SUCH is not in the ledger
        #expect(r.stderr.contains("NO-SUCH"))
        let rows = r.stdout.split(separator: "\r\n").map(String.init)
        #expect(rows.first == "from,account,hops,first_transfer,time,amount,asset")
        #expect(
            rows.dropFirst().map { $0.split(separator: ",")[1] } == [
                "AL35202111090000000001234567", "CASH-OUT-TIRANA", "EXCHANGE-DEPOSIT-77", "ME25505000012345678951",
                "MK07250120000058984",
            ])
        #expect(try CLI.run(["trace", "paths", "--transfers", "x.csv"], in: w.path).status == 64)
    }
}
