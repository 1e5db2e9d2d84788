// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Safelist",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "safelist", targets: ["safelist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Vectorscan (the maintained Hyperscan) from Debian's libvectorscan-dev: the only engine
        // tenant regexes run in, because it matches in linear time.
        .systemLibrary(
            name: "CVectorscan",
            pkgConfig: "libhs",
            providers: [.apt(["libvectorscan-dev"])]
        ),
        // Swift over Vectorscan: compiling, whole-subject dialect, scanning with pooled scratch.
        .target(
            name: "SafelistRegex",
            dependencies: ["CVectorscan"]
        ),
        // Domain core: policy model, validation, list query, errors, credentials, store protocol.
        // Knows neither HTTP nor SQL.
        .target(
            name: "SafelistCore",
            dependencies: [
                "SafelistRegex",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Embedded store on SQLite (GRDB).
        .target(
            name: "SafelistSQLite",
            dependencies: [
                "SafelistCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Shared store on PostgreSQL (postgres-nio), for several nodes over one database.
        .target(
            name: "SafelistPostgres",
            dependencies: [
                "SafelistCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The policy engine: compiled matchers per account, kept fresh from the change feed.
        // Knows neither HTTP nor SQL.
        .target(
            name: "SafelistEngine",
            dependencies: ["SafelistCore", "SafelistRegex", "CPrefetch"]
        ),
        // HTTP layer: routes, Cloudflare v4 envelope, auth middleware.
        .target(
            name: "SafelistAPI",
            dependencies: [
                "SafelistCore",
                "SafelistEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The operator's executable: serve and the credential commands.
        .executableTarget(
            name: "safelist",
            dependencies: [
                "SafelistCore",
                "SafelistSQLite",
                "SafelistPostgres",
                "SafelistAPI",
                "SafelistEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Measurements, run in release: `swift run -c release safelist-bench list`.
        .executableTarget(
            name: "safelist-bench",
            dependencies: ["SafelistCore", "SafelistSQLite", "SafelistPostgres", "SafelistEngine", "SafelistRegex", "CBenchSupport"]
        ),
        // glibc's heap statistics for the benchmark's memory figures.
        .target(name: "CBenchSupport"),
        .target(name: "CPrefetch"),
        // Opens a fresh store of each backend for the shared suites; PostgreSQL when configured.
        .target(
            name: "SafelistStoreTesting",
            dependencies: [
                "SafelistCore", "SafelistSQLite", "SafelistPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SafelistStoreTesting"
        ),
        .testTarget(
            name: "SafelistCoreTests",
            dependencies: ["SafelistCore"]
        ),
        .testTarget(
            name: "SafelistEngineTests",
            dependencies: ["SafelistCore", "SafelistEngine", "SafelistRegex", "SafelistSQLite", "SafelistStoreTesting"]
        ),
        .testTarget(
            name: "SafelistStoreTests",
            dependencies: [
                "SafelistCore", "SafelistSQLite", "SafelistPostgres", "SafelistStoreTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "SafelistAPITests",
            dependencies: [
                "SafelistCore",
                "SafelistSQLite",
                "SafelistStoreTesting",
                "SafelistAPI",
                "SafelistEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Starts the real `safelist` executable: durability across kill -9, signals, first start.
        .testTarget(
            name: "SafelistServerTests",
            dependencies: ["safelist", "SafelistStoreTesting"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
