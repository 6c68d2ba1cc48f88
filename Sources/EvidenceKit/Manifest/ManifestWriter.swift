#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import IProceedsBase

/// A manifest format iproceeds writes.
package enum ManifestFormat: String, CaseIterable, Sendable {
    case jsonl
    case hashdeep
    case dfxml
    case csv
}

/// What a manifest says about the run that made it (hashdeep's and DFXML's headers carry it).
package struct ManifestContext: Sendable {
    package var algorithms: [DigestAlgorithm]
    package var pieceSize: UInt64?
    /// The command line as typed, for the header of formats that record it.
    package var commandLine: [String]
    /// The directory the run was started in.
    package var workingDirectory: String
    package var toolVersion: String
    /// Whether the run looks records up in hash sets: the CSV then has `known` and `alert` columns.
    package var hashSets: Bool

    package init(
        algorithms: [DigestAlgorithm], pieceSize: UInt64? = nil, commandLine: [String] = [],
        workingDirectory: String = "", toolVersion: String = ToolIdentity.version, hashSets: Bool = false
    ) {
        self.hashSets = hashSets
        self.algorithms = algorithms
        self.pieceSize = pieceSize
        self.commandLine = commandLine
        self.workingDirectory = workingDirectory
        self.toolVersion = toolVersion
    }
}

/// Writes fingerprint records in one manifest format through a ``ByteSink``.
///
/// A writer is a plug-in: it declares its format, and ``ManifestWriters/make(_:context:sink:)`` is the one place
/// that knows them all.
package protocol ManifestWriter: AnyObject {
    static var format: ManifestFormat { get }
    /// Writes the header, if the format has one.
    func begin() throws
    /// Writes one record.
    func write(_ record: FingerprintRecord) throws
    /// Writes the footer, if any, and flushes.
    func finish() throws
}

/// The registry of manifest writers.
package enum ManifestWriters {
    package static func make(_ format: ManifestFormat, context: ManifestContext, sink: ByteSink) -> any ManifestWriter {
        switch format {
        case .jsonl: JSONLinesWriter(context: context, sink: sink)
        case .hashdeep: HashdeepWriter(context: context, sink: sink)
        case .dfxml: DFXMLWriter(context: context, sink: sink)
        case .csv: CSVWriter(context: context, sink: sink)
        }
    }
}

