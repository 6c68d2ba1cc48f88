/// The archive sniffer and scanner over bytes in memory, for the libFuzzer harnesses in `Fuzz/` and the tests that
/// replay what they found (`Tests/FuzzRegressions/`). Not part of the library's API: reached only with
/// `@_spi(Fuzzing) import EvidenceKit`. The harness is a package of its own and sees only public symbols, so its one
/// entry point is ``unaccountedMembers(_:)``; the tests in the same package use ``scan(_:options:)``.
@_spi(Fuzzing) public enum ArchiveFuzzing {
    /// What scanning a buffer gave.
    package struct Result: Sendable {
        /// The sniffer's name for the format ("zip", "tar", …), `nil` when the bytes do not look like an archive.
        package var format: String?
        /// Whether libarchive opened the bytes as that format.
        package var opened: Bool
        /// The archive-level error (damage, a limit reached), as the archive's own record would carry it.
        package var error: String?
        /// One record per member, nested archives' members included, in archive order.
        package var members: [FingerprintRecord]
    }

    /// The limits the harness scans with: small enough that one input stays cheap (16 MiB decompressed, archives
    /// nested 4 deep), large enough for every format's code paths.
    package static var harnessOptions: FingerprintOptions {
        var options = FingerprintOptions()
        options.algorithms = [.sha256]
        options.maxExpand = 16 << 20
        options.maxDepth = 4
        return options
    }

    /// Sniffs `bytes` as the file hasher sniffs a file's first block and, when they look like an archive, lists and
    /// hashes its members the way a nested zip is read (libarchive over memory), with the limits in `options`.
    package static func scan(_ bytes: UnsafeRawBufferPointer, options: FingerprintOptions) -> Result {
        let prefix = UnsafeRawBufferPointer(rebasing: bytes.prefix(ArchiveSniffer.prefixLength))
        guard options.archives, options.maxDepth >= 1, let hint = ArchiveSniffer.detect(prefix) else {
            return Result(format: nil, opened: false, error: nil, members: [])
        }
        let scanner = ArchiveScanner(path: RawName("fuzz-input"), options: options)
        let outcome = ArchiveScanner.withUTF8Names { scanner.scan(.memory(bytes), chain: [], depth: 1) }
        return Result(format: hint.name, opened: outcome.opened, error: outcome.error, members: scanner.records)
    }

    /// Scans `bytes` with ``harnessOptions`` and returns the member chain (names joined by " › ") of every member that
    /// was neither read whole (digests) nor says why not (an error) or what it is instead (a note: link, special
    /// file). The harness's invariant is that this is empty.
    @_spi(Fuzzing) public static func unaccountedMembers(_ bytes: UnsafeRawBufferPointer) -> [String] {
        scan(bytes, options: harnessOptions).members
            .filter { $0.digests.isEmpty && $0.error == nil && $0.note == nil }
            .map { $0.member.map(\.text).joined(separator: " › ") }
    }
}
