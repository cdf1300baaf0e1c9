import Foundation
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
      let logEnd = try Self.lastPosition(db)
      // A pinned cut replays in full: snapshots know nothing of positions inside their range.
      let snapshot =
        cut.through == nil
        ? try snapshotMaxLoans.flatMap { try bestSnapshot(db, cut: cut, maxLoans: $0) } : nil
      try start(ReplayStart(snapshot: snapshot, logEnd: logEnd))
      try stream(db, cut, after: snapshot?.occurredAt.microseconds ?? Int64.min, body)
      return head
    }
  }

  public func replay(
    _ cut: ReplayCut, occurredAfter time: Int64, _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead? {
    try readPassingErrors { db in
      let head = try logHead(db, cut)
      try stream(db, cut, after: time, body)
      return head
    }
  }

  /// Streams the events of `cut` that occurred after `time`, in replay order.
  private func stream(
    _ db: Database, _ cut: ReplayCut, after time: Int64, _ body: (inout EventRows) throws -> Void
  ) throws {
    // The events a cut knows are a prefix of the log (recorded times never run backwards):
    // its known-at time becomes a last position.
    let statement = try db.makeStatement(
      sql: """
        SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_us
        FROM log_events INDEXED BY events_by_occurrence
        WHERE occurred_us <= ?1 AND occurred_us > ?2 AND position <= ?3
        ORDER BY occurred_us, position
        """)
    let handle = statement.sqliteStatement
    sqlite3_bind_int64(handle, 1, cut.at.microseconds)
    sqlite3_bind_int64(handle, 2, time)
    sqlite3_bind_int64(handle, 3, try Self.lastKnownPosition(db, cut))
    try stream(handle, body)
  }

  public func replay(
    _ cut: ReplayCut, touching entities: EntityFilter, _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead? {
    try readPassingErrors { db in
      let head = try logHead(db, cut)
      // The lists go in as JSON arrays (json_each): no limit on their length, and no write
      // (a temporary table) on a connection that may only read.
      let statement = try db.makeStatement(sql: Self.touchingQuery)
      let isbns = "[" + entities.isbns.map { String($0.number) }.joined(separator: ",") + "]"
      let users = String(decoding: try JSONEncoder().encode(entities.users.sorted()), as: UTF8.self)
      try statement.setArguments([
        isbns, users, cut.at.microseconds, try Self.lastKnownPosition(db, cut),
      ])
      try stream(statement.sqliteStatement, body)
      return head
    }
  }

  /// The query behind `replay(_:touching:)`: (ISBNs as JSON, users as JSON, at, known-at,
  /// through). Internal so that a test can check its plan.
  static let touchingQuery = """
    SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_us
    FROM log_events
    WHERE (isbn IN (SELECT value FROM json_each(?1))
      OR (user_id != '' AND user_id IN (SELECT value FROM json_each(?2))))
      AND occurred_us <= ?3 AND position <= ?4
    ORDER BY occurred_us, position
    """

  /// The last event the cut knows: recorded by `knownAt`, at or before `through`.
  private func logHead(_ db: Database, _ cut: ReplayCut) throws -> LogHead? {
    try Row.fetchOne(
      db,
      sql:
        "SELECT position, hash FROM log_events WHERE position <= ? ORDER BY position DESC LIMIT 1",
      arguments: [try Self.lastKnownPosition(db, cut)]
    ).map { LogHead(position: $0[0], hash: Hex.string(($0[1] as Data?) ?? Data())) }
  }

  /// The last position a cut knows: the end of the last batch recorded by its known-at time,
  /// at most its pinned position.
  static func lastKnownPosition(_ db: Database, _ cut: ReplayCut) throws -> Int64 {
    let known =
      try cut.knownAt.map { known in
        try Int64.fetchOne(
          db, sql: "SELECT max(last_position) FROM log_batches WHERE recorded_us <= ?",
          arguments: [known.microseconds]) ?? 0
      } ?? Int64.max
    return min(known, cut.through ?? Int64.max)
  }

  /// Steps a statement selecting (position, type, command_id, isbn, title, author, quantity,
  /// user_id, occurred_us) and hands its rows to `body` a block at a time.
  private func stream(_ handle: OpaquePointer, _ body: (inout EventRows) throws -> Void) throws {
    var rows = EventRows()
    let columns = CompactColumns()
    try RawStatement.forEachRow(handle) {
      guard decodeRow(handle, columns, into: &rows) else {
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

/// Reads one replay row through the C API into `rows` (no Row allocation, no String per event
/// but a BookAdded's title and author); false when the row cannot be read.
private func decodeRow(
  _ handle: OpaquePointer, _ columns: CompactColumns, into rows: inout EventRows
) -> Bool {
  guard let type = CompactColumns.type(handle, 1),
    let isbn = ISBN(number: sqlite3_column_int64(handle, 3))
  else { return false }
  let hasUser = type == .bookBorrowed || type == .bookReturned
  rows.append(
    position: sqlite3_column_int64(handle, 0), occurredAt: sqlite3_column_int64(handle, 8),
    type: type, isbn: isbn,
    quantity: type == .bookAdded ? Int(sqlite3_column_int64(handle, 6)) : 0,
    title: RawStatement.string(handle, 4), author: RawStatement.string(handle, 5),
    userID: hasUser ? RawStatement.utf8(handle, 7) : UnsafeBufferPointer(start: nil, count: 0),
    commandID: columns.commandID(handle, 2))
  return true
}
