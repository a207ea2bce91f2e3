// swift-tools-version:6.0
import PackageDescription

// Storefleet uses no Swift packages: only the toolchain's libraries plus SQLite 3 and
// OpenSSL 3 from the system (Debian: libsqlite3-dev, libssl-dev).
let package = Package(
    name: "Storefleet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "storefleet", targets: ["storefleet"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CSystem"),

        .target(name: "HTTPServer", dependencies: ["CSystem"]),
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        .target(name: "Templates"),
        .target(name: "Tenancy", dependencies: ["SQLite", "Crypto"]),
        .target(name: "Commerce", dependencies: ["SQLite", "Crypto"]),
        .target(name: "Mail", dependencies: ["COpenSSL"]),
        .target(
            name: "StorefleetApp",
            dependencies: ["HTTPServer", "SQLite", "Crypto", "Templates", "Tenancy", "Commerce", "Mail"]
        ),
        .executableTarget(name: "storefleet", dependencies: ["StorefleetApp", "HTTPServer"]),
        .executableTarget(
            name: "storefleet-bench-server",
            dependencies: ["HTTPServer", "Templates", "Commerce"],
            path: "benchmarks/BenchServer",
            exclude: ["Views"]
        ),

        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates"], exclude: ["Fixtures"]),
        .testTarget(name: "TenancyTests", dependencies: ["Tenancy"]),
        .testTarget(name: "CommerceTests", dependencies: ["Commerce"]),
        .testTarget(name: "MailTests", dependencies: ["Mail"], exclude: ["Fixtures"]),
        .testTarget(name: "StorefleetAppTests", dependencies: ["StorefleetApp", "HTTPServer"]),
    ]
)
