// The archive sniffer and scanner over in-memory bytes: every format libarchive is asked to read, nested
// archives, damaged members.
@_spi(Fuzzing) import EvidenceKit
import FuzzSupport

fuzz { data, size in
    // A member is read whole (digests), or says why not (error) or what it is instead (note: link, special file).
    if let member = ArchiveFuzzing.unaccountedMembers(UnsafeRawBufferPointer(start: data, count: size)).first {
        fatalError("member \(member) has neither digests, an error nor a note")
    }
    return 0
}
