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
      let head = try logHead(db, cut)
      let logEnd = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
      // A pinned cut replays in full: snapshots know nothing of positions inside their range.
      let snapshot =
        cut.through == nil
        ? try snapshotMaxLoans.flatMap { try bestSnapshot(db, cut: cut, maxLoans: $0) } : nil
      try start(ReplayStart(snapshot: snapshot, logEnd: logEnd))
      let statement = try db.makeStatement(
        sql: """
          SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_us
          FROM events INDEXED BY events_by_occurrence
          WHERE occurred_us <= ?1 AND recorded_us <= ?2 AND occurred_us > ?3 AND position <= ?4
          ORDER BY occurred_us, position
          """)
      let handle = statement.sqliteStatement
      sqlite3_bind_int64(handle, 1, cut.at.microseconds)
      sqlite3_bind_int64(handle, 2, cut.knownAt?.microseconds ?? Int64.max)
      sqlite3_bind_int64(handle, 3, snapshot?.occurredAt.microseconds ?? Int64.min)
      sqlite3_bind_int64(handle, 4, cut.through ?? Int64.max)
      try stream(handle, body)
      return head
    }
  }

  public func replay(
    _ cut: ReplayCut, touching entities: EntityFilter, _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead? {
    try readPassingErrors { db in
      let head = try logHead(db, cut)
      // The lists go in as JSON arrays (json_each): no limit on their length, and no write
      // (a temporary table) on a connection that may only read.
      let statement = try db.makeStatement(sql: Self.touchingQuery)
      let isbns = "[" + entities.isbns.map { "\"\($0.digits)\"" }.joined(separator: ",") + "]"
      let users = "[" + entities.users.map(jsonString).joined(separator: ",") + "]"
      try statement.setArguments([
        isbns, users, cut.at.microseconds, cut.knownAt?.microseconds ?? Int64.max,
        cut.through ?? Int64.max,
      ])
      try stream(statement.sqliteStatement, body)
      return head
    }
  }

  /// The query behind `replay(_:touching:)`: (ISBNs as JSON, users as JSON, at, known-at,
  /// through). Internal so that a test can check its plan.
  static let touchingQuery = """
    SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_us
    FROM events
    WHERE (isbn IN (SELECT value FROM json_each(?1))
      OR (user_id != '' AND user_id IN (SELECT value FROM json_each(?2))))
      AND occurred_us <= ?3 AND recorded_us <= ?4 AND position <= ?5
    ORDER BY occurred_us, position
    """

  /// The last event the cut knows: recorded by `knownAt`, at or before `through`.
  private func logHead(_ db: Database, _ cut: ReplayCut) throws -> LogHead? {
    try Row.fetchOne(
      db,
      sql: """
        SELECT position, hash FROM events WHERE recorded_us <= ? AND position <= ?
        ORDER BY position DESC LIMIT 1
        """,
      arguments: [cut.knownAt?.microseconds ?? Int64.max, cut.through ?? Int64.max]
    ).map { LogHead(position: $0[0], hash: $0[1]) }
  }

  /// Steps a statement selecting (position, type, command_id, isbn, title, author, quantity,
  /// user_id, occurred_us) and hands its rows to `body` a block at a time.
  private func stream(_ handle: OpaquePointer, _ body: (inout EventRows) throws -> Void) throws {
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
  }
}

/// A user id as a JSON string (ids are plain ASCII, but any text is written safely).
private func jsonString(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\u{0}"..."\u{1F}": out += String(format: "\\u%04x", scalar.value)
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
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
