// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "iproceeds",
    products: [
        .executable(name: "iproceeds", targets: ["iproceeds"]),
        .library(name: "EvidenceKit", targets: ["EvidenceKit"]),
        .library(name: "ProceedsGraph", targets: ["ProceedsGraph"]),
        .library(name: "SharingKit", targets: ["SharingKit"]),
        .library(name: "SampleCases", targets: ["SampleCases"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The unit-wide case store on a PostgreSQL server (CaseStorePostgres); NIO stays out of EvidenceKit.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // renameat2(RENAME_NOREPLACE), which Swift's Glibc module does not declare.
        .systemLibrary(name: "CSysCall"),
        // libewf (E01 images) and The Sleuth Kit (volumes and file systems), for imaging and disk images.
        .systemLibrary(
            name: "CEWF",
            pkgConfig: "libewf",
            providers: [.apt(["libewf-dev"])]
        ),
        // libdeflate: E01 chunks compressed (and verified) on every core, faster than zlib at the same level.
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        .systemLibrary(
            name: "CTSK",
            pkgConfig: "tsk",
            providers: [.apt(["libtsk-dev"])]
        ),
        // The foundation under every kit: JSON, times, CSV, escaping, durable writes, the tool's identity.
        // CSysCall is a header (renameat2 for OutputFile), not a library: nothing is linked.
        .target(name: "IProceedsBase", dependencies: ["CSysCall"]),
        // SHA-256 alone, for the kits that need a digest but not EvidenceKit (and its libarchive, SQLite, zlib).
        .target(name: "IProceedsDigest", dependencies: ["IProceedsBase", "COpenSSL"]),
        .target(
            name: "EvidenceKit",
            dependencies: [
                "IProceedsBase", "COpenSSL", "CLibArchive", "CSQLite", "CZlib", "CSysCall", "CEWF", "CDeflate",
            ]
        ),
        // Disk images (raw, split raw, E01 …): volumes and file systems through The Sleuth Kit.
        .target(name: "EvidenceImages", dependencies: ["EvidenceKit", "CTSK", "CEWF"]),
        .target(
            name: "CaseStorePostgres",
            dependencies: ["IProceedsBase", "EvidenceKit", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .target(
            name: "ProceedsGraph",
            dependencies: [
                "IProceedsBase", "IProceedsDigest",
                // GraphSense TagPacks (attribution tags) are YAML; SharingKit already uses Yams.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SharingKit",
            dependencies: [
                "IProceedsBase", "EvidenceKit", "COpenSSL", "CZlib",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SampleCases",
            dependencies: ["IProceedsBase", "IProceedsDigest"]
        ),
        .executableTarget(
            name: "iproceeds",
            dependencies: [
                "IProceedsBase",
                "EvidenceKit",
                "EvidenceImages",
                "ProceedsGraph",
                "SharingKit",
                "SampleCases",
                "CaseStorePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What every test target shares: fixtures' locations, scratch directories, child processes, the
        // PostgreSQL test cluster. A plain target that only test targets depend on.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "IProceedsBaseTests",
            dependencies: ["IProceedsBase", "TestSupport"]
        ),
        .testTarget(
            name: "EvidenceKitTests",
            dependencies: ["EvidenceKit", "IProceedsBase", "TestSupport"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(name: "EvidenceImagesTests", dependencies: ["EvidenceImages", "EvidenceKit", "TestSupport"]),
        .testTarget(
            name: "CaseStorePostgresTests",
            dependencies: ["CaseStorePostgres", "EvidenceKit", "TestSupport"]
        ),
        .testTarget(
            name: "ProceedsGraphTests",
            dependencies: ["ProceedsGraph", "IProceedsBase", "EvidenceKit", "TestSupport"]
        ),
        .testTarget(
            name: "SharingKitTests",
            dependencies: ["SharingKit", "IProceedsBase", "TestSupport"]
        ),
        .testTarget(
            name: "SampleCasesTests",
            dependencies: ["SampleCases", "EvidenceKit", "IProceedsBase", "TestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["EvidenceKit", "iproceeds", "TestSupport"]
        ),
    ]
)
