import Foundation
import IProceedsBase
import Testing

/// The byte-buffer writers (``JSONValue/appendQuoted(utf8:to:)``, ``ISO8601/append(seconds:to:)``), which the
/// manifest writers use per item, against Python's standard library and against the `String` writers whose
/// bytes they must reproduce.
@Suite struct ByteOutputsTests {
    /// Every scalar below U+3000, a sample of the rest of the planes, and hostile strings.
    static var strings: [String] {
        var out =
            OutputsTests.awkward + ["\u{FFFD}", "\u{FEFF}x", "a\"b\\c\u{1}\u{1F}\u{7F}\u{80}\u{9F}", "😀\u{10FFFF}"]
        var scalars = (0..<0x3000).compactMap(Unicode.Scalar.init)
        scalars += stride(from: 0x3000, to: 0x11_0000, by: 0x1F7).compactMap { Unicode.Scalar(UInt32($0)) }
        for chunk in stride(from: 0, to: scalars.count, by: 64) {
            var s = ""
            s.unicodeScalars.append(contentsOf: scalars[chunk..<min(chunk + 64, scalars.count)])
            out.append(s)
        }
        return out
    }

    @Test func quotedBytesAreTheQuotedStringAndPythonsJSON() throws {
        let strings = Self.strings
        var lines: [UInt8] = []
        for s in strings {
            var out: [UInt8] = []
            JSONValue.appendQuoted(s, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == JSONValue.quoted(s), "\(s.debugDescription)")
            lines += out
            lines.append(0x0A)
        }
        // Python reads each line back and writes the string again with the same rules (ensure_ascii=False escapes
        // only `"`, `\` and controls below 0x20, as \b \f \n \r \t or lowercase \u00xx).
        let report = try PythonReference.run(
            #"""
            import json, sys
            n = 0
            for n, line in enumerate(sys.stdin.buffer.read().split(b"\n")[:-1], 1):
                ours = line.decode("utf-8")
                theirs = json.dumps(json.loads(ours), ensure_ascii=False)
                if theirs != ours: print(n, repr(ours), repr(theirs))
            print("checked", n)
            """#, input: String(decoding: lines, as: UTF8.self))
        #expect(report == "checked \(strings.count)\n", "\(report)")
    }

    @Test func appendedInstantsAreTheFormattedOnes() {
        var state: UInt64 = 7
        var instants: [Int64] = [
            0, -1, 1, 86_399, 86_400, 951_782_400, 253_402_300_799, 253_402_300_800, -62_167_219_200, -62_167_219_201,
            .max / 86_400 / 2, .min / 86_400 / 2,
        ]
        for _ in 0..<5000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            instants.append(Int64(bitPattern: state) / 1_000_000)  // beyond year 9999 both ways, too
            instants.append(Int64(bitPattern: state >> 1) % 253_402_300_800)
        }
        for t in instants {
            var out: [UInt8] = [0x78]
            ISO8601.append(seconds: t, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "x" + ISO8601.format(seconds: t), "\(t)")
        }
    }
}

extension ByteOutputsTests {
    @Test func hexOfABufferIsHexOfTheBytes() {
        var state: UInt64 = 3
        for count in [0, 1, 15, 16, 20, 32, 64, 1000] {
            let bytes = (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            let fromBuffer = bytes.withUnsafeBytes { Hex.encode($0) }
            #expect(fromBuffer == Hex.encode(bytes) && fromBuffer == bytes.map { String(format: "%02x", $0) }.joined())
        }
    }
}
