import Foundation

/// Where the passphrase of a protected examiner key comes from: `IPROCEEDS_PASSPHRASE`, else a prompt on the
/// terminal (`/dev/tty`, echo off), else nowhere — then a clear error rather than a hang.
package enum Passphrase {
    /// The passphrase for the examiner key at `keyPath`.
    /// - Throws: ``EvidenceError`` `.examiner` when there is no terminal and `IPROCEEDS_PASSPHRASE` is not set.
    package static func obtain(for keyPath: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws
        -> [UInt8]
    {
        if let p = environment["IPROCEEDS_PASSPHRASE"], !p.isEmpty { return Array(p.utf8) }
        guard let typed = try prompt("Passphrase for the examiner key \(keyPath): ") else {
            throw EvidenceError(
                .examiner,
                "the examiner key \(keyPath) is protected by a passphrase: run the command on a terminal, or set "
                    + "IPROCEEDS_PASSPHRASE", path: keyPath)
        }
        return typed
    }

    /// A new passphrase: `IPROCEEDS_PASSPHRASE`, or typed twice on the terminal.
    /// - Throws: ``EvidenceError`` `.examiner` when the two differ, it is empty, or there is no terminal.
    package static func new(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [UInt8] {
        if let p = environment["IPROCEEDS_PASSPHRASE"], !p.isEmpty { return Array(p.utf8) }
        guard let first = try prompt("New passphrase for your examiner key: "),
            let second = try prompt("The same passphrase again: ")
        else {
            throw EvidenceError(.examiner, "no terminal to type a passphrase on: set IPROCEEDS_PASSPHRASE")
        }
        guard first == second else { throw EvidenceError(.examiner, "the two passphrases differ; nothing was changed") }
        guard !first.isEmpty else {
            throw EvidenceError(.examiner, "an empty passphrase protects nothing; nothing was changed")
        }
        return first
    }

    /// Reads one line from the controlling terminal with echo off; nil when there is none. The corresponding C
    /// functions are `tcgetattr` and `tcsetattr`.
    static func prompt(_ text: String) throws -> [UInt8]? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        defer {
            _ = tcsetattr(fd, TCSAFLUSH, &saved)
            _ = write(fd, "\n", 1)
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0, errno == EINTR { continue }
            if n <= 0 || byte == UInt8(ascii: "\n") { break }
            if byte != UInt8(ascii: "\r") { line.append(byte) }
            guard line.count < 4096 else { break }
        }
        return line
    }
}
