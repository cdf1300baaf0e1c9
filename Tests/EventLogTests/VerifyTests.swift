import EventLog
import Replay
import ShelflogTestSupport
import Testing

@Suite("Verify")
struct VerifyTests {
  private static let body =
    "c1,AddBook,9781593275846,Elixir in Action,Sasa Juric,10,,2024-03-01T09:00:00Z\n"
    + "c2,BorrowBook,9781593275846,,,,user123,2024-03-02T09:00:00Z\n"
    + "c3,ReturnBook,9781593275846,,,,user123,2024-03-03T09:00:00Z\n"

  @Test(arguments: Backend.available) func eventsAreAppendOnly(on backend: Backend) throws {
    let log = try TestLog(backend)
    try log.importBatch(Self.body)
    // The views refuse writes; the stored tables' triggers refuse them too.
    #expect(throws: (any Error).self) { try log.tamper("UPDATE events SET title = 'x'") }
    #expect(throws: (any Error).self) { try log.tamper("DELETE FROM events") }
    #expect(throws: (any Error).self) { try log.tamper("UPDATE log_events SET title = 'x'") }
    #expect(throws: (any Error).self) { try log.tamper("DELETE FROM log_events") }
    #expect(throws: (any Error).self) { try log.tamper("UPDATE log_batches SET file_name = 'x'") }
    #expect(throws: (any Error).self) { try log.tamper("DELETE FROM log_batches") }
    #expect(try log.events().count == 3)
  }

  @Test(
    arguments: Backend.available,
    [
      ("UPDATE log_events SET title = 'Elixir in Action!' WHERE position = 1", 1),
      ("UPDATE log_events SET user_id = 'user124' WHERE position = 2", 2),
      ("UPDATE log_events SET occurred_us = occurred_us + 1000000 WHERE position = 3", 3),
      ("DELETE FROM log_events WHERE position = 2", 3),
      ("UPDATE log_events SET occurred_us = occurred_us + 1 WHERE position = 2", 2),
      ("UPDATE log_events SET type = 7 WHERE position = 2", 2),
      ("UPDATE log_events SET isbn = isbn + 1 WHERE position = 2", 2),
      ("UPDATE log_events SET command_id = 'c9' WHERE position = 3", 3),
      ("UPDATE log_events SET hash = ZERO WHERE position = 3", 3),
      ("UPDATE log_batches SET recorded_us = recorded_us + 1", 1),
    ])
  func findsTheFirstTamperedPosition(on backend: Backend, tampering: (sql: String, position: Int64))
    throws
  {
    let (sql, position) = tampering
    let log = try TestLog(backend)
    try log.importBatch(Self.body)
    #expect(try LogVerifier.verify(log.store).fault == nil)
    try log.dropTriggers()
    try log.tamper(sql.replacingOccurrences(of: "ZERO", with: log.zeroHash))
    let report = try LogVerifier.verify(log.store)
    #expect(report.fault?.position == position, "\(String(describing: report.fault))")
  }

  @Test(arguments: Backend.available) func rewrittenChainStillChangesTheHead(on backend: Backend)
    throws
  {
    let log = try TestLog(backend)
    try log.importBatch(Self.body)
    let head = try LogVerifier.verify(log.store).head
    // A tamperer who deletes the last event leaves a sound chain with another head, and a
    // batch that no longer holds what it says.
    try log.dropTriggers()
    try log.tamper("DELETE FROM log_events WHERE position = 3")
    let report = try LogVerifier.verify(log.store)
    #expect(report.head != head)
    #expect(report.fault != nil)
  }

  /// The two-walker verify of a large log (forced here on a small one) finds exactly what the
  /// one-walker verify finds: the same head on a sound log, and the same first position for a
  /// tampered event in the first half, at the middle link, just after it, or at the end.
  @Test(arguments: Backend.available, [1, 2, 10, 11, 12, 13, 23])
  func twoWalkersFindWhatOneFinds(on backend: Backend, tampered: Int) throws {
    let log = try TestLog(backend)
    var body = ""
    for index in 1...20 {
      body +=
        "a\(index),AddBook,9781593275846,Elixir in Action,Sasa Juric,1,,"
        + "2024-03-01T09:\(10 + index):00Z\n"
    }
    try log.importBatch(body, file: "one.csv")
    try log.importBatch(Self.body, file: "two.csv", recordedAt: 60)
    let single = try LogVerifier.verify(log.store, splitFrom: .max)
    let parallel = try LogVerifier.verify(log.store, splitFrom: 2)
    #expect(single.fault == nil && parallel == single)
    #expect(parallel.events == 23 && parallel.batches == 2)

    try log.dropTriggers()
    try log.tamper("UPDATE log_events SET title = 'Elixir' WHERE position = \(tampered)")
    let one = try LogVerifier.verify(log.store, splitFrom: .max)
    let two = try LogVerifier.verify(log.store, splitFrom: 2)
    #expect(one.fault?.position == Int64(tampered), "\(String(describing: one.fault))")
    #expect(two.fault == one.fault)
  }
}
