import Crypto
import EventLog
import Foundation
import Importer
import Ingest
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

private let add = "c1,AddBook,9781593275846,Elixir in Action,Sasa Juric,10,,2024-03-01T09:00:00Z\n"
private let borrow = "c2,BorrowBook,9781593275846,,,,user123,2024-03-02T09:00:00Z\n"
private let bad = "c3,RemoveBook,9781593275847,,,,,2024-03-03T09:00:00Z\n"

@Suite("Batch import")
struct ImportTests {
  @Test(arguments: Backend.available) func batchIsAppendedWithPositionsTimesAndBatchHash(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    let summary = try log.importBatch(add + borrow, recordedAt: 60)
    #expect(summary.status == .imported)
    #expect(summary.accepted == 2 && summary.firstPosition == 1 && summary.lastPosition == 2)
    let events = try log.events()
    #expect(events.map(\.position) == [1, 2])
    #expect(events.map(\.type) == ["BookAdded", "BookBorrowed"])
    #expect(events[0].quantity == 10 && events[1].quantity == nil)
    #expect(events[1].userID == "user123" && events[0].userID == "")
    #expect(events.allSatisfy { $0.recordedAt == "2000-01-01T00:01:00Z" })
    #expect(
      events.allSatisfy { $0.batch == sha256Hex(Array((TestLog.header + add + borrow).utf8)) })
    let batches = try log.store.batches()
    #expect(batches.count == 1 && batches[0].accepted == 2 && batches[0].fileName == "batch.csv")
  }

  @Test(arguments: Backend.available) func oneBadRowAtTheEndAppendsNothing(on backend: Backend)
    throws
  {
    let log = try TestLog(backend)
    let summary = try log.importBatch(add + borrow + bad)
    #expect(summary.status == .rejected)
    #expect(summary.rejected == 1 && summary.accepted == 2)
    #expect(try log.events().isEmpty)
    #expect(try log.store.batches().isEmpty)
    #expect(log.rejects.map(\.line) == [4])
    #expect(log.rejects.map(\.code) == [.badISBN])
  }

  @Test(arguments: Backend.available) func allowPartialAppendsTheValidRows(on backend: Backend)
    throws
  {
    let log = try TestLog(backend)
    let summary = try log.importBatch(add + bad + borrow, allowPartial: true)
    #expect(summary.status == .imported && summary.accepted == 2 && summary.rejected == 1)
    #expect(try log.events().map(\.commandID) == ["c1", "c2"])
    #expect(try log.store.batches().first?.rejected == 1)
  }

  @Test(arguments: Backend.available) func sameBytesTwiceAddNothingTheSecondTime(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(add + borrow)
    let second = try log.importBatch(add + borrow, recordedAt: 10)
    #expect(second.status == .alreadyImported)
    #expect(try log.events().count == 2)
    #expect(try log.store.batches().count == 1)
  }

  @Test(arguments: Backend.available) func duplicateCommandIDWithSameContentIsSkipped(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(add)
    // Another file (other bytes) repeating c1 exactly, plus a new row.
    let summary = try log.importBatch(add + borrow, file: "again.csv", recordedAt: 1)
    #expect(summary.status == .imported && summary.skipped == 1 && summary.accepted == 1)
    #expect(try log.events().map(\.commandID) == ["c1", "c2"])
  }

  @Test(arguments: Backend.available) func duplicateCommandIDWithOtherContentIsRejected(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(add)
    let changed = "c1,AddBook,9781593275846,Elixir in Action,Sasa Juric,11,,2024-03-01T09:00:00Z\n"
    let summary = try log.importBatch(changed, file: "changed.csv", recordedAt: 1)
    #expect(summary.status == .rejected)
    #expect(log.rejects.map(\.code) == [.duplicateCommandID])
    #expect(log.rejects.first?.column == 1 && log.rejects.first?.line == 2)
    #expect(log.rejects.first?.message.contains("position 1") == true)
  }

  @Test(arguments: Backend.available) func duplicateCommandIDInsideOneBatchFollowsTheSameRule(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    let sameTimeOtherOffset =
      "c1,AddBook,9781593275846,Elixir in Action,Sasa Juric,10,,2024-03-01T10:00:00+01:00\n"
    let summary = try log.importBatch(add + sameTimeOtherOffset)
    #expect(summary.accepted == 1 && summary.skipped == 1 && summary.rejected == 0)
    let conflict = try log.importBatch(
      borrow + "c2,ReturnBook,9781593275846,,,,user123,2024-03-02T09:00:00Z\n", recordedAt: 1)
    #expect(conflict.status == .rejected && conflict.accepted == 1 && conflict.rejected == 1)
    #expect(log.rejects.map(\.line) == [3])
  }

  @Test(arguments: Backend.available) func recordedTimeNeverRunsBackwards(on backend: Backend)
    throws
  {
    let log = try TestLog(backend)
    try log.importBatch(add, recordedAt: 100)
    #expect(throws: ImportError.self) {
      try log.importBatch(borrow, file: "late.csv", recordedAt: 99)
    }
    #expect(try log.events().count == 1)
    // The same time is allowed; a clock behind the log is raised to the log's latest.
    try log.importBatch(borrow, file: "same.csv", recordedAt: 100)
    let summary = try log.importBatch(
      "c9,RemoveBook,9781593275846,,,,,2024-03-05T00:00:00Z\n", recordedAt: nil, now: 50)
    #expect(summary.recordedAt == TestLog.time(100).description)
    #expect(log.warnings.count == 1)
  }

  @Test(arguments: Backend.available) func chainContinuesAcrossBatchesAndVerifies(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    try log.importBatch(add)
    try log.importBatch(borrow, file: "two.csv", recordedAt: 1)
    let report = try LogVerifier.verify(log.store)
    #expect(report.fault == nil)
    #expect(report.events == 2 && report.batches == 2)
    #expect(report.head == (try log.events().last?.hash))
  }

  @Test(arguments: Backend.available) func emptyFileAndHeaderOnly(on backend: Backend) throws {
    let log = try TestLog(backend)
    let observer = ImportObserver(reject: { _ in }, warning: { _ in }, progress: { _ in })
    #expect(throws: IngestError.self) {
      try Importer.importBatch(
        BytesSource([]), file: "empty.csv", sha256: sha256Hex([]), into: log.store,
        options: ImportOptions(now: TestLog.time(0)), observer: observer)
    }
    let summary = try log.importBatch("")
    #expect(summary.status == .imported && summary.accepted == 0)
    #expect(try log.store.batches().count == 1)
  }

  /// Texts with what COPY's text format escapes (backslash, tab, newline, carriage return, a
  /// literal `\N` and `\.`) are stored byte for byte on both backends, and the chain computed
  /// over the batch's bytes verifies. (User ids cannot hold them: docs/importing.md.)
  @Test(arguments: Backend.available) func textsCOPYEscapesAreStoredByteForByte(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    let odd = "a\\b\tc\r\nd \\N \\. \\\\t 📚"
    func quoted(_ text: String) -> String {
      "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    let body =
      "\(quoted("id\t" + odd)),AddBook,9781593275846,\(quoted("T " + odd)),\(quoted("A " + odd)),1,,"
      + "2024-03-01T09:00:00Z\n"
      + "c2,BorrowBook,9781593275846,,,,user.1_x@y-z,2024-03-02T09:00:00Z\n"
    let summary = try log.importBatch(body)
    #expect(summary.accepted == 2, "\(log.rejects)")
    let events = try log.events()
    try #require(events.count == 2)
    #expect(Array(events[0].commandID.utf8) == Array(("id\t" + odd).utf8))
    #expect(Array(events[0].title.utf8) == Array(("T " + odd).utf8))
    #expect(Array(events[0].author.utf8) == Array(("A " + odd).utf8))
    #expect(events[1].userID == "user.1_x@y-z")
    #expect(events[1].quantity == nil && events[0].quantity == 1)
    #expect(try LogVerifier.verify(log.store).fault == nil)
    // A second import finds the first row's odd command id: the same content is skipped.
    let again = try log.importBatch(
      String(body.prefix(while: { $0 != "\n" })) + "\n", file: "again.csv", recordedAt: 1)
    #expect(again.skipped == 1 && again.accepted == 0, "\(again)")
  }
}
