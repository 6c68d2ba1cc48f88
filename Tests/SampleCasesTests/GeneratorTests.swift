import EvidenceKit
import Foundation
import IProceedsBase
import Testing

@testable import SampleCases

/// Known answers for the generator's building blocks, so a case is right by construction before any
/// end-to-end test runs it through iproceeds.
@Suite struct GeneratorTests {
    @Test func splitMix64MatchesTheReferenceSequence() {
        // Seed 0: the first outputs of Vigna's reference splitmix64.c.
        var r = SeededRandom(seed: 0)
        #expect(r.next() == 0xE220_A839_7B1D_CDAF)
        #expect(r.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func identifiersValidate() {
        // The IBAN registry's Serbian specimen, rebuilt from its BBAN.
        #expect(Identifiers.iban("RS", "105008123123123173") == "RS35105008123123123173")
        #expect(Identifiers.ibanValid("ME25505000012345678951"))
        #expect(!Identifiers.ibanValid("ME25505000012345678952"))
        var rng = SeededRandom(seed: 9)
        for c in ["RS", "ME", "AL", "MK", "XK", "BA", "TR", "LT"] {
            #expect(Identifiers.ibanValid(Fiction.iban(c, &rng)), "\(c)")
        }
        // BIP-173's testnet P2WPKH vector.
        let program: [UInt8] = [
            0x75, 0x1e, 0x76, 0xe8, 0x19, 0x91, 0x96, 0xd4, 0x54, 0x94, 0x1c, 0x45, 0xd1, 0xb3, 0xa3, 0x23, 0xf1, 0x43,
            0x3b, 0xd6,
        ]
        #expect(Identifiers.bech32("tb", version: 0, program: program) == "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")
        for _ in 0..<20 {
            let card = Identifiers.testCard(&rng)
            let sum = card.reversed().enumerated().reduce(0) { s, e in
                let d = e.element.wholeNumberValue! * (e.offset % 2 == 1 ? 2 : 1)
                return s + (d > 9 ? d - 9 : d)
            }
            #expect(sum % 10 == 0 && card.count == 16)
        }
    }

