import GRDB
import LibraryDomain
import ShelflogTestSupport
import Testing

@testable import EventLog

/// `explain` answers in a fraction of a replay only while its lookups go through the ISBN and
/// user indexes. A partial index (`events_by_user` skips rows without a user) is used only when
/// the query itself excludes those rows, a detail easy to lose in an edit: these read SQLite's
/// plan for each lookup and fail on a scan of the stored events (`log_events`).
@Suite("Query plans")
struct QueryPlanTests {
  private static func plan(_ log: TestLog, _ sql: String, _ arguments: StatementArguments)
    throws -> [String]
  {
    let queue = try DatabaseQueue(path: log.path)
    return try queue.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map {
        $0["detail"] as String
      }
    }
  }

  private static func expectSearch(_ details: [String], using index: String) {
    #expect(
      !details.contains { $0.hasPrefix("SCAN e") || $0.hasPrefix("SCAN log_events") }, "\(details)")
    #expect(
      details.contains {
        ($0.contains("SEARCH e USING") || $0.contains("SEARCH log_events USING"))
          && $0.contains(index)
      }, "\(details)")
  }

  private static func log() throws -> TestLog {
    let log = try TestLog()
    try log.importBatch(
      """
      c1,AddBook,9781593275846,Elixir in Action,Sasa Juric,10,,2024-03-01T09:00:00Z
      c2,BorrowBook,9781593275846,,,,user123,2024-03-02T09:00:00Z

      """)
    return log
  }

  @Test("a user's events are found through events_by_user")
  func userLookup() throws {
    let log = try Self.log()
    let query = SQLiteEventStore.eventsQuery(EventFilter(userID: "user123"))
    Self.expectSearch(try Self.plan(log, query.sql, query.arguments), using: "events_by_user")
  }

  @Test("a book's events are found through events_by_isbn")
  func bookLookup() throws {
    let log = try Self.log()
    let isbn = try #require(ISBN("9781593275846"))
    let query = SQLiteEventStore.eventsQuery(EventFilter(isbn: isbn))
    Self.expectSearch(try Self.plan(log, query.sql, query.arguments), using: "events_by_isbn")
  }

  @Test("the events touching books and users are found through both indexes")
  func touchingLookup() throws {
    let log = try Self.log()
    let details = try Self.plan(
      log, SQLiteEventStore.touchingQuery,
      ["[9781593275846]", "[\"user123\"]", Int64.max, Int64.max])
    Self.expectSearch(details, using: "events_by_isbn")
    Self.expectSearch(details, using: "events_by_user")
  }
}
