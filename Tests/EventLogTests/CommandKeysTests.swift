import Foundation
import Importer
import Ingest
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

@testable import EventLog

private let add = "c1,AddBook,9781593275846,Elixir in Action,Sasa Juric,10,,2024-03-01T09:00:00Z\n"
private let borrow = "c2,BorrowBook,9781593275846,,,,user123,2024-03-02T09:00:00Z\n"

/// The idempotency index lives in `command_keys` (migration v4), filled one sorted chunk at a
/// time; these check what the import rules need from it.
@Suite("Command keys")
struct CommandKeysTests {
  @Test func keysAreAppendOnly() throws {
    let log = try TestLog()
    try log.importBatch(add)
    #expect(throws: (any Error).self) { try log.tamper("DELETE FROM command_keys") }
    #expect(throws: (any Error).self) { try log.tamper("UPDATE command_keys SET position = 2") }
  }

  /// A key removed behind the triggers' back would let a re-import log its command twice:
  /// verify counts the keys against the events with a command id.
  @Test func verifyNamesAMissingKey() throws {
    let log = try TestLog()
    try log.importBatch(add)
    #expect(try LogVerifier.verify(log.store).fault == nil)
    try log.tamper("DROP TRIGGER command_keys_append_only_delete")
    try log.tamper("DELETE FROM command_keys WHERE position = 1")
    let fault = try LogVerifier.verify(log.store).fault
    #expect(fault?.message.contains("command_keys holds") == true, "\(String(describing: fault))")
  }

  /// Two ids with one key (an FNV-1a collision, forged here by listing event 1, id c1, under
  /// the key of c2 as well) are two commands: neither is taken for the other.
  @Test func idsSharingAKeyStayApart() throws {
    let log = try TestLog()
    try log.importBatch(add)
    try log.tamper("INSERT INTO command_keys (key, position) VALUES (\(CommandKey.of("c2")), 1)")
    let summary = try log.importBatch(borrow, file: "two.csv", recordedAt: 1)
    #expect(summary.status == .imported && summary.accepted == 1)
    let changed = "c2,BorrowBook,9781593275846,,,,user124,2024-03-02T09:00:00Z\n"
    let conflict = try log.importBatch(add + changed, file: "three.csv", recordedAt: 2)
    #expect(conflict.status == .rejected && conflict.skipped == 1 && conflict.rejected == 1)
    #expect(log.rejects.last?.message.contains("position 2") == true)
  }

  /// A batch longer than one chunk: ids repeated across chunks follow the rule, and rejects
  /// come in line order; into an empty log, and into one whose events already carry command
  /// ids (on PostgreSQL those are looked up on a second connection, the batch's own rows in
  /// memory), on both backends.
  @Test(arguments: Backend.available, [false, true]) func idsRepeatedAcrossChunksFollowTheRule(
    on backend: Backend, logHoldsIDs: Bool
  ) throws {
    try Self.repeatedIDs(on: backend, logHoldsIDs: logHoldsIDs)
  }

  /// The same on PostgreSQL when the batch's own keys outgrow what the writer keeps in memory
  /// (a limit of 1,000 against 40,000 rows): from then on its rows are found through the index.
  @Test(
    .enabled(
      if: Backend.postgresURL != nil,
      "no PostgreSQL server: set SHELFLOG_TEST_POSTGRES (.ci/run starts one)"))
  func idsRepeatedAcrossChunksPastThePendingLimit() throws {
    try PostgresBatchWriter.$pendingLimit.withValue(1_000) {
      try Self.repeatedIDs(on: .postgres, logHoldsIDs: true)
    }
  }

  private static func repeatedIDs(on backend: Backend, logHoldsIDs: Bool) throws {
    let log = try TestLog(backend)
    let earlier = logHoldsIDs ? 3 : 0
    if logHoldsIDs {
      var first = ""
      for row in 0..<earlier {
        first += "old\(row),RemoveBook,9781593275846,,,,,2024-03-01T08:00:00Z\n"
      }
      #expect(try log.importBatch(first, file: "first.csv").accepted == earlier)
    }
    var body = ""
    let rows = 40_000
    for row in 0..<rows {
      body += "id\(row),RemoveBook,9781593275846,,,,,2024-03-01T09:00:00Z\n"
    }
    // Line 2 + i holds row i; repeat row 5 exactly, and row 7 with another time; then an id of
    // the earlier batch exactly, and one with another time.
    body += "id5,RemoveBook,9781593275846,,,,,2024-03-01T09:00:00Z\n"
    body += "id7,RemoveBook,9781593275846,,,,,2024-03-01T09:00:01Z\n"
    if logHoldsIDs {
      body += "old1,RemoveBook,9781593275846,,,,,2024-03-01T08:00:00Z\n"
      body += "old2,RemoveBook,9781593275846,,,,,2024-03-01T08:00:01Z\n"
    }
    body += "bad,RemoveBook,978,,,,,2024-03-01T09:00:00Z\n"
    let summary = try log.importBatch(body, file: "second.csv", recordedAt: 1, allowPartial: true)
    #expect(summary.accepted == rows)
    #expect(summary.skipped == (logHoldsIDs ? 2 : 1))
    #expect(summary.rejected == (logHoldsIDs ? 3 : 2))
    #expect(
      log.rejects.map(\.code)
        == (logHoldsIDs
          ? [.duplicateCommandID, .duplicateCommandID, .badISBN]
          : [.duplicateCommandID, .badISBN]))
    #expect(
      log.rejects.map(\.line)
        == (logHoldsIDs ? [rows + 3, rows + 5, rows + 6] : [rows + 3, rows + 4]))
    #expect(log.rejects.first?.message.contains("position \(8 + earlier)") == true)
    if logHoldsIDs { #expect(log.rejects[1].message.contains("position 3") == true) }
    #expect(try log.events().count == earlier + rows)
    #expect(try LogVerifier.verify(log.store).fault == nil)
  }
}
