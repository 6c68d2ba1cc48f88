#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The digests of one hash set, binary and sorted, in a temporary file mapped read-only and searched by bisection.
///
/// A reference set can hold tens of millions of digests: it is never held whole in memory. ``Builder`` sorts the
/// digests in runs of ``Builder/runEntries`` in memory, writes each run to a temporary file, and merges the runs
/// into the index; a lookup then touches about log2(count) pages of the mapping (the top levels of the bisection
/// stay in the page cache), which the kernel can drop and read back at will.
///
/// `Sendable`: the mapping is read-only and lives as long as the index.
final class SortedDigestIndex: @unchecked Sendable {
    /// Bytes per digest.
    let width: Int
    /// Distinct digests.
    let count: Int
    /// The first digest (after the header of a cached index).
    private let base: UnsafeRawPointer?
    private let mapping: UnsafeMutableRawPointer?
    private let mappedLength: Int

    init(width: Int, count: Int, mapping: UnsafeMutableRawPointer?, mappedLength: Int, headerLength: Int = 0) {
        self.width = width
        self.count = count
        self.mapping = mapping
        self.base = mapping.map { UnsafeRawPointer($0) + headerLength }
        self.mappedLength = mappedLength
    }

    deinit { if let mapping { munmap(mapping, mappedLength) } }

    /// Whether the digests are in strictly ascending order (what the bisection needs to find every one of them);
    /// checked on an index read back from the cache before it is used.
    var isStrictlyAscending: Bool {
        guard let base, count > 1 else { return true }
        for i in 1..<count where memcmp(base + (i - 1) * width, base + i * width, width) >= 0 { return false }
        return true
    }

