import Foundation
import TestSupport
import Testing

/// Runs the built `iproceeds` binary, the way a user or a script does.
struct CLI {
    typealias Result = ProcessResult

    /// The binary next to the test bundle (SwiftPM builds it because this target depends on it), or
    /// `IPROCEEDS_BIN` when set.
    static let binary: String = {
        if let env = ProcessInfo.processInfo.environment["IPROCEEDS_BIN"] { return env }
        let candidates: [String] =
            ([
                Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("iproceeds").path,
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                    "iproceeds"
                ).path,
                Repository.url(".build/debug/iproceeds").path,
            ] as [String?]).compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    static var packageRoot: URL { Repository.root }

    /// Where the runs keep known-set indexes and filters (`IPROCEEDS_CACHE`): a temporary directory of this test
    /// process, never the user's `~/.cache`.
    static let knownSetCache: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "iproceeds-test-cache-\(ProcessInfo.processInfo.processIdentifier)"
        ).path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    @discardableResult
    static func run(_ args: [String], in cwd: String, environment: [String: String] = [:]) throws -> Result {
        try exec(binary, args, in: cwd, environment: ["IPROCEEDS_CACHE": knownSetCache].merging(environment) { $1 })
    }

    /// Runs any program and captures its output.
    static func exec(_ program: String, _ args: [String], in cwd: String, environment: [String: String] = [:]) throws
        -> Result
    {
        try ChildProcess.run(program, args, in: cwd, environment: environment)
    }
}

/// The end-to-end tests' name for a scratch directory.
typealias Workspace = Scratch

/// Parses JSON Lines output into dictionaries.
func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(line)")
        }
        return o
    }
}
