import Foundation
import IProceedsBase
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How every output is written: whole or not at all, never over a name planted beside it (``OutputFile``).
@Suite struct OutputFileTests {
    @Test func outputFileRefusesToReplaceAndNeverFollowsAPlantedName() throws {
        let s = try Scratch()
        let target = s.path + "/out.txt"
        // Two writers racing for a name that must not be replaced: one wins, the other is told, nothing mixes.
        let a = try OutputFile(path: target, existing: .refuse)
        let b = try OutputFile(path: target, existing: .refuse)
        #expect(a.temporaryPath != b.temporaryPath)
        try a.write(Array("first\n".utf8))
        try b.write(Array("second\n".utf8))
        try a.commit()
        #expect(throws: OutputFileError.self) { try b.commit() }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "first\n")
        do {
            _ = try OutputFile(path: target, existing: .refuse)
            Issue.record("an existing target was not refused")
        } catch let e as OutputFileError {
            #expect(e.code == .exists && e.systemCode == EEXIST && e.path == target)
        }
        // Replacing is allowed when asked, atomically; no temporary file is left behind.
        try OutputFile.write(Array("third\n".utf8), to: target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "third\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path) == ["out.txt"])
        // A file never committed disappears.
        do { _ = try OutputFile(path: s.path + "/never.txt") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path) == ["out.txt"])
        // The mode asked for is the mode created (keys: 0600).
        try OutputFile.write([1], to: s.path + "/key", mode: 0o600)
        let mode = try FileManager.default.attributesOfItem(atPath: s.path + "/key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// A full disk is an `.io` failure naming the call and `errno`, and leaves neither the target nor a temporary file.
    @Test func aFailedWriteIsAnIOErrorAndLeavesNothing() throws {
        let full = "/dev/full"
        guard FileManager.default.fileExists(atPath: full) else { return }
        let fd = open(full, O_WRONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        do {
            try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try OutputFile.writeAll(fd, $0, path: full) }
            Issue.record("a write to /dev/full succeeded")
        } catch let e as OutputFileError {
            #expect(e.code == .io && e.systemCode == ENOSPC && e.function == "write")
            #expect(e.message == "write /dev/full: no space left on device")
        }
        let s = try Scratch()
        do {
            _ = try OutputFile(path: s.path + "/missing-folder/out.txt")
            Issue.record("a target in a missing folder was accepted")
        } catch let e as OutputFileError {
            #expect(e.code == .io && e.systemCode == ENOENT)
        }
        #expect(throws: OutputFileError.self) { try OutputFile(path: s.path + "/..") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path).isEmpty)
    }
}
