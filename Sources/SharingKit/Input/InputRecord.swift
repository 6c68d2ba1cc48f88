import EvidenceKit
import Foundation

/// The kinds of incident data SharingKit reads. The raw value is the `--input-format` name.
package enum InputFormat: String, CaseIterable, Sendable, Codable {
    /// IntelMQ events, one JSON object a line, dotted field names (`source.ip`); `raw` holds the original line in
    /// base64.
    case intelmq
    /// A MISP event in the core JSON format (`{"Event": {…}}`), or a `restSearch` response holding several.
    case misp
    /// Comma-, semicolon- or tab-separated values with a header row (RFC 4180 quoting).
    case csv
    /// Free text and log files: each line is a record with one field, `text`.
    case text
}

/// One record read from an input: ordered (field, value) pairs and where they came from.
package struct InputRecord: Sendable {
    /// Unique within the run: the input's name and the line the record starts on (`events.jsonl:12`), or for
    /// MISP the event and attribute (`event.json:e1:a3`).
    package var id: String
    /// The input's display name (see ``SharingInput/name``).
    package var input: String
    /// The line the record starts on, from 1; 0 where lines mean nothing (MISP).
    package var line: Int
    package var format: InputFormat
    /// Field names and values in the source's order. Names are unique within a record.
    package var fields: [(name: String, value: String)]
    /// What some fields are known to hold, from the source's own typing (a MISP attribute type, an IntelMQ
    /// `*.fqdn` key): used to name observables and, where the policy rule has no `as`, to pseudonymise or
    /// generalise as that type.
    package var kinds: [String: ObservableKind]
    /// Fields whose value the source marks as an indicator of compromise (see ``IndicatorRule``).
    package var indicatorFields: Set<String>

    package init(
        id: String, input: String, line: Int, format: InputFormat, fields: [(name: String, value: String)],
        kinds: [String: ObservableKind] = [:], indicatorFields: Set<String> = []
    ) {
        self.id = id
        self.input = input
        self.line = line
        self.format = format
        self.fields = fields
        self.kinds = kinds
        self.indicatorFields = indicatorFields
    }

    /// The value of `field`, if present.
    package func value(_ field: String) -> String? { fields.first { $0.name == field }?.value }
}

/// A record that could not be read (a malformed JSON line, invalid UTF-8, a CSV row with the wrong number of
/// cells): it is dropped, never passed on, and the finding is counted in the redaction log. The reason never
/// quotes the input.
package struct InputFinding: Sendable, Hashable, CustomStringConvertible {
    package var input: String
    /// From 1; 0 when the finding concerns the whole input.
    package var line: Int
    package var reason: String

    package init(input: String, line: Int, reason: String) {
        self.input = input
        self.line = line
        self.reason = reason
    }

    package var description: String { line > 0 ? "\(input):\(line): \(reason)" : "\(input): \(reason)" }
}

/// Where readers put what they read: each record, and each record they could not read.
package protocol InputSink {
    mutating func accept(_ record: InputRecord) throws
    /// Records a record that could not be read. Throwing stops the run (`--strict`).
    mutating func reject(_ finding: InputFinding) throws
}

/// One input file, read into memory, with its hash and the format it will be read as.
package struct SharingInput: Sendable {
    /// The path as given.
    package var path: String
    /// The name the package and the logs use: the file's base name, made unique among the run's inputs and with
    /// any personal data in it redacted (a folder path never leaves the CSIRT).
    package var name: String
    package var format: InputFormat
    package var bytes: [UInt8]
    /// SHA-256 of the bytes, hex.
    package var sha256: String

    package init(path: String, name: String, format: InputFormat, bytes: [UInt8]) {
        self.path = path
        self.name = name
        self.format = format
        self.bytes = bytes
        self.sha256 = digestHex(.sha256, of: bytes)
    }

    /// Reads a file and decides its format.
    /// - Parameter format: the format to read it as; `nil` to decide from the name and the content
    ///   (``InputReaders/detect(path:bytes:)``).
    /// - Throws: ``SharingError``: `.inputUnreadable` when the file does not exist or cannot be read,
    ///   `.sharingInput` when it holds nothing but white space.
    package static func load(path: String, format: InputFormat?) throws -> SharingInput {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SharingError(.inputUnreadable, "input \(path) does not exist", path: path, systemCode: ENOENT)
        }
        guard !isDirectory.boolValue else {
            throw SharingError(.sharingInput, "input \(path) is a folder; give the files in it", path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SharingError(.inputUnreadable, "cannot read input \(path)", path: path, systemCode: EACCES)
        }
        let bytes = [UInt8](data)
        guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw SharingError(
                .sharingInput, "input \(path) is empty: there is nothing to share in it", path: path)
        }
        let name = (path as NSString).lastPathComponent
        return SharingInput(
            path: path, name: name, format: format ?? InputReaders.detect(path: path, bytes: bytes), bytes: bytes)
    }
}

/// Splits bytes into lines at LF, dropping a CR before it; the last line may lack its LF.
enum InputLines {
    /// Each line's bytes and its number from 1. A final empty line after the last LF is not a line.
    static func split(_ bytes: [UInt8]) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
        var lines: [(Int, ArraySlice<UInt8>)] = []
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var number = 1
        var i = start
        while i < bytes.count {
            if bytes[i] == 0x0A {
                var end = i
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                lines.append((number, bytes[start..<end]))
                number += 1
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count {
            var end = bytes.count
            if bytes[end - 1] == 0x0D { end -= 1 }
            lines.append((number, bytes[start..<end]))
        }
        return lines
    }

    /// The line's text when it is valid UTF-8.
    static func text(_ bytes: ArraySlice<UInt8>) -> String? { String(validating: bytes, as: UTF8.self) }

    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// The finding for a line that is not UTF-8; the byte offset helps find it with `xxd`, and the value is never
    /// quoted.
    static func notUTF8(_ input: String, _ line: Int, _ bytes: ArraySlice<UInt8>) -> InputFinding {
        var valid = bytes.startIndex
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s):
                consumed += UTF8.width(s)
            case .emptyInput, .error:
                break loop
            }
        }
        valid += consumed
        return InputFinding(
            input: input, line: line,
            reason: "not valid UTF-8 (first bad byte at column \(valid - bytes.startIndex + 1)); the record is "
                + "dropped: convert the file to UTF-8 (iconv -f WINDOWS-1250 -t UTF-8, say) and run again")
    }
}
