import Foundation

/// `../shared/fixtures/real-world` beside the repository (CI lays a copy of shared/ there). Tests fail, not skip,
/// when a file is missing.
enum RealWorldFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)  // Tests/EndToEndTests/RealWorldFixtures.swift
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/real-world")
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
