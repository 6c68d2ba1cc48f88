/// The ledger readers, for the libFuzzer harnesses in `Fuzz/`. That is a package of its own (it builds every module
/// with `-sanitize=fuzzer`), so it sees only public symbols: these entry points are the only public API of
/// ProceedsGraph, reached with `@_spi(Fuzzing) import ProceedsGraph`. Each reads one file the way `trace` does and
/// throws away what it read: an error thrown is an answer, a crash or a hang is a finding.
@_spi(Fuzzing) public enum ImportFuzzing {
    /// The formats the harnesses feed.
    @_spi(Fuzzing) public enum Format: Sendable {
        case canonical, camt053, mt940, bitcoinETL
    }

    /// Reads the file at `path` as `format`.
    @_spi(Fuzzing) public static func read(_ path: String, as format: Format) {
        switch format {
        case .canonical: _ = try? LedgerImporter.load([path], format: .canonical)
        case .camt053: _ = try? LedgerImporter.load([path], format: .camt053)
        case .mt940: _ = try? LedgerImporter.load([path], format: .mt940)
        case .bitcoinETL: _ = try? BitcoinETLImporter.load([path])
        }
    }
}
