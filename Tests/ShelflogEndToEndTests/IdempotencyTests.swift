import Crypto
import Foundation
import ShelflogTestSupport
import Testing

/// docs/importing.md: a batch's bytes and a command's id are imported once.
@Suite("Idempotency")
struct IdempotencyTests {
  static let first = csv(
    fullHeader,
    [
      "a1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z",
      "b1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
      "r1,ReturnBook,9780306406157,,,,alice,2024-03-02T10:00:00.5Z",
    ])

  @Test(arguments: Backend.available) func sameFileTwiceIsAlreadyImported(on backend: Backend)
    async throws
  {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try box.write("a.csv", Self.first)
    let one = try await box.shelflog(
      ["import", "a.csv", "--db", log.db, "--recorded-at", "2024-03-05T00:00:00Z"])
    #expect(one.status == 0, "\(one)")
    #expect(one.stdout.contains("3 accepted"), "\(one)")

    let two = try await box.shelflog(["import", "a.csv", "--db", log.db])
    #expect(two.status == 0, "\(two)")
    #expect(two.stdout.contains("already imported"), "\(two)")
    #expect(try await box.eventCount(db: log.db) == 3)

    // The same bytes under another name are the same batch.
    try FileManager.default.copyItem(atPath: box.path("a.csv"), toPath: box.path("copy.csv"))
    let three = try await box.shelflog(["import", "copy.csv", "--db", log.db, "--json"])
    #expect(three.status == 0, "\(three)")
    #expect(try batchSummaries(three).first?["status"] as? String == "already_imported")
    #expect(try await box.eventCount(db: log.db) == 3)
  }

  @Test(arguments: Backend.available) func loggedCommandIDWithSameContentIsSkipped(
    on backend: Backend
  ) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try box.write("a.csv", Self.first)
    let one = try await box.shelflog(
      ["import", "a.csv", "--db", log.db, "--recorded-at", "2024-03-05T00:00:00Z"])
    #expect(one.status == 0, "\(one)")

    // a1 and b1 again with the same normalised content (ISBN-10 form, another offset, spaces
    // around the title), plus one new command.
    try box.write(
      "b.csv",
      csv(
        fullHeader,
        [
          "a1,AddBook,0-306-40615-2,  Dune ,Frank Herbert,2,,2024-03-01T10:00:00+01:00",
          "b1,BorrowBook,978-0-306-40615-7,,,,alice,2024-03-01T10:00:00.000Z",
          "n1,BorrowBook,9780306406157,,,,bob,2024-03-03T10:00:00Z",
        ]))
    let two = try await box.shelflog(
      ["import", "b.csv", "--db", log.db, "--json", "--recorded-at", "2024-03-06T00:00:00Z"])
    #expect(two.status == 0, "\(two)")
    let summary = try batchSummaries(two).first
    #expect(summary?["skipped"] as? Int == 2, "\(two)")
    #expect(summary?["accepted"] as? Int == 1, "\(two)")
    #expect(summary?["rejected"] as? Int == 0, "\(two)")
    let events = try await box.events(db: log.db)
    #expect(values(events, "command_id") == ["a1", "b1", "r1", "n1"])
  }

  @Test(arguments: Backend.available) func loggedCommandIDWithOtherContentIsRejected(
    on backend: Backend
  ) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try box.write("a.csv", Self.first)
    _ = try await box.shelflog(
      ["import", "a.csv", "--db", log.db, "--recorded-at", "2024-03-05T00:00:00Z"])
    try box.write(
      "c.csv",
      csv(
        fullHeader,
        [
          "n2,BorrowBook,9780306406157,,,,carol,2024-03-03T10:00:00Z",
          "b1,BorrowBook,9780306406157,,,,bob,2024-03-01T10:00:00Z",
        ]))
    let result = try await box.shelflog(
      ["import", "c.csv", "--db", log.db, "--recorded-at", "2024-03-06T00:00:00Z"])
    #expect(result.status == 65, "\(result)")
    #expect(result.stderr.contains("c.csv:3:1: duplicate_command_id"), "\(result)")
    #expect(try await box.eventCount(db: log.db) == 3)
  }

  @Test(arguments: Backend.available) func oneIDTwiceInOneBatchFollowsTheSameRule(
    on backend: Backend
  ) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    let row = "x1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z"
    try box.write("same.csv", csv(fullHeader, [row, row]))
    try box.write(
      "other.csv",
      csv(
        fullHeader,
        [
          "y1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
          "y1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:01Z",
        ]))
    let same = try await box.shelflog(
      [
        "import", "same.csv", "--db", log.db, "--json", "--recorded-at",
        "2024-03-05T00:00:00Z",
      ])
    #expect(same.status == 0, "\(same)")
    #expect(try batchSummaries(same).first?["skipped"] as? Int == 1)
    #expect(try await box.eventCount(db: log.db) == 1)

    let other = try await box.shelflog(
      ["import", "other.csv", "--db", log.db, "--recorded-at", "2024-03-05T00:00:00Z"])
    #expect(other.status == 65, "\(other)")
    #expect(other.stderr.contains("other.csv:3:1: duplicate_command_id"), "\(other)")
    #expect(try await box.eventCount(db: log.db) == 1)
  }

  @Test(arguments: Backend.available) func standardInputIsABatchToo(on backend: Backend)
    async throws
  {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    let bytes = Data(Self.first.utf8)
    let one = try await box.shelflog(
      ["import", "-", "--db", log.db, "--recorded-at", "2024-03-05T00:00:00Z", "--json"],
      stdin: bytes)
    #expect(one.status == 0, "\(one)")
    let summary = try batchSummaries(one).first
    #expect(summary?["accepted"] as? Int == 3)
    #expect(summary?["sha256"] as? String == sha256Hex(bytes))
    #expect(try await box.eventCount(db: log.db) == 3)

    let two = try await box.shelflog(["import", "-", "--db", log.db], stdin: bytes)
    #expect(two.status == 0, "\(two)")
    #expect(two.stdout.contains("already imported"), "\(two)")
    #expect(try await box.eventCount(db: log.db) == 3)

    // The same bytes from a file are the same batch as well.
    try box.write("same.csv", bytes)
    let three = try await box.shelflog(["import", "same.csv", "--db", log.db])
    #expect(three.stdout.contains("already imported"), "\(three)")
    #expect(try await box.eventCount(db: log.db) == 3)
  }
}

/// Lowercase hex SHA-256 of bytes.
func sha256Hex(_ bytes: Data) -> String {
  SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
