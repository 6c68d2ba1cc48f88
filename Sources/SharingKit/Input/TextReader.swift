/// Reads free text and log files: each line is a record with one field, `text`, which the detectors scan and the
/// policy's type rules redact (field rules do not apply to free text).
///
/// Blank lines are records too (so that `share redact` keeps the line numbering); a package leaves them out. A
/// line that is not UTF-8 is a finding and is dropped: iproceeds does not guess an encoding, and a value
/// written in another one would not be found.
package enum TextReader: SharingInputReader {
    package static let format = InputFormat.text
    /// The one field of a text record.
    package static let field = "text"

    package static func read<S: InputSink>(_ input: SharingInput, into sink: inout S) throws {
        for (number, bytes) in InputLines.split(input.bytes) {
            guard let text = InputLines.text(bytes) else {
                try sink.reject(InputLines.notUTF8(input.name, number, bytes))
                continue
            }
            try sink.accept(
                InputRecord(
                    id: "\(input.name):\(number)", input: input.name, line: number, format: .text,
                    fields: [(field, text)]))
        }
    }
}
