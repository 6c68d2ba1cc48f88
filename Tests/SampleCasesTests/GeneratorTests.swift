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

    @Test func theEntityExpectationFollowsTheDocsDefinitions() {
        // Worked by hand from docs/clustering.md ("Taint per entity"): the seed s pays 4 BTC to M; t peels 1 BTC to
        // the exchange's deposit D1 and 2.999 on to M2; the exchange sweeps D1 with a clean deposit D2 (3 BTC)
        // into its hot wallet H, paying 0.001 in fees. D1, D2 and H are one entity, named X by a tag.
        let btc: Int64 = 100_000_000
        func tx(
            _ h: String, _ t: Int64, _ i: [PlannedBitcoinTransaction.Input], _ o: [PlannedBitcoinTransaction.Output]
        )
            -> PlannedBitcoinTransaction
        { PlannedBitcoinTransaction(hash: h, block: t, time: t, index: 1, inputs: i, outputs: o) }
        let s = tx(
            "s", 1, [.init(spentTransaction: "v", spentOutput: 0, address: "V", value: 5 * btc)],
            [.init(address: "M", value: 4 * btc), .init(address: "V", value: btc - 10_000)])
        let t = tx(
            "t", 2, [.init(spentTransaction: "s", spentOutput: 0, address: "M", value: 4 * btc)],
            [.init(address: "D1", value: btc), .init(address: "M2", value: 2_999_000_000 / 10)])
        let u = tx(
            "u", 3,
            [
                .init(spentTransaction: "t", spentOutput: 0, address: "D1", value: btc),
                .init(spentTransaction: "w", spentOutput: 1, address: "D2", value: 3 * btc),
            ], [.init(address: "H", value: 399_900_000)])
        let groups = ExpectedEntities.groups([s, t, u], seeds: ["s:0"]) { a in
            ["D1", "D2", "H"].contains(a)
                ? .init(entity: "E-D1", label: "X", category: "exchange") : .init(entity: "E-" + a)
        }
        let x = groups.first { $0.group == "X" }
        // Received from outside: only D1's 1 BTC (H's arrival comes from X's own D1), under every policy.
        #expect(x?.received == [.poison: btc, .haircut: btc, .fifo: btc, .lifo: btc])
        #expect(x?.receiving[.haircut] == ["D1"])
        // Held at H: poison all of it; haircut a quarter (0.99975); FIFO the tainted 1 BTC first; LIFO the clean
        // 3 BTC first, so the fee takes 0.001 of the taint.
        #expect(x?.held == [.poison: 399_900_000, .haircut: 99_975_000, .fifo: btc, .lifo: 99_900_000])
        #expect(x?.holding[.fifo] == ["H"] && x?.entities[.poison] == ["E-D1"])
        let m2 = groups.first { $0.group == "E-M2" }
        #expect(m2?.received[.lifo] == 299_900_000 && m2?.held[.poison] == 299_900_000)
        let m = groups.first { $0.group == "E-M" }
        #expect(m?.received[.fifo] == 4 * btc && (m?.held[.fifo] ?? 0) == 0)
        #expect(groups.map(\.group) == ["E-M", "E-M2", "X"])
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
