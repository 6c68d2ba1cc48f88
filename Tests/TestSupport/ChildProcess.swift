import Foundation

/// What a child process did: its exit status and what it wrote.
public struct ProcessResult: Sendable {
    /// The exit status (or the signal's number when it was killed).
    public var status: Int32
    /// Standard output as text (invalid UTF-8 shown as U+FFFD); ``stdoutBytes`` holds the bytes.
    public var stdout: String
    /// Standard error as text, empty when it was merged into standard output.
    public var stderr: String
    /// Standard output as written.
    public var stdoutBytes: Data
}

/// Runs other programs from tests — the tool under test, or the independent implementations its outputs are
/// compared with (python3, xmllint, bsdtar, psql …) — and captures what they write.
public enum ChildProcess {
    /// Runs `program` with `arguments` and waits for it.
    /// - Parameters:
    ///   - program: an absolute path, or a name looked up in `PATH` (through `/usr/bin/env`).
    ///   - directory: the working directory (the test's own when nil).
    ///   - environment: variables added to (or replacing those of) the test's environment.
    ///   - input: standard input; `/dev/null` when nil.
    ///   - mergingStandardError: whether standard error goes into standard output, in the order written.
    /// - Throws: when the program cannot be started; a non-zero exit is a result, not an error.
    public static func run(
        _ program: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        input: Data? = nil, mergingStandardError: Bool = false
    ) throws -> ProcessResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
        p.arguments = program.hasPrefix("/") ? arguments : [program] + arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = mergingStandardError ? out : err
        let stdin = input.map { _ in Pipe() }
        p.standardInput = stdin ?? FileHandle.nullDevice
        try p.run()
        // Feed standard input and drain standard error on threads of their own: a child that writes much to one
        // pipe while the test waits on another would otherwise block for ever.
        let done = DispatchGroup()
        if let stdin, let input {
            DispatchQueue.global().async(group: done) {
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
            }
        }
        let errData = Locked(Data())
        if !mergingStandardError {
            DispatchQueue.global().async(group: done) {
                let data = err.fileHandleForReading.readDataToEndOfFile()
                errData.withLock { $0 = data }
            }
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        p.waitUntilExit()
        return ProcessResult(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self), stdoutBytes: outData)
    }

    /// Runs `program` and returns its standard output (standard error merged in when `mergingStandardError`).
    /// - Throws: ``TestFailure`` naming the command and what it wrote when it exits non-zero.
    @discardableResult
    public static func output(
        _ program: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        input: Data? = nil, mergingStandardError: Bool = false
    ) throws -> String {
        let r = try run(
            program, arguments, in: directory, environment: environment, input: input,
            mergingStandardError: mergingStandardError)
        guard r.status == 0 else {
            throw TestFailure(
                "\(program) \(arguments.joined(separator: " ")) exited \(r.status): \(r.stderr.isEmpty ? r.stdout : r.stderr)"
            )
        }
        return r.stdout
    }
}

/// A test's own failure with a message (a command that failed, an output that is not what it should be).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A value shared between threads. `@unchecked Sendable`: every access goes through its lock.
public final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    public init(_ value: T) { self.value = value }

    /// Runs `body` on the value under the lock.
    public func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
