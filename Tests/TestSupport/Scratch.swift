import Foundation

/// A scratch directory under the system's temporary directory, removed when the value goes away.
public final class Scratch {
    /// The directory.
    public let url: URL
    /// The directory's path.
    public var path: String { url.path }

    /// Creates an empty directory named `iproceeds-test-UUID`.
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("iproceeds-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `relative` in this directory (nothing is created).
    public func file(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    /// Writes `contents` at `relative`, creating folders; returns the file's path.
    @discardableResult
    public func write(_ relative: String, _ contents: Data) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file)
        return file.path
    }

    /// Writes `contents` at `relative`, creating folders; returns the file's path.
    @discardableResult
    public func write(_ relative: String, _ contents: [UInt8]) throws -> String { try write(relative, Data(contents)) }

    /// Writes `text` as UTF-8 at `relative`, creating folders; returns the file's path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String { try write(relative, Data(text.utf8)) }

    /// The file at `relative` as text (invalid UTF-8 shown as U+FFFD).
    public func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: url.appendingPathComponent(relative)), as: UTF8.self)
    }

    /// Runs a program (a path, or a name in `PATH`) here, standard error merged into standard output.
    /// - Returns: what it wrote.
    /// - Throws: ``TestFailure`` when it exits non-zero.
    @discardableResult
    public func run(_ tool: String, _ args: [String], input: Data? = nil) throws -> String {
        try ChildProcess.output(tool, args, in: path, input: input, mergingStandardError: true)
    }

    /// Runs a program here, standard error merged into standard output, whatever its exit status.
    public func exec(_ tool: String, _ args: [String], input: Data? = nil) throws -> ProcessResult {
        try ChildProcess.run(tool, args, in: path, input: input, mergingStandardError: true)
    }

    /// Runs a bash snippet here; returns its standard output.
    /// - Throws: ``TestFailure`` with its standard error when it exits non-zero.
    @discardableResult
    public func sh(_ script: String) throws -> String {
        let r = try ChildProcess.run("bash", ["-c", script], in: path)
        guard r.status == 0 else { throw TestFailure("sh -c \(script) exited \(r.status): \(r.stderr)") }
        return r.stdout
    }
}

/// SplitMix64: a small deterministic generator for test data (the same seed gives the same values everywhere).
public struct SplitMix {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    /// The next 64 bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` deterministic pseudo-random bytes: SplitMix64 from `seed`, each value's bytes in little-endian order.
public func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix(seed: seed)
    var out = [UInt8]()
    out.reserveCapacity(count + 8)
    while out.count < count {
        withUnsafeBytes(of: rng.next().littleEndian) { out.append(contentsOf: $0) }
    }
    return Array(out.prefix(count))
}

/// A new, empty directory under the system's temporary directory; returns its path. It is left for the system to
/// clean: use ``Scratch`` where the test can hold on to a value.
public func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("iproceeds-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

/// Writes `text` as UTF-8 to a file named `name` in a new temporary directory; returns the file's path.
public func temporaryFile(_ name: String, _ text: String) throws -> String {
    let path = try temporaryDirectory() + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}
