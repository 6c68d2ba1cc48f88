@_spi(Fuzzing) import EvidenceKit
import Foundation
import Testing

/// The inputs the fuzz harnesses crashed on (`Tests/FuzzRegressions/`, docs/fuzzing.md), replayed through the same
/// entry points as the harnesses in `Fuzz/`: each must now end in a clean error or finding.
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

    /// As `FuzzArchive` does: a member is read whole, or says why not, or what it is instead.
    static func replayArchive(_ file: URL) throws {
        let bytes = try Array(Data(contentsOf: file))
        let result = bytes.withUnsafeBytes { ArchiveFuzzing.scan($0, options: ArchiveFuzzing.harnessOptions) }
        for m in result.members {
            #expect(!m.digests.isEmpty || m.error != nil || m.note != nil, "\(file.lastPathComponent): \(m.member)")
        }
    }

    /// As `FuzzManifest` does; a manifest that cannot be read throws ``EvidenceError`` naming the line.
    static func replayManifest(_ file: URL) throws {
        do {
            _ = try ManifestReader.parse(Array(Data(contentsOf: file)), name: file.lastPathComponent)
        } catch let error as EvidenceError {
            #expect(error.code == .manifest, "\(file.lastPathComponent): \(error)")
        }
    }

    @Test func archiveReproducersScanCleanly() throws {
        for file in try Self.reproducers("FuzzArchive") { try Self.replayArchive(file) }
    }

    /// The two cpio reproducers are damaged archives: the damage is the archive's error, not a crash, not silence.
    @Test(arguments: ["archive-cpio-resync-declared-4gib-alloc", "archive-cpio-name-longer-than-input"])
    func damagedCpioIsRecordedAsDamaged(name: String) throws {
        let file = try #require(try Self.reproducers("FuzzArchive").first { $0.lastPathComponent == name })
        let bytes = try Array(Data(contentsOf: file))
        let result = bytes.withUnsafeBytes { ArchiveFuzzing.scan($0, options: ArchiveFuzzing.harnessOptions) }
        #expect(result.format == "cpio")
        #expect(result.opened)
        #expect(result.error?.hasPrefix("archive damaged after ") == true, "\(result.error ?? "no error")")
    }

    @Test func manifestReproducersParseOrThrowAManifestError() throws {
        for file in try Self.reproducers("FuzzManifest") { try Self.replayManifest(file) }
    }
}
