import Crypto
import EventLog
import Foundation
import ShelflogTestSupport
import Testing

/// docs/postgresql.md: what only a shared log on a server has to show. The contract suites
/// (import, replay, verify, snapshots, crash, concurrency) run on both backends; these run on
/// PostgreSQL alone, and say they were skipped when no server is configured.
@Suite(
  "PostgreSQL contract", .serialized,
  .enabled(
    if: Backend.postgresURL != nil,
    "no PostgreSQL server: set SHELFLOG_TEST_POSTGRES (.ci/run starts one)"))
struct PostgresContractTests {
  /// A batch of `rows` events with command ids `<prefix>-<n>`.
  static func batch(prefix: String, rows: Int, isbn: String) -> String {
    var lines: [String] = []
    for index in 0..<rows {
      let time = String(
        format: "2024-03-%02dT%02d:%02d:00Z", 1 + index / 1440 % 28, index / 60 % 24, index % 60)
      lines.append(
        index % 4 == 0
          ? "\(prefix)-\(index),AddBook,\(isbn),\"Title, \(prefix)\",Author \\ \t,1,,\(time)"
          : "\(prefix)-\(index),BorrowBook,\(isbn),,,,user\(index % 11),\(time)")
    }
    return csv(fullHeader, lines)
  }

  /// Recomputes every hash from `log --format jsonl` alone and checks positions run 1…n.
  static func expectChainRecomputes(_ events: [[String: Any]]) throws {
    var previous = [UInt8](repeating: 0, count: 32)
    for (index, event) in events.enumerated() {
      #expect(event["position"] as? Int == index + 1, "a gap before \(event)")
      let digest = Array(SHA256.hash(data: previous + (try HashChainTests.canonical(event))))
      #expect(HashChainTests.hex(digest) == event["hash"] as? String, "hash at \(index + 1)")
      previous = digest
    }
  }

