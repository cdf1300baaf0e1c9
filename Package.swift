// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "shelflog",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "shelflog", targets: ["shelflog"])
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
  ],
  targets: [
    // Pure domain: commands, events, ISBN, timestamps, the cut, the replay fold. No I/O.
    .target(name: "LibraryDomain"),
    // Threads handing work to each other, and unlinked scratch files: the one copy of each.
    .target(name: "Plumbing"),
    // CSV bytes -> records -> validated commands and rejects. Streams.
    .target(name: "Ingest", dependencies: ["LibraryDomain"]),
    // The event log: the store protocol, the canonical form and hash chain, and the SQLite and
    // PostgreSQL stores (schema, batch append, reads, verify's walk). Knows SQL; nothing else
    // does.
    .target(
      name: "EventLog",
      dependencies: [
        "LibraryDomain",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // The write side's use case: read, validate and append a batch through a store.
    .target(
      name: "Importer",
      dependencies: [
        "LibraryDomain", "Ingest", "EventLog",
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    // The read side: the replay driver over a store's cut, snapshots, spill files, verify.
    .target(name: "Replay", dependencies: ["LibraryDomain", "EventLog", "Plumbing"]),
    // Projection -> JSON, CSV, Markdown, terminal tables, and the HTML page (swift-mustache).
    .target(
      name: "Reports",
      dependencies: [
        "LibraryDomain", "Replay", "Plumbing",
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    // CI replay checks of fixture cases: golden reports and assertions, with readable diffs.
    .target(
      name: "Check",
      dependencies: [
        "LibraryDomain", "Ingest", "EventLog", "Importer", "Replay", "Reports",
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    // A deterministic, realistic command workload for demos, load tests and benchmarks.
    .target(name: "Workload", dependencies: ["LibraryDomain"]),
    // The thin executable: arguments, files, progress, exit codes.
    .executableTarget(
      name: "shelflog",
      dependencies: [
        "LibraryDomain",
        "Plumbing",
        "Ingest",
        "EventLog",
        "Importer",
        "Replay",
        "Reports",
        "Check",
        "Workload",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // libFuzzer target for the CSV reader and row validator (Fuzz/README.md); no main of its own.
    .executableTarget(name: "ShelflogFuzz", dependencies: ["Ingest", "LibraryDomain"]),
    // Helpers shared by the test targets: temporary logs, batch import from text.
    .target(
      name: "ShelflogTestSupport",
      dependencies: [
        "EventLog", "Importer", "Ingest", "LibraryDomain", "Workload",
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      path: "Tests/ShelflogTestSupport"
    ),
    .testTarget(
      name: "LibraryDomainTests", dependencies: ["LibraryDomain", "ShelflogTestSupport"]),
    .testTarget(name: "PlumbingTests", dependencies: ["Plumbing"]),
    .testTarget(
      name: "IngestTests", dependencies: ["Ingest", "LibraryDomain", "ShelflogTestSupport"]),
    .testTarget(
      name: "EventLogTests",
      dependencies: [
        "EventLog", "Importer", "Ingest", "LibraryDomain", "Replay", "ShelflogTestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .testTarget(
      name: "ImporterTests",
      dependencies: [
        "Importer", "EventLog", "Ingest", "LibraryDomain", "Replay", "ShelflogTestSupport",
      ]),
    .testTarget(
      name: "ReplayTests",
      dependencies: [
        "Replay", "EventLog", "Importer", "Ingest", "LibraryDomain", "ShelflogTestSupport",
        "Workload",
      ]),
    .testTarget(
      name: "ReportsTests",
      dependencies: [
        "Reports", "Replay", "EventLog", "Ingest", "LibraryDomain", "ShelflogTestSupport",
      ],
      exclude: ["Golden"]),
    .testTarget(
      name: "CheckTests",
      dependencies: ["Check", "Replay", "EventLog", "LibraryDomain", "ShelflogTestSupport"]),
    .testTarget(
      name: "ShelflogEndToEndTests",
      dependencies: [
        "shelflog", "ShelflogTestSupport", .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
  ]
)
