import GRDB
import GRDBSQLite
import LibraryDomain

extension SQLiteEventStore {
  public func chainLayout(splitFrom: Int64) throws(EventLogError) -> ChainLayout {
    try read { db in
      var batches: [String: (count: Int64, first: Int64?, last: Int64?)] = [:]
      let rows = try Row.fetchAll(
        db, sql: "SELECT sha256, rows_accepted, first_position, last_position FROM batches")
      for row in rows { batches[row[0]] = (row[1], row[2], row[3]) }
      let end = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
      var middle: (position: Int64, hash: [UInt8], recordedMicroseconds: Int64)?
      if end >= splitFrom, end >= 2,
        let row = try Row.fetchOne(
          db, sql: "SELECT hash, recorded_us FROM events WHERE position = ?",
          arguments: [end / 2]),
        let hash = (row[0] as String?).flatMap(Hex.bytes), hash.count == 32
      {
        middle = (end / 2, hash, row[1])
      }
      return ChainLayout(end: end, batches: batches, middle: middle)
    }
  }

  public func walkChain(
    _ walk: ChainWalk, through end: Int64, progress: (Int64) -> Void
  ) throws(EventLogError) -> VerifyFault? {
    try readOnOwnConnection { db in
      let statement = try db.makeStatement(
        sql: """
          SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_at,
            recorded_at, batch, hash, occurred_us, recorded_us, command_key
          FROM events WHERE position > ?1 AND position <= ?2 ORDER BY position
          """)
      let handle = statement.sqliteStatement
      // The first walker also reads positions below 1, which only a tamperer can have written.
      sqlite3_bind_int64(handle, 1, walk.position == 0 ? Int64.min : walk.position)
      sqlite3_bind_int64(handle, 2, end)
      var fault: VerifyFault?
      try RawStatement.forEachRow(handle) {
        let bytes = { (column: Int32) in RawStatement.bytes(handle, column) }
        let event = StoredEventBytes(
          fields: EventFields(
            position: sqlite3_column_int64(handle, 0), type: bytes(1), commandID: bytes(2),
            isbn: bytes(3), title: bytes(4), author: bytes(5),
            quantity: RawStatement.optionalInt(handle, 6), userID: bytes(7),
            occurredAt: bytes(8), recordedAt: bytes(9), batch: bytes(10)),
          hash: bytes(11), occurredMicroseconds: sqlite3_column_int64(handle, 12),
          recordedMicroseconds: sqlite3_column_int64(handle, 13),
          commandKey: RawStatement.optionalInt(handle, 14), checksCommandKey: true)
        if let problem = walk.check(event) {
          fault = VerifyFault(position: event.fields.position, message: problem)
          return false
        }
        if walk.events & 0xFFFF == 0 { progress(walk.events) }
        return true
      }
      // Rows missing at the end of the range (a gap before `end`) are a gap too.
      if fault == nil, walk.position != end {
        fault = VerifyFault(
          position: walk.position + 1,
          message:
            "position \(walk.position + 1) is missing: positions must run 1, 2, 3 … without gaps")
      }
      return fault
    }
  }

  /// SQLite's check of the file (`quick_check`, or `integrity_check` when thorough), a count of
  /// the replay index, which replay reads, against the events, and the idempotency keys.
  public func checkStorage(thorough: Bool) throws(EventLogError) -> StorageCheck {
    try readOnOwnConnection { db in
      let pragma = thorough ? "integrity_check" : "quick_check"
      let report = try String.fetchAll(db, sql: "PRAGMA \(pragma)")
      let entries =
        try Int64.fetchOne(
          db,
          sql: "SELECT count(*) FROM events INDEXED BY events_by_occurrence"
            + " WHERE occurred_us >= -9223372036854775808") ?? 0
      let events = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
      let keys =
        try db.tableExists("command_keys")
        ? try Int64.fetchOne(db, sql: "SELECT count(*) FROM command_keys") : nil
      return StorageCheck(
        problems: report == ["ok"] ? [] : report,
        checkName: thorough ? "SQLite integrity check" : "SQLite quick check",
        indexFault: entries == events
          ? nil : "index events_by_occurrence holds \(entries) entries for \(events) events",
        commandKeys: keys)
    }
  }
}
