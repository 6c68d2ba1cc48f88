import EvidenceKit
import Foundation
import ProceedsGraph
import SampleCases
import SharingKit
import TestSupport
import Testing

@testable import iproceeds

/// docs/exit-codes.md, read as a user reads it: one row per status, with the codes that lead to it.
enum ExitCodesDoc {
    struct Row {
        var status: Int32
        /// "EvidenceError" → raw codes listed for it.
        var codes: [String: [String]]
    }

    static func rows() throws -> [Row] {
        let url = CLI.packageRoot.appendingPathComponent("docs/exit-codes.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [Row] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            // "", status, meaning, codes, ""
            guard cells.count == 5, let status = Int32(cells[1]) else { continue }
            var codes: [String: [String]] = [:]
            for group in cells[3].split(separator: ";") {
                let parts = group.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let type = parts[0].trimmingCharacters(in: .whitespaces)
                codes[type, default: []] += parts[1].split(separator: ",").map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: " `"))
                }
            }
            rows.append(Row(status: status, codes: codes))
        }
        return rows
    }
}

@Suite struct ExitStatusMappingTests {
    /// Every code of every kit, with the status the CLI gives it.
    static var mapped: [(type: String, code: String, status: Int32)] {
        EvidenceError.Code.allCases.map { ("EvidenceError", $0.rawValue, ExitStatus.of($0).rawValue) }
            + SharingError.Code.allCases.map { ("SharingError", $0.rawValue, ExitStatus.of($0).rawValue) }
            + ProceedsError.Code.allCases.map { ("ProceedsError", $0.rawValue, ExitStatus.of($0).rawValue) }
            + SampleCaseError.Code.allCases.map { ("SampleCaseError", $0.rawValue, ExitStatus.of($0).rawValue) }
            + CLIError.Code.allCases.map { ("CLIError", $0.rawValue, ExitStatus.of($0).rawValue) }
    }

    @Test func everyCodeHasTheStatusTheDocumentGivesIt() throws {
        let rows = try ExitCodesDoc.rows()
        #expect(rows.count >= 8, "the table of docs/exit-codes.md was not found")
        for m in Self.mapped {
            let documented = rows.filter { $0.codes[m.type]?.contains(m.code) ?? false }.map(\.status)
            #expect(
                documented == [m.status],
                "\(m.type) `\(m.code)`: the CLI exits \(m.status), docs/exit-codes.md lists it under \(documented)")
        }
    }

    @Test func theDocumentNamesNoCodeThatDoesNotExist() throws {
        let known = Set(Self.mapped.map { "\($0.type).\($0.code)" })
        for row in try ExitCodesDoc.rows() {
            for (type, codes) in row.codes {
                for code in codes {
                    #expect(known.contains("\(type).\(code)"), "status \(row.status): no code \(type) `\(code)`")
                }
            }
        }
    }

    @Test func everyStatusIsListedOnceAndNoOtherIs() throws {
        let statuses = try ExitCodesDoc.rows().map(\.status)
        #expect(statuses == ExitStatus.allCases.map(\.rawValue))
    }

    @Test func readmeListsTheSameStatuses() throws {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let paragraph = try #require(
            readme.range(of: "Exit status (`docs/exit-codes.md`").map { readme[$0.lowerBound...] })
        let text = paragraph.prefix { $0 != "#" }.replacingOccurrences(of: "\n", with: " ")
        for status in ExitStatus.allCases where status != .success {
            #expect(
                text.contains("; \(status.rawValue) ") || text.contains(": \(status.rawValue) "),
                "README does not list \(status.rawValue)")
        }
    }

    @Test func anErrorOfNoKitIsAnInternalError() {
        struct Stray: Error {}
        #expect(ExitStatus.of(Stray()).0 == .internalError)
    }
}

/// A real run of the binary for each status a user can bring about.
@Suite struct ExitStatusRunTests {
    static func examinerWorkspace() throws -> (Workspace, [String: String]) {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        let r = try CLI.run(
            ["examiner", "init", "--name", "Ana Petrović", "--id", "EX-017"], in: w.path, environment: env)
        guard r.status == 0 else { throw TestFailure("examiner init: \(r.stderr)") }
        return (w, env)
    }

    @Test func zeroWhenEverythingIsRead() throws {
        let w = try Workspace()
        try w.write("a.txt", "a\n")
        #expect(try CLI.run(["evidence", "hash", "-q", "a.txt"], in: w.path).status == 0)
    }

    @Test func oneWhenTheRunCompletesWithProblems() throws {
        let w = try Workspace()
        try w.write(
            "bank.csv",
            "id,timestamp,from,to,amount,currency\nT1,2026-01-01T00:00:00Z,A,B,10.00,EUR\nT2,not a time,A,B,1.00,EUR\n")
        let r = try CLI.run(["trace", "paths", "--transfers", "bank.csv", "--from", "A"], in: w.path)
        #expect(r.status == 1, "\(r.stderr)")
    }

    @Test func sixtyFourForAUsageErrorFromAKit() throws {
        // A seed that is not in the ledger: ProceedsError `invalid-option`.
        let w = try Workspace()
        try w.write("bank.csv", "id,timestamp,from,to,amount,currency\nT1,2026-01-01T00:00:00Z,A,B,10.00,EUR\n")
        let r = try CLI.run(
            ["trace", "run", "--transfers", "bank.csv", "--seed-tx", "NOPE", "--policy", "fifo"], in: w.path)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("iproceeds: error: no seed transfer found"))
    }

    @Test func sixtyFiveForAnInputThatCannotBeUsed() throws {
        let w = try Workspace()
        try w.write("not-a-case", "hello\n")
        let r = try CLI.run(["custody", "verify", "--case", "not-a-case"], in: w.path)
        #expect(r.status == 65, "\(r.stderr)")
    }

    @Test func sixtySixForAnInputThatDoesNotExist() throws {
        let w = try Workspace()
        // Each kit's own "missing" code: a case file (EvidenceKit), a ledger (ProceedsGraph), a policy (SharingKit).
        let missingCase = try CLI.run(["custody", "verify", "--case", "absent.case"], in: w.path)
        #expect(missingCase.status == 66, "\(missingCase.stderr)")
        let missingLedger = try CLI.run(["trace", "paths", "--transfers", "absent.csv", "--from", "A"], in: w.path)
        #expect(missingLedger.status == 66, "\(missingLedger.stderr)")
        try w.write("a.log", "mail me at someone@example.org\n")
        let missingPolicy = try CLI.run(["share", "redact", "--policy", "absent.yaml", "a.log"], in: w.path)
        #expect(missingPolicy.status == 66, "\(missingPolicy.stderr)")
    }

    @Test func seventyFourForAnOutputThatCannotBeWritten() throws {
        let w = try Workspace()
        try w.write("a.txt", "a\n")
        let r = try CLI.run(["evidence", "hash", "-q", "-o", "no-such-folder/out.jsonl", "a.txt"], in: w.path)
        #expect(r.status == 74, "\(r.stderr)")
        let (w2, env) = try Self.examinerWorkspace()
        try w2.write("s.key", "x")
        let exists = try CLI.run(["share", "keygen", "--output", "s.key"], in: w2.path, environment: env)
        #expect(exists.status == 74, "\(exists.stderr)")
    }

    @Test func seventySevenWithoutAnExaminerKey() throws {
        let w = try Workspace()
        let r = try CLI.run(
            ["case", "init", "--case", "c.case", "--id", "C-1", "--title", "t"], in: w.path,
            environment: ["IPROCEEDS_HOME": w.path + "/empty"])
        #expect(r.status == 77, "\(r.stderr)")
    }
}
