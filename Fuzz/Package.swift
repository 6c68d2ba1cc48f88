// swift-tools-version: 6.0
// libFuzzer harnesses for iproceeds' readers of untrusted input. Not part of the main build: `make fuzz` builds
// this package with `-sanitize=fuzzer,address` (which instruments every module, the readers included) and runs
// each harness for a bounded time. See docs/fuzzing.md.
import PackageDescription

let evidenceKit = Target.Dependency.product(name: "EvidenceKit", package: "iproceeds")
let proceedsGraph = Target.Dependency.product(name: "ProceedsGraph", package: "iproceeds")
let sharingKit = Target.Dependency.product(name: "SharingKit", package: "iproceeds")

/// One executable per harness: its `main.swift` hands one closure to libFuzzer's driver (``fuzz(_:)``).
let harnesses: [(name: String, reader: Target.Dependency)] = [
    ("FuzzArchive", evidenceKit),
    ("FuzzManifest", evidenceKit),
    ("FuzzCanonicalCSV", proceedsGraph),
    ("FuzzCamt053", proceedsGraph),
    ("FuzzMT940", proceedsGraph),
    ("FuzzBitcoinETL", proceedsGraph),
    ("FuzzPolicy", sharingKit),
    ("FuzzSharePackage", sharingKit),
]

let package = Package(
    name: "iproceeds-fuzz",
    dependencies: [.package(name: "iproceeds", path: "..")],
    targets: [
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
    ]
        + harnesses.map {
            .executableTarget(
                name: $0.name, dependencies: [$0.reader, "FuzzSupport"],
                // gold fails with an internal error on libFuzzer + ASan objects; the toolchain's lld links them.
                linkerSettings: [.unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux]))])
        }
)
