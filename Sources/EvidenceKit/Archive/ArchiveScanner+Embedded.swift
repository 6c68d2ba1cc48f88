/// Archives found inside other containers (a zip in a file system inside a disk image), listed from bytes in
/// memory the way a nested zip is: for a ``ContainerReader`` that reads files the pipeline cannot open itself.
package enum EmbeddedArchives {
    /// The largest embedded archive that is held in memory to be listed (the same allowance as a nested zip).
    package static var memoryLimit: Int { ArchiveScanner.inMemoryLimit }

    /// How many leading bytes ``looksLikeArchive(_:)`` wants to see.
    package static var prefixLength: Int { ArchiveSniffer.prefixLength }

    /// Whether bytes starting with `prefix` look like an archive or compressed stream (by magic, never by name).
    package static func looksLikeArchive(_ prefix: UnsafeRawBufferPointer) -> Bool {
        ArchiveSniffer.detect(prefix) != nil
    }

    /// What listing an embedded archive gave: its members' records, and what goes on the archive's own record.
    package struct Listing: Sendable {
        /// The members (and members of nested archives), in manifest order.
        package var members: [FingerprintRecord]
        /// Damage or a limit reached: the archive's record gets it as its `error`.
        package var error: String?
        /// The bytes looked like an archive but were not one: the archive's record gets it as a `note`.
        package var note: String?
    }

    /// Lists and hashes every member of the archive `bytes`, whose own record is `path` with member chain `chain`;
    /// members get `chain + [member path]`. Limits come from `options` (`--max-depth`, `--max-expand`); nested
    /// archives recurse on this thread, so call it on a thread with a large stack (16 MiB for 64 levels).
    package static func list(
        _ bytes: UnsafeRawBufferPointer, path: RawName, chain: [RawName], options: FingerprintOptions
    ) -> Listing {
        let prefix = UnsafeRawBufferPointer(rebasing: bytes.prefix(ArchiveSniffer.prefixLength))
        guard options.archives, options.maxDepth >= 1, let hint = ArchiveSniffer.detect(prefix) else {
            return Listing(members: [])
        }
        let scanner = ArchiveScanner(path: path, options: options)
        var outcome = ArchiveScanner.withUTF8Names { scanner.scan(.memory(bytes), chain: chain, depth: 1, hint: hint) }
        if hint.name == "gzip" {
            let checker = GzipIntegrity()
            checker.update(bytes)
            if let damage = checker.finish() {
                if outcome.listedWholeFromOneStream {
                    scanner.markDecompressed(from: 0, ArchiveScanner.untrustworthy("gzip"))
                }
                outcome.error = ArchiveScanner.join(outcome.error, damage)
            }
        }
        var listing = Listing(members: ArchiveScanTask.ordered(scanner.records))
        if let problem = ArchiveScanner.problem(of: outcome, hint: hint) {
            listing.error = problem
        } else if !outcome.opened {
            listing.note = "looks like \(hint.name) but could not be opened: \(outcome.error ?? "")"
        }
        return listing
    }
}
