import EvidenceKit
import Foundation

/// A one-line progress display on standard error: files and bytes done, rate, and ETA once the walk is complete.
///
/// Shown only when standard error is a terminal and `--quiet` is not given.
final class ProgressLine: Sendable {
    private let ticker: StatusTicker

    init(progress: FingerprintProgress) {
        let start = Date()
        ticker = StatusTicker {
            let files = progress.filesDone.load(ordering: .relaxed)
            let found = progress.filesFound.load(ordering: .relaxed)
            let bytes = progress.bytesDone.load(ordering: .relaxed)
            let total = progress.bytesFound.load(ordering: .relaxed)
            let members = progress.membersDone.load(ordering: .relaxed)
            let walked = progress.walkFinished.load(ordering: .relaxed)
            let elapsed = max(Date().timeIntervalSince(start), 0.001)
            let rate = Double(bytes) / elapsed
            var line = "\(files)/\(found)\(walked ? "" : "+") files"
            if members > 0 { line += ", \(members) members" }
            line += ", \(Self.bytes(bytes))"
            if walked { line += " of \(Self.bytes(total))" }
            line += ", \(Self.bytes(UInt64(rate)))/s"
            if walked, rate > 0, total > bytes {
                line += ", ETA \(Self.duration(Double(total - bytes) / rate))"
            } else if !walked {
                line += ", scanning…"
            }
            return line
        }
    }

    func finish() { ticker.finish() }

    static func bytes(_ n: UInt64) -> String { ByteSize.text(n) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Redraws one status line on standard error four times a second, from `line`, until ``finish()``, which clears it:
/// the thread and its stop flag behind every progress display.
final class StatusTicker: @unchecked Sendable {
    // `@unchecked Sendable`: `stopped` is guarded by `lock`.
    private let lock = NSLock()
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(line: @escaping @Sendable () -> String) {
        Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                lock.lock()
                let stop = stopped
                lock.unlock()
                if stop { break }
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line())".utf8))
            }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            done.signal()
        }.start()
    }

    func finish() {
        lock.lock()
        stopped = true
        lock.unlock()
        done.wait()
    }
}
