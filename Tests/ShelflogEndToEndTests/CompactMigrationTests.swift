import Foundation
import ShelflogTestSupport
import Testing

/// The move of a log written by shelflog 0.7.0 (text columns, schema v6) to the compact stored
/// form (v7), on the committed log `Tests/Fixtures/v6-log/log.sqlite`. Its `expected` folder
/// holds what 0.7.0 printed for it: `log --format jsonl`, the verify head, and two replays.
@Suite("Compact log migration")
struct CompactMigrationTests {
  private static let fixture = repositoryRoot().appendingPathComponent("Tests/Fixtures/v6-log")

  private static func expected(_ name: String) throws -> Data {
    try Data(contentsOf: fixture.appendingPathComponent("expected/\(name)"))
  }

  /// A copy of the 0.7.0 log in a fresh sandbox.
  private static func oldLog() throws -> Sandbox {
    let box = try Sandbox()
    try FileManager.default.copyItem(
      atPath: fixture.appendingPathComponent("log.sqlite").path, toPath: box.path("log.sqlite"))
    return box
  }

  @Test func oldLogIsRefusedByReadersUntilUpgraded() async throws {
    let box = try Self.oldLog()
    defer { box.remove() }
    let read = try await box.shelflog(["log", "--db", "log.sqlite", "--format", "jsonl"])
    #expect(read.status != 0 && read.stderr.contains("upgrades it"), "\(read)")
    // A reader changed nothing: the file is byte for byte the committed one.
    let committed = try Data(contentsOf: Self.fixture.appendingPathComponent("log.sqlite"))
    #expect(try box.read("log.sqlite") == committed)
  }

  @Test func migratedLogKeepsItsHeadEventsAndReports() async throws {
    let box = try Self.oldLog()
    defer { box.remove() }
    let upgrade = try await box.shelflog(["snapshot", "--db", "log.sqlite"])
    #expect(upgrade.status == 0, "\(upgrade)")

    let migrations = try await box.sqlite3(
      "log.sqlite",
      [
        "SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1;",
        "SELECT name FROM sqlite_master WHERE name IN ('events', 'batches') ORDER BY name;",
        "SELECT type FROM sqlite_master WHERE name = 'events';",
        "SELECT count(*) FROM log_events WHERE typeof(command_id) = 'blob';",
      ])
    #expect(migrations.stdoutLines == ["v7-compact-log", "batches", "events", "view", "4"])

    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(verify.status == 0, "\(verify)")
    let head = String(decoding: try Self.expected("head"), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(verify.stdout.contains("head \(head)"), "\(verify)")
    #expect(verify.stdout.contains("11 events in 3 batches"), "\(verify)")

    let jsonl = try await box.shelflog(["log", "--db", "log.sqlite", "--format", "jsonl"])
    #expect(jsonl.status == 0)
    #expect(Data(jsonl.stdout.utf8) == (try Self.expected("log.jsonl")))

    // Both replays the old release wrote reproduce, file for file, from the migrated log.
    for folder in ["at-2024-03-31", "known-2024-04-01"] {
      let known = folder.hasPrefix("known") ? ["--known-at", "2024-04-01T12:00:00Z"] : []
      let replay = try await box.shelflog(
        [
          "replay", "--db", "log.sqlite", "--at", "2024-03-31T00:00:00Z", "--out", folder,
          "--format", "json,csv,md",
        ] + known)
      #expect(replay.status == 0, "\(replay)")
      let names = try FileManager.default.contentsOfDirectory(
        atPath: Self.fixture.appendingPathComponent("expected/\(folder)").path)
      #expect(names.count == 16)
      for name in names where name != "manifest.json" {
        #expect(
          try box.read("\(folder)/\(name)") == (try Self.expected("\(folder)/\(name)")),
          "\(folder)/\(name)")
      }
    }

    // What 0.7.0 sent reproduces from the migrated log: the files and the pinned head's chain.
    for folder in ["at-2024-03-31", "known-2024-04-01"] {
      let sent = Self.fixture.appendingPathComponent("expected/\(folder)").path
      let reproduced = try await box.shelflog(["reproduce", sent, "--db", "log.sqlite"])
      #expect(reproduced.status == 0, "\(folder): \(reproduced)")
    }

    // The imported batches and command ids are still found: a re-import changes nothing, and
    // a renamed batch appends only its new row and its row without a command id.
    let again = try await box.shelflog(
      [
        "import", Self.fixture.appendingPathComponent("batches/1-main.csv").path, "--db",
        "log.sqlite",
      ])
    #expect(again.status == 0 && again.stdout.contains("already imported"), "\(again)")
    let duplicate = try await box.shelflog(
      [
        "import", Self.fixture.appendingPathComponent("batches/3-empty.csv").path, "--db",
        "log.sqlite",
      ])
    #expect(duplicate.status == 0, "\(duplicate)")
    let renamed = try box.write(
      "renamed.csv",
      String(
        decoding: try Data(contentsOf: Self.fixture.appendingPathComponent("batches/2-late.csv")),
        as: UTF8.self)
        + "c-12,RemoveBook,9780306406157,,,,,2024-03-07T09:00:00Z\n")
    let skipped = try await box.shelflog(["import", renamed, "--db", "log.sqlite"])
    #expect(
      skipped.status == 0 && skipped.stdout.contains("2 accepted, 0 rejected, 3 skipped"),
      "\(skipped)")
    let after = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(after.status == 0 && after.stdout.contains("13 events in 4 batches"), "\(after)")
  }

  /// A text log that does not hold what shelflog writes (an edited time text) is not moved:
  /// the upgrade fails with one line, and the log stays as it was.
  @Test func migrationIsAllOrNothing() async throws {
    let box = try Self.oldLog()
    defer { box.remove() }
    let edit = try await box.sqlite3(
      "log.sqlite",
      [
        "DROP TRIGGER events_append_only_update;",
        "UPDATE events SET occurred_at = '2024-03-02T10:00:00.000000Z' WHERE position = 3;",
      ])
    #expect(edit.status == 0, "\(edit)")
    let rows = [
      "SELECT * FROM events ORDER BY position;", "SELECT * FROM batches ORDER BY sha256;",
    ]
    let before = try await box.sqlite3("log.sqlite", rows)
    let upgrade = try await box.shelflog(["snapshot", "--db", "log.sqlite"])
    #expect(upgrade.status != 0, "\(upgrade)")
    #expect(upgrade.stderr.contains("event 3 is not stored as shelflog writes it"), "\(upgrade)")
    let tables = try await box.sqlite3(
      "log.sqlite",
      [
        "SELECT type FROM sqlite_master WHERE name = 'events';",
        "SELECT count(*) FROM grdb_migrations WHERE identifier = 'v7-compact-log';",
        "SELECT count(*) FROM sqlite_master WHERE name LIKE 'log_%' OR name LIKE 'text_%';",
      ])
    #expect(tables.stdoutLines == ["table", "0", "0"], "\(tables)")
    let after = try await box.sqlite3("log.sqlite", rows)
    #expect(after.stdout == before.stdout && before.stdoutLines.count == 14, "\(after)")
  }
}
