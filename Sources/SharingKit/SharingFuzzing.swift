/// The policy reader and the package verifier, for the libFuzzer harnesses in `Fuzz/`. That is a package of its own,
/// which sees only public symbols: these are SharingKit's only public API, reached with
/// `@_spi(Fuzzing) import SharingKit`. Both throw away what they read: an answer is fine, a crash is a finding.
@_spi(Fuzzing) public enum SharingFuzzing {
    /// Parses `bytes` as a sharing policy (its format sniffed, as `share` does for a policy file).
    @_spi(Fuzzing) public static func readPolicy(_ bytes: [UInt8]) {
        _ = try? SharingPolicy.parse(bytes, format: nil, source: "fuzz-input")
    }

    /// Verifies `bytes` as a share package, with no key given.
    @_spi(Fuzzing) public static func verifyPackage(_ bytes: [UInt8]) {
        _ = PackageVerifier.verify(bytes: bytes)
    }
}
