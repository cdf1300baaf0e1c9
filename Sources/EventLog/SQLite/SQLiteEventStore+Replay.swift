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
    try replayRows(cut, snapshotPolicy: snapshotPolicy, start: start) { try body($0.recorded) }
  }

  /// `replay` for the fold's fast path: each event as an `EventRow`, valid only during the call
  /// (no String per event; the command id is read only when asked for).
  public func replayRows(
    _ cut: ReplayCut, snapshotPolicy: Int? = nil, start: (ReplayStart) throws -> Void = { _ in },
    _ body: (EventRow) throws -> Void
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
      let commandID: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void = { body in
        withColumnBytes(handle, 2, body)
      }
      try forEachRow(handle) {
        guard let event = decodeRow(handle, commandID: commandID) else {
          throw EventLogError.database(
            path: path,
            detail: "event at position \(sqlite3_column_int64(handle, 0)) cannot be read;"
              + " run shelflog verify")
        }
        try body(event)
        return true
      }
      return head
    }
  }
}

/// Reads one replay row through the C API (no Row allocation, no String per event): only a
/// BookAdded's title and author are copied out; the user id points into SQLite's row.
private func decodeRow(
  _ handle: OpaquePointer,
  commandID: @escaping ((UnsafeBufferPointer<UInt8>) -> Void) -> Void
) -> EventRow? {
  guard let isbn = withColumnBytes(handle, 3, { ISBN.parse($0) }),
    let type = withColumnBytes(handle, 1, { EventTypeCode(bytes: $0) })
  else { return nil }
  var row = EventRow(
    position: sqlite3_column_int64(handle, 0),
    occurredAt: Timestamp(microseconds: sqlite3_column_int64(handle, 8)), type: .bookRemoved,
    isbn: isbn, quantity: 0, title: "", author: "",
    userID: UnsafeBufferPointer(start: nil, count: 0),
    withCommandID: commandID)
  switch type {
  case .added:
    row.type = .bookAdded
    row.title = columnString(handle, 4)
    row.author = columnString(handle, 5)
    row.quantity = Int(sqlite3_column_int64(handle, 6))
  case .borrowed:
    row.type = .bookBorrowed
    row.userID = withColumnBytes(handle, 7) { $0 }
  case .returned:
    row.type = .bookReturned
    row.userID = withColumnBytes(handle, 7) { $0 }
  case .removed:
    break
  }
  return row
}

/// Event types by their stored bytes (`EventType`'s raw values), told apart without making a
/// String.
private enum EventTypeCode {
  case added, borrowed, returned, removed

  init?(bytes: UnsafeBufferPointer<UInt8>) {
    // Each name is checked whole, as two overlapping 8-byte words.
    guard bytes.count >= 9, let base = bytes.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    let first = raw.loadUnaligned(as: UInt64.self)
    let last = raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
    let names = Self.names
    switch bytes.count {
    case 12 where first == names.borrowed.0 && last == names.borrowed.1: self = .borrowed
    case 12 where first == names.returned.0 && last == names.returned.1: self = .returned
    case 9 where first == names.added.0 && last == names.added.1: self = .added
    case 11 where first == names.removed.0 && last == names.removed.1: self = .removed
    default: return nil
    }
  }

  /// The first and last 8 bytes of each stored name.
  private static let names = (
    added: words(EventType.bookAdded), borrowed: words(EventType.bookBorrowed),
    returned: words(EventType.bookReturned), removed: words(EventType.bookRemoved)
  )

  private static func words(_ type: EventType) -> (UInt64, UInt64) {
    let bytes = Array(type.rawValue.utf8)
    return bytes.withUnsafeBytes {
      (
        $0.loadUnaligned(as: UInt64.self),
        $0.loadUnaligned(fromByteOffset: $0.count - 8, as: UInt64.self)
      )
    }
  }
}

private func withColumnBytes<R>(
  _ handle: OpaquePointer, _ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R
) -> R {
  // The blob form of a text value: the stored bytes, without the copy that NUL-terminates them.
  let bytes = sqlite3_column_blob(handle, index)?.assumingMemoryBound(to: UInt8.self)
  let count = Int(sqlite3_column_bytes(handle, index))
  return body(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
}

private func columnString(_ handle: OpaquePointer, _ index: Int32) -> String {
  withColumnBytes(handle, index) { String(decoding: $0, as: UTF8.self) }
}
