import EvidenceKit
import Foundation
import SharingKit
import Testing

/// The inputs the policy and package fuzz harnesses crashed on (`Tests/FuzzRegressions/`, docs/fuzzing.md),
/// replayed through the same entry points as the harnesses in `Fuzz/`.
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

    /// As `FuzzPolicy` does: a policy that cannot be used throws ``SharingError`` (`.policy`).
    @Test func policyReproducersParseOrThrowAPolicyError() throws {
        for file in try Self.reproducers("FuzzPolicy") {
            do {
                _ = try SharingPolicy.parse(Array(Data(contentsOf: file)), format: nil, source: file.lastPathComponent)
            } catch let error as SharingError {
                #expect(error.code == .policy, "\(file.lastPathComponent): \(error)")
            }
        }
    }

    /// As `FuzzSharePackage` does: a damaged package is reported unreadable or with problems, never intact.
    @Test func packageReproducersAreReportedNotIntact() throws {
        for file in try Self.reproducers("FuzzSharePackage") {
            let verification = PackageVerifier.verify(bytes: try Array(Data(contentsOf: file)))
            #expect(!verification.intact, "\(file.lastPathComponent)")
            #expect(verification.unreadable != nil || !verification.problems.isEmpty, "\(file.lastPathComponent)")
        }
    }
}
