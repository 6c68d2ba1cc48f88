import Foundation
import Testing

/// VMDK (sparse) and VHD (dynamic) disks, made from a raw MBR disk by `qemu-img convert`, read through The Sleuth
/// Kit (libvmdk, libvhdi): the files inside are those of the raw disk, with the source files' `sha256sum`.
@Suite(.serialized) struct DiskImageVirtualDiskTests {
    @Test func vmdkAndVhdGiveTheRawDisksRecords() throws {
        let w = try Workspace()
        try w.sh(DiskImageTests.build)
        try w.sh(
            "qemu-img convert -f raw -O vmdk disk.img disk.vmdk && qemu-img convert -f raw -O vpc disk.img disk.vhd")
        func inside(_ path: String) throws -> (note: String, records: [String]) {
            let r = try CLI.run(["evidence", "hash", "-q", "-c", "sha256", path], in: w.path)
            #expect(r.status == 0, "\(path): \(r.stderr)")
            let records = try jsonLines(r.stdout)
            let own = records.first { ($0["member"] as? [String] ?? []).isEmpty }
            let rest = records.filter { !($0["member"] as? [String] ?? []).isEmpty }.map { rec in
                "\(rec["member"]!) \(rec["sha256"] ?? "-") \((rec["fs"] as? [String: Any])?["inode"] ?? "-")"
            }
            return (own?["note"] as? String ?? "", rest)
        }
        let raw = try inside("disk.img")
        #expect(raw.records.count > 60)
        let vmdk = try inside("disk.vmdk")
        #expect(vmdk.note.hasPrefix("VMDK disk image, 83886080 bytes"), "\(vmdk.note)")
        #expect(vmdk.records == raw.records)
        let vhd = try inside("disk.vhd")
        #expect(vhd.note.hasPrefix("VHD disk image"), "\(vhd.note)")
        #expect(vhd.records == raw.records)
        // And against the source files themselves, for one file in each partition.
        let big = String(try w.sh("sha256sum src/sub/big.bin").prefix(64))
        #expect(vhd.records.contains { $0.contains("big.bin") && $0.contains(big) })
        #expect(vmdk.records.filter { $0.contains(big) }.count == 2)  // ext4 sub/big.bin and NTFS big.bin
    }
}
