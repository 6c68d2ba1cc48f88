import Testing

@testable import EvidenceImages

/// Recognising images by their first bytes: the strong signatures, and a DOS partition table told apart from any
/// sector that merely ends in 55 AA.
@Suite struct ImageSnifferTests {
    static func sector(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 4096)
        edit(&b)
        return b
    }

    static func detect(_ b: [UInt8]) -> ImageSniffer.Format? { b.withUnsafeBytes { ImageSniffer.detect($0) } }

    @Test func strongSignatures() {
        #expect(
            Self.detect(
                Self.sector { $0.replaceSubrange(0..<8, with: [0x45, 0x56, 0x46, 0x09, 0x0D, 0x0A, 0xFF, 0x00]) })
                == .ewf)
        #expect(Self.detect(Self.sector { $0.replaceSubrange(512..<520, with: Array("EFI PART".utf8)) }) == .raw)
        // ext: the magic alone is one file in 65,536; the superblock's fields must be sane too.
        #expect(
            Self.detect(
                Self.sector {
                    $0[1080] = 0x53; $0[1081] = 0xEF
                }) == nil)
        let ext = Self.sector { b in
            b[1080] = 0x53; b[1081] = 0xEF  // magic
            b[1024] = 0x00; b[1025] = 0x10  // 4096 inodes
            b[1028] = 0x00; b[1029] = 0x40  // 16384 blocks
            b[1048] = 2  // 4 KiB blocks
            b[1082] = 1  // clean
            b[1100] = 1  // dynamic revision
        }
        #expect(Self.detect(ext) == .raw)
        #expect(
            Self.detect(
                Self.sector {
                    $0 = ext; $0[1048] = 40
                }) == nil)
        #expect(Self.detect(Self.sector { $0.replaceSubrange(3..<11, with: Array("NTFS    ".utf8)) }) == .raw)
        #expect(Self.detect(Self.sector { _ in }) == nil)
        // An LVF (logical evidence) file is not a disk image.
        #expect(Self.detect(Self.sector { $0.replaceSubrange(0..<3, with: Array("LVF".utf8)) }) == nil)
    }

    @Test func aPartitionTableNeedsWellFormedEntries() {
        func mbr(boot: UInt8, type: UInt8, start: UInt8, count: UInt8) -> [UInt8] {
            Self.sector { b in
                b[510] = 0x55
                b[511] = 0xAA
                b[446] = boot
                b[450] = type
                b[454] = start
                b[458] = count
            }
        }
        #expect(Self.detect(mbr(boot: 0x80, type: 0x83, start: 63, count: 200)) == .raw)
        #expect(Self.detect(mbr(boot: 0x00, type: 0xEE, start: 1, count: 255)) == .raw)
        #expect(Self.detect(mbr(boot: 0x17, type: 0x83, start: 63, count: 200)) == nil)  // boot flag neither 0 nor 0x80
        #expect(Self.detect(mbr(boot: 0x00, type: 0x83, start: 0, count: 200)) == nil)  // starts at the table itself
        #expect(Self.detect(mbr(boot: 0x00, type: 0x00, start: 0, count: 0)) == nil)  // no entry used
        #expect(Self.detect(mbr(boot: 0x00, type: 0x00, start: 9, count: 0)) == nil)  // unused but not blank
    }
}
