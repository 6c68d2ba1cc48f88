import Foundation
import Testing

/// Runs the built `iproceeds` binary, the way a user or a script does.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: Data
    }

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
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent(".build/debug/iproceeds").path,
            ] as [String?]).compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    @discardableResult
    static func run(_ args: [String], in cwd: String, environment: [String: String] = [:]) throws -> Result {
        try exec(binary, args, in: cwd, environment: environment)
    }

    /// Runs any program and captures its output.
    static func exec(_ program: String, _ args: [String], in cwd: String, environment: [String: String] = [:]) throws
        -> Result
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
        p.arguments = program.hasPrefix("/") ? args : [program] + args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Drain both pipes concurrently so a large output cannot block the child.
        let errData = LockedData()
        let errThread = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self), stdoutBytes: outData)
    }
}

/// `@unchecked Sendable`: guarded by its lock.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}

/// A scratch directory removed when the value goes away.
final class Workspace {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("iproceeds-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ relative: String, _ data: Data) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String { try write(relative, Data(text.utf8)) }

    func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: url.appendingPathComponent(relative)), as: UTF8.self)
    }

    /// Runs a shell snippet here; throws if it fails.
    @discardableResult
    func sh(_ script: String) throws -> String {
        let r = try CLI.exec("bash", ["-c", script], in: path)
        guard r.status == 0 else { throw E2EFailure("sh -c \(script) exited \(r.status): \(r.stderr)") }
        return r.stdout
    }
}

struct E2EFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Parses JSON Lines output into dictionaries.
func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw E2EFailure("not a JSON object: \(line)")
        }
        return o
    }
}