    @Test func crcAndArchivesAreWhatTheStandardsSay() throws {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let members: [(name: String, bytes: [UInt8])] = [
            ("a/ćirilica-Приштина.txt", Array("zdravo\n".utf8)), ("b.bin", (0..<70000).map { UInt8($0 % 251) }),
        ]
        try Data(ArchiveWriter.tar(members, modified: 1_767_323_045)).write(to: dir.appendingPathComponent("t.tar"))
        try Data(try StoredZip.archive(members, modified: 1_767_323_045)).write(to: dir.appendingPathComponent("t.zip"))
        try Data(ArchiveWriter.gzip(ArchiveWriter.tar(members, modified: 0))).write(
            to: dir.appendingPathComponent("t.tar.gz"))
        // Independent readers: bsdtar, unzip and gzip from the system.
        for (tool, args) in [
            ("bsdtar", ["-tvf", "t.tar"]), ("unzip", ["-t", "t.zip"]), ("gzip", ["-t", "t.tar.gz"]),
            ("bsdtar", ["-tzf", "t.tar.gz"]),
        ] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [tool] + args
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(tool) \(args)")
        }
        let extracted = dir.appendingPathComponent("x")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["unzip", "-q", "../t.zip"]
        p.currentDirectoryURL = extracted
        try p.run()
        p.waitUntilExit()
        #expect(try Data(contentsOf: extracted.appendingPathComponent("b.bin")) == Data(members[1].bytes))
    }

    @Test func theExpectedTaintFollowsTheWorkedExamplesOfTheDocs() {
        // docs/tracing-policies.md: M receives 3.00 tainted, then 7.00 clean, then sends 5.00 to X.
        let t = [
            PlannedTransfer(id: "S", time: 1, from: "V", to: "M", amount: 300),
            PlannedTransfer(id: "C", time: 2, from: "P", to: "M", amount: 700),
            PlannedTransfer(id: "O", time: 3, from: "M", to: "X", amount: 500),
        ]
        let held = ExpectedTaint.accounts(t, seeds: ["S"])
        #expect(held["M"] == [.poison: 500, .haircut: 150, .fifo: 0, .lifo: 300])
        #expect(held["X"] == [.poison: 500, .haircut: 150, .fifo: 300, .lifo: 0])
        // The opening-lot example: A receives 5.00 tainted and 4.00 clean, then sends 6.00 and 5.00.
        let o = [
            PlannedTransfer(id: "S", time: 1, from: "V", to: "A", amount: 500),
            PlannedTransfer(id: "C", time: 2, from: "P", to: "A", amount: 400),
            PlannedTransfer(id: "X1", time: 3, from: "A", to: "B", amount: 600),
            PlannedTransfer(id: "X2", time: 4, from: "A", to: "C", amount: 500),
        ]
        let h = ExpectedTaint.accounts(o, seeds: ["S"])
        #expect(h["B"]?[.haircut] == 273 && h["C"]?[.haircut] == 227)
        #expect(h["B"]?[.fifo] == 400 && h["C"]?[.fifo] == 100)
        #expect(h["B"]?[.lifo] == 200 && h["C"]?[.lifo] == 300)
        #expect(ExpectedTaint.halfEven(1, times: 1, over: 2) == 0 && ExpectedTaint.halfEven(3, times: 1, over: 2) == 2)
    }

    @Test func theUTXOExpectationFollowsTheDocsExample() {
        // docs/tracing-policies.md (UTXO): seed s:0 (4 BTC to M); t spends it with 6 BTC clean, pays 5 to X,
        // 4.999 back to M and a 0.001 fee. The generator's plans keep haircut splits exact; this one is too.
        let s = PlannedBitcoinTransaction(
            hash: "s", block: 1, time: 1, index: 1,
            inputs: [.init(spentTransaction: "v", spentOutput: 0, address: "V", value: 500_000_000)],
            outputs: [.init(address: "M", value: 400_000_000), .init(address: "V", value: 99_990_000)])
        let t = PlannedBitcoinTransaction(
            hash: "t", block: 2, time: 2, index: 1,
            inputs: [
                .init(spentTransaction: "s", spentOutput: 0, address: "M", value: 400_000_000),
                .init(spentTransaction: "c", spentOutput: 2, address: "C", value: 600_000_000),
            ], outputs: [.init(address: "X", value: 500_000_000), .init(address: "M", value: 499_900_000)])
        let (held, fees) = ExpectedUTXOTaint.addresses([s, t], seeds: ["s:0"])
        #expect(held["X"] == [.poison: 500_000_000, .haircut: 200_000_000, .fifo: 400_000_000, .lifo: 0])
        #expect(held["M"]?[.haircut] == 199_960_000 && held["M"]?[.lifo] == 399_900_000)
        #expect(fees == [.poison: 100_000, .haircut: 40_000, .fifo: 0, .lifo: 100_000])
    }

    @Test func everyScenarioIsDeterministicAndItsAnswersAreConsistent() throws {
        for scenario in SampleCatalog.scenarios {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("sc-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: base) }
            let a = try SampleCatalog.generate(scenario, seed: 3, into: base.appendingPathComponent("a"))
            let b = try SampleCatalog.generate(scenario, seed: 3, into: base.appendingPathComponent("b"))
            #expect(a.files == b.files)
            for f in a.files {
                #expect(
                    FileManager.default.contents(atPath: base.appendingPathComponent("a/\(f)").path)
                        == FileManager.default.contents(atPath: base.appendingPathComponent("b/\(f)").path),
                    "\(scenario.name) \(f)")
            }
            let key = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathComponent("a/answers.json")))
                    as? [String: Any])
            // Haircut, FIFO and LIFO conserve taint: what the accounts hold adds up to what was injected.
            for trace in key["traces"] as? [[String: Any]] ?? [] where (trace["fees_tainted"] == nil) {
                let held = trace["held"] as? [String: [String: String]] ?? [:]
                for policy in ["haircut", "fifo", "lifo"] {
                    let total = held.values.compactMap { Decimal(string: $0[policy] ?? "0") }.reduce(0, +)
                    #expect(
                        total == Decimal(string: trace["injected"] as? String ?? ""),
                        "\(scenario.name) \(trace["id"] ?? "") \(policy)")
                }
            }
            #expect(!a.files.contains { $0.hasPrefix("/") || $0.contains("..") })
        }
    }
}
