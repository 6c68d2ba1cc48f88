import EvidenceKit

/// Recognises disk images by their first bytes, cheaply enough to run on every file of a run.
///
/// A raw image is recognised by what starts it: a DOS/MBR partition table whose four entries are well formed,
/// a GPT header, or the boot sector or superblock of a file system The Sleuth Kit reads. ISO 9660 is left to the
/// archive reader, which lists it with the names as stored (`docs/formats.md`).
enum ImageSniffer {
    /// The container format of a recognised image.
    enum Format: String, Sendable {
        /// Expert Witness (EnCase) E01, read through libewf.
        case ewf = "E01"
        /// A raw (dd) image, or the first segment of a split raw image (`.001`).
        case raw
        case vmdk = "VMDK"
        case vhd = "VHD"
    }

    static func detect(_ b: UnsafeRawBufferPointer) -> Format? {
        func at(_ offset: Int, _ magic: [UInt8]) -> Bool {
            guard offset + magic.count <= b.count else { return false }
            for (i, m) in magic.enumerated() where b[offset + i] != m { return false }
            return true
        }
        // ASCII magic compared in place: an `Array(...utf8)` per check is an allocation per check per file hashed.
        func at(_ offset: Int, text magic: StaticString) -> Bool {
            let count = magic.utf8CodeUnitCount
            guard offset + count <= b.count else { return false }
            for i in 0..<count where b[offset + i] != magic.utf8Start[i] { return false }
            return true
        }
        // EWF-E01 segment header: "EVF" 09 0d 0a ff 00.
        if at(0, [0x45, 0x56, 0x46, 0x09, 0x0D, 0x0A, 0xFF, 0x00]) { return .ewf }
        if at(0, text: "KDMV") { return .vmdk }
        // A dynamic VHD starts with a copy of its footer; a fixed one is raw bytes followed by it (recognised as raw).
        if at(0, text: "conectix") { return .vhd }
        if at(512, text: "EFI PART") { return .raw }
        if isExtSuperblock(b) { return .raw }
        if at(3, text: "NTFS    ") || at(3, text: "EXFAT   ") { return .raw }
        // HFS+ / HFSX volume header: signature and version (4 or 5), big-endian, at 1024.
        if at(1024, [0x48, 0x2B, 0x00, 0x04]) || at(1024, [0x48, 0x58, 0x00, 0x05]) { return .raw }
        if at(510, [0x55, 0xAA]) {
            if at(54, text: "FAT1") || at(82, text: "FAT32") { return .raw }
            if isPartitionTable(b) { return .raw }
        }
        return nil
    }

    /// Whether an ext2/3/4 superblock starts at 1024: its two-byte magic (0xEF53 at 1080) would match one file
    /// in 65,536 by chance, so the fields around it must be sane too (a run of a million files would otherwise
    /// take a dozen ordinary files for images and report them as damaged).
    static func isExtSuperblock(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 2048, b[1080] == 0x53, b[1081] == 0xEF else { return false }
        func le32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * $1) } }
        let inodes = le32(1024), blocks = le32(1028), firstData = le32(1044), logBlock = le32(1048)
        let state = UInt16(b[1082]) | UInt16(b[1083]) << 8
        let revision = le32(1100)
        return inodes > 0 && blocks > 0 && firstData <= 1 && logBlock <= 6 && (1...7).contains(state) && revision <= 1
    }

    /// Whether the four 16-byte entries at 446 look like a DOS partition table: each boot flag 0x00 or 0x80, an
    /// unused entry all zero, a used one with a non-zero start and length, and at least one used.
    static func isPartitionTable(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 512 else { return false }
        var used = 0
        for i in 0..<4 {
            let e = 446 + 16 * i
            guard b[e] == 0x00 || b[e] == 0x80 else { return false }
            let type = b[e + 4]
            func le32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * $1) } }
            let start = le32(e + 8)
            let count = le32(e + 12)
            if type == 0 {
                guard start == 0, count == 0 else { return false }
            } else {
                guard start > 0, count > 0 else { return false }
                used += 1
            }
        }
        return used > 0
    }
}
