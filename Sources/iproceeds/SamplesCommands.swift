import ArgumentParser
import Foundation
import SampleCases

struct Samples: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The bundled training cases: list, show, extract, or generate fresh variants with their answer keys.",
        discussion: """
            Each case is fully synthetic (invented names, reserved domains and IP ranges, IBANs that only pass \
            mod-97, testnet Bitcoin addresses) and comes with README.md (the scenario), exercises.md and \
            answers.json (the answer key). docs/trainer-guide.md plans a one-day workshop with them.
            """,
        subcommands: [SamplesList.self, SamplesShow.self, SamplesExtract.self, SamplesGenerate.self])
}

/// A scenario name given on the command line.
func scenarioNamed(_ name: String) throws -> SampleScenario {
    guard let s = SampleCatalog.scenario(named: name) else {
        throw ValidationError(
            "no sample case '\(name)'; choose one of \(SampleCatalog.scenarios.map(\.name).joined(separator: ", ")) (iproceeds samples list)"
        )
    }
    return s
}

struct SamplesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the bundled cases.")

    func run() {
        for s in SampleCatalog.scenarios {
            print("\(s.name.padding(toLength: 17, withPad: " ", startingAt: 0)) \(s.title)")
        }
        print("\nExtract one with: iproceeds samples extract NAME DIR")
    }
}

struct SamplesShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a case's README and the files it holds.")

    @Argument(help: "The case (see `samples list`).")
    var name: String

    func run() throws {
        let scenario = try scenarioNamed(name)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("iproceeds-show-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let made = try reporting { try SampleCatalog.generate(scenario, seed: scenario.shippedSeed, into: dir) }
        let readme = try String(contentsOf: dir.appendingPathComponent("README.md"), encoding: .utf8)
        print(readme)
        print("Files (\(made.files.count), \(made.bytes) bytes; seed \(made.seed)):")
        var folders: [String: (count: Int, bytes: Int)] = [:]
        for f in made.files {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(f).path)[.size] as? Int)
                ?? 0
            let parts = f.split(separator: "/")
            let key = parts.count > 2 ? parts.prefix(2).joined(separator: "/") + "/" : f
            folders[key, default: (0, 0)].count += 1
            folders[key, default: (0, 0)].bytes += size
        }
        for k in folders.keys.sorted() {
            let v = folders[k]!
            print("  \(k)\(v.count > 1 || k.hasSuffix("/") ? "  (\(v.count) files)" : "")")
        }
    }
}

struct SamplesExtract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Write a bundled case into a new folder (the shipped case, byte for byte).",
        discussion:
            "The same as `samples generate --scenario NAME --seed <its shipped seed> --out DIR`. DIR must be new or empty."
    )

    @Argument(help: "The case (see `samples list`).")
    var name: String

    @Argument(help: "The folder to write it into.")
    var directory: String

    func run() throws {
        let scenario = try scenarioNamed(name)
        let made = try reporting {
            try SampleCatalog.generate(scenario, seed: scenario.shippedSeed, into: URL(fileURLWithPath: directory))
        }
        print("Wrote \(made.files.count) files (\(made.bytes) bytes) of case \(made.scenario) to \(directory)")
        print(
            "Start with \(directory)/README.md and \(directory)/exercises.md; the answers are in \(directory)/answers.json."
        )
    }
}

struct SamplesGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a fresh variant of a scenario, with its own answer key.",
        discussion: """
            The same scenario, seed and scale give the same bytes. --scale K multiplies the background (clean \
            transfers, unrelated evidence files and transactions) by K for performance tests; the planted flows \
            and the answers keep their shape.

            Example:
              iproceeds samples generate --scenario bec-mules --seed 7 --out group-7
              iproceeds samples generate --scenario bec-mules --seed 1 --scale 1000 --out perf
            """)

    @Option(help: "The scenario (see `samples list`).")
    var scenario: String

    @Option(help: "Any whole number; each gives another case.")
    var seed: UInt64

    @Option(help: "Multiply the background by this (1 to 10000).")
    var scale = 1

    @Option(help: ArgumentHelp("The folder to write (new or empty).", valueName: "dir"))
    var out: String

    func validate() throws {
        guard (1...10000).contains(scale) else { throw ValidationError("--scale must be between 1 and 10000") }
        _ = try scenarioNamed(scenario)
    }

    func run() throws {
        let s = try scenarioNamed(scenario)
        let made = try reporting {
            try SampleCatalog.generate(s, seed: seed, scale: scale, into: URL(fileURLWithPath: out))
        }
        print(
            "Wrote \(made.files.count) files (\(made.bytes) bytes) of \(made.scenario), seed \(made.seed), scale \(made.scale), to \(out)"
        )
    }
}
