import EventLog
import Foundation
import GRDB
import Ingest
import LibraryDomain

/// A log in a fresh temporary folder, removed when the test ends.
final class TestLog {
  let folder: URL
  let path: String
  let store: EventLogStore
  var rejects: [Reject] = []
  var warnings: [String] = []

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "shelflog-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    path = folder.appendingPathComponent("log.sqlite").path
    store = try EventLogStore(path: path, access: .write, wait: 5)
  }

  deinit {
    try? FileManager.default.removeItem(at: folder)
  }

  static let header = "command_id,command,isbn,title,author,quantity,user_id,occurred_at\n"

  /// Imports CSV text as one batch named `file`, recorded at `recordedAt` seconds past 2000.
  @discardableResult
  func importBatch(
    _ body: String, file: String = "batch.csv", recordedAt: Int64? = 0, allowPartial: Bool = false,
    now: Int64 = 0
  ) throws -> BatchSummary {
    let bytes = Array((Self.header + body).utf8)
    var options = ImportOptions(now: Self.time(now))
    options.allowPartial = allowPartial
    options.recordedAt = recordedAt.map(Self.time)
    let observer = ImportObserver(
      reject: { self.rejects.append($0) }, warning: { self.warnings.append($0) }, progress: { _ in }
    )
    return try store.importBatch(
      BytesSource(bytes), file: file, sha256: sha256Hex(bytes), options: options,
      observer: observer)
  }

  /// All events, in position order.
  func events() throws -> [StoredEvent] {
    var events: [StoredEvent] = []
    try store.events { events.append($0) }
    return events
  }

  /// Runs SQL on the file behind the store's back, as an auditor (or a tamperer) would.
  func tamper(_ sql: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
  }

  /// 2000-01-01T00:00:00Z plus seconds.
  static func time(_ seconds: Int64) -> Timestamp {
    Timestamp(microseconds: 946_684_800_000_000 + seconds * 1_000_000)
  }
}
