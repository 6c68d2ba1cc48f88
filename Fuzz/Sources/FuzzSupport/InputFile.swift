#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ledger readers take file paths (the canonical CSV reader streams its file), so their harnesses write each
/// input to one file, rewritten for every run, and hand over its path: the same call `trace` makes.
public enum InputFile {
    /// The file's path: in RAM (`/dev/shm`) where there is one, one per process so that `-jobs` can run in parallel.
    public static func path(suffix: String) -> String {
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        return "\(directory)/iproceeds-fuzz-\(getpid())\(suffix)"
    }

    /// Writes the input to ``path(suffix:)``, runs `body` with the path, and removes the file (which is left
    /// behind only when `body` crashes: it then holds the crashing input).
    public static func withFile(_ data: UnsafePointer<UInt8>?, _ size: Int, suffix: String, _ body: (String) -> Void) {
        let path = write(data, size, suffix: suffix)
        body(path)
        unlink(path)
    }

    /// Writes `size` bytes at `data` to ``path(suffix:)`` and returns the path.
    public static func write(_ data: UnsafePointer<UInt8>?, _ size: Int, suffix: String) -> String {
        let path = path(suffix: suffix)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot write the fuzz input file \(path)")
        defer { close(fd) }
        var done = 0
        while done < size {
            let n = systemWrite(fd, data! + done, size - done)
            precondition(n > 0, "cannot write the fuzz input file \(path)")
            done += n
        }
        return path
    }
}

/// write(2), out of reach of ``InputFile/write(_:_:suffix:)``'s name.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
