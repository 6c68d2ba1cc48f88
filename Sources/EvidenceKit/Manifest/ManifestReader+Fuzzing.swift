/// The manifest reader, for the libFuzzer harness in `Fuzz/` (a package of its own, which sees only public
/// symbols): reached with `@_spi(Fuzzing) import EvidenceKit`, like ``ArchiveFuzzing``.
@_spi(Fuzzing) public enum ManifestFuzzing {
    /// Parses `bytes` as `evidence audit` reads a manifest, and throws away what it read.
    @_spi(Fuzzing) public static func read(_ bytes: [UInt8]) {
        _ = try? ManifestReader.parse(bytes, name: "fuzz-input")
    }
}
