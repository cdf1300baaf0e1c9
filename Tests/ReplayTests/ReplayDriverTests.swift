import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

private let elixir = "9781593275846"
private let programming = "9781680502992"

/// A replay of the whole log at `at` (an RFC 3339 time or date), optionally as known at `known`.
func project(
  _ log: TestLog, at: String, knownAt: String? = nil, policy: ReplayPolicy = .standard
) throws -> Projection {
  let cut = ReplayCut(
    at: try #require(Timestamp(cut: at)),
    knownAt: try knownAt.map { try #require(Timestamp(cut: $0)) })
  return try Replayer.replay(log.store, cut: cut, policy: policy)
}

@Suite("Replay driver")
struct ReplayDriverTests {
  @Test(arguments: Backend.available) func seedExampleReplaysAsSpecified(on backend: Backend) throws
  {
    let log = try TestLog(backend)
    try log.importCase(repositoryRoot().appendingPathComponent("fixtures/seed-example"))
    let projection = try project(log, at: "2018-02-01")
    let books = Dictionary(uniqueKeysWithValues: projection.books.map { ($0.isbn.digits, $0) })
    let first = try #require(books[elixir])
    #expect(first.total == 10 && first.onLoan == 1 && first.available == 9)
    #expect(first.status == .active && first.title == "Elixir in Action")
    #expect(books[programming]?.status == .removed)
    #expect(projection.users == ["user123"])
    #expect(projection.loans(of: "user123").map { $0.returnedAt == nil } == [true])
    #expect(projection.anomalyTotal == 0)
    #expect(projection.logHead == (try log.events().last?.hash))
  }

  /// A batch imported later with older occurred_at changes a report at a time after it; as known
  /// before its import, the report is as it stood then.
  @Test(arguments: Backend.available) func lateArrivalsTakeTheirPlaceInBusinessTime(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(
      "a1,AddBook,\(elixir),Elixir in Action,Sasa Juric,1,,2024-03-01T09:00:00Z\n"
        + "b1,BorrowBook,\(elixir),,,,ann,2024-03-03T09:00:00Z\n", file: "day1.csv",
      recordedAt: 86_400)
    let headBefore = try log.events().last?.hash
    // Recorded four days later, but it happened on March 2nd: Bob had the only copy first.
    try log.importBatch(
      "b0,BorrowBook,\(elixir),,,,bob,2024-03-02T09:00:00Z\n", file: "late.csv",
      recordedAt: 5 * 86_400)

    let now = try project(log, at: "2024-03-10")
    #expect(now.books.first?.onLoan == 2)
    #expect(now.books.first?.available == -1)
    var anomalies: [Anomaly] = []
    now.forEachAnomaly { anomalies.append($0) }
    // Ann's borrow (position 2) now comes after Bob's (position 3): it is the over-borrow.
    #expect(anomalies.map(\.type) == [.overBorrow])
    #expect(anomalies.map(\.position) == [2])
    #expect(anomalies.first?.userID == "ann")

    // As the log knew it before the late batch: one loan, no anomaly, the old head.
    let then = try project(log, at: "2024-03-10", knownAt: "2000-01-03")
    #expect(then.books.first?.onLoan == 1)
    #expect(then.anomalyTotal == 0)
    #expect(then.users == ["ann"])
    #expect(then.logHead == headBefore)
    #expect(then.library.eventCount == 2)

    // At a time before the late event, it does not count either way.
    let early = try project(log, at: "2024-03-01T12:00:00Z")
    #expect(early.books.first?.onLoan == 0)
    #expect(early.library.eventCount == 1)
  }

  @Test(arguments: Backend.available) func knownAtBeforeAnyImportIsEmptyWithNullHead(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(
      "a1,AddBook,\(elixir),Elixir in Action,Sasa Juric,1,,2024-03-01T09:00:00Z\n",
      recordedAt: 3_600)
    let projection = try project(log, at: "2024-12-31", knownAt: "2000-01-01T00:59:59Z")
    #expect(projection.books.isEmpty && projection.logHead == nil)
    #expect(try project(log, at: "2024-12-31", knownAt: "2000-01-01T01:00:00Z").books.count == 1)
  }

  @Test(arguments: Backend.available) func cutsAreInclusiveAndBareDatesMeanTheEndOfTheDay(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(
      "a1,AddBook,\(elixir),Elixir in Action,Sasa Juric,1,,2024-03-01T23:59:59.999999Z\n"
        + "a2,AddBook,\(programming),Programming Elixir,Dave Thomas,1,,2024-03-02T00:00:00Z\n")
    #expect(try project(log, at: "2024-03-01").books.count == 1)
    #expect(try project(log, at: "2024-03-01T23:59:59.999998Z").books.isEmpty)
    #expect(try project(log, at: "2024-03-02T00:00:00Z").books.count == 2)
    #expect(try project(log, at: "2024-03-02T01:00:00+01:00").books.count == 2)
  }

  @Test(arguments: Backend.available) func loansOfOneUserComeBackInBorrowOrderWithReturns(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(
      "a1,AddBook,\(elixir),Elixir in Action,Sasa Juric,5,,2024-03-01T09:00:00Z\n"
        + "b1,BorrowBook,\(elixir),,,,ann,2024-03-03T09:00:00Z\n"
        + "b2,BorrowBook,\(elixir),,,,ann,2024-03-02T09:00:00Z\n"
        + "r1,ReturnBook,\(elixir),,,,ann,2024-03-04T09:00:00Z\n"
        + "b3,BorrowBook,\(programming),,,,ann,2024-03-02T09:00:00Z\n")
    let projection = try project(log, at: "2024-04-30")
    let loans = projection.loans(of: "ann")
    // By (borrowed_at, position): b2 (pos 3) and b3 (pos 5) on the 2nd, then b1 on the 3rd.
    #expect(loans.map(\.position) == [3, 5, 2])
    // The return closed the oldest open loan of the ISBN: b2.
    #expect(loans.map { $0.returnedAt != nil } == [true, false, false])
    #expect(
      loans.map { $0.isOverdue(at: projection.cut.at, policy: projection.policy) } == [
        false, true, true,
      ])
    #expect(projection.overdueLoanCount == 2 && projection.openLoanCount == 2)
  }
}
