import ArgumentParser
import EvidenceKit
import ProceedsGraph
import Foundation

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
        } catch let e as EvidenceError {
            throw CLIError.cannotWrite(path: path, reason: e.systemCode.map { String(cString: strerror($0)) } ?? e.message)
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
        do { try file.commit() } catch let e as EvidenceError {
            throw CLIError.cannotWrite(path: file.path, reason: e.systemCode.map { String(cString: strerror($0)) } ?? e.message)
        }
    }
}

/// Failures that stop a command, each with what to do next and its exit status.
enum CLIError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case stopped(String)

    var description: String {
        switch self {
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason). Check that its folder exists and is writable, or choose another --output."
        case .cannotRead(let path, let reason): "cannot read \(path): \(reason)."
        case .stopped(let message): message
        }
    }

    var exitCode: Int32 {
        switch self {
        case .cannotWrite: 74
        case .cannotRead: 66
        case .stopped: 70
        }
    }
}

/// Prints an error the way every command does and returns the exit code to use.
func report(_ error: Error) -> ExitCodeCarrier {
    let message: String
    let code: Int32
    switch error {
    case let e as CLIError:
        message = e.description
        code = e.exitCode
    case let e as ImportError:
        message = e.description
        code = 65
    case let e as TraceError:
        message = e.description
        code = e.unusableInput ? 65 : 64
    case let e as EvidenceError:
        message = e.description
        switch e.code {
        case .invalidArgument: code = 64
        case .manifest: code = 66
        case .caseFile: code = e.message.contains("does not exist") ? 66 : 65
        case .examiner: code = 77
        case .storeUnavailable: code = 69  // EX_UNAVAILABLE: the case server cannot be reached; nothing written
        case .storeAccessDenied: code = 77  // EX_NOPERM: the server refused the login or the role
        default: code = 74
        }
    default:
        message = "\(error)"
        code = 70
    }
    FileHandle.standardError.write(Data("iproceeds: error: \(message)\n".utf8))
    return ExitCodeCarrier(code: code)
}

struct ExitCodeCarrier: Error { let code: Int32 }

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
        throw ExitCode(report(error).code)
    }
}
