import Foundation
import ProceedsGraph
import Testing

/// The inputs the ledger fuzz harnesses crashed on (`Tests/FuzzRegressions/`, docs/fuzzing.md), replayed through
/// the same entry points as the harnesses in `Fuzz/`: each must now import, or stop with an ``ProceedsError``.
@Suite struct FuzzRegressionTests {
    /// `Tests/FuzzRegressions/<harness>/`: the reproducers of crashes that are fixed (`open/` is not read).
    static func reproducers(_ harness: String) throws -> [URL] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FuzzRegressions")
        try #require(FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path))
        let folder = root.appendingPathComponent(harness)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
            .filter { try $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// `Tests/FuzzRegressions/<harness>/open/<name>`: a reproducer of a crash not fixed yet.
    static func open(_ harness: String, _ name: String) throws -> URL {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FuzzRegressions/\(harness)/open/\(name)")
        try #require(FileManager.default.fileExists(atPath: file.path), "missing reproducer \(file.path)")
        return file
    }

    /// As `FuzzCanonicalCSV`, `FuzzCamt053` and `FuzzMT940` do: the import `trace` runs on a file.
    static func replayLedger(_ file: URL, format: ImportFormat) {
        do {
            _ = try LedgerImporter.load([file.path], format: format)
        } catch {
            #expect(error is ProceedsError, "\(file.lastPathComponent): \(error)")
        }
    }

    @Test(arguments: [("FuzzCanonicalCSV", ImportFormat.canonical), ("FuzzCamt053", .camt053), ("FuzzMT940", .mt940)])
    func ledgerReproducersImportOrStopCleanly(harness: String, format: ImportFormat) throws {
        for file in try Self.reproducers(harness) { Self.replayLedger(file, format: format) }
    }

    @Test func bitcoinETLReproducersImportOrStopCleanly() throws {
        for file in try Self.reproducers("FuzzBitcoinETL") {
            do {
                _ = try BitcoinETLImporter.load([file.path])
            } catch {
                #expect(error is ProceedsError, "\(file.lastPathComponent): \(error)")
            }
        }
    }

    // Found by FuzzCanonicalCSV (docs/fuzzing.md). `LedgerImporter.header` mapped each column name to its last column,
    // so a name given twice left fewer names than columns; rows were checked against the number of names and then read
    // at a higher column: Swift trapped, `trace` died. The header is now refused, naming the column and both positions.
    @Test func canonicalHeaderWithADuplicateColumnIsRefused() throws {
        let file = try Self.reproducers("FuzzCanonicalCSV").first {
            $0.lastPathComponent == "canonical-duplicate-header-column"
        }
        let url = try #require(file)
        let error = try #require(throws: ProceedsError.self) { try LedgerImporter.load([url.path], format: .canonical) }
        #expect(error.line == 1 && error.reason.contains("'x' twice (columns 1 and 2)"), "\(error)")
    }

    /// A blank column name keeps its place (`#N`), so rows are still checked against every column.
    @Test func blankHeaderNamesKeepTheirColumns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("blank-header-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.csv")
        try Data(",,id,timestamp,from,to,amount,currency\n,,T1,2026-01-01T00:00:00Z,A,B,1.00,EUR\nT2,2026\n".utf8)
            .write(to: file)
        let ledger = try LedgerImporter.load([file.path], format: .canonical)
        #expect(ledger.transfers.count == 1)
        #expect(ledger.issues.contains { $0.line == 3 }, "\(ledger.issues)")
    }

    // Found by FuzzCamt053 (docs/fuzzing.md). An attribute name that is not valid UTF-8 (`<a x\xFF="1"/>`, 11
    // bytes) made swift-corelibs-foundation's XMLParser trap in its start-element callback: `trace` died with
    // signal 4. The camt importer now checks the bytes as UTF-8 before the parser sees them.
    @Test func camt053WithANonUTF8AttributeNameIsRefused() throws {
        let file = try #require(
            try Self.reproducers("FuzzCamt053").first { $0.lastPathComponent == "camt053-invalid-utf8-attribute-name" })
        let error = try #require(throws: ProceedsError.self) { try LedgerImporter.load([file.path], format: .camt053) }
        #expect(error.reason.contains("UTF-8"), "\(error)")
    }
}
