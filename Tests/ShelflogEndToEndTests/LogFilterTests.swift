import Foundation
import Testing

/// `shelflog log` and its filters (the README).
@Suite("Log filters")
struct LogFilterTests {
  static let bookA = "9780306406157"
  static let bookA10 = "0-306-40615-2"
  static let bookB = isbn13(7)

  /// Six events; position 4 is given with an offset (23:30Z on March 1), position 6 occurred
  /// before all others.
  static func makeLog(_ box: Sandbox) async throws {
    try box.write(
      "events.csv",
      csv(
        fullHeader,
        [
          "p1,AddBook,\(bookA),Dune,Frank Herbert,2,,2024-03-01T09:00:00Z",
          "p2,BorrowBook,\(bookA),,,,alice,2024-03-01T10:00:00Z",
          "p3,BorrowBook,\(bookB),,,,bob,2024-03-01T23:59:59.999999Z",
          "p4,ReturnBook,\(bookA),,,,alice,2024-03-02T00:30:00+01:00",
          "p5,AddBook,\(bookB),Emma,Jane Austen,1,,2024-03-02T00:00:00Z",
          "p6,RemoveBook,\(bookA10),,,,,2024-02-29T12:00:00Z",
        ]))
    let result = try await box.shelflog(
      ["import", "events.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T00:00:00Z"])
    try #require(result.status == 0, "\(result)")
  }

  @Test(
    arguments: [
      ([String](), [1, 2, 3, 4, 5, 6]),
      (["--isbn", bookA10], [1, 2, 4, 6]),
      (["--isbn", "978-0-306-40615-7"], [1, 2, 4, 6]),
      (["--isbn", bookB], [3, 5]),
      (["--user", "alice"], [2, 4]),
      (["--user", "nobody"], []),
      (["--since", "2024-03-01T10:00:00Z"], [2, 3, 4, 5]),
      (["--until", "2024-03-01T09:00:00Z"], [1, 6]),
      (["--until", "2024-03-01"], [1, 2, 3, 4, 6]),
      (["--since", "2024-02-29"], [1, 2, 3, 4, 5]),
      (["--since", "2024-03-01T11:00:00+01:00", "--until", "2024-03-01T23:30:00Z"], [2, 4]),
      (["--isbn", bookA10, "--user", "alice", "--until", "2024-03-01"], [2, 4]),
    ])
  func filtersSelectPositions(filters: [String], positions: [Int]) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await Self.makeLog(box)
    let events = try await box.events(filters: filters)
    #expect(events.map { $0["position"] as? Int } == positions, "\(filters)")
  }

  @Test func tableShowsAHeaderAndOneLinePerEvent() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await Self.makeLog(box)
    let result = try await box.shelflog(["log", "--db", "log.sqlite", "--user", "alice"])
    #expect(result.status == 0, "\(result)")
    let lines = result.stdoutLines
    #expect(lines.count == 3, "\(result)")
    #expect(lines.first?.contains("position") == true)
    #expect(lines.dropFirst().allSatisfy { $0.contains("alice") && $0.contains(Self.bookA) })
    #expect(lines.last?.contains("2024-03-01T23:30:00Z") == true, "\(result)")
  }

  @Test(
    arguments: [
      ["--isbn", "0-306-40615-3"], ["--since", "yesterday"], ["--until", "2024-03-01T10:00:00"],
      ["--format", "xml"],
    ])
  func badFilterIsUsageError(_ arguments: [String]) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await Self.makeLog(box)
    let result = try await box.shelflog(["log", "--db", "log.sqlite"] + arguments)
    #expect(result.status == 64, "\(result)")
    #expect(result.stdout.isEmpty, "\(result)")
  }
}
