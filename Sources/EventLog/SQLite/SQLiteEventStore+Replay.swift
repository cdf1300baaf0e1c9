import GRDB
import GRDBSQLite
import LibraryDomain

extension SQLiteEventStore {
  public func appendTransaction<Result>(
    _ body: (any BatchWriter) throws -> (Result, commit: Bool)
  ) throws -> Result {
    try writeTransaction { db in try body(SQLiteBatchWriter(db: db)) }
  }

  public func replay(
    _ cut: ReplayCut, snapshotMaxLoans: Int?, start: (ReplayStart) throws -> Void,
    _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead? {
    try readPassingErrors { db in
      let known = cut.knownAt?.microseconds ?? Int64.max
      let head = try Row.fetchOne(
        db,
        sql: """
          SELECT position, hash FROM events WHERE recorded_us <= ?
          ORDER BY position DESC LIMIT 1
          """,
        arguments: [known]
      ).map { LogHead(position: $0[0], hash: $0[1]) }
      let logEnd = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
      let snapshot = try snapshotMaxLoans.flatMap { try bestSnapshot(db, cut: cut, maxLoans: $0) }
      try start(ReplayStart(snapshot: snapshot, logEnd: logEnd))
      let statement = try db.makeStatement(
        sql: """
          SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_us
          FROM events INDEXED BY events_by_occurrence
          WHERE occurred_us <= ?1 AND recorded_us <= ?2 AND occurred_us > ?3
          ORDER BY occurred_us, position
          """)
      let handle = statement.sqliteStatement
      sqlite3_bind_int64(handle, 1, cut.at.microseconds)
      sqlite3_bind_int64(handle, 2, known)
      sqlite3_bind_int64(handle, 3, snapshot?.occurredAt.microseconds ?? Int64.min)
      var rows = EventRows()
      try RawStatement.forEachRow(handle) {
        guard decodeRow(handle, into: &rows) else {
          throw EventLogError.database(
            path: path,
            detail: "event at position \(sqlite3_column_int64(handle, 0)) cannot be read;"
              + " run shelflog verify")
        }
        if rows.isFull {
          try body(&rows)
          rows.removeAll()
        }
        return true
      }
      if !rows.isEmpty { try body(&rows) }
      return head
    }
  }
}

/// Reads one replay row through the C API into `rows` (no Row allocation, no String per event
/// but a BookAdded's title and author); false when the row cannot be read.
private func decodeRow(_ handle: OpaquePointer, into rows: inout EventRows) -> Bool {
  guard let isbn = ISBN.parse(RawStatement.utf8(handle, 3)),
    let type = EventTypeCode(bytes: RawStatement.utf8(handle, 1))?.type
  else { return false }
  let hasUser = type == .bookBorrowed || type == .bookReturned
  rows.append(
    position: sqlite3_column_int64(handle, 0), occurredAt: sqlite3_column_int64(handle, 8),
    type: type, isbn: isbn,
    quantity: type == .bookAdded ? Int(sqlite3_column_int64(handle, 6)) : 0,
    title: RawStatement.string(handle, 4), author: RawStatement.string(handle, 5),
    userID: hasUser ? RawStatement.utf8(handle, 7) : UnsafeBufferPointer(start: nil, count: 0),
    commandID: RawStatement.utf8(handle, 2))
  return true
}

/// Event types by their stored bytes (`EventType`'s raw values), told apart without making a
/// String.
private enum EventTypeCode {
  case added, borrowed, returned, removed

  var type: EventType {
    switch self {
    case .added: .bookAdded
    case .borrowed: .bookBorrowed
    case .returned: .bookReturned
    case .removed: .bookRemoved
    }
  }

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
