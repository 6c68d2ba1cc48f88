import Foundation
import IProceedsBase

/// The record of one acquisition, written next to the image as JSON (`BASE.log.json`, see docs/formats.md) and
/// as text for the report (`BASE.log.txt`). An interrupted acquisition writes `BASE.partial.log.json` with
/// `complete` false beside its `BASE.partial.*` image files.
package struct AcquisitionLog: Codable, Sendable, Equatable {
    /// A range of the source that could not be read even one sector at a time; the image holds zeros there.
    package struct BadRange: Codable, Sendable, Equatable {
        package var offset: UInt64
        package var length: UInt64
        /// The `errno` value of the last failed read, and its text.
        package var errno: Int32
        package var error: String
    }

    /// The digest of one piece of the source (`--piecewise`).
    package struct Piece: Codable, Sendable, Equatable {
        package var offset: UInt64
        package var size: UInt64
        package var digests: [String: String]
    }

    /// One file of the image as written, with its own SHA-256.
    package struct Segment: Codable, Sendable, Equatable {
        /// The file name, relative to the log's folder.
        package var name: String
        package var size: UInt64
        package var sha256: String
    }

    /// What the E01 holds beyond the source's bytes.
    package struct EWFDetails: Codable, Sendable, Equatable {
        package var compression: String
        package var caseNumber: String?
        package var evidenceNumber: String?
        package var examinerName: String?
        package var description: String?
        package var notes: String?
        /// Bytes the E01 holds: the source size rounded up to whole sectors (zeros added at the end).
        package var mediaSize: UInt64
        /// MD5 and SHA-1 stored in the E01: of the source when `mediaSize` equals its size, otherwise of the
        /// source followed by the padding zeros.
        package var storedMD5: String
        package var storedSHA1: String
    }

    /// The result of re-reading the image (`--verify`, `evidence verify-image`).
    package struct Verification: Codable, Sendable, Equatable {
        /// `match` or `mismatch`.
        package var result: String
        /// The digests of the image's content as re-read.
        package var digests: [String: String]
        /// What did not match, one line each.
        package var problems: [String]
    }

    /// `iproceeds-acquisition-log`.
    package var format = "iproceeds-acquisition-log"
    package var formatVersion = 1
    /// Whether the whole source was read and the image finished. False after Ctrl-C, a full output disk or a
    /// stream that failed: the image then stops at `bytesAcquired` and its files are named `BASE.partial.*`.
    package var complete: Bool
    /// Why the acquisition stopped early, when it did.
    package var incompleteReason: String?
    package var tool: String
    package var toolVersion: String
    package var commandLine: [String]
    package var source: SourceDescription
    /// UTC, ISO 8601 with milliseconds.
    package var startedAt: String
    package var endedAt: String
    /// `raw` or `e01`.
    package var imageFormat: String
    /// Bytes of the source read into the image (bad ranges included, as zeros).
    package var bytesAcquired: UInt64
    /// Digests of those bytes, by algorithm name (`md5`, `sha1`, `sha256`, ...), lowercase hex.
    package var digests: [String: String]
    package var pieceSize: UInt64?
    package var pieces: [Piece]?
    package var segmentSize: UInt64?
    package var badRanges: [BadRange]
    package var segments: [Segment]
    package var ewf: EWFDetails?
    package var verification: Verification?

    /// The JSON form: keys sorted, two-space indentation, a final newline; byte-identical for identical logs.
    /// Absent values (`incompleteReason`, `pieces`, `ewf`, ...) are left out, not written as `null`.
    package func jsonBytes() -> [UInt8] { Array(json.pretty(sortedKeys: true).utf8) }

    /// The log as a JSON object, keys named as docs/formats.md lists them.
    package var json: JSONValue {
        .members([
            ("format", .string(format)), ("formatVersion", .int(formatVersion)), ("complete", .bool(complete)),
            ("incompleteReason", incompleteReason.map { .string($0) }), ("tool", .string(tool)),
            ("toolVersion", .string(toolVersion)), ("commandLine", .strings(commandLine)),
            ("source", source.json), ("startedAt", .string(startedAt)), ("endedAt", .string(endedAt)),
            ("imageFormat", .string(imageFormat)), ("bytesAcquired", .int(bytesAcquired)),
            ("digests", Self.json(digests)), ("pieceSize", pieceSize.map { .int($0) }),
            ("pieces", pieces.map { .array($0.map(\.json)) }), ("segmentSize", segmentSize.map { .int($0) }),
            ("badRanges", .array(badRanges.map(\.json))), ("segments", .array(segments.map(\.json))),
            ("ewf", ewf?.json), ("verification", verification?.json),
        ])
    }

    /// `{algorithm: hex}`.
    package static func json(_ digests: [String: String]) -> JSONValue {
        .object(digests.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    /// Reads a log written by ``jsonBytes()``.
    /// - Throws: ``EvidenceError`` `.manifest` naming the file when it is not an acquisition log, or when its JSON
    ///   is not strict: a key given twice could make two readers see two different digests in the same log.
    package static func read(path: String) throws -> AcquisitionLog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvidenceError(.manifest, "cannot read acquisition log \(path)", path: path)
        }
        do {
            _ = try JSONValue.parse(Array(data))
        } catch {
            // A log's keys are iproceeds' own names, not personal data: the doubled one is named.
            var reason = error.description
            if case .duplicateKey(let key) = error.kind {
                reason = "the key \(JSONValue.quoted(key)) is given twice (line \(error.line), column \(error.column))"
            }
            throw EvidenceError(
                .manifest,
                "\(path) is not a readable acquisition log: \(reason); it is refused rather than read one "
                    + "way of two (compare it with the BASE.log.txt written beside the image)", path: path)
        }
        do {
            let log = try JSONDecoder().decode(AcquisitionLog.self, from: data)
            guard log.format == "iproceeds-acquisition-log" else {
                throw EvidenceError(.manifest, "\(path) is not an iproceeds acquisition log", path: path)
            }
            return log
        } catch let e as EvidenceError {
            throw e
        } catch {
            throw EvidenceError(.manifest, "\(path) is not a readable acquisition log: \(error)", path: path)
        }
    }

    /// The text form, for a report: one fact a line.
    package func text() -> String {
        var lines: [String] = []
        lines.append(
            complete ? "ACQUISITION COMPLETE" : "INCOMPLETE ACQUISITION - this image does not hold the whole source")
        if let incompleteReason { lines.append("Stopped because: \(incompleteReason)") }
        lines.append("Tool:            \(tool) \(toolVersion)")
        lines.append("Command line:    \(commandLine.joined(separator: " "))")
        lines.append("Source:          \(source.path) (\(source.kind.rawValue))")
        lines.append("Source size:     \(source.size.map { "\($0) bytes" } ?? "unknown (stream)")")
        lines.append("Sector size:     \(source.sectorSize) bytes")
        if let model = source.model { lines.append("Model:           \(model)") }
        if let serial = source.serial { lines.append("Serial number:   \(serial)") }
        lines.append("Started:         \(startedAt)")
        lines.append("Ended:           \(endedAt)")
        lines.append("Image format:    \(imageFormat)")
        lines.append("Bytes acquired:  \(bytesAcquired)")
        for (name, value) in digests.sorted(by: { $0.key < $1.key }) {
            lines.append("\(name.uppercased()):".padding(toLength: 17, withPad: " ", startingAt: 0) + value)
        }
        if let ewf {
            lines.append("E01 compression: \(ewf.compression)")
            for (label, value) in [
                ("Case number", ewf.caseNumber), ("Evidence number", ewf.evidenceNumber),
                ("Examiner", ewf.examinerName), ("Description", ewf.description), ("Notes", ewf.notes),
            ] {
                if let value { lines.append("\(label):".padding(toLength: 17, withPad: " ", startingAt: 0) + value) }
            }
            if ewf.mediaSize != bytesAcquired {
                lines.append(
                    "E01 media size:  \(ewf.mediaSize) bytes (source padded with \(ewf.mediaSize - bytesAcquired) "
                        + "zero bytes to whole sectors)")
                lines.append("E01 stored MD5:  \(ewf.storedMD5) (source + padding)")
                lines.append("E01 stored SHA1: \(ewf.storedSHA1) (source + padding)")
            }
        }
        if badRanges.isEmpty {
            lines.append("Read errors:     none")
        } else {
            let total = badRanges.reduce(0) { $0 + $1.length }
            lines.append("Read errors:     \(badRanges.count) ranges, \(total) bytes written as zeros")
            for r in badRanges { lines.append("  offset \(r.offset) length \(r.length): \(r.error)") }
        }
        if let pieceSize, let pieces {
            lines.append("Piecewise:       \(pieces.count) pieces of \(pieceSize) bytes")
            for p in pieces {
                let ds = p.digests.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(
                    separator: " ")
                lines.append("  \(p.offset)+\(p.size): \(ds)")
            }
        }
        lines.append("Image files:")
        for s in segments { lines.append("  \(s.name) \(s.size) bytes sha256 \(s.sha256)") }
        if let v = verification {
            lines.append("Verification:    \(v.result)")
            for p in v.problems { lines.append("  \(p)") }
        } else {
            lines.append("Verification:    not performed")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension AcquisitionLog.BadRange {
    var json: JSONValue {
        .object([
            ("offset", .int(offset)), ("length", .int(length)), ("errno", .int(errno)), ("error", .string(error)),
        ])
    }
}

extension AcquisitionLog.Piece {
    var json: JSONValue {
        .object([("offset", .int(offset)), ("size", .int(size)), ("digests", AcquisitionLog.json(digests))])
    }
}

extension AcquisitionLog.Segment {
    var json: JSONValue { .object([("name", .string(name)), ("size", .int(size)), ("sha256", .string(sha256))]) }
}

extension AcquisitionLog.EWFDetails {
    var json: JSONValue {
        .members([
            ("compression", .string(compression)), ("caseNumber", caseNumber.map { .string($0) }),
            ("evidenceNumber", evidenceNumber.map { .string($0) }),
            ("examinerName", examinerName.map { .string($0) }), ("description", description.map { .string($0) }),
            ("notes", notes.map { .string($0) }), ("mediaSize", .int(mediaSize)),
            ("storedMD5", .string(storedMD5)), ("storedSHA1", .string(storedSHA1)),
        ])
    }
}

extension AcquisitionLog.Verification {
    var json: JSONValue {
        .object([
            ("result", .string(result)), ("digests", AcquisitionLog.json(digests)),
            ("problems", .strings(problems)),
        ])
    }
}

extension SourceDescription {
    var json: JSONValue {
        .members([
            ("path", .string(path)), ("kind", .string(kind.rawValue)), ("size", size.map { .int($0) }),
            ("sectorSize", .int(sectorSize)), ("model", model.map { .string($0) }),
            ("serial", serial.map { .string($0) }),
        ])
    }
}
