// `share verify`'s package reader: the zip (central directory and local headers), its manifest, signature and
// file digests, from memory.
import FuzzSupport
@_spi(Fuzzing) import SharingKit

fuzz { data, size in
    SharingFuzzing.verifyPackage(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}
