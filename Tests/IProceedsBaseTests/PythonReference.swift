import Foundation
import TestSupport

/// Runs `python3` (Debian's, listed in the Makefile's APT_PACKAGES) on a script with `input` on standard input:
/// the independent implementation the foundation's outputs are compared with.
enum PythonReference {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ script: String, input: String) throws -> String {
        let r = try ChildProcess.run("python3", ["-c", script], input: Data(input.utf8))
        guard r.status == 0 else { throw Failure(description: "python3 exited \(r.status): \(r.stderr)") }
        return r.stdout
    }
}
