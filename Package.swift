// swift-tools-version:6.2
import PackageDescription

// Layers, inward: Core (the domain) ← SQL, Regex ← the stores, the engine ← Wire (JSON) ← API
// (HTTP) ← Server (the composition root) ← the executable. docs/architecture.md has the map.
let package = Package(
    name: "Safelist",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "safelist", targets: ["safelist"])
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
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // Vectorscan (the maintained Hyperscan) from Debian's libvectorscan-dev: the only engine
        // tenant regexes run in, because it matches in linear time.
        .systemLibrary(
            name: "CVectorscan",
            pkgConfig: "libhs",
            providers: [.apt(["libvectorscan-dev"])]
        ),
        // Swift over Vectorscan: compiling, whole-subject dialect, scanning with pooled scratch,
        // the compile workers and the cheap limits checked before them.
        .target(name: "SafelistRegex", dependencies: ["CVectorscan"]),
        // The process tenant regexes are compiled in, under a memory limit, killed past a deadline.
        .executableTarget(name: "safelist-regex-worker", dependencies: ["CVectorscan"]),
        // Domain core: policy model, validation, list query and paging, write planner, errors,
        // credentials, store protocols. Knows neither HTTP nor SQL nor JSON.
        .target(
            name: "SafelistCore",
            dependencies: ["SafelistRegex", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The policy table described once, and the SQL both stores build from it.
        .target(name: "SafelistSQL", dependencies: ["SafelistCore"]),
        // Embedded store on SQLite (GRDB).
        .target(
            name: "SafelistSQLite",
            dependencies: [
                "SafelistCore", "SafelistSQL", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Shared store on PostgreSQL (postgres-nio), for several nodes over one database.
        .target(
            name: "SafelistPostgres",
            dependencies: [
                "SafelistCore", "SafelistSQL",
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
            dependencies: [
                "SafelistCore", "SafelistRegex", "CPrefetch", "CAllocator", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The wire schema: every JSON request reader and response writer, for the API and the CLI.
        .target(name: "SafelistWire", dependencies: ["SafelistCore", "SafelistEngine"]),
        // HTTP layer: routes, Cloudflare v4 envelope, auth, the HTTP face of errors.
        .target(
            name: "SafelistAPI",
            dependencies: [
                "SafelistCore", "SafelistEngine", "SafelistWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        // Policy files: import (JSON lines, full CSV, the dashboard's upload CSV) and export.
        .target(
            name: "SafelistTransfer",
            dependencies: ["SafelistCore", "SafelistWire", .product(name: "CSV", package: "CSV.swift")]
        ),
        // The mail listeners: Postfix policy delegation and the milter protocol, over the engine.
        .target(
            name: "SafelistMail",
            dependencies: [
                "SafelistCore", "SafelistEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The composition root: store, engine, router and services, built from configuration.
        .target(
            name: "SafelistServer",
            dependencies: [
                "SafelistCore", "SafelistEngine", "SafelistAPI", "SafelistSQLite", "SafelistPostgres", "SafelistRegex", "SafelistMail",
                "SafelistWire", "SafelistTransfer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The operator's executable: serve, evaluate and the credential commands.
        .executableTarget(
            name: "safelist",
            dependencies: [
                "SafelistCore", "SafelistEngine", "SafelistWire", "SafelistServer", "SafelistSQLite", "SafelistRegex", "SafelistMail",
                "SafelistTransfer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Measurements, run in release: `swift run -c release safelist-bench list`.
        // The bare Hummingbird routes `scripts/bench-http` measures Safelist's against.
        .executableTarget(
            name: "safelist-http-baseline",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
        .executableTarget(
            name: "safelist-bench",
            dependencies: [
                "SafelistCore", "SafelistSQLite", "SafelistPostgres", "SafelistEngine", "SafelistRegex", "SafelistWire", "SafelistMail",
                "CBenchSupport", "SafelistTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // glibc's heap statistics for the benchmark's memory figures.
        .target(name: "CBenchSupport"),
        .target(name: "CPrefetch"),
        .target(name: "CAllocator"),
        // Process-wide SQLite settings, made once at start (`sqlite3_config` is variadic C), and
        // the VFS that gathers a commit's WAL writes.
        .target(name: "CSQLiteSettings", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // Test support: a fresh store of each backend for the shared suites (PostgreSQL when
        // configured), and the engine's reference matcher.
        .target(
            name: "SafelistTesting",
            dependencies: [
                "SafelistCore", "SafelistSQLite", "SafelistPostgres", "SafelistEngine", "SafelistRegex",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SafelistTesting"
        ),
        .testTarget(name: "SafelistTransferTests", dependencies: ["SafelistCore", "SafelistTransfer", "SafelistTesting", "SafelistWire"]),
        .testTarget(name: "SafelistCoreTests", dependencies: ["SafelistCore", "SafelistEngine", "SafelistWire", "SafelistSQL", "SafelistTesting"]),
        .testTarget(
            name: "SafelistEngineTests",
            dependencies: ["SafelistCore", "SafelistEngine", "SafelistRegex", "SafelistSQLite", "SafelistTesting", "SafelistWire"]
        ),
        .testTarget(
            name: "SafelistStoreTests",
            dependencies: [
                "SafelistCore", "SafelistSQL", "SafelistSQLite", "SafelistPostgres", "SafelistTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "SafelistAPITests",
            dependencies: [
                "SafelistCore", "SafelistSQLite", "SafelistTesting", "SafelistAPI", "SafelistEngine", "SafelistServer", "SafelistWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "SafelistMailTests",
            dependencies: [
                "SafelistCore", "SafelistEngine", "SafelistMail", "SafelistTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Starts the real `safelist` executable: durability across kill -9, signals, first start.
        .testTarget(
            name: "SafelistServerTests",
            dependencies: [
                "safelist", "safelist-regex-worker", "SafelistTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
