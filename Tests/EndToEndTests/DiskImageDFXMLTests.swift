import Foundation
import Testing

/// DFXML of disk images: each file system is a `<volume>` with the elements and values fiwalk writes for it (read
/// from fiwalk's own output on the same images), the files of that file system are `<fileobject>`s inside it,
/// and the manifest still validates against the DFXML schema.
@Suite(.serialized) struct DiskImageDFXMLTests {
    @Test func volumesAreThoseFiwalkWritesAndHoldTheirFiles() throws {
        let w = try Workspace()
        try w.sh(DiskImageTests.build)
        try w.write("plain.txt", "outside any image\n")
        let r = try CLI.run(
            [
                "evidence", "hash", "-q", "-c", "md5,sha1", "--format", "dfxml", "-o", "m.xml", "plain.txt", "disk.img",
                "ext4.img",
            ], in: w.path)
        #expect(r.status == 0, "\(r.stderr)")
        let v = try DFXMLSchemaTests.validate("m.xml", in: w)
        #expect(v.status == 0, "\(v.stderr)")
        let check = try w.sh(
            """
            fiwalk -x disk.img > fw-disk.xml 2>/dev/null
            fiwalk -x ext4.img > fw-ext4.xml 2>/dev/null
            python3 - <<'PY'
            import xml.etree.ElementTree as ET
            D = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
            I = "{urn:iproceeds:dfxml:1}"
            def volumes(root):
                out = []
                for vol in root.findall(D + "volume"):
                    fields = [(c.tag[len(D):], c.text) for c in vol
                              if c.tag.startswith(D) and c.tag != D + "fileobject"]
                    out.append((vol.get("offset"), fields))
                return out
            theirs = volumes(ET.parse("fw-disk.xml").getroot()) + volumes(ET.parse("fw-ext4.xml").getroot())
            root = ET.parse("m.xml").getroot()
            ours = volumes(root)
            print("volumes", len(ours), "fiwalk", len(theirs))
            for a, b in zip(ours, theirs):
                print("same" if a == b else "differ %r %r" % (a, b))
            # Files of a file system inside its volume; nothing of a file system outside one.
            for i, vol in enumerate(root.findall(D + "volume")):
                objects = vol.findall(D + "fileobject")
                fs = {o.find(I + "file_system").text for o in objects}
                parts = {o.find(D + "partition").text if o.find(D + "partition") is not None else "-" for o in objects}
                print("volume", i, vol.get("offset"), len(objects), sorted(fs), sorted(parts))
            top = [o.find(D + "filename").text for o in root.findall(D + "fileobject")]
            print("outside", sorted(top))
            PY
            """)
        let lines = check.split(separator: "\n").map(String.init)
        #expect(lines.first == "volumes 3 fiwalk 3", "\(check)")
        #expect(lines.filter { $0 == "same" }.count == 3, "\(check)")
        #expect(lines.contains { $0.hasPrefix("volume 0 1048576 ") && $0.hasSuffix("['ext4'] ['1']") }, "\(check)")
        #expect(lines.contains { $0.hasPrefix("volume 1 18874368 ") && $0.hasSuffix("['ntfs'] ['2']") }, "\(check)")
        #expect(lines.contains { $0.hasPrefix("volume 2 0 ") && $0.hasSuffix("['ext4'] ['-']") }, "\(check)")
        #expect(lines.last == "outside ['disk.img', 'ext4.img', 'plain.txt']", "\(check)")
        // Every volume holds files: 44 source files and more in each ext4 one.
        for line in lines where line.hasPrefix("volume ") && !line.hasPrefix("volumes") {
            let count = Int(line.split(separator: " ")[3]) ?? 0
            #expect(count >= 3, "\(line)")
        }
    }
}
