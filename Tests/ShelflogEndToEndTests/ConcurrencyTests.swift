import Foundation
import ShelflogTestSupport
import Testing

/// docs/importing.md: two imports into one log at once; the second waits, then fails with 75.
@Suite("Concurrent imports", .serialized)
struct ConcurrencyTests {
  static let rowsPerBatch = 20_000

  /// A batch of AddBook/BorrowBook rows with unique command ids `<prefix>-<n>`.
  static func bigBatch(prefix: String, isbn: String) -> String {
    var text = fullHeader + "\n"
    text.reserveCapacity(rowsPerBatch * 80)
    for index in 0..<rowsPerBatch {
      let second = String(format: "%02d", index % 60)
      if index % 2 == 0 {
        text += "\(prefix)-\(index),AddBook,\(isbn),Title \(index),Author,1,,"
      } else {
        text += "\(prefix)-\(index),BorrowBook,\(isbn),,,,user\(index % 7),"
      }
      text += "2024-03-01T09:\(String(format: "%02d", index / 60 % 60)):\(second)Z\n"
    }
    return text
  }

  @Test(arguments: Backend.available) func twoImportsAtOnceLoseAndDuplicateNothing(
    on backend: Backend
  ) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try box.write("left.csv", Self.bigBatch(prefix: "L", isbn: isbn13(1)))
    try box.write("right.csv", Self.bigBatch(prefix: "R", isbn: isbn13(2)))

    let left = try box.startShelflog(["import", "left.csv", "--db", log.db])
    let right = try box.startShelflog(["import", "right.csv", "--db", log.db])
    let leftResult = await left.wait()
    let rightResult = await right.wait()
    #expect(leftResult.status == 0, "\(leftResult)")
    #expect(rightResult.status == 0, "\(rightResult)")

    let events = try await box.events(db: log.db)
    #expect(events.count == 2 * Self.rowsPerBatch)
    #expect(events.map { $0["position"] as? Int } == (1...2 * Self.rowsPerBatch).map { $0 })
    var seen: [String: Int] = [:]
    for id in values(events, "command_id") { seen[id, default: 0] += 1 }
    let expected = ["L", "R"].flatMap { prefix in (0..<Self.rowsPerBatch).map { "\(prefix)-\($0)" }
    }
    #expect(seen.count == expected.count)
    #expect(expected.allSatisfy { seen[$0] == 1 }, "every command_id exactly once")
    // Each batch is one transaction: its events are contiguous.
    let batchChanges = zip(events, events.dropFirst()).filter {
      ($0.0["batch"] as? String) != ($0.1["batch"] as? String)
    }
    #expect(batchChanges.count == 1)

    let verify = try await box.shelflog(["verify", "--db", log.db])
    #expect(verify.status == 0, "\(verify)")
    #expect(verify.stdout.contains("\(2 * Self.rowsPerBatch) events in 2 batches"), "\(verify)")
  }

  @Test(arguments: Backend.available) func importWhileTheLogIsLockedIsBusy(on backend: Backend)
    async throws
  {
    // Another writer holds the write lock for a few seconds.
    let (box, log, holder) = try await Self.lockedLog(backend, for: 8)
    defer { box.remove() }

    let busy = try await box.shelflog(
      [
        "import", "second.csv", "--db", log.db, "--wait", "1",
        "--recorded-at", "2024-03-06T00:00:00Z",
      ])
    #expect(busy.status == 75, "\(busy)")
    #expect(busy.stderr.contains("busy"), "\(busy)")
    let held = await holder.wait()
    #expect(held.status == 0, "\(held)")

    #expect(try await box.eventCount(db: log.db) == 1)
    // The busy batch was not remembered: it imports now.
    let later = try await box.shelflog(
      ["import", "second.csv", "--db", log.db, "--recorded-at", "2024-03-06T00:00:00Z"])
    #expect(later.status == 0 && later.stdout.contains("1 accepted"), "\(later)")
  }

  /// docs/postgresql.md, docs/importing.md: without `--recorded-at` an import's recorded time is
  /// read once it holds the write lock, after any wait, so a batch is never recorded as known
  /// before the batch it waited for was committed (and no "clock is behind" warning appears).
  @Test(arguments: Backend.available) func anImportThatWaitedIsRecordedWhenItGotTheLock(
    on backend: Backend
  ) async throws {
    let (box, log, holder) = try await Self.lockedLog(backend, for: 3)
    defer { box.remove() }
    // The lock is held from at least here until three seconds after the flag appeared.
    let locked = Date()
    let second = try await box.shelflog(["import", "second.csv", "--db", log.db, "--wait", "30"])
    #expect(second.status == 0, "\(second)")
    #expect(!second.stderr.contains("behind"), "\(second)")
    #expect(await holder.wait().status == 0)

    let events = try await box.events(db: log.db)
    try #require(events.count == 2)
    let parser = ISO8601DateFormatter()
    parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let recorded = try #require((events[1]["recorded_at"] as? String).flatMap(parser.date(from:)))
    #expect(
      recorded.timeIntervalSince(locked) > 2.5,
      "recorded \(recorded), the lock was held from \(locked) for about 3 s")
  }

  /// A log holding one batch (`first.csv`, recorded 2024-03-05) with `second.csv` written beside
  /// it, and a client that holds the log's write lock for `seconds` (on PostgreSQL the append
  /// lock is the head row): returns once the client has the lock, which it tells by touching a
  /// flag file (its own standard output is buffered until it exits).
  private static func lockedLog(_ backend: Backend, for seconds: Int) async throws -> (
    box: Sandbox, log: LogUnderTest, holder: RunningProgram
  ) {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    try box.write(
      "first.csv",
      csv(fullHeader, ["a1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z"]))
    try box.write(
      "second.csv", csv(fullHeader, ["b1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z"]))
    let first = try await box.shelflog(
      ["import", "first.csv", "--db", log.db, "--recorded-at", "2024-03-05T00:00:00Z"])
    #expect(first.status == 0, "\(first)")
    let holder = try log.startClient(
      box,
      backend == .sqlite
        ? ["BEGIN IMMEDIATE;", ".shell touch locked.flag", ".shell sleep \(seconds)", "COMMIT;"]
        : [
          "BEGIN;", "SELECT 1 FROM log_head FOR UPDATE;", "\\! touch locked.flag",
          "SELECT pg_sleep(\(seconds));", "COMMIT;",
        ])
    let flag = box.path("locked.flag")
    var waited = 0
    while !FileManager.default.fileExists(atPath: flag) && waited < 200 {
      try await Task.sleep(nanoseconds: 50_000_000)
      waited += 1
    }
    try #require(FileManager.default.fileExists(atPath: flag), "the client did not take the lock")
    return (box, log, holder)
  }
}
