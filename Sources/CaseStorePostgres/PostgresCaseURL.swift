import EvidenceKit
import Foundation

/// Where a case lives on a PostgreSQL server: `postgresql://USER@HOST[:PORT]/DB?case=CASE-ID[&sslmode=MODE]`.
///
/// The password is never part of it: it comes from `PGPASSWORD`, or the pgpass file (`PGPASSFILE`, default
/// `~/.pgpass`), as for libpq. A URL that carries one is refused, so that a password never lands in shell history,
/// `IPROCEEDS_CASE` or a message. ``description`` is the URL without anything secret, for every message.
package struct PostgresCaseURL: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is protected, as libpq's `sslmode` says it.
    package enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP (or a Unix socket).
        case disable
        /// TLS when the server offers it, unverified (libpq's default).
        case prefer
        /// TLS or nothing, the certificate not verified (libpq's `require`).
        case require
        /// TLS or nothing, the certificate verified against the trusted roots and the host name checked.
        case verifyFull = "verify-full"
    }

    package var user: String
    package var host: String
    package var port: Int
    package var database: String
    /// The case in that database; nil when the URL names none (then `case init --id` names it).
    package var caseID: String?
    package var sslMode: SSLMode
    /// A PEM file of trusted roots for `verify-full` (`sslrootcert=`, else `PGSSLROOTCERT`); nil: the system's.
    package var rootCertificate: String?

    /// Whether `argument` is meant as a server URL (rather than a case file path).
    package static func isServerURL(_ argument: String) -> Bool {
        argument.hasPrefix("postgresql://") || argument.hasPrefix("postgres://")
    }

    /// Parses a case URL.
    /// - Throws: ``EvidenceError`` `.invalidArgument` naming what is wrong, the URL redacted.
    package init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let redacted = Self.redact(text)
        func bad(_ why: String) -> EvidenceError {
            EvidenceError(
                .invalidArgument,
                "\(redacted) is not a usable case URL: \(why); write postgresql://USER@HOST[:PORT]/DATABASE?case=CASE-ID"
            )
        }
        guard Self.isServerURL(text), let components = URLComponents(string: text) else { throw bad("not a URL") }
        if components.password != nil {
            throw EvidenceError(
                .invalidArgument,
                "\(redacted): a password does not belong in the case URL (shell history, IPROCEEDS_CASE and logs keep it); "
                    + "put it in ~/.pgpass (mode 0600) or PGPASSWORD, and give postgresql://USER@HOST/DATABASE?case=ID")
        }
        guard let user = components.user, !user.isEmpty else { throw bad("no user name (USER@)") }
        guard let host = components.host, !host.isEmpty else { throw bad("no host") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else { throw bad("no database name (/DATABASE)") }
        self.user = user
        self.host = host
        self.port = components.port ?? 5432
        self.database = path
        var caseID: String?
        var sslMode = SSLMode.prefer
        var root = environment["PGSSLROOTCERT"].flatMap { $0.isEmpty ? nil : $0 }
        if let mode = environment["PGSSLMODE"], !mode.isEmpty {
            guard let m = SSLMode(rawValue: mode) else {
                throw bad("PGSSLMODE \(mode) is not one of disable, prefer, require, verify-full")
            }
            sslMode = m
        }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "case": caseID = value.isEmpty ? nil : value
            case "sslmode":
                guard let m = SSLMode(rawValue: value) else {
                    throw bad("sslmode=\(value) is not one of disable, prefer, require, verify-full")
                }
                sslMode = m
            case "sslrootcert": root = value
            default: throw bad("unknown parameter \(item.name) (known: case, sslmode, sslrootcert)")
            }
        }
        self.caseID = caseID
        self.sslMode = sslMode
        self.rootCertificate = root
    }

    /// The URL as messages show it: no password, ever.
    package var description: String {
        var text = "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host)"
        if port != 5432 { text += ":\(port)" }
        text += "/\(database)"
        var query: [String] = []
        if let caseID { query.append("case=\(caseID)") }
        if sslMode != .prefer { query.append("sslmode=\(sslMode.rawValue)") }
        return query.isEmpty ? text : text + "?" + query.joined(separator: "&")
    }

    /// `text` with any password between `//USER:` and `@` replaced by `***`: for messages about a URL that could not
    /// even be parsed.
    package static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return text
        }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// The password for this URL: `PGPASSWORD`, else the first matching line of the pgpass file, else nil.
    /// A pgpass file that others can read is ignored with a warning, as libpq does.
    /// - Parameter warn: receives a one-line warning (never the password).
    package func password(
        environment: [String: String] = ProcessInfo.processInfo.environment, warn: (String) -> Void = { _ in }
    )
        -> String?
    {
        if let p = environment["PGPASSWORD"], !p.isEmpty { return p }
        let file = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.pgpass")
        var st = stat()
        guard stat(file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        if st.st_mode & 0o077 != 0 {
            warn("ignoring the password file \(file): others can read it; `chmod 600 \(file)`")
            return nil
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.pgpassFields(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// A pgpass line's fields: separated by `:`, with `\:` and `\\` standing for themselves.
    static func pgpassFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }
}
