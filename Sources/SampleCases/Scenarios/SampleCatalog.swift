import Foundation

/// One training scenario: its name, what it is about, the seed the shipped case was generated with, and the
/// generator that writes a case of it (any seed, any scale) with its answer key.
package struct SampleScenario: Sendable {
    /// The name used on the command line: `bec-mules`, `ransomware-peel`, `phishing-csirt`.
    package let name: String
    /// One line for `samples list`.
    package let title: String
    /// The seed of the case shipped under `Samples/cases/NAME` (what `samples extract` writes).
    package let shippedSeed: UInt64
    let build: @Sendable (CaseBuilder, SeededRandom) throws -> AnswerKey
}

/// What `samples generate` wrote.
package struct GeneratedCase: Sendable {
    package var scenario: String
    package var seed: UInt64
    package var scale: Int
    /// Every file written, relative to the case folder, sorted.
    package var files: [String]
    /// How many bytes the files hold together.
    package var bytes: Int
}

/// The bundled training cases and their generator.
package enum SampleCatalog {
    /// Every scenario, in the order a workshop takes them.
    package static let scenarios: [SampleScenario] = [
        BECMules.scenario, RansomwarePeel.scenario, PhishingCSIRT.scenario,
    ]

    package static func scenario(named name: String) -> SampleScenario? { scenarios.first { $0.name == name } }

    /// Writes a case of `scenario` into `directory` (created if needed; it must be empty or absent): the same
    /// seed and scale give the same bytes.
    /// - Parameter scale: multiplies the background (clean transfers, unrelated evidence files); the planted
    ///   facts the answer key checks stay the same shape.
    /// - Throws: ``SampleCaseError`` when the folder is not empty or a file cannot be written.
    package static func generate(_ scenario: SampleScenario, seed: UInt64, scale: Int = 1, into directory: URL) throws
        -> GeneratedCase
    {
        precondition(scale >= 1)
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory.path), !existing.isEmpty {
            throw SampleCaseError(.destinationNotEmpty, "\(directory.path) is not empty: choose a new folder")
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let builder = CaseBuilder(root: directory, scenario: scenario.name, seed: seed, scale: scale, evidenceTime: 0)
        let key = try scenario.build(builder, SeededRandom(seed: seed).derived(scenario.name))
        try builder.write("answers.json", key.json(builder).rendered() + "\n")
        let files = builder.written.map(\.path).sorted()
        return GeneratedCase(
            scenario: scenario.name, seed: seed, scale: scale, files: files,
            bytes: builder.written.reduce(0) { $0 + $1.size })
    }
}
