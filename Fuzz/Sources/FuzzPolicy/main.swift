import FuzzSupport
import SharingKit

// The sharing-policy parser and validator, JSON or YAML as for `--policy FILE` without a telling extension
// (chosen by the first non-blank character).
fuzz { data, size in
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    _ = try? SharingPolicy.parse(bytes, format: nil, source: "fuzz-input")
    return 0
}
