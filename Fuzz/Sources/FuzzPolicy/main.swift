// The sharing-policy parser and validator, JSON or YAML as for `--policy FILE` without a telling extension
// (chosen by the first non-blank character).
import FuzzSupport
@_spi(Fuzzing) import SharingKit

fuzz { data, size in
    SharingFuzzing.readPolicy(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}
