import GRDB
import GRDBSQLite
import LibraryDomain

/// Finding the events logged under command-id keys: inside an append (`SQLiteBatchWriter`) and,
/// read-only, for a dry run.
extension SQLiteEventStore {
  /// Keys per lookup statement.
  static let keysPerLookup = 64

  /// Events whose key is one of `keysPerLookup` bound keys, with the key after the event's
  /// columns (those of `loggedCommand`).
  static let lookupSQL = """
    SELECT e.position, e.command_id, e.type, e.isbn, e.title, e.author, e.quantity, e.user_id,
      e.occurred_us, k.key
    FROM command_keys AS k JOIN log_events AS e ON e.position = k.position
    WHERE k.key IN (\(repeatElement("?", count: keysPerLookup).joined(separator: ",")))
    """

  public func loggedCommands(
    keys: [Int64]
  ) throws(EventLogError) -> [(key: Int64, event: LoggedCommand)] {
    try read { db in
      guard !keys.isEmpty, try db.tableExists("log_events") else { return [] }
      return try Self.loggedCommands(keys: keys, lookup: try db.makeStatement(sql: Self.lookupSQL))
    }
  }

  /// Looks `keys` up with a prepared `lookupSQL` statement (nil: nothing is logged yet), the
  /// distinct keys `keysPerLookup` at a time; unsorted.
  static func loggedCommands(
    keys: [Int64], lookup: Statement?
  ) throws -> [(key: Int64, event: LoggedCommand)] {
    guard let lookup else { return [] }
    let distinct = Array(Set(keys)).sorted()
    let handle = lookup.sqliteStatement
    var found: [(key: Int64, event: LoggedCommand)] = []
    let columns = CompactColumns()
    var start = 0
    while start < distinct.count {
      let group = distinct[start..<min(start + keysPerLookup, distinct.count)]
      for parameter in 0..<keysPerLookup {
        // Unused parameters repeat a key (an IN list ignores repeats).
        sqlite3_bind_int64(
          handle, Int32(parameter + 1), group[group.startIndex + min(parameter, group.count - 1)])
      }
      try RawStatement.forEachRow(handle) {
        found.append((sqlite3_column_int64(handle, 9), loggedCommand(handle, columns)))
        return true
      }
      start += keysPerLookup
    }
    return found
  }

  /// The current row of a statement selecting (position, command_id, type, isbn, title,
  /// author, quantity, user_id, occurred_us) from `log_events`, as text.
  static func loggedCommand(_ handle: OpaquePointer, _ columns: CompactColumns) -> LoggedCommand {
    LoggedCommand(
      position: sqlite3_column_int64(handle, 0),
      commandID: String(decoding: columns.commandID(handle, 1), as: UTF8.self),
      content: CommandContent(
        type: CompactColumns.type(handle, 2)?.rawValue ?? "",
        isbn: String(decoding: columns.isbnText(sqlite3_column_int64(handle, 3)), as: UTF8.self),
        title: RawStatement.string(handle, 4), author: RawStatement.string(handle, 5),
        quantity: RawStatement.optionalInt(handle, 6), userID: RawStatement.string(handle, 7),
        occurredMicroseconds: sqlite3_column_int64(handle, 8)))
  }
}
