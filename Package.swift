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
  ],
  targets: [
    // Pure domain: commands, events, ISBN, timestamps. No I/O.
    .target(name: "LibraryDomain"),
    // CSV bytes -> records -> validated commands and rejects. Streams.
    .target(name: "Ingest", dependencies: ["LibraryDomain"]),
    // The SQLite event log: schema, batch append, hash chain, reads, verify.
    .target(
      name: "EventLog",
      dependencies: [
        "LibraryDomain",
        "Ingest",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // Point-in-time replay: drives the fold over the log's cut, spills history to disk.
    .target(name: "Replay", dependencies: ["LibraryDomain", "EventLog"]),
    // Projection -> JSON, CSV, Markdown and terminal tables.
    .target(name: "Reports", dependencies: ["LibraryDomain", "Replay"]),
    // CI replay checks of fixture cases: golden reports and assertions, with readable diffs.
    .target(
      name: "Check",
      dependencies: ["LibraryDomain", "Ingest", "EventLog", "Replay", "Reports"]),
    // A deterministic, realistic command workload for demos, load tests and benchmarks.
    .target(name: "Workload", dependencies: ["LibraryDomain"]),
    // The thin executable: arguments, files, progress, exit codes.
    .executableTarget(
      name: "shelflog",
      dependencies: [
        "LibraryDomain",
        "Ingest",
        "EventLog",
        "Replay",
        "Reports",
        "Check",
        "Workload",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // libFuzzer target for the CSV reader and row validator (Fuzz/README.md); no main of its own.
    .executableTarget(name: "ShelflogFuzz", dependencies: ["Ingest", "LibraryDomain"]),
    // Helpers shared by the test targets: temporary logs, batch import from text.
    .target(
      name: "ShelflogTestSupport",
      dependencies: [
        "EventLog", "Ingest", "LibraryDomain", "Workload",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      path: "Tests/ShelflogTestSupport"
    ),
    .testTarget(
      name: "LibraryDomainTests", dependencies: ["LibraryDomain", "ShelflogTestSupport"]),
    .testTarget(
      name: "IngestTests", dependencies: ["Ingest", "LibraryDomain", "ShelflogTestSupport"]),
    .testTarget(
      name: "EventLogTests",
      dependencies: [
        "EventLog", "Ingest", "LibraryDomain", "ShelflogTestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .testTarget(
      name: "ReplayTests",
      dependencies: [
        "Replay", "EventLog", "Ingest", "LibraryDomain", "ShelflogTestSupport", "Workload",
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
      dependencies: ["shelflog", .product(name: "Crypto", package: "swift-crypto")]
    ),
  ]
)
