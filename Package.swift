// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "iproceeds",
    platforms: [.macOS(.v15)],
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
        .target(
            name: "EvidenceKit",
            dependencies: ["COpenSSL", "CLibArchive", "CSQLite", "CZlib", "CSysCall"]
        ),
        .target(
            name: "ProceedsGraph",
            dependencies: ["EvidenceKit"]
        ),
        .target(
            name: "SharingKit",
            dependencies: [
                "EvidenceKit", "CLibArchive", "COpenSSL", "CZlib", .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SampleCases",
            dependencies: ["EvidenceKit"]
        ),
        .executableTarget(
            name: "iproceeds",
            dependencies: [
                "EvidenceKit",
                "ProceedsGraph",
                "SharingKit",
                "SampleCases",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "EvidenceKitTests",
            dependencies: ["EvidenceKit"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "ProceedsGraphTests",
            dependencies: ["ProceedsGraph"]
        ),
        .testTarget(
            name: "SharingKitTests",
            dependencies: ["SharingKit"]
        ),
        .testTarget(
            name: "SampleCasesTests",
            dependencies: ["SampleCases", "EvidenceKit"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["EvidenceKit", "iproceeds"]
        ),
    ]
)
