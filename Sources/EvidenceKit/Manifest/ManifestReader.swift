import Foundation
import IProceedsBase

/// A manifest read back: its records, the algorithms it carries, and the lines that could not be read.
package struct Manifest: Sendable {
    package var format: ManifestFormat
    package var algorithms: [DigestAlgorithm]
    package var records: [FingerprintRecord]
    /// Lines that could not be read (a file name with a line break in a hashdeep manifest splits its line in
    /// two, say). The rest is read, as hashdeep itself does; an audit reports these and fails.
    package var problems: [ManifestProblem] = []
}

/// A line of a manifest that could not be read, and why.
package struct ManifestProblem: Sendable, Equatable {
    package var line: Int
    package var reason: String
}

/// Reads manifests in the formats that can be audited: iproceeds JSON Lines, and hashdeep (iproceeds' own or
/// hashdeep's, including iproceeds' `## iproceeds ` comment records).
package enum ManifestReader {
    /// Reads and parses the manifest at `path`, choosing the format from its first line.
    /// - Throws: ``EvidenceError`` with code `.manifest` naming the line that could not be parsed.
    package static func read(path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvidenceError(.manifest, "cannot read manifest \(path): no such file or not readable", path: path)
        }
        return try parse(Array(data), name: path)
    }

    package static func parse(_ bytes: [UInt8], name: String) throws -> Manifest {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if let first = lines.first, first.starts(with: Array("%%%% HASHDEEP-1.0".utf8)) {
            return try parseHashdeep(lines, name: name)
        }
        let parser = JSONLinesParser(name: name)
        for (i, line) in lines.enumerated() { try parser.parseLine(line, number: i + 1) }
        return parser.manifest
    }

    /// Reads a JSON Lines manifest fed in pieces of any size (a stored manifest's chunks), so that its bytes are
    /// never held whole: only the records are.
    ///
    /// Not `Sendable`: one reader feeds it.
    package final class JSONLinesParser {
        private let name: String
        private var pending: [UInt8] = []
        private var lineNumber = 0
        private var records: [FingerprintRecord] = []
        private var algorithms = Set<DigestAlgorithm>()

        package init(name: String) { self.name = name }

        /// Parses every complete line in `bytes` (and what was pending before it).
        package func feed(_ bytes: [UInt8]) throws {
            var start = 0
            while let nl = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lineNumber += 1
                if pending.isEmpty {
                    try parseLine(bytes[start..<nl], number: lineNumber)
                } else {
                    pending += bytes[start..<nl]
                    try parseLine(pending[...], number: lineNumber)
                    pending.removeAll(keepingCapacity: true)
                }
                start = nl + 1
            }
            pending += bytes[start...]
        }

        /// The manifest, after the last line (which need not end with a newline).
        package func finish() throws -> Manifest {
            if !pending.isEmpty {
                lineNumber += 1
                try parseLine(pending[...], number: lineNumber)
                pending = []
            }
            return manifest
        }

        var manifest: Manifest { Manifest(format: .jsonl, algorithms: algorithms.sorted(), records: records) }

        func parseLine(_ line: ArraySlice<UInt8>, number: Int) throws {
            var content = line
            if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            guard content.first == UInt8(ascii: "{") else {
                throw EvidenceError(
                    .manifest,
                    "\(name) line \(number): not a JSON Lines or hashdeep manifest (audit reads jsonl and hashdeep formats)",
                    path: name)
            }
            let record = try ManifestReader.parseJSONRecord(Array(content), name: name, line: number)
            algorithms.formUnion(record.digests.keys)
            records.append(record)
        }
    }

    static func parseHashdeep(_ lines: [ArraySlice<UInt8>], name: String) throws -> Manifest {
        var columns: [String] = []
        var records: [FingerprintRecord] = []
        var problems: [ManifestProblem] = []
        var indexByKey: [ItemKey: Int] = [:]
        let prefix = Array(HashdeepWriter.commentPrefix.utf8)
        for (i, raw) in lines.enumerated() {
            var line = raw
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            if line.starts(with: Array("%%%% size,".utf8)) {
                columns = String(decoding: line.dropFirst(5), as: UTF8.self).split(separator: ",").map(String.init)
                guard columns.first == "size", columns.last == "filename" else {
                    throw EvidenceError(
                        .manifest, "\(name) line \(i + 1): hashdeep header without size and filename", path: name)
                }
                continue
            }
            if line.starts(with: prefix) {
                guard let record = try? parseJSONRecord(Array(line.dropFirst(prefix.count)), name: name, line: i + 1)
                else {
                    problems.append(
                        ManifestProblem(line: i + 1, reason: "an iproceeds comment record that is not valid JSON"))
                    continue
                }
                if let existing = indexByKey[record.key] {
                    records[existing] = record
                } else {
                    indexByKey[record.key] = records.count
                    records.append(record)
                }
                continue
            }
            if line.first == UInt8(ascii: "#") || line.first == UInt8(ascii: "%") { continue }
            guard !columns.isEmpty else {
                throw EvidenceError(
                    .manifest, "\(name) line \(i + 1): hashdeep line before the %%%% header", path: name)
            }
            // size, one field per algorithm, then the file name, which may itself contain commas. A line that does
            // not fit is a finding, not the end of the manifest: hashdeep, too, audits the lines it can read.
            var fields: [ArraySlice<UInt8>] = []
            var rest = line
            for _ in 0..<(columns.count - 1) {
                guard let comma = rest.firstIndex(of: UInt8(ascii: ",")) else { break }
                fields.append(rest[rest.startIndex..<comma])
                rest = rest[(comma + 1)...]
            }
            guard fields.count == columns.count - 1 else {
                problems.append(
                    ManifestProblem(
                        line: i + 1,
                        reason:
                            "expected \(columns.count) fields (\(columns.joined(separator: ","))), found \(fields.count + 1); "
                            + "a file name with a line break in it splits its line in two"))
                continue
            }
            guard let size = UInt64(String(decoding: fields[0], as: UTF8.self)) else {
                problems.append(ManifestProblem(line: i + 1, reason: "size is not a number"))
                continue
            }
            var record = FingerprintRecord(path: RawName(Array(rest)), kind: .file, size: size)
            for (column, field) in zip(columns.dropFirst().dropLast(), fields.dropFirst()) {
                if let alg = DigestAlgorithm(rawValue: column.lowercased()) {
                    record.digests[alg] = String(decoding: field, as: UTF8.self).lowercased()
                }
            }
            indexByKey[record.key] = records.count
            records.append(record)
        }
        let algorithms = columns.dropFirst().dropLast().compactMap { DigestAlgorithm(rawValue: $0.lowercased()) }
        return Manifest(format: .hashdeep, algorithms: algorithms, records: records, problems: problems)
    }

    static func parseJSONRecord(_ bytes: [UInt8], name: String, line: Int) throws -> FingerprintRecord {
        func fail(_ why: String) -> EvidenceError {
            EvidenceError(.manifest, "\(name) line \(line): \(why)", path: name)
        }
        let object: JSONValue
        do {
            object = try JSONValue.parse(bytes)
        } catch {
            throw fail("not valid JSON: \(error.reason) (column \(error.column))")
        }
        guard case .object = object else { throw fail("not valid JSON: not an object") }
        guard let pathText = object["path"]?.string else { throw fail("record without \"path\"") }
        var path = RawName(pathText)
        if let hex = object["path_bytes"]?.string {
            guard let raw = Hex.decode(hex) else { throw fail("path_bytes is not hex") }
            path = RawName(raw)
        }
        var member = (object["member"]?.items ?? []).compactMap { $0.string.map(RawName.init) }
        if let list = object["member_bytes"]?.items, case let hexes = list.compactMap(\.string),
            hexes.count == list.count
        {
            let raw = hexes.compactMap(Hex.decode)
            guard raw.count == hexes.count else { throw fail("member_bytes is not hex") }
            member = raw.map(RawName.init)
        }
        guard let kindText = object["kind"]?.string, let kind = ItemKind(rawValue: kindText) else {
            throw fail("record without a known \"kind\"")
        }
        var record = FingerprintRecord(path: path, member: member, kind: kind)
        if let size = object["size"]?.number {
            guard let bytes = UInt64(size) else { throw fail("size is not a whole number of bytes") }
            record.size = bytes
        }
        for alg in DigestAlgorithm.allCases {
            if let hex = object[alg.rawValue]?.string { record.digests[alg] = hex.lowercased() }
        }
        if let mtime = object["mtime"]?.string { record.mtime = utcSeconds(mtime) }
        record.note = object["note"]?.string
        record.error = object["error"]?.string
        // A file inside a disk image: what an audit needs to read the image again the same way.
        if let fs = object["fs"], let type = fs["type"]?.string {
            var facts = FileSystemFacts(fileSystem: type, inode: fs["inode"]?.number.flatMap { UInt64($0) } ?? 0)
            if case .bool(false)? = fs["alloc"] { facts.deleted = true }
            facts.partition = fs["partition"]?.number.flatMap { Int($0) }
            facts.stream = fs["stream"]?.string
            record.filesystem = facts
        }
        return record
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the form manifests write `mtime` in, to seconds since the epoch; `nil` for any
    /// other form or a day the calendar does not have.
    static func utcSeconds(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count == 20, u[10] == UInt8(ascii: "T"), u[16] == UInt8(ascii: ":"), u[19] == UInt8(ascii: "Z"),
            let millis = ISO8601.parse(text)
        else { return nil }
        return millis / 1000
    }
}
