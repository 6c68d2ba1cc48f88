@_spi(Fuzzing) import EvidenceKit
import FuzzSupport

// The archive sniffer and scanner over in-memory bytes: every format libarchive is asked to read, nested
// archives, damaged members.
fuzz { data, size in
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let result = ArchiveFuzzing.scan(bytes, options: ArchiveFuzzing.harnessOptions)
    // A member is read whole (digests), or says why not (error) or what it is instead (note: link, special file).
    for m in result.members where m.digests.isEmpty && m.error == nil && m.note == nil {
        fatalError("member \(m.member.map(\.text)) has neither digests, an error nor a note")
    }
    return 0
}