    /// Whether `digest` (exactly `width` bytes) is in the set.
    func contains(_ digest: UnsafeRawBufferPointer) -> Bool {
        guard let base, digest.count == width else { return false }
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            let c = memcmp(base + mid * width, digest.baseAddress!, width)
            if c == 0 { return true }
            if c < 0 { low = mid + 1 } else { high = mid }
        }
        return false
    }

    /// Maps `count` digests of `width` bytes after `headerLength` bytes of the file `fd` (kept open by the caller).
    static func map(fd: Int32, width: Int, count: Int, headerLength: Int, path: String) throws -> SortedDigestIndex {
        let length = headerLength + count * width
        guard let p = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw EvidenceError.system("mmap", path: path)
        }
        // Lookups jump across the file: read-ahead would only waste the page cache.
        madvise(p, length, MADV_RANDOM)
        return SortedDigestIndex(
            width: width, count: count, mapping: p, mappedLength: length, headerLength: headerLength)
    }

    /// Collects digests of one width, in any order and with repeats, and builds the index.
    ///
    /// Not `Sendable`: one thread feeds a builder.
    final class Builder {
        /// Digests sorted in memory at once: 2 Mi of them is 64 MiB for SHA-256, the peak a build adds to the run.
        static let runEntries = 1 << 21

        let width: Int
        private var buffer: [UInt8] = []
        /// Sorted runs in unlinked temporary files, read back by the merge.
        private var runs: [UnsafeMutablePointer<FILE>] = []
        private var added = 0
        private let runEntryLimit: Int

        init(width: Int, runEntries: Int = Builder.runEntries) {
            self.width = width
            self.runEntryLimit = runEntries
            buffer.reserveCapacity(min(runEntries, 1 << 16) * width)
        }

        deinit { for run in runs { fclose(run) } }

        /// Digests added so far, repeats included.
        var entries: Int { added }

        /// Adds one digest of `width` bytes.
        func add<C: Collection<UInt8>>(_ digest: C) throws {
            precondition(digest.count == width)
            buffer.append(contentsOf: digest)
            added += 1
            if buffer.count >= runEntryLimit * width { try spill() }
        }

        /// Sorts the buffered digests and writes them, without repeats, to an unlinked temporary file.
        private func spill() throws {
            let file = try Self.temporaryFile()
            var failed = false
            sortedDistinct { chunk in
                if fwrite(chunk.baseAddress, 1, chunk.count, file) != chunk.count { failed = true }
            }
            buffer.removeAll(keepingCapacity: true)
            if failed || fflush(file) != 0 {
                let code = errno
                fclose(file)
                throw EvidenceError.system("fwrite", path: "a temporary hash-set run", errno: code)
            }
            rewind(file)
            runs.append(file)
        }

        /// Hands the buffered digests to `write` in ascending order, each once, in chunks.
        private func sortedDistinct(_ write: (UnsafeRawBufferPointer) -> Void) {
            let n = buffer.count / width
            guard n > 0 else { return }
            buffer.withUnsafeBytes { bytes in
                let p = bytes.baseAddress!
                let w = width
                // The first 8 bytes, big-endian, decide almost every comparison of uniformly spread digests.
                var keys = [(prefix: UInt64, index: Int32)]()
                keys.reserveCapacity(n)
                for i in 0..<n {
                    var prefix: UInt64 = 0
                    for j in 0..<min(8, w) {
                        prefix = prefix << 8 | UInt64(p.load(fromByteOffset: i * w + j, as: UInt8.self))
                    }
                    if w < 8 { prefix <<= UInt64(8 * (8 - w)) }
                    keys.append((prefix, Int32(i)))
                }
                keys.sort { a, b in
                    if a.prefix != b.prefix { return a.prefix < b.prefix }
                    return memcmp(p + Int(a.index) * w, p + Int(b.index) * w, w) < 0
                }
                var out = [UInt8](repeating: 0, count: min(n, 1 << 16) * w)
                var filled = 0
                var last: Int32 = -1
                out.withUnsafeMutableBytes { o in
                    for key in keys {
                        if last >= 0, memcmp(p + Int(last) * w, p + Int(key.index) * w, w) == 0 { continue }
                        last = key.index
                        memcpy(o.baseAddress! + filled, p + Int(key.index) * w, w)
                        filled += w
                        if filled == o.count {
                            write(UnsafeRawBufferPointer(o))
                            filled = 0
                        }
                    }
                    if filled > 0 { write(UnsafeRawBufferPointer(rebasing: o[0..<filled])) }
                }
            }
        }

        /// Merges everything added into the index and maps it.
        /// - Parameter output: where to write the index (an unlinked temporary file when `nil`), and the header
        ///   that goes before the digests given their count (a cached index's, see ``DigestIndexCache``); the
        ///   caller keeps and closes the file.
        /// - Throws: ``EvidenceError`` (`io`) when the temporary files cannot be written or mapped.
        func finish(
            to output: (file: UnsafeMutablePointer<FILE>, header: (Int) -> [UInt8])? = nil
        ) throws -> SortedDigestIndex {
            let file = try output?.file ?? Self.temporaryFile()
            defer { if output == nil { fclose(file) } }
            let headerLength = output?.header(0).count ?? 0
            if let output {
                let placeholder = output.header(0)
                guard fwrite(placeholder, 1, placeholder.count, file) == placeholder.count else {
                    throw EvidenceError.system("fwrite", path: "a hash-set index", errno: errno)
                }
            }
            var written = 0
            var failed = false
            if runs.isEmpty {
                // Everything fits in one run: write it straight into the index.
                sortedDistinct { chunk in
                    if fwrite(chunk.baseAddress, 1, chunk.count, file) != chunk.count { failed = true }
                    written += chunk.count / width
                }
                buffer = []
            } else {
                if !buffer.isEmpty { try spill() }
                buffer = []
                written = try merge(into: file, failed: &failed)
            }
            if let output {
                let header = output.header(written)
                if fflush(file) != 0 || pwrite(fileno(file), header, header.count, 0) != header.count {
                    failed = true
                }
            }
            if failed || fflush(file) != 0 {
                throw EvidenceError.system("fwrite", path: "a temporary hash-set index", errno: errno)
            }
            guard written > 0 else { return SortedDigestIndex(width: width, count: 0, mapping: nil, mappedLength: 0) }
            return try SortedDigestIndex.map(
                fd: fileno(file), width: width, count: written, headerLength: headerLength, path: "a hash-set index")
        }

        /// K-way merge of the sorted runs, dropping repeats across runs. Returns the digests written.
        private func merge(into out: UnsafeMutablePointer<FILE>, failed: inout Bool) throws -> Int {
            let w = width
            let readers = runs.map { RunReader(file: $0, width: w) }
            var last = [UInt8](repeating: 0, count: w)
            var haveLast = false
            var written = 0
            while true {
                var best: RunReader?
                for r in readers where r.hasCurrent {
                    if let b = best {
                        if r.compareCurrent(with: b) < 0 { best = r }
                    } else {
                        best = r
                    }
                }
                guard let b = best else { break }
                let repeated = haveLast && b.currentEquals(last)
                if !repeated {
                    b.copyCurrent(into: &last)
                    haveLast = true
                    if fwrite(last, 1, w, out) != w { failed = true }
                    written += 1
                }
                try b.advance()
            }
            return written
        }

        static func temporaryFile() throws -> UnsafeMutablePointer<FILE> {
            guard let f = tmpfile() else { throw EvidenceError.system("tmpfile", path: nil) }
            return f
        }
    }
}

/// Reads one sorted run back in blocks, one digest at a time.
///
/// Not `Sendable`: used by the merge on one thread.
private final class RunReader {
    let file: UnsafeMutablePointer<FILE>
    let width: Int
    private var block: [UInt8]
    private var offset = 0
    private var filled = 0

    init(file: UnsafeMutablePointer<FILE>, width: Int) {
        self.file = file
        self.width = width
        block = [UInt8](repeating: 0, count: width * 32_768)
        refill()
    }

    var hasCurrent: Bool { offset + width <= filled }

    private func refill() {
        filled = block.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        filled -= filled % width
        offset = 0
    }

    func advance() throws {
        offset += width
        if offset >= filled { refill() }
        if ferror(file) != 0 { throw EvidenceError.system("fread", path: "a temporary hash-set run") }
    }

    func compareCurrent(with other: RunReader) -> Int32 {
        block.withUnsafeBytes { a in
            other.block.withUnsafeBytes { b in memcmp(a.baseAddress! + offset, b.baseAddress! + other.offset, width) }
        }
    }

    func currentEquals(_ digest: [UInt8]) -> Bool {
        block.withUnsafeBytes { a in
            digest.withUnsafeBytes { memcmp(a.baseAddress! + offset, $0.baseAddress!, width) == 0 }
        }
    }

    func copyCurrent(into digest: inout [UInt8]) {
        for i in 0..<width { digest[i] = block[offset + i] }
    }
}
