// `evidence audit`'s manifest reader: JSON Lines, and hashdeep with iproceeds' `## iproceeds` comment records;
// the first line picks the format.
@_spi(Fuzzing) import EvidenceKit
import FuzzSupport

fuzz { data, size in
    ManifestFuzzing.read(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}
