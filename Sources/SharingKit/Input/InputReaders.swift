import IProceedsBase

/// A reader of one kind of incident data. Readers declare the format they handle, are listed in
/// ``InputReaders/all``, and hand records and findings only to a sink.
package protocol SharingInputReader: Sendable {
    static var format: InputFormat { get }
    /// Reads every record of `input` into `sink`; a record that cannot be read goes to `sink.reject`.
    /// - Throws: what the sink throws (a `--strict` run stops at the first finding).
    static func read<S: InputSink>(_ input: SharingInput, into sink: inout S) throws
}

/// The readers, in one place.
package enum InputReaders {
    package static let all: [any SharingInputReader.Type] = [
        IntelMQReader.self, MISPReader.self, CSVInputReader.self, TextReader.self,
    ]

    /// The reader for a format.
    package static func reader(for format: InputFormat) -> any SharingInputReader.Type {
        all.first { $0.format == format }!
    }

    /// Reads `input` with the reader for its format.
    package static func read<S: InputSink>(_ input: SharingInput, into sink: inout S) throws {
        try reader(for: input.format).read(input, into: &sink)
    }

    /// The format of a file, from its name and then its content (`--input-format auto`):
    /// `.jsonl`/`.ndjson` IntelMQ; `.csv`/`.tsv` CSV; `.json` MISP, unless each line is a JSON object of its own
    /// (IntelMQ); `.log`/`.txt` text. Any other name: a file whose first non-blank byte is `{` is MISP when it
    /// parses as one JSON value holding an event, IntelMQ when its first line is a JSON object; otherwise text.
    package static func detect(path: String, bytes: [UInt8]) -> InputFormat {
        let lower = path.lowercased()
        func ends(_ suffixes: String...) -> Bool { suffixes.contains { lower.hasSuffix($0) } }
        if ends(".jsonl", ".ndjson", ".jsonlines") { return .intelmq }
        if ends(".csv", ".tsv") { return .csv }
        if ends(".log", ".txt", ".eml", ".mbox") { return .text }
        let first = bytes.firstIndex { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        guard let first, bytes[first] == UInt8(ascii: "{") || bytes[first] == UInt8(ascii: "[") else {
            return .text
        }
        if let whole = try? InputJSON.parse(bytes[...]), !MISPReader.events(whole).isEmpty { return .misp }
        let lines = InputLines.split(bytes).filter { !InputLines.isBlank($0.bytes) }
        if let line = lines.first, case .object? = try? InputJSON.parse(line.bytes) { return .intelmq }
        return ends(".json") ? .misp : .text
    }
}
