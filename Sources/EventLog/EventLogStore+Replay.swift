import GRDB
import GRDBSQLite
import LibraryDomain

/// The cut of a point-in-time replay: business time `at`, and what the log knew at `knownAt`.
public struct ReplayCut: Sendable, Equatable {
  public var at: Timestamp
  public var knownAt: Timestamp?

  public init(at: Timestamp, knownAt: Timestamp? = nil) {
    self.at = at
    self.knownAt = knownAt
  }
}

extension EventLogStore {
  /// Streams the events of a cut in (occurred_at, position) order, from one read snapshot, and
  /// returns the log head known at the cut: the hash of the last event recorded by `knownAt`
  /// (the log's last event without it), nil when none.
  ///
  /// With `snapshotPolicy` (a `max_loans`), the best stored snapshot for the cut is handed to
  /// `start` and only the events after its time are streamed; `start` is called once, in the same
  /// read transaction, before any event.
  public func replay(
    _ cut: ReplayCut, snapshotPolicy: Int? = nil, start: (ReplayStart) throws -> Void = { _ in },
    _ body: (RecordedEvent) throws -> Void
  ) throws -> String? {
    try read { db in
      let known = cut.knownAt?.microseconds ?? Int64.max
      let head = try String.fetchOne(
        db,
        sql: "SELECT hash FROM events WHERE recorded_us <= ? ORDER BY position DESC LIMIT 1",
        arguments: [known])
      let logEnd = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
      let snapshot = try snapshotPolicy.flatMap { try bestSnapshot(db, cut: cut, maxLoans: $0) }
      try start(ReplayStart(snapshot: snapshot, logEnd: logEnd))
      let statement = try db.makeStatement(
        sql: """
          SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_us
          FROM events INDEXED BY events_by_occurrence
          WHERE occurred_us <= ?1 AND recorded_us <= ?2 AND occurred_us > ?3
          ORDER BY occurred_us, position
          """)
      let handle = statement.sqliteStatement
      defer { sqlite3_reset(handle) }
      sqlite3_bind_int64(handle, 1, cut.at.microseconds)
      sqlite3_bind_int64(handle, 2, known)
      sqlite3_bind_int64(handle, 3, snapshot?.occurredAt.microseconds ?? Int64.min)
      while true {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { break }
        guard code == SQLITE_ROW else {
          throw DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
        }
        guard let event = decodeEvent(handle) else {
          throw EventLogError.database(
            path: path,
            detail: "event at position \(sqlite3_column_int64(handle, 0)) cannot be read;"
              + " run shelflog verify")
        }
        try body(event)
      }
      return head
    }
  }
}

/// Reads one replay row through the C API (no Row allocation per event).
private func decodeEvent(_ handle: OpaquePointer) -> RecordedEvent? {
  guard let isbn = withColumnBytes(handle, 3, { ISBN.parse($0) }) else { return nil }
  let event: LibraryEvent
  switch withColumnBytes(handle, 1, { EventTypeCode(bytes: $0) }) {
  case .added:
    event = .bookAdded(
      BookAdded(
        isbn: isbn, title: columnString(handle, 4), author: columnString(handle, 5),
        quantity: Int(sqlite3_column_int64(handle, 6))))
  case .borrowed:
    event = .bookBorrowed(BookBorrowed(isbn: isbn, userID: columnString(handle, 7)))
  case .returned:
    event = .bookReturned(BookReturned(isbn: isbn, userID: columnString(handle, 7)))
  case .removed:
    event = .bookRemoved(BookRemoved(isbn: isbn))
  case nil:
    return nil
  }
  return RecordedEvent(
    position: sqlite3_column_int64(handle, 0),
    occurredAt: Timestamp(microseconds: sqlite3_column_int64(handle, 8)),
    commandID: columnString(handle, 2), event: event)
}

/// Event types by their stored bytes, told apart without making a String.
private enum EventTypeCode {
  case added, borrowed, returned, removed

  init?(bytes: UnsafeBufferPointer<UInt8>) {
    if bytes.elementsEqual(EventType.bookBorrowed.rawValue.utf8) {
      self = .borrowed
    } else if bytes.elementsEqual(EventType.bookReturned.rawValue.utf8) {
      self = .returned
    } else if bytes.elementsEqual(EventType.bookAdded.rawValue.utf8) {
      self = .added
    } else if bytes.elementsEqual(EventType.bookRemoved.rawValue.utf8) {
      self = .removed
    } else {
      return nil
    }
  }
}

private func withColumnBytes<R>(
  _ handle: OpaquePointer, _ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R
) -> R {
  let text = sqlite3_column_text(handle, index)
  let count = Int(sqlite3_column_bytes(handle, index))
  return body(UnsafeBufferPointer(start: text, count: text == nil ? 0 : count))
}

private func columnString(_ handle: OpaquePointer, _ index: Int32) -> String {
  withColumnBytes(handle, index) { String(decoding: $0, as: UTF8.self) }
}