  @Test func fourImportersAtOnceGiveGapFreeWholeBatchesAndOneChain() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let log = try LogUnderTest(.postgres)
    let rows = 6_000
    var names: [String] = []
    for index in 0..<4 {
      names.append(
        try box.write(
          "b\(index).csv", Self.batch(prefix: "P\(index)", rows: rows, isbn: isbn13(800 + index))))
    }
    let programs = try names.map { try box.startShelflog(["import", $0, "--db", log.db]) }
    var results: [RunResult] = []
    for program in programs { results.append(await program.wait()) }
    #expect(results.allSatisfy { $0.status == 0 }, "\(results)")
    let events = try await box.events(db: log.db)
    #expect(events.count == 4 * rows)
    try Self.expectChainRecomputes(events)
    // Whole batches: each batch's events hold consecutive positions.
    let changes = zip(events, events.dropFirst()).filter {
      ($0.0["batch"] as? String) != ($0.1["batch"] as? String)
    }
    #expect(changes.count == 3, "batches interleave")
    // recorded_at never runs backwards in position order.
    // (The text of a time sorts as its time once the fraction is written out in full.)
    let recorded = values(events, "recorded_at").map { text in
      let parts = text.dropLast().split(separator: ".")
      return String(parts[0]) + "." + (parts.count > 1 ? String(parts[1]) : "000000")
    }
    #expect(recorded == recorded.sorted())
    let verify = try await box.shelflog(["verify", "--db", log.db])
    #expect(verify.status == 0 && verify.stdout.contains("\(4 * rows) events in 4 batches"))
  }

  @Test func copyBothWaysKeepsPositionsHashesAndReports() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let log = try LogUnderTest(.postgres)
    try box.write("a.csv", Self.batch(prefix: "A", rows: 500, isbn: isbn13(11)))
    try box.write("b.csv", Self.batch(prefix: "B", rows: 300, isbn: isbn13(12)))
    let first = try await box.shelflog(
      [
        "import", "a.csv", "b.csv", "--db", "source.sqlite", "--recorded-at",
        "2024-04-01T00:00:00Z",
      ])
    try #require(first.status == 0, "\(first)")
    let there = try await box.shelflog(["copy", "--from", "source.sqlite", "--to", log.db])
    #expect(there.status == 0, "\(there)")
    let back = try await box.shelflog(["copy", "--from", log.db, "--to", "back.sqlite"])
    #expect(back.status == 0, "\(back)")
    let again = try await box.shelflog(["copy", "--from", "source.sqlite", "--to", log.db])
    #expect(again.status == 73, "a target with batches is refused: \(again)")

    var outputs: [String: [String]] = [:]
    for db in ["source.sqlite", log.db, "back.sqlite"] {
      let jsonl = try await box.shelflog(["log", "--db", db, "--format", "jsonl"])
      let verify = try await box.shelflog(["verify", "--db", db])
      let report = try await box.shelflog(
        ["report", "loans", "--db", db, "--at", "2024-03-20", "--format", "json"])
      #expect(verify.status == 0, "\(db): \(verify)")
      outputs[db] = [jsonl.stdout, verify.stdout, report.stdout]
    }
    #expect(outputs["source.sqlite"] == outputs[log.db])
    #expect(outputs["back.sqlite"] == outputs[log.db])
    #expect(outputs[log.db]?[0].split(separator: "\n").count == 800)
  }

  @Test func thePasswordIsNeverShownAndFaultsHaveTheirExitCodes() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let log = try LogUnderTest(.postgres)
    let location = try PostgresLocation(url: log.db)
    let password = try #require(location.password, "the test server's URL has a password")
    try box.write("a.csv", Self.batch(prefix: "S", rows: 20, isbn: isbn13(21)))
    var seen: [RunResult] = []
    let imported = try await box.shelflog(["import", "a.csv", "--db", log.db, "--json"])
    #expect(imported.status == 0, "\(imported)")
    seen.append(imported)
    let replayed = try await box.shelflog(["replay", "--db", log.db, "--out", "out", "--verbose"])
    #expect(replayed.status == 0, "\(replayed)")
    seen.append(replayed)
    let manifest = String(decoding: try box.read("out/manifest.json"), as: UTF8.self)
    #expect(!manifest.contains(password))
    #expect(manifest.contains(location.name) || !manifest.contains("postgresql://"))

    let server = "\(location.host):\(location.port)"
    let wrong = try await box.shelflog(
      [
        "verify", "--db",
        "postgresql://\(location.user):not-\(password)@\(server)/\(location.database)",
      ])
    #expect(wrong.status == 74, "refused login: \(wrong)")
    #expect(wrong.stderrLines.count == 1, "\(wrong)")
    seen.append(wrong)
    let missing = try await box.shelflog(
      [
        "verify", "--db",
        "postgresql://\(location.user):\(password)@\(server)/no_such_db_\(UUID().uuidString.prefix(8))",
      ])
    #expect(missing.status == 66, "missing database: \(missing)")
    seen.append(missing)
    let unreachable = try await box.shelflog(
      [
        "verify", "--db",
        "postgresql://\(location.user):\(password)@127.0.0.1:1/\(location.database)",
      ])
    #expect(unreachable.status == 74, "unreachable server: \(unreachable)")
    #expect(unreachable.stderrLines.count == 1, "\(unreachable)")
    seen.append(unreachable)
    // TLS required of a server that offers none, and an sslmode shelflog does not know.
    let tls = try await box.shelflog(["verify", "--db", log.db + "?sslmode=require"])
    #expect(tls.status == 74 && tls.stderrLines.count == 1, "sslmode=require: \(tls)")
    seen.append(tls)
    let mode = try await box.shelflog(["verify", "--db", log.db + "?sslmode=sometimes"])
    #expect(mode.status == 64, "\(mode)")
    seen.append(mode)
    // The password from the environment instead of the URL.
    let fromEnvironment = try await box.shelflog(
      ["verify", "--db", "postgresql://\(location.user)@\(server)/\(location.database)"],
      environment: ["PGPASSWORD": password])
    #expect(fromEnvironment.status == 0, "\(fromEnvironment)")
    seen.append(fromEnvironment)
    for result in seen {
      #expect(!result.stdout.contains(password) && !result.stderr.contains(password), "\(result)")
    }
  }

  @Test func aNewerSchemaIsRefusedAndADryRunCreatesNothing() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let log = try LogUnderTest(.postgres)
    try box.write("a.csv", Self.batch(prefix: "D", rows: 10, isbn: isbn13(31)))
    let dry = try await box.shelflog(["import", "a.csv", "--db", log.db, "--dry-run"])
    #expect(dry.status == 0, "\(dry)")
    #expect(try await log.rows(box, "SELECT to_regclass('log_events') IS NULL;") == ["t"])
    let real = try await box.shelflog(["import", "a.csv", "--db", log.db])
    #expect(real.status == 0, "\(real)")
    _ = try await log.rows(box, "UPDATE shelflog_schema SET version = 99;")
    let newer = try await box.shelflog(["verify", "--db", log.db])
    #expect(newer.status == 65 && newer.stderr.contains("newer"), "\(newer)")
  }

  /// The server ends the importer's session in the middle of a batch (as a server restart or a
  /// crashed backend does): the batch is absent, the log verifies, and a re-run imports it.
  @Test func aSessionEndedByTheServerMidImportLeavesTheBatchWholeOrAbsent() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let log = try LogUnderTest(.postgres)
    try box.write("seed.csv", Self.batch(prefix: "seed", rows: 10, isbn: isbn13(41)))
    try box.write("big.csv", Self.batch(prefix: "big", rows: 120_000, isbn: isbn13(42)))
    let seed = try await box.shelflog(["import", "seed.csv", "--db", log.db])
    try #require(seed.status == 0, "\(seed)")
    let program = try box.startShelflog(["import", "big.csv", "--db", log.db])
    // Wait until its transaction is copying events in, then end its session from the server.
    var ended = false
    for _ in 0..<400 where !ended {
      try await Task.sleep(nanoseconds: 25_000_000)
      let killed = try await log.rows(
        box,
        """
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'shelflog' AND datname = current_database()
          AND state = 'active' AND pid <> pg_backend_pid() AND query LIKE 'COPY "log_events"%';
        """)
      ended = killed.contains("t")
    }
    let result = await program.wait()
    try #require(ended, "the import ended before its session could be ended: \(result)")
    #expect(result.status == 74, "\(result)")
    #expect(result.stderrLines.count == 1, "\(result)")
    let verify = try await box.shelflog(["verify", "--db", log.db])
    #expect(verify.status == 0 && verify.stdout.contains("10 events in 1 batches"), "\(verify)")
    let rerun = try await box.shelflog(["import", "big.csv", "--db", log.db])
    #expect(rerun.status == 0, "\(rerun)")
    let after = try await box.shelflog(["verify", "--db", log.db])
    #expect(after.stdout.contains("120010 events in 2 batches"), "\(after)")
  }
}
