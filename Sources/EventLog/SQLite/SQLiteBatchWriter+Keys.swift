import GRDB
import GRDBSQLite

/// Command-id idempotency for `SQLiteBatchWriter` (the rule itself is `CommandIDRule`). A
/// block's command ids are looked up in `command_keys` in sorted key order (`group` keys per
/// lookup), and its new keys go to a
/// bounded sorted buffer that is written to `command_keys` in one sorted pass when full and at
/// the end of the batch: each write is one pass over the key table, and fewer passes keep its
/// pages from being spilled and read back while event pages stream through the page cache.
extension SQLiteBatchWriter {
  /// Pending keys are written when there are this many.
  static let pendingKeyLimit = 1 << 18

  struct KeyState {
    /// Whether `command_keys` has any row; while it has none, lookups are skipped (a first
    /// import).
    var logged = true
    /// Keys of appended rows not yet in `command_keys`, sorted by key, then position.
    var pending: [(key: Int64, position: Int64)] = []
  }

  /// The events logged under the block's keys: listed in `command_keys` (looked up `group`
  /// distinct keys per statement step), then appended earlier in this batch (pending), sorted
  /// by key.
  func logged(
    _ keyed: [(key: Int64, row: Int32)], _ statements: Statements
  ) throws -> [(key: Int64, event: LoggedEntry)] {
    var found = try SQLiteEventStore.loggedCommands(
      keys: keyed.map(\.key), lookup: keys.logged ? statements.lookup : nil
    ).map { (key: $0.key, event: LoggedEntry.command($0.event)) }
    var pending = 0
    for (index, entry) in keyed.enumerated() where index == 0 || entry.key != keyed[index - 1].key {
      while pending < keys.pending.count, keys.pending[pending].key < entry.key { pending += 1 }
      while pending < keys.pending.count, keys.pending[pending].key == entry.key {
        let handle = statements.eventAt.sqliteStatement
        sqlite3_bind_int64(handle, 1, keys.pending[pending].position)
        try RawStatement.forEachRow(handle) {
          found.append((entry.key, .command(SQLiteEventStore.loggedCommand(handle, columns))))
          return true
        }
        pending += 1
      }
    }
    found.sort { $0.key != $1.key ? $0.key < $1.key : $0.event.position < $1.event.position }
    return found
  }

  /// Keeps the keys of the block's appended rows (sorted) with the pending ones, and writes
  /// them to `command_keys` when there are enough.
  func keep(
    _ block: AppendBlock, keyed: [(key: Int64, row: Int32)], _ statements: Statements
  ) throws {
    CommandKey.merge(CommandIDRule.appendedKeys(block, keyed: keyed), into: &keys.pending)
    if keys.pending.count >= Self.pendingKeyLimit { try writeKeys(statements) }
  }

  /// Adds the pending keys to `command_keys`, in sorted order.
  func writeKeys(_ statements: Statements) throws {
    if !keys.pending.isEmpty { keys.logged = true }
    var next = 0
    while next < keys.pending.count {
      let count = keys.pending.count - next >= Self.group ? Self.group : 1
      let handle = (count == 1 ? statements.insertKeys.one : statements.insertKeys.group)
        .sqliteStatement
      for offset in 0..<count {
        let parameter = Int32(2 * offset)
        sqlite3_bind_int64(handle, parameter + 1, keys.pending[next + offset].key)
        sqlite3_bind_int64(handle, parameter + 2, keys.pending[next + offset].position)
      }
      try RawStatement.run(handle)
      next += count
    }
    keys.pending.removeAll(keepingCapacity: true)
  }
}
