import Foundation
import Testing

/// Every command shown in the guides and the cases' worksheets runs, so the docs cannot rot: each ```sh block
/// is taken line by line (a trailing `\` continues a line), run in one bash session with the built iproceeds
/// first on PATH, and each line must exit 0 — or the status written after it as `# exit N`.
@Suite struct DocCommandTests {
    static let guides = ["docs/financial-investigator-guide.md", "docs/trainer-guide.md", "docs/examiner-guide.md"]

    struct Command {
        var line: Int
        var text: String
        var expected: Int32
    }

    /// The commands of the ```sh blocks of a Markdown text.
    static func commands(_ markdown: String) -> [Command] {
        var out: [Command] = []
        var inBlock = false
        var pending = ""
        var start = 0
        for (n, raw) in markdown.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if !inBlock {
                if line == "```sh" { inBlock = true }
                continue
            }
            if line == "```" {
                inBlock = false
                continue
            }
            if pending.isEmpty {
                if line.isEmpty || line.hasPrefix("#") { continue }
                start = n + 1
            }
            if line.hasSuffix("\\") {
                pending += String(line.dropLast()) + " "
                continue
            }
            let text = pending + line
            pending = ""
            var expected: Int32 = 0
            if let r = text.range(of: #"#\s*exit\s+(\d+)\s*$"#, options: .regularExpression) {
                expected = Int32(text[r].filter(\.isNumber)) ?? 0
            }
            out.append(Command(line: start, text: text, expected: expected))
        }
        return out
    }

    /// Runs the commands in one bash session in `directory`; returns the failures.
    static func run(_ commands: [Command], in directory: String, file: String, home: String) throws -> [String] {
        var script = "set +e\n__fail=0\n"
        for c in commands {
            script +=
                "\(c.text)\n__rc=$?; [ \"$__rc\" -eq \(c.expected) ] || { echo \"@@\(c.line) $__rc\" >&2; __fail=1; }\n"
        }
        script += "exit $__fail\n"
        let bin = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path
        let r = try CLI.exec(
            "bash", ["-c", script], in: directory,
            environment: [
                "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "IPROCEEDS_HOME": home,
                "IPROCEEDS_CASE": "",
            ])
        var failures: [String] = []
        for line in r.stderr.split(separator: "\n") where line.hasPrefix("@@") {
            let parts = line.dropFirst(2).split(separator: " ")
            let n = Int(parts[0]) ?? 0
            let c = commands.first { $0.line == n }
            failures.append(
                "\(file):\(n) exited \(parts.count > 1 ? String(parts[1]) : "?") (expected \(c?.expected ?? 0)): \(c?.text ?? "")"
            )
        }
        if r.status != 0 && failures.isEmpty {
            failures.append("\(file): bash exited \(r.status): \(r.stderr.suffix(2000))")
        }
        if !failures.isEmpty { failures.append("stderr: \(r.stderr.suffix(3000))") }
        return failures
    }

    @Test func theParserReadsContinuationsAndExpectedStatus() {
        let md = "text\n```sh\n# a comment\niproceeds a \\\n    --b c   # exit 1\n\nls\n```\n```text\nnot run\n```\n"
        let c = Self.commands(md)
        #expect(c.count == 2)
        #expect(c.first?.text == "iproceeds a  --b c   # exit 1" && c.first?.expected == 1 && c.first?.line == 4)
        #expect(c.last?.text == "ls" && c.last?.expected == 0)
    }

    @Test(arguments: guides) func everyCommandInTheGuideRuns(_ guide: String) throws {
        let text = try String(contentsOf: CLI.packageRoot.appendingPathComponent(guide), encoding: .utf8)
        let commands = Self.commands(text)
        #expect(commands.count >= 5, "\(guide) shows few commands: is the ```sh marking missing?")
        let w = try Workspace()
        let failures = try Self.run(commands, in: w.path, file: guide, home: w.url.appendingPathComponent(".home").path)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test(arguments: SampleCaseTests.scenarios) func everyCommandOfACaseWorksheetRuns(_ name: String) throws {
        let w = try Workspace()
        try w.sh("cp -a '\(CLI.packageRoot.path)/Samples/cases/\(name)' case")
        var failures: [String] = []
        for doc in ["README.md", "exercises.md"] {
            let text = try String(contentsOf: w.url.appendingPathComponent("case/\(doc)"), encoding: .utf8)
            failures += try Self.run(
                Self.commands(text), in: w.url.appendingPathComponent("case").path, file: "\(name)/\(doc)",
                home: w.url.appendingPathComponent(".home").path)
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
