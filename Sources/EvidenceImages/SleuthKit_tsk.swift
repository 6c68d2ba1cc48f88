#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

internal import CTSK
import EvidenceKit
import Foundation

/// The Sleuth Kit's last error on this thread (its error state is per thread), or `fallback`.
/// The corresponding C function is `tsk_error_get`.
func tskError(_ fallback: String) -> String {
    defer { tsk_error_reset() }
    guard let text = tsk_error_get() else { return fallback }
    let message = String(cString: text).trimmingCharacters(in: [" ", "\n", "\t"])
    return message.isEmpty ? fallback : message
}

/// One opened disk image (`TSK_IMG_INFO`), with the volume system and file systems opened on it.
///
/// Not `Sendable`: The Sleuth Kit's handles cache reads without locks of their own for file systems, so each
/// thread opens its own `TSKImage` (see `DiskImageReader`).
final class TSKImage {
    let handle: UnsafeMutablePointer<TSK_IMG_INFO>
    private var volumeSystem: UnsafeMutablePointer<TSK_VS_INFO>?
    private var fileSystems: [UnsafeMutablePointer<TSK_FS_INFO>] = []

    /// Opens the image at `path` (and, for a split raw or E01 image, the segments beside it that The Sleuth Kit
    /// finds by name). The corresponding C function is `tsk_img_open_utf8_sing`.
    init(path: [UInt8], format: ImageSniffer.Format) throws(ImageOpenError) {
        let type: TSK_IMG_TYPE_ENUM =
            switch format {
            case .ewf: TSK_IMG_TYPE_EWF_EWF
            case .vmdk: TSK_IMG_TYPE_VMDK_VMDK
            case .vhd: TSK_IMG_TYPE_VHD_VHD
            case .raw: TSK_IMG_TYPE_RAW
            }
        guard tsk_img_type_supported().rawValue & type.rawValue != 0 else {
            throw ImageOpenError("this build of The Sleuth Kit cannot read \(format.rawValue) images")
        }
        // The name's bytes as they are: a path need not be UTF-8.
        let cPath = (path + [0]).map { CChar(bitPattern: $0) }
        guard let img = tsk_img_open_utf8_sing(cPath, type, 0) else {
            throw ImageOpenError("\(format.rawValue) image could not be opened: \(tskError("unknown error"))")
        }
        handle = img
    }

    deinit {
        for fs in fileSystems { tsk_fs_close(fs) }
        if let volumeSystem { tsk_vs_close(volumeSystem) }
        tsk_img_close(handle)
    }

    /// The size of the image's content (all segments, decompressed), in bytes.
    var size: UInt64 { UInt64(max(0, handle.pointee.size)) }

    /// The segment files the image was read from.
    var segments: [String] {
        (0..<Int(handle.pointee.num_img)).compactMap { i in handle.pointee.images[i].map { String(cString: $0) } }
    }

    /// The partitions of the image's volume system, or `nil` when it has none The Sleuth Kit recognises.
    /// The corresponding C functions are `tsk_vs_open` and `tsk_vs_part_get`.
    func partitions() -> (table: String, partitions: [Partition])? {
        guard let vs = tsk_vs_open(handle, 0, TSK_VS_TYPE_DETECT) else {
            tsk_error_reset()
            return nil
        }
        volumeSystem = vs
        let blockSize = UInt64(vs.pointee.block_size)
        var found: [Partition] = []
        for i in 0..<vs.pointee.part_count {
            guard let part = tsk_vs_part_get(vs, i),
                part.pointee.flags.rawValue & TSK_VS_PART_FLAG_ALLOC.rawValue != 0
            else { continue }
            found.append(
                Partition(
                    number: found.count + 1, address: i,
                    // A GPT entry's description is its name, which may be empty.
                    description: part.pointee.desc.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
                        ?? "unnamed",
                    offset: UInt64(part.pointee.start) * blockSize, length: UInt64(part.pointee.len) * blockSize))
        }
        let name = tsk_vs_type_toname(vs.pointee.vstype).map { String(cString: $0) } ?? "unknown"
        return (name, found)
    }

    /// Opens the file system at `offset` bytes into the image. The corresponding C function is `tsk_fs_open_img`.
    func openFileSystem(at offset: UInt64) throws(ImageOpenError) -> FileSystem {
        guard let fs = tsk_fs_open_img(handle, TSK_OFF_T(offset), TSK_FS_TYPE_DETECT) else {
            throw ImageOpenError(tskError("no file system recognised"))
        }
        fileSystems.append(fs)
        return FileSystem(handle: fs)
    }
}

/// A failure to open an image, a volume system or a file system, with The Sleuth Kit's message.
struct ImageOpenError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// An allocated partition of a volume system.
struct Partition: Sendable {
    /// From 1, in the order of the table.
    let number: Int
    /// The Sleuth Kit's address of the partition (`tsk_vs_part_get`).
    let address: TSK_PNUM_T
    let description: String
    let offset: UInt64
    let length: UInt64

    /// The element of the member chain naming it.
    var memberName: String { "partition \(number) (\(description), offset \(offset))" }
}

/// A file system opened on a `TSKImage`; owned (closed) by that image.
struct FileSystem {
    let handle: UnsafeMutablePointer<TSK_FS_INFO>

    /// `ext4`, `ntfs`, `fat16` … The corresponding C function is `tsk_fs_type_toname`.
    var typeName: String { tsk_fs_type_toname(handle.pointee.ftype).map { String(cString: $0) } ?? "unknown" }

    /// What DFXML's `<volume>` says of this file system, as fiwalk writes it.
    var volumeFacts: VolumeFacts {
        let i = handle.pointee
        return VolumeFacts(
            offset: UInt64(max(0, i.offset)), blockSize: UInt32(i.block_size), fileSystemType: i.ftype.rawValue,
            fileSystemTypeName: typeName, blockCount: UInt64(i.block_count), firstBlock: UInt64(i.first_block),
            lastBlock: UInt64(i.last_block))
    }

    var isNTFS: Bool { handle.pointee.ftype.rawValue & TSK_FS_TYPE_NTFS_DETECT.rawValue != 0 }

    /// Whether block `address` is allocated (to any file) now.
    func blockAllocated(_ address: TSK_DADDR_T) -> Bool {
        guard address <= handle.pointee.last_block_act, let getflags = handle.pointee.block_getflags else {
            return false
        }
        return getflags(handle, address).rawValue & TSK_FS_BLOCK_FLAG_ALLOC.rawValue != 0
    }
}
