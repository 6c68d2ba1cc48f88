import Foundation

/// Where the repository and the shared fixtures are, from this file's own path: `Tests/TestSupport/Fixtures.swift`
/// is three levels below the repository's root, and CI lays a copy of `shared/` beside the clone.
public enum Repository {
    /// The repository's root.
    public static let root: URL = URL(fileURLWithPath: #filePath)  // Tests/TestSupport/Fixtures.swift
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file of the repository, by its path from the root.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// `../shared/fixtures` beside the repository. Nothing here checks that a file exists: a test that opens a missing
/// fixture fails on the open, it never skips.
public enum SharedFixtures {
    /// `../shared/fixtures`.
    public static let root: URL = Repository.root.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    /// A file under `../shared/fixtures`.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// `../shared/fixtures/real-world`: the public files each folder's `SOURCES.md` names.
public enum RealWorldFixtures {
    /// `../shared/fixtures/real-world`.
    public static let root: URL = SharedFixtures.url("real-world")

    /// A file under `../shared/fixtures/real-world`.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The path of a file under `../shared/fixtures/real-world`.
    public static func path(_ relative: String) -> String { url(relative).path }
}