/// One JSON object per line: the native manifest, lossless. See `docs/formats.md`.
package final class JSONLinesWriter: ManifestWriter {
    package static let format = ManifestFormat.jsonl
    let context: ManifestContext
    let sink: ByteSink

    package init(context: ManifestContext, sink: ByteSink) {
        self.context = context
        self.sink = sink
    }

    package func begin() throws {}

    package func write(_ record: FingerprintRecord) throws {
        sink.withBuffer { out in
            Self.appendLine(record, algorithms: context.algorithms, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        try sink.flushIfNeeded()
    }

    package func finish() throws { try sink.flush() }

    /// The record as one JSON object with the keys in a fixed order (no trailing newline).
    package static func line(_ r: FingerprintRecord, algorithms: [DigestAlgorithm]) -> String {
        var out: [UInt8] = []
        appendLine(r, algorithms: algorithms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``line(_:algorithms:)`` to `out`, byte by byte: a run writes one per item, under the lock that keeps
    /// the manifest in order, so it must cost little next to hashing a small file.
    static func appendLine(_ r: FingerprintRecord, algorithms: [DigestAlgorithm], to out: inout [UInt8]) {
        out.appendASCII("{\"path\":")
        let pathIsUTF8 = r.path.isValidUTF8
        r.path.appendJSONString(to: &out, isValidUTF8: pathIsUTF8)
        if !pathIsUTF8 {
            out.appendASCII(",\"path_bytes\":\"")
            out.append(contentsOf: r.path.hex.utf8)
            out.appendASCII("\"")
        }
        if !r.member.isEmpty {
            out.appendASCII(",\"member\":[")
            var allUTF8 = true
            for (i, name) in r.member.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                let valid = name.isValidUTF8
                allUTF8 = allUTF8 && valid
                name.appendJSONString(to: &out, isValidUTF8: valid)
            }
            out.appendASCII("]")
            if !allUTF8 {
                out.appendASCII(",\"member_bytes\":[")
                for (i, name) in r.member.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(UInt8(ascii: "\""))
                    out.append(contentsOf: name.hex.utf8)
                    out.append(UInt8(ascii: "\""))
                }
                out.appendASCII("]")
            }
        }
        out.appendASCII(",\"kind\":\"")
        out.append(contentsOf: r.kind.rawValue.utf8)
        out.append(UInt8(ascii: "\""))
        if let size = r.size {
            out.appendASCII(",\"size\":")
            out.appendDecimal(size)
        }
        for alg in algorithms {
            if let hex = r.digests[alg] { out.appendDigestMember(alg, hex) }
        }
        if let pieces = r.pieces, !pieces.isEmpty {
            out.appendASCII(",\"pieces\":[")
            for (i, p) in pieces.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.appendASCII("{\"offset\":")
                out.appendDecimal(p.offset)
                out.appendASCII(",\"size\":")
                out.appendDecimal(p.size)
                for (alg, hex) in zip(algorithms, p.digests) { out.appendDigestMember(alg, hex) }
                out.append(UInt8(ascii: "}"))
            }
            out.appendASCII("]")
        }
        if let mtime = r.mtime {
            out.appendASCII(",\"mtime\":\"")
            ISO8601.append(seconds: mtime, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        if let fs = r.filesystem {
            out.appendASCII(",\"fs\":")
            out.append(contentsOf: fileSystemObject(fs).utf8)
        }
        if let known = r.known {
            out.appendASCII(",\"known\":")
            JSONValue.appendQuoted(known, to: &out)
        }
        if let alert = r.alert {
            out.appendASCII(",\"alert\":")
            JSONValue.appendQuoted(alert, to: &out)
        }
        if let note = r.note {
            out.appendASCII(",\"note\":")
            JSONValue.appendQuoted(note, to: &out)
        }
        if let error = r.error {
            out.appendASCII(",\"error\":")
            JSONValue.appendQuoted(error, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The `fs` object of a file found inside a disk image, keys in a fixed order (see `docs/formats.md`).
    static func fileSystemObject(_ f: FileSystemFacts) -> String {
        var o = "{"
        if let p = f.partition { o += "\"partition\":\(p)," }
        if let t = f.partitionType { o += "\"partition_type\":" + JSONValue.quoted(t) + "," }
        if let off = f.partitionOffset { o += "\"partition_offset\":\(off)," }
        o += "\"type\":" + JSONValue.quoted(f.fileSystem) + ",\"inode\":\(f.inode)"
        if let stream = f.stream { o += ",\"stream\":" + JSONValue.quoted(stream) }
        o += ",\"alloc\":" + (f.deleted ? "false" : "true")
        if f.possiblyOverwritten { o += ",\"possibly_overwritten\":true" }
        if let t = f.accessed { o += ",\"atime\":\"" + ISO8601.format(seconds: t) + "\"" }
        if let t = f.changed { o += ",\"ctime\":\"" + ISO8601.format(seconds: t) + "\"" }
        if let t = f.created { o += ",\"crtime\":\"" + ISO8601.format(seconds: t) + "\"" }
        return o + "}"
    }
}

/// hashdeep's format (`%%%% HASHDEEP-1.0`), readable by `hashdeep -a -k`.
///
/// A file on disk read whole becomes a hashdeep line with its exact name bytes, as hashdeep writes it — a
/// carriage return inside a name included, which hashdeep audits. Everything hashdeep cannot express — archive
/// members, symbolic links, special files, errors, notes, pieces, names with a line feed (which splits the line)
/// and names ending in a carriage return (which hashdeep strips when it reads) — is carried losslessly on a
/// `## iproceeds ` comment line holding the JSON Lines record, which hashdeep ignores and iproceeds reads back.
/// Paths are absolute, as hashdeep writes and compares them.
package final class HashdeepWriter: ManifestWriter {
    package static let format = ManifestFormat.hashdeep
    package static let commentPrefix = "## iproceeds "
    let context: ManifestContext
    let sink: ByteSink

    package init(context: ManifestContext, sink: ByteSink) {
        self.context = context
        self.sink = sink
    }

    package func begin() throws {
        sink.write("%%%% HASHDEEP-1.0\n")
        sink.write("%%%% size," + context.algorithms.map(\.rawValue).joined(separator: ",") + ",filename\n")
        sink.write("## Invoked from: " + context.workingDirectory + "\n")
        sink.write("## $ " + context.commandLine.joined(separator: " ").replacingAll("\n", with: " ") + "\n")
        sink.write("##\n")
    }

    package func write(_ r: FingerprintRecord) throws {
        // hashdeep writes, and compares, absolute paths.
        var absolute = r
        absolute.path = r.path.absolute(in: context.workingDirectory)
        let name = absolute.path.bytes
        let plain =
            r.kind == .file && r.member.isEmpty && !r.digests.isEmpty && !name.contains(UInt8(ascii: "\n"))
            && name.last != UInt8(ascii: "\r")
        if plain {
            sink.write(String(r.size ?? 0))
            for alg in context.algorithms { sink.write(","); sink.write(r.digests[alg] ?? "") }
            sink.write(",")
            sink.write(bytes: absolute.path.bytes)
            sink.write("\n")
        }
        if !plain || r.note != nil || r.error != nil || r.pieces != nil || r.known != nil || r.alert != nil {
            sink.write(Self.commentPrefix)
            sink.withBuffer { out in
                JSONLinesWriter.appendLine(absolute, algorithms: context.algorithms, to: &out)
                out.append(UInt8(ascii: "\n"))
            }
        }
        try sink.flushIfNeeded()
    }

    package func finish() throws { try sink.flush() }
}

/// RFC 4180 CSV with a header row; the member chain is a JSON array in one field.
package final class CSVWriter: ManifestWriter {
    package static let format = ManifestFormat.csv
    let context: ManifestContext
    let sink: ByteSink

    package init(context: ManifestContext, sink: ByteSink) {
        self.context = context
        self.sink = sink
    }

    package func begin() throws {
        let columns =
            ["path", "path_bytes", "member", "member_bytes", "kind", "size"]
            + context.algorithms.map(\.rawValue) + ["mtime", "note", "error"]
            + (context.hashSets ? ["known", "alert"] : [])
        sink.write(columns.joined(separator: ",") + "\r\n")
    }

    package func write(_ r: FingerprintRecord) throws {
        var fields = [
            CSV.field(r.path.text), r.path.isValidUTF8 ? "" : r.path.hex,
            r.member.isEmpty
                ? "" : CSV.field("[" + r.member.map { JSONValue.quoted($0.text) }.joined(separator: ",") + "]"),
            r.member.allSatisfy(\.isValidUTF8) ? "" : r.member.map(\.hex).joined(separator: " "),
            r.kind.rawValue, r.size.map(String.init) ?? "",
        ]
        fields += context.algorithms.map { r.digests[$0] ?? "" }
        fields += [
            r.mtime.map { ISO8601.format(seconds: $0) } ?? "", CSV.field(r.note ?? ""), CSV.field(r.error ?? ""),
        ]
        if context.hashSets { fields += [CSV.field(r.known ?? ""), CSV.field(r.alert ?? "")] }
        sink.write(fields.joined(separator: ",") + "\r\n")
        try sink.flushIfNeeded()
    }

    package func finish() throws { try sink.flush() }
}

/// Digital Forensics XML: a `fileobject` per item with `filename`, `error`, `filesize`, `mtime`, `byte_runs` and
/// `hashdigest`, in the order the DFXML schema (`dfxml.xsd` 1.2.0) requires; every document validates against it.
///
/// What DFXML has no element for goes in elements of the `iproceeds` namespace at the end of each `fileobject`
/// (where the schema allows other namespaces), which DFXML readers skip: the kind, the exact name bytes, the
/// archive chain of a member (`iproceeds:archive_chain`, the file on disk first, then each enclosing member —
/// DFXML's `parent_object` holds only a parent directory's inode), and notes. The working directory is in
/// `metadata`. A digest DFXML does not name (sha3-256, blake2b-512) is `type="other"` with `iproceeds:type`.
package final class DFXMLWriter: ManifestWriter {
    package static let format = ManifestFormat.dfxml
    package static let namespace = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
    package static let extensionNamespace = "urn:iproceeds:dfxml:1"
    let context: ManifestContext
    let sink: ByteSink
    /// The `<volume>` open now: the image's path and the file system's offset in it.
    private var openVolume: (image: RawName, offset: UInt64)?
    /// The files outside any volume, kept in an unlinked temporary file until the end: DFXML's schema puts every
    /// `<volume>` before the `<fileobject>`s outside volumes, and a volume may come after them.
    private var outside: (file: UnsafeMutablePointer<FILE>, sink: ByteSink)?

    deinit { if let outside { fclose(outside.file) } }

    package init(context: ManifestContext, sink: ByteSink) {
        self.context = context
        self.sink = sink
    }

    package func begin() throws {
        sink.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        sink.write(
            "<dfxml xmlns=\"\(Self.namespace)\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                + "xmlns:iproceeds=\"\(Self.extensionNamespace)\" version=\"1.2.0\">\n")
        sink.write("  <metadata>\n    <dc:type>Hash List</dc:type>\n")
        sink.write(
            "    <iproceeds:working_directory>\(Escaping.xml(context.workingDirectory))</iproceeds:working_directory>\n"
        )
        sink.write("  </metadata>\n")
        sink.write("  <creator version=\"1.0\">\n")
        sink.write("    <program>\(ToolIdentity.name)</program>\n")
        sink.write("    <version>\(Escaping.xml(context.toolVersion))</version>\n")
        sink.write("    <execution_environment>\n")
        sink.write("      <command_line>\(Escaping.xml(context.commandLine.joined(separator: " ")))</command_line>\n")
        sink.write("    </execution_environment>\n  </creator>\n")
    }

    /// The `type` attribute(s) of a `hashdigest`: DFXML's enumeration has md5, sha1 and the SHA-2 family only.
    static func typeAttributes(_ alg: DigestAlgorithm) -> String {
        switch alg {
        case .md5, .sha1, .sha256, .sha512: "type=\"\(alg.rawValue)\""
        default: "type=\"other\" iproceeds:type=\"\(alg.rawValue)\""
        }
    }

    /// Opens, keeps or closes the `<volume>` around `r`: the files of one file system of one image go inside a
    /// `<volume>` element as fiwalk writes it (its offset, block size, file system type, blocks), in the order
    /// they come (one file system after the other, in tree order); archive members inside such a file stay in
    /// it; everything else is outside any volume.
    private func enterVolume(for r: FingerprintRecord) {
        if let v = r.filesystem?.volume {
            if let open = openVolume, open.image == r.path, open.offset == v.offset { return }
            leaveVolume()
            sink.write("  <volume offset=\"\(v.offset)\">\n")
            sink.write("    <partition_offset>\(v.offset)</partition_offset>\n")
            sink.write("    <block_size>\(v.blockSize)</block_size>\n")
            sink.write("    <ftype>\(v.fileSystemType)</ftype>\n")
            sink.write("    <ftype_str>\(Escaping.xml(v.fileSystemTypeName))</ftype_str>\n")
            sink.write("    <block_count>\(v.blockCount)</block_count>\n")
            sink.write("    <first_block>\(v.firstBlock)</first_block>\n")
            sink.write("    <last_block>\(v.lastBlock)</last_block>\n")
            openVolume = (r.path, v.offset)
        } else if let open = openVolume, !(open.image == r.path && r.member.count > 1 && r.filesystem == nil) {
            leaveVolume()
        }
    }

    private func leaveVolume() {
        guard openVolume != nil else { return }
        sink.write("  </volume>\n")
        openVolume = nil
    }

    package func write(_ r: FingerprintRecord) throws {
        enterVolume(for: r)
        let sink = try openVolume == nil ? outsideSink() : self.sink
        sink.write("  <fileobject>\n")
        let own = r.member.last ?? r.path
        sink.write("    <filename>\(Escaping.xml(own.text))</filename>\n")
        if let error = r.error { sink.write("    <error>\(Escaping.xml(error))</error>\n") }
        let fs = r.filesystem
        if let p = fs?.partition { sink.write("    <partition>\(p)</partition>\n") }
        if let size = r.size { sink.write("    <filesize>\(size)</filesize>\n") }
        if let fs { sink.write("    <alloc>\(fs.deleted ? 0 : 1)</alloc>\n    <inode>\(fs.inode)</inode>\n") }
        if let mtime = r.mtime { sink.write("    <mtime>\(ISO8601.format(seconds: mtime))</mtime>\n") }
        if let t = fs?.changed { sink.write("    <ctime>\(ISO8601.format(seconds: t))</ctime>\n") }
        if let t = fs?.accessed { sink.write("    <atime>\(ISO8601.format(seconds: t))</atime>\n") }
        if let t = fs?.created { sink.write("    <crtime>\(ISO8601.format(seconds: t))</crtime>\n") }
        if let pieces = r.pieces, !pieces.isEmpty {
            sink.write("    <byte_runs>\n")
            for p in pieces {
                sink.write("      <byte_run file_offset=\"\(p.offset)\" len=\"\(p.size)\">\n")
                for (alg, hex) in zip(context.algorithms, p.digests) {
                    sink.write("        <hashdigest \(Self.typeAttributes(alg))>\(hex)</hashdigest>\n")
                }
                sink.write("      </byte_run>\n")
            }
            sink.write("    </byte_runs>\n")
        }
        for alg in context.algorithms {
            if let hex = r.digests[alg] {
                sink.write("    <hashdigest \(Self.typeAttributes(alg))>\(hex)</hashdigest>\n")
            }
        }
        // Our own elements, after DFXML's: the schema allows other namespaces only at the end of a fileobject.
        sink.write("    <iproceeds:kind>\(r.kind.rawValue)</iproceeds:kind>\n")
        if let fs {
            sink.write("    <iproceeds:file_system>\(Escaping.xml(fs.fileSystem))</iproceeds:file_system>\n")
            if let stream = fs.stream {
                sink.write("    <iproceeds:stream>\(Escaping.xml(stream))</iproceeds:stream>\n")
            }
            if fs.possiblyOverwritten {
                sink.write("    <iproceeds:possibly_overwritten>1</iproceeds:possibly_overwritten>\n")
            }
        }
        if !own.isValidUTF8 || own.hasLineBreak || own.text.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            sink.write("    <iproceeds:filename_bytes>\(own.hex)</iproceeds:filename_bytes>\n")
        }
        if !r.member.isEmpty {
            // The containers, outermost first: the file on disk, then each archive member enclosing this one.
            sink.write("    <iproceeds:archive_chain>\n")
            for name in [r.path] + r.member.dropLast() {
                sink.write("      <iproceeds:filename>\(Escaping.xml(name.text))</iproceeds:filename>\n")
            }
            sink.write("    </iproceeds:archive_chain>\n")
        }
        if let note = r.note { sink.write("    <iproceeds:note>\(Escaping.xml(note))</iproceeds:note>\n") }
        if let known = r.known { sink.write("    <iproceeds:known>\(Escaping.xml(known))</iproceeds:known>\n") }
        if let alert = r.alert { sink.write("    <iproceeds:alert>\(Escaping.xml(alert))</iproceeds:alert>\n") }
        sink.write("  </fileobject>\n")
        try sink.flushIfNeeded()
    }

    /// The sink of the files outside any volume (made on first use).
    private func outsideSink() throws -> ByteSink {
        if let outside { return outside.sink }
        guard let file = tmpfile() else { throw EvidenceError.system("tmpfile", path: "a DFXML spool") }
        outside = (file, ByteSink(fileDescriptor: fileno(file), name: "a DFXML spool"))
        return outside!.sink
    }

    package func finish() throws {
        leaveVolume()
        if let outside {
            try outside.sink.flush()
            let fd = fileno(outside.file)
            lseek(fd, 0, SEEK_SET)
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                guard n >= 0 else { throw EvidenceError.system("read", path: "a DFXML spool") }
                if n == 0 { break }
                sink.write(bytes: chunk[0..<n])
                try sink.flushIfNeeded()
            }
        }
        sink.write("</dfxml>\n")
        try sink.flush()
    }
}

extension String {
    /// The text with every `target` character replaced (a CR LF pair is one character, left as it is).
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

extension RawName {
    /// Appends the name as a JSON string: its bytes when they are UTF-8 (`isValidUTF8`, computed by the caller, who
    /// needs it too), otherwise ``text`` (U+FFFD in place of each invalid sequence).
    fileprivate func appendJSONString(to out: inout [UInt8], isValidUTF8: Bool) {
        if isValidUTF8 {
            bytes.withUnsafeBufferPointer { JSONValue.appendQuoted(utf8: $0, to: &out) }
        } else {
            JSONValue.appendQuoted(text, to: &out)
        }
    }
}

extension [UInt8] {
    /// Appends the bytes of an ASCII literal.
    @inline(__always) fileprivate mutating func appendASCII(_ s: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends `v` in decimal, as `String(v)` writes it.
    fileprivate mutating func appendDecimal(_ v: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64.max's 20 digits
        Swift.withUnsafeMutableBytes(of: &digits) { buf in
            var i = buf.count
            var rest = v
            repeat {
                i -= 1
                buf[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[i...]))
        }
    }

    /// Appends `,"alg":"hex"`.
    fileprivate mutating func appendDigestMember(_ alg: DigestAlgorithm, _ hex: String) {
        appendASCII(",\"")
        append(contentsOf: alg.rawValue.utf8)
        appendASCII("\":\"")
        append(contentsOf: hex.utf8)
        append(UInt8(ascii: "\""))
    }
}
