import FuzzSupport
import SharingKit

// `share verify`'s package reader: the zip (central directory and local headers), its manifest, signature and
// file digests, from memory.
fuzz { data, size in
    _ = PackageVerifier.verify(bytes: Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}
