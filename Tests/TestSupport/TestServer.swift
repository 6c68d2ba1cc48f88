import Foundation

/// The throwaway PostgreSQL cluster `make test` starts (scripts/pg-test-cluster.sh), one fresh database per test.
///
/// Tests that need the server fail, never skip, when it is not there: `swift test` alone does not start one.
public enum TestServer {
    /// The cluster's variables are not set.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "IPROCEEDS_TEST_PG_URL is not set: the PostgreSQL case-store tests need the throwaway cluster that `make test` "
                + "starts. Run `make test`, or `scripts/pg-test-cluster.sh run swift test [--filter …]`"
        }

        public init() {}
    }

    /// psql exited non-zero (the server refused the statement, or could not be reached).
    public struct PSQLFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The test process's environment, where the cluster script leaves its variables.
    public static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// postgresql://iproceeds_admin@127.0.0.1:PORT/postgres (the cluster's superuser; its password in PGPASSFILE).
    public static func adminURL() throws -> String {
        guard let url = environment["IPROCEEDS_TEST_PG_URL"], !url.isEmpty else { throw Missing() }
        return url
    }

    /// The path of one of the cluster's programs (psql, pg_dump …).
    public static func bin(_ tool: String) throws -> String {
        guard let dir = environment["IPROCEEDS_TEST_PG_BIN"], !dir.isEmpty else { throw Missing() }
        return dir + "/" + tool
    }

    /// A new, empty database; returns its URL (no case named yet).
    public static func freshDatabase() throws -> String {
        let admin = try adminURL()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try psql(admin, "CREATE DATABASE \(name)")
        return admin.replacingOccurrences(of: "/postgres", with: "/\(name)")
    }

    /// Runs SQL through psql (an independent client) as the cluster's superuser; returns its unaligned output.
    /// - Throws: ``PSQLFailure`` with psql's standard error when it exits non-zero.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let r = try ChildProcess.run(
            try bin("psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        guard r.status == 0 else { throw PSQLFailure(description: "psql failed (\(r.status)): \(r.stderr)") }
        return r.stdout
    }
}
