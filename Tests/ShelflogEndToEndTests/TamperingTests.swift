import Foundation
import Testing

/// docs/log-format.md: the log is append-only and `verify` finds edits made behind its back.
@Suite("Tampering")
struct TamperingTests {
  static let dropTriggers = [
    "DROP TRIGGER events_append_only_update;", "DROP TRIGGER events_append_only_delete;",
  ]

  /// A log of 5 events in two batches; `verify` run once so the WAL is checkpointed.
  static func makeLog(_ box: Sandbox) async throws {
    try box.write(
      "one.csv",
      csv(
        fullHeader,
        [
          "a1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z",
          "b1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
          "b2,BorrowBook,9780306406157,,,,bob,2024-03-01T11:00:00Z",
        ]))
    try box.write(
      "two.csv",
      csv(
        fullHeader,
        [
          "r1,ReturnBook,9780306406157,,,,alice,2024-03-02T10:00:00Z",
          "x1,RemoveBook,9780306406157,,,,,2024-03-03T10:00:00Z",
        ]))
    for (file, time) in [("one.csv", "2024-03-05T00:00:00Z"), ("two.csv", "2024-03-06T00:00:00Z")] {
      let result = try await box.shelflog(
        ["import", file, "--db", "log.sqlite", "--recorded-at", time])
      try #require(result.status == 0, "\(result)")
    }
    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    try #require(verify.status == 0, "\(verify)")
  }

  /// Copies the log (and its WAL, if any) to `name`.
  static func copyLog(_ box: Sandbox, to name: String) throws {
    let manager = FileManager.default
    try manager.copyItem(atPath: box.path("log.sqlite"), toPath: box.path(name))
    if manager.fileExists(atPath: box.path("log.sqlite-wal")) {
      try manager.copyItem(atPath: box.path("log.sqlite-wal"), toPath: box.path(name + "-wal"))
    }
  }

  @Test(
    arguments: [
      ("title", "UPDATE log_events SET title = 'Dune (forged)' WHERE position = 1;", 1),
      ("user_id", "UPDATE log_events SET user_id = 'mallory' WHERE position = 3;", 3),
      (
        "occurred_at",
        "UPDATE log_events SET occurred_us = occurred_us - 3600000000 WHERE position = 4;", 4
      ),
    ])
  func editedFieldIsFoundAtItsPosition(field: String, sql: String, position: Int) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await Self.makeLog(box)
    try Self.copyLog(box, to: "copy.sqlite")

    let edit = try await box.sqlite3("copy.sqlite", Self.dropTriggers + [sql])
    try #require(edit.status == 0, "\(edit)")
    let verify = try await box.shelflog(["verify", "--db", "copy.sqlite"])
    #expect(verify.status == 1, "edited \(field): \(verify)")
    #expect(verify.stdout.contains("FAILED at position \(position)"), "edited \(field): \(verify)")

    let original = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(original.status == 0, "\(original)")
    #expect(original.stdout.hasPrefix("ok"), "\(original)")
  }

  @Test func deletedTailIsFound() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await Self.makeLog(box)
    try Self.copyLog(box, to: "copy.sqlite")
    let edit = try await box.sqlite3(
      "copy.sqlite", Self.dropTriggers + ["DELETE FROM log_events WHERE position = 5;"])
    try #require(edit.status == 0, "\(edit)")
    let verify = try await box.shelflog(["verify", "--db", "copy.sqlite"])
    #expect(verify.status == 1, "\(verify)")
    #expect(verify.stdout.hasPrefix("FAILED"), "\(verify)")
  }

  @Test func triggersRefuseUpdateAndDelete() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await Self.makeLog(box)
    let update = try await box.sqlite3(
      "log.sqlite", ["UPDATE log_events SET title = 'x' WHERE position = 1;"])
    #expect(update.status != 0, "\(update)")
    #expect(update.stderr.contains("append-only"), "\(update)")
    let delete = try await box.sqlite3("log.sqlite", ["DELETE FROM log_events;"])
    #expect(delete.status != 0, "\(delete)")
    let batches = try await box.sqlite3("log.sqlite", ["DELETE FROM log_batches;"])
    #expect(batches.status != 0, "\(batches)")

    let events = try await box.events()
    #expect(events.count == 5)
    #expect(events.first?["title"] as? String == "Dune")
    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(verify.status == 0, "\(verify)")
  }

  /// An auditor can read the log with plain sqlite3: the the log's columns are there.
  @Test func auditorSeesTheSpecColumns() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await Self.makeLog(box)
    let result = try await box.sqlite3(
      "log.sqlite",
      [
        "SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_at,"
          + " recorded_at, batch, hash FROM events WHERE position = 1;",
        "SELECT count(*) FROM batches;",
      ])
    #expect(result.status == 0, "\(result)")
    #expect(result.stdoutLines.first?.hasPrefix("1|BookAdded|a1|9780306406157|Dune|") == true)
    #expect(result.stdoutLines.last == "2", "\(result)")
  }
}
