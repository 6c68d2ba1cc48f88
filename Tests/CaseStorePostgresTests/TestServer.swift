import Foundation
import Testing

/// The throwaway PostgreSQL cluster `make test` starts (scripts/pg-test-cluster.sh), one fresh database per test.
///
/// Tests that need the server fail, never skip, when it is not there: `swift test` alone does not start one.
enum TestServer {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "IPROCEEDS_TEST_PG_URL is not set: the PostgreSQL case-store tests need the throwaway cluster that `make test` "
                + "starts. Run `make test`, or `scripts/pg-test-cluster.sh run swift test [--filter …]`"
        }
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// postgresql://iproceeds_admin@127.0.0.1:PORT/postgres (the cluster's superuser; its password in PGPASSFILE).
    static func adminURL() throws -> String {
        guard let url = environment["IPROCEEDS_TEST_PG_URL"], !url.isEmpty else { throw Missing() }
        return url
    }

    static func bin(_ tool: String) throws -> String {
        guard let dir = environment["IPROCEEDS_TEST_PG_BIN"], !dir.isEmpty else { throw Missing() }
        return dir + "/" + tool
    }

    /// A new, empty database; returns its URL (no case named yet).
    static func freshDatabase() throws -> String {
        let admin = try adminURL()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try psql(admin, "CREATE DATABASE \(name)")
        return admin.replacingOccurrences(of: "/postgres", with: "/\(name)")
    }

    /// Runs SQL through psql (an independent client) as the cluster's superuser; returns its unaligned output.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try bin("psql"))
        p.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PSQLFailure(
                description: "psql failed (\(p.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct PSQLFailure: Error, CustomStringConvertible { var description: String }
}

/// A value shared between threads. `@unchecked Sendable`: guarded by its lock.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
