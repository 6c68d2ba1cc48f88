import EvidenceKit
import FuzzSupport

// `evidence audit`'s manifest reader: JSON Lines, and hashdeep with iproceeds' `## iproceeds` comment records;
// the first line picks the format.
fuzz { data, size in
    _ = try? ManifestReader.parse(Array(UnsafeRawBufferPointer(start: data, count: size)), name: "fuzz-input")
    return 0
}
