import Foundation
import IProceedsBase
import Testing

@testable import ProceedsGraph

/// Every CSV importer and reader of ProceedsGraph refuses a row whose bytes are not UTF-8, by file and line, with
/// a hint to re-encode. Before, only the canonical CSV did: the others read such bytes as U+FFFD, so that `A\xff`
/// and `A\xfe` became one account (or one label, tag, conversion, entity) with exit 0 and nothing said.
@Suite struct NonUTF8CSVTests {
    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nonutf8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func expectRefusedLines(_ ledger: Ledger, _ lines: [Int], _ what: String) {
        #expect(ledger.issues.map(\.line) == lines, "\(what)")
        for issue in ledger.issues {
            #expect(issue.reason.contains("not UTF-8") && issue.reason.contains("re-encode"), "\(what): \(issue)")
        }
    }

    @Test func amlsimRowsAreRefusedNotMerged() throws {
        var bytes = Array("tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp\n".utf8)
        bytes += Array("1,A".utf8) + [0xFF] + Array(",B,TRANSFER,10.00,2017-01-01T00:00:00Z\n".utf8)
        bytes += Array("2,A".utf8) + [0xFE] + Array(",B,TRANSFER,20.00,2017-01-02T00:00:00Z\n".utf8)
        bytes += Array("3,Čedomir,B,TRANSFER,30.00,2017-01-03T00:00:00Z\n".utf8)
        let path = try Self.file("transactions.csv", bytes)
        let ledger = try LedgerImporter.load([path], format: .amlsim)
        #expect(ledger.transfers.map(\.from) == ["Čedomir"])
        Self.expectRefusedLines(ledger, [2, 3], "amlsim")
        var strict = ImportOptions()
        strict.strict = true
        #expect(throws: ProceedsError.self) { try LedgerImporter.load([path], format: .amlsim, options: strict) }
    }

    /// The public ethereum-etl exports, with one byte of an address made 0xFF (a damaged copy, or another tool's
    /// export in Latin-1): that row is refused, the others are imported as before.
    @Test func ethereumETLRowsAreRefused() throws {
        for (name, kind) in [
            ("ethetl_export_block_with_transfers_token_transfers.csv", "token transfers"),
            ("ethetl_export_blocks_with_transactions_transactions.csv", "transactions"),
        ] {
            let original = ImporterFixtures.path("ethereum-etl/" + name)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: original)))
            var options = ImportOptions()
            options.scales["0xf4eced2f682ce333f96f2d8966c613ded8fc95dd"] = 0
            let clean = try LedgerImporter.load([original], format: .ethereumETL, options: options)
            #expect(clean.issues.isEmpty && clean.transfers.count >= 2, "\(kind)")
            // The second row's second "0x" (the payer's address; the block's hash): its "x" becomes 0xFF.
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            let second = lines[0].count + 1 + lines[1].count + 1
            let first = try #require(bytes[second...].firstIndex(of: UInt8(ascii: "x")))
            let x = try #require(bytes[(first + 1)...].firstIndex(of: UInt8(ascii: "x")))
            var damaged = bytes
            damaged[x] = 0xFF
            let ledger = try LedgerImporter.load([try Self.file(name, damaged)], format: .ethereumETL, options: options)
            #expect(ledger.transfers.count == clean.transfers.count - 1, "\(kind)")
            Self.expectRefusedLines(ledger, [3], kind)
        }
    }

    @Test func tokensCSVIsRefusedByLine() throws {
        var bytes = Array("address,symbol,name,decimals,total_supply\n".utf8)
        bytes += Array("0x111111111111111111111111111111111111111".utf8) + [0xFF] + Array(",AA,A,6,1\n".utf8)
        let path = try Self.file("tokens.csv", bytes)
        let error = try #require(throws: ProceedsError.self) { try LedgerImporter.load([path], format: .ethereumETL) }
        #expect(error.line == 2 && error.reason.contains("not UTF-8"))
    }

    /// Labels, conversions, tags and entities: a row that is not UTF-8 stops the read with its file and line.
    @Test func sideFilesAreRefusedByLine() throws {
        func bad(_ header: String, _ before: String, _ after: String) -> [UInt8] {
            Array((header + "\n" + before).utf8) + [0xFF] + Array((after + "\n").utf8)
        }
        let labels = try Self.file("labels.csv", bad("account,label,category", "A", ",Mule,mule"))
        #expect(throws: ProceedsError.self) { try LabelFile.load(labels) }
        let conversions = try Self.file("conversions.csv", bad("conversion,funding,funded", "C1,T", ",T2"))
        #expect(throws: ProceedsError.self) { try ConversionFile.load(conversions) }
        let tags = try Self.file("tags.csv", bad("address,label,category,source", "1A", ",Exchange,exchange,x"))
        #expect(throws: ProceedsError.self) { try TagFile.load(tags) }
        let entities = try Self.file("entities.csv", bad("address,entity", "1A", ",E1"))
        #expect(throws: ProceedsError.self) { try EntityDirectory.load(entities) }
        for (path, load) in [
            (labels, { _ = try LabelFile.load(labels) }), (conversions, { _ = try ConversionFile.load(conversions) }),
            (tags, { _ = try TagFile.load(tags) }), (entities, { _ = try EntityDirectory.load(entities) }),
        ] as [(String, () throws -> Void)] {
            do {
                try load()
                Issue.record("\(path) was read")
            } catch let e as ProceedsError {
                #expect(e.description.contains("line 2") && e.description.contains("not UTF-8"), "\(e)")
            }
        }
    }
}
