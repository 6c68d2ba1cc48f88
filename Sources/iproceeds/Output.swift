import ArgumentParser
import EvidenceKit
import ProceedsGraph
import Foundation
import IProceedsBase

/// Where a command's report goes: standard output, or a file written through ``OutputFile`` (a new, randomly
/// named file beside it, renamed into place only when complete), so that an interrupted run never leaves a file
/// that looks finished and a name planted beside the output is never followed.
final class ReportOutput {
    let sink: ByteSink
    private let fd: Int32
    private let file: OutputFile?

    init(path: String?) throws {
        guard let path, path != "-" else {
            fd = STDOUT_FILENO
            file = nil
            sink = ByteSink(fileDescriptor: STDOUT_FILENO, name: "standard output")
            return
        }
        // A device, FIFO or terminal (/dev/null, /dev/stdout, a named pipe) is written in place: renaming a
        // temporary file over it would replace the device node itself.
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            guard st.st_mode & S_IFMT != S_IFDIR else {
                throw CLIError.cannotWrite(path: path, reason: "it is a directory")
            }
            let opened = open(path, O_WRONLY | O_CLOEXEC)
            guard opened >= 0 else { throw CLIError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            fd = opened
            file = nil
            sink = ByteSink(fileDescriptor: opened, name: path)
            return
        }
        do {
            let out = try OutputFile(path: path)
            file = out
            fd = out.fileDescriptor
        } catch let e as OutputFileError {
            throw CLIError.cannotWrite(
                path: path, reason: e.systemCode.map { String(cString: strerror($0)) } ?? e.message)
        }
        sink = ByteSink(fileDescriptor: fd, name: path)
    }

    /// Flushes, syncs and renames the file into place.
    func commit() throws {
        try sink.flush()
        guard let file else {
            if fd != STDOUT_FILENO { close(fd) }
            return
        }
        do { try file.commit() } catch let e as OutputFileError {
            throw CLIError.cannotWrite(
                path: file.path, reason: e.systemCode.map { String(cString: strerror($0)) } ?? e.message)
        }
    }
}

/// Failures the CLI itself finds (an output it cannot write, an input it cannot open), each with a code that
/// decides its exit status (``ExitStatus``) and a message that says what to do next.
struct CLIError: Error, CustomStringConvertible {
    /// What kind of failure this is; docs/exit-codes.md lists the exit status of each.
    enum Code: String, CaseIterable {
        /// An output file cannot be created or written.
        case cannotWrite = "cannot-write"
        /// An output exists and the command does not replace it.
        case outputExists = "output-exists"
        /// An input does not exist or cannot be read.
        case cannotRead = "cannot-read"
        /// An input was read but cannot be used (a key file with no key, nothing left to share).
        case unusableInput = "unusable-input"
        /// A check the tool makes of its own results failed: a bug to report.
        case internalError = "internal-error"
    }

    let code: Code
    let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func cannotWrite(path: String, reason: String) -> CLIError {
        CLIError(
            .cannotWrite,
            "cannot write \(path): \(reason). Check that its folder exists and is writable, or choose another --output."
        )
    }

    static func cannotRead(path: String, reason: String) -> CLIError {
        CLIError(.cannotRead, "cannot read \(path): \(reason).")
    }
}

/// Prints an error the way every command does and returns the exit status to use.
func report(_ error: Error) -> ExitStatus {
    let (status, message) = ExitStatus.of(error)
    FileHandle.standardError.write(Data("iproceeds: error: \(message)\n".utf8))
    return status
}

func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// Runs a command body, turning a failure into its one-line message and exit status; usage errors pass
/// through to swift-argument-parser, which prints them with the usage line.
func reporting<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let e as ValidationError {
        throw e
    } catch let e as ExitCode {
        throw e
    } catch {
        throw ExitCode(report(error).rawValue)
    }
}
