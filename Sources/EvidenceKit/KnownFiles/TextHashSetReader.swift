#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation
import IProceedsBase

/// Reads a hash set written as text — a hashdeep file, `md5sum`/`sha1sum`/`sha256sum`/`sha512sum` output, or a CSV
/// of digests with a description — one line at a time, never whole (see `docs/formats.md`).
///
/// Not `Sendable`: used while a set is opened, on one thread.
final class TextHashSetReader {
    let path: String
    let format: HashSetFormat
    /// The digest algorithms the set offers.
    let algorithms: [DigestAlgorithm]
    /// For hashdeep and CSV: the field index of each algorithm's digest.
    private let columns: [DigestAlgorithm: Int]
    /// For a CSV with a header: the line the data starts after.
    private let headerLines: Int
    /// For hashdeep: the column line (`%%%% size,…,filename`) and how many fields it names.
    private var hashdeepHeader: [UInt8] = []
    private var fieldCount = 0

    /// Recognises the format from the first lines of the file.
    /// - Throws: ``EvidenceError`` `hash-set` naming the file and line when it is none of the text formats.
    init(path: String, head: Data) throws {
        self.path = path
        if head.contains(0) {
            throw EvidenceError(
                .hashSet,
                "hash set \(path) is binary but not an SQLite database: expected an NSRL RDS v3 database, a hashdeep "
                    + "file, md5sum/sha1sum/sha256sum output or a CSV of digests", path: path)
        }
        var found: (HashSetFormat, [DigestAlgorithm: Int], Int)?
        var firstError: EvidenceError?
        var header: [UInt8] = []
        var fieldCount = 0
        try Self.lines(path) { number, line in
            if number == 1, line.starts(with: Array("%%%% HASHDEEP-1.0".utf8)) {
                found = (.hashdeep, [:], 0)
                return true
            }
            if case .hashdeep? = found?.0 {
                // The second line names the columns: `%%%% size,md5,sha256,filename`.
                guard line.starts(with: Array("%%%% ".utf8)) else {
                    firstError = Self.lineError(path, number, line, "expected hashdeep's '%%%% size,…,filename' line")
                    return false
                }
                let names = String(decoding: line.dropFirst(5), as: UTF8.self).split(separator: ",").map(String.init)
                var map: [DigestAlgorithm: Int] = [:]
                for (i, n) in names.enumerated() {
                    if let alg = DigestAlgorithm(rawValue: n.lowercased()), alg.isHashdeepAlgorithm { map[alg] = i }
                }
                guard names.first == "size", names.last == "filename", !map.isEmpty else {
                    firstError = Self.lineError(
                        path, number, line, "hashdeep columns must be size, md5/sha1/sha256, filename")
                    return false
                }
                found = (.hashdeep, map, 0)
                header = Array(line)
                fieldCount = names.count
                return false
            }
            if Self.isSkippable(line) { return true }
            if let checksum = Self.checksumLine(line) {
                found = (.checksumList, [checksum.0: 0], 0)
                return false
            }
            if line.contains(UInt8(ascii: ",")) {
                guard let fields = Self.csvFields(line) else {
                    firstError = Self.lineError(path, number, line, "unbalanced quotes in a CSV line")
                    return false
                }
                if let alg = Self.algorithm(ofHexLength: fields[0].utf8.count), Hex.decode(fields[0]) != nil {
                    found = (.csv, [alg: 0], 0)
                    return false
                }
                var map: [DigestAlgorithm: Int] = [:]
                for (i, f) in fields.enumerated() {
                    let n = f.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "")
                    if let alg = DigestAlgorithm(rawValue: n), [.md5, .sha1, .sha256, .sha512].contains(alg) {
                        map[alg] = i
                    }
                }
                guard !map.isEmpty else {
                    firstError = Self.lineError(
                        path, number, line,
                        "a CSV hash set needs a header naming an md5, sha1, sha256 or sha512 "
                            + "column, or a digest in its first column")
                    return false
                }
                found = (.csv, map, number)
                return false
            }
            firstError = Self.lineError(
                path, number, line,
                "not a hash set line: expected an NSRL RDS v3 database, a hashdeep file, md5sum/sha1sum/sha256sum "
                    + "output or a CSV of digests")
            return false
        }
        if let firstError { throw firstError }
        guard let found, !found.1.isEmpty else {
            throw EvidenceError(.hashSet, "hash set \(path) holds no digest (it is empty)", path: path)
        }
        (format, columns, headerLines) = found
        algorithms = columns.keys.sorted()
        hashdeepHeader = header
        self.fieldCount = fieldCount
    }

    /// Hands every digest of `algorithm` to `body` as bytes, in file order.
    /// - Throws: ``EvidenceError`` `hash-set` naming the file and the first malformed line.
    func forEachDigest(_ algorithm: DigestAlgorithm, _ body: ([UInt8]) throws -> Void) throws {
        guard let column = columns[algorithm] else { return }
        var digest = [UInt8](repeating: 0, count: algorithm.digestLength)
        var failure: EvidenceError?
        try Self.lines(path) { number, line in
            switch format {
            case .hashdeep:
                if line.first == UInt8(ascii: "#") || line.starts(with: Array("%%%%".utf8)) {
                    // Concatenated hashdeep files repeat their header: the columns must stay the same.
                    if line.starts(with: Array("%%%% size".utf8)), !line.elementsEqual(hashdeepHeader) {
                        failure = Self.lineError(path, number, line, "the hashdeep columns change within the set")
                        return false
                    }
                    return true
                }
                if line.isEmpty { return true }
                let fields = line.split(
                    separator: UInt8(ascii: ","), maxSplits: fieldCount - 1, omittingEmptySubsequences: false)
                guard fields.count == fieldCount, Self.decode(fields[column], into: &digest) else {
                    failure = Self.lineError(
                        path, number, line, "not a hashdeep line with a \(algorithm.rawValue) digest")
                    return false
                }
            case .checksumList:
                if Self.isSkippable(line) { return true }
                guard let checksum = Self.checksumLine(line), checksum.0 == algorithm,
                    Self.decode(checksum.1, into: &digest)
                else {
                    failure = Self.lineError(
                        path, number, line,
                        "not a \(algorithm.rawValue)sum line (digest, two spaces or space-star, name)")
                    return false
                }
            case .csv, .nsrlRDS3:
                if number <= headerLines || line.isEmpty { return true }
                guard let fields = Self.csvFields(line), column < fields.count,
                    Self.decode(Array(fields[column].utf8)[...], into: &digest)
                else {
                    failure = Self.lineError(
                        path, number, line, "no \(algorithm.rawValue) digest in column \(column + 1)")
                    return false
                }
            }
            do { try body(digest) } catch let e as EvidenceError {
                failure = e
                return false
            }
            return true
        }
        if let failure { throw failure }
    }

    // MARK: - Lines

    /// Calls `body` with each line (without its LF or CR LF) and its number from 1, until `body` returns false.
    static func lines(_ path: String, _ body: (Int, ArraySlice<UInt8>) throws -> Bool) throws {
        guard let file = fopen(path, "rb") else {
            let code = errno
            throw EvidenceError(
                .hashSetMissing, "cannot read hash set \(path): \(describeErrno(code))", path: path, function: "fopen",
                systemCode: code)
        }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var number = 0
        var line: [UInt8] = []
        while true {
            let n = getline(&buffer, &capacity, file)
            if n < 0 { break }
            number += 1
            var length = n
            buffer!.withMemoryRebound(to: UInt8.self, capacity: length) { p in
                if length > 0, p[length - 1] == UInt8(ascii: "\n") { length -= 1 }
                if length > 0, p[length - 1] == UInt8(ascii: "\r") { length -= 1 }
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: UnsafeBufferPointer(start: p, count: length))
            }
            if try !body(number, line[...]) { return }
        }
        if ferror(file) != 0 {
            throw EvidenceError(
                .hashSetMissing, "cannot read hash set \(path) after line \(number): \(describeErrno(errno))",
                path: path, function: "getline", systemCode: errno)
        }
    }

    static func lineError(_ path: String, _ number: Int, _ line: ArraySlice<UInt8>, _ reason: String) -> EvidenceError {
        let shown = String(decoding: line.prefix(120), as: UTF8.self)
        return EvidenceError(.hashSet, "hash set \(path) line \(number): \(reason): '\(shown)'", path: path)
    }

    static func isSkippable(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } || line.first == UInt8(ascii: "#")
    }

    static func algorithm(ofHexLength n: Int) -> DigestAlgorithm? {
        switch n {
        case 32: .md5
        case 40: .sha1
        case 64: .sha256
        case 128: .sha512
        default: nil
        }
    }

    /// The digest of an `md5sum`-family line: GNU style `HEX  NAME` or `HEX *NAME` (a leading `\` when the name
    /// was escaped), or BSD/`--tag` style `SHA256 (NAME) = HEX`.
    static func checksumLine(_ line: ArraySlice<UInt8>) -> (DigestAlgorithm, ArraySlice<UInt8>)? {
        var rest = line
        if rest.first == UInt8(ascii: "\\") { rest = rest.dropFirst() }
        if let space = rest.firstIndex(of: UInt8(ascii: " ")),
            let alg = algorithm(ofHexLength: space - rest.startIndex),
            rest.index(after: space) < rest.endIndex,
            [UInt8(ascii: " "), UInt8(ascii: "*")].contains(rest[rest.index(after: space)]),
            rest[rest.startIndex..<space].allSatisfy({ Hex.value(ofDigit: $0) != nil })
        {
            return (alg, rest[rest.startIndex..<space])
        }
        for (tag, alg) in [("MD5", DigestAlgorithm.md5), ("SHA1", .sha1), ("SHA256", .sha256), ("SHA512", .sha512)]
        where line.starts(with: Array((tag + " (").utf8)) {
            guard let eq = line.lastIndex(of: UInt8(ascii: "=")), eq >= line.startIndex + 2,
                line[eq - 2..<eq].elementsEqual(") ".utf8), eq + 2 <= line.endIndex
            else { return nil }
            let hex = line[(eq + 2)...]
            guard hex.count == alg.digestLength * 2 else { return nil }
            return (alg, hex)
        }
        return nil
    }

    /// Decodes hex (either case) into `out`, which has the digest's length; false when it is not such a digest.
    static func decode(_ hex: ArraySlice<UInt8>, into out: inout [UInt8]) -> Bool {
        var trimmed = hex
        while trimmed.first == UInt8(ascii: " ") { trimmed = trimmed.dropFirst() }
        while trimmed.last == UInt8(ascii: " ") { trimmed = trimmed.dropLast() }
        guard trimmed.count == out.count * 2 else { return false }
        var i = trimmed.startIndex
        for k in 0..<out.count {
            guard let hi = Hex.value(ofDigit: trimmed[i]), let lo = Hex.value(ofDigit: trimmed[i + 1]) else {
                return false
            }
            out[k] = hi << 4 | lo
            i += 2
        }
        return true
    }

    /// The fields of one CSV line, through the foundation's one CSV reader (quoted fields may hold commas and
    /// doubled quotes); `nil` when a quote is left open. A description that is not UTF-8 is let through (with
    /// U+FFFD): only the digest column is used, and it must be hex, so such bytes can never make two digests one.
    static func csvFields(_ line: ArraySlice<UInt8>) -> [String]? {
        var reader = CSVReader(Array(line))
        guard let record = reader.next() else { return [""] }
        return record.problem == .unclosedQuote ? nil : record.fields
    }
}

@available(*, unavailable)
extension TextHashSetReader: Sendable {}
