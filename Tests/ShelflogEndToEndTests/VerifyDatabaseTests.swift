import Foundation
import Testing

/// `verify`'s check of the database file, beside the hash chain: a damaged replay index is
/// caught by default (the index counts) or only by `--thorough`
/// (`integrity_check`), as the README says.
@Suite("Verify: the database file")
struct VerifyDatabaseTests {
  private func importedBox() async throws -> Sandbox {
    let box = try Sandbox()
    let rows = (0..<40).map { index in
      "c\(index),AddBook,\(isbn13(100 + index)),Title \(index),Author,1,,"
        + "2024-03-01T10:\(String(format: "%02d", index)):00Z"
    }
    try box.write("batch.csv", csv(fullHeader, rows))
    let imported = try await box.shelflog(
      ["import", "batch.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-02T00:00:00Z"])
    #expect(imported.status == 0, "\(imported)")
    return box
  }

  /// The replay index is swapped for one that holds two entries: replay would skip 38 events.
  @Test func replayIndexMissingEntriesFailsTheDefaultVerify() async throws {
    let box = try await importedBox()
    defer { box.remove() }
    let swapped = try await box.sqlite3(
      "log.sqlite",
      [
        "CREATE INDEX partial ON log_events(occurred_us) WHERE position <= 2;",
        "PRAGMA writable_schema = ON;",
        "UPDATE sqlite_master SET rootpage = (SELECT rootpage FROM sqlite_master"
          + " WHERE name = 'partial') WHERE name = 'events_by_occurrence';",
        "DELETE FROM sqlite_master WHERE name = 'partial';",
      ])
    #expect(swapped.status == 0, "\(swapped)")
    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(verify.status == 1, "\(verify)")
    #expect(
      verify.stdout.contains("FAILED at log: index events_by_occurrence holds 2 entries for 40"),
      "\(verify)")
  }

  /// The index's definition is changed behind its entries: every B-tree is sound and the counts
  /// agree, so only matching each entry with its row (`--thorough`) sees it.
  @Test func indexNotMatchingItsRowsNeedsTheThoroughVerify() async throws {
    let box = try await importedBox()
    defer { box.remove() }
    let altered = try await box.sqlite3(
      "log.sqlite",
      [
        "PRAGMA writable_schema = ON;",
        "UPDATE sqlite_master SET sql = 'CREATE INDEX events_by_occurrence ON"
          + " log_events(batch)' WHERE name = 'events_by_occurrence';",
      ])
    #expect(altered.status == 0, "\(altered)")
    let quick = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(quick.status == 0, "\(quick)")
    #expect(quick.stdout.contains("chain and index check pass"))
    let thorough = try await box.shelflog(["verify", "--db", "log.sqlite", "--thorough"])
    #expect(thorough.status == 1, "\(thorough)")
    #expect(thorough.stdout.contains("FAILED at log: SQLite integrity check"), "\(thorough)")
    #expect(thorough.stdout.contains("events_by_occurrence"), "\(thorough)")
  }
}
