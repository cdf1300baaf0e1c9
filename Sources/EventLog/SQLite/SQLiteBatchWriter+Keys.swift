import GRDB
import GRDBSQLite

/// Command-id idempotency for `SQLiteBatchWriter`. A block's command ids are looked up in
/// `command_keys` in sorted key order (`group` keys per lookup), and its new keys go to a
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
    /// The block's keyed rows, sorted by key, then row.
    var keyed: [(key: Int64, row: Int32)] = []
    /// The block's keys found in `command_keys`, with their events, sorted.
    var hits: [(key: Int64, event: LoggedEvent)] = []
  }

  /// What `resolve` decided for one row of a block.
  enum Decision {
    case append
    case duplicate(Int64)
    case conflict(Int64)
    /// Same command id as an earlier row of the block (which is appended).
    case duplicateOfRow(Int)
    case conflictWithRow(Int)
  }

  /// An event already logged under a key, with what the duplicate check compares.
  struct LoggedEvent {
    var position: Int64
    var commandID: String
    var content: Content
  }

  /// The fields the duplicate check compares (docs/importing.md: the normalised event fields).
  struct Content: Equatable {
    var type: String
    var isbn: String
    var title: String
    var author: String
    var quantity: Int64?
    var userID: String
    var occurredMicroseconds: Int64
  }

  /// Decides each row's fate. A row whose id is logged (before this block, by an earlier block
  /// of the batch, or by an earlier row of this one) is a duplicate when its content is the
  /// same and a conflict otherwise; the first row of an id is appended.
  func resolve(_ block: AppendBlock, _ statements: Statements) throws -> [Decision] {
    var decisions = [Decision](repeating: .append, count: block.count)
    keys.keyed.removeAll(keepingCapacity: true)
    for index in 0..<block.count {
      if let key = block.rows[index].key { keys.keyed.append((key, Int32(index))) }
    }
    keys.keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.row < $1.row }
    try probe(statements)
    var hit = 0
    var pending = 0
    var start = 0
    let keyed = keys.keyed
    while start < keyed.count {
      let key = keyed[start].key
      var end = start + 1
      while end < keyed.count, keyed[end].key == key { end += 1 }
      // Events logged under the key: listed in `command_keys`, then pending (all later).
      var logged: [LoggedEvent] = []
      while hit < keys.hits.count, keys.hits[hit].key < key { hit += 1 }
      while hit < keys.hits.count, keys.hits[hit].key == key {
        logged.append(keys.hits[hit].event)
        hit += 1
      }
      while pending < keys.pending.count, keys.pending[pending].key < key { pending += 1 }
      while pending < keys.pending.count, keys.pending[pending].key == key {
        sqlite3_bind_int64(statements.eventAt.sqliteStatement, 1, keys.pending[pending].position)
        try collect(statements.eventAt.sqliteStatement, into: &logged)
        pending += 1
      }
      if logged.isEmpty && end - start == 1 {
        start = end
        continue
      }
      var firsts: [Int] = []
      for entry in keyed[start..<end] {
        let row = Int(entry.row)
        let id = block.commandID(row)
        if let event = logged.first(where: { $0.commandID == id }) {
          decisions[row] =
            event.content == content(block, row)
            ? .duplicate(event.position) : .conflict(event.position)
        } else if let earlier = firsts.first(where: { block.commandID($0) == id }) {
          decisions[row] =
            content(block, earlier) == content(block, row)
            ? .duplicateOfRow(earlier) : .conflictWithRow(earlier)
        } else {
          firsts.append(row)
        }
      }
      start = end
    }
    return decisions
  }

  /// Keeps the keys of the block's appended rows (sorted) with the pending ones, and writes
  /// them to `command_keys` when there are enough.
  func keep(_ block: AppendBlock, _ statements: Statements) throws {
    var new: [(key: Int64, position: Int64)] = []
    for entry in keys.keyed {
      guard case .appended(let position) = block.outcomes[Int(entry.row)] else { continue }
      new.append((entry.key, position))
    }
    if !new.isEmpty {
      // Merged from the back; positions grow through the batch, so with equal keys the new
      // ones come after.
      var old = keys.pending.count - 1
      var next = new.count - 1
      keys.pending.append(contentsOf: new)
      var target = keys.pending.count - 1
      while next >= 0 {
        if old >= 0, keys.pending[old].key > new[next].key {
          keys.pending[target] = keys.pending[old]
          old -= 1
        } else {
          keys.pending[target] = new[next]
          next -= 1
        }
        target -= 1
      }
    }
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

  /// Looks the block's distinct keys up in `command_keys`, `group` keys per statement step.
  private func probe(_ statements: Statements) throws {
    keys.hits.removeAll(keepingCapacity: true)
    guard keys.logged else { return }
    var batch: [Int64] = []
    batch.reserveCapacity(Self.group)
    let handle = statements.lookup.sqliteStatement
    func probe() throws {
      for parameter in 0..<Self.group {
        // Unused parameters repeat a key (an IN list ignores repeats).
        sqlite3_bind_int64(handle, Int32(parameter + 1), batch[min(parameter, batch.count - 1)])
      }
      var found: [LoggedEvent] = []
      var foundKeys: [Int64] = []
      try collect(handle, into: &found, keys: &foundKeys)
      for (key, event) in zip(foundKeys, found) { keys.hits.append((key, event)) }
      batch.removeAll(keepingCapacity: true)
    }
    for (index, entry) in keys.keyed.enumerated()
    where index == 0 || entry.key != keys.keyed[index - 1].key {
      batch.append(entry.key)
      if batch.count == Self.group { try probe() }
    }
    if !batch.isEmpty { try probe() }
    keys.hits.sort {
      $0.key != $1.key ? $0.key < $1.key : $0.event.position < $1.event.position
    }
  }

  /// Steps a bound statement selecting events (position, command_id, type, isbn, title,
  /// author, quantity, user_id, occurred_us), and their key after them into `keys`.
  private func collect(
    _ handle: OpaquePointer, into events: inout [LoggedEvent], keys: inout [Int64]
  ) throws {
    try RawStatement.forEachRow(handle) {
      keys.append(sqlite3_column_int64(handle, 9))
      events.append(loggedEvent(handle))
      return true
    }
  }

  private func collect(_ handle: OpaquePointer, into events: inout [LoggedEvent]) throws {
    try RawStatement.forEachRow(handle) {
      events.append(loggedEvent(handle))
      return true
    }
  }

  private func loggedEvent(_ handle: OpaquePointer) -> LoggedEvent {
    LoggedEvent(
      position: sqlite3_column_int64(handle, 0), commandID: RawStatement.string(handle, 1),
      content: Content(
        type: RawStatement.string(handle, 2), isbn: RawStatement.string(handle, 3),
        title: RawStatement.string(handle, 4), author: RawStatement.string(handle, 5),
        quantity: RawStatement.optionalInt(handle, 6), userID: RawStatement.string(handle, 7),
        occurredMicroseconds: sqlite3_column_int64(handle, 8)))
  }

  /// A row's content as the duplicate check compares it.
  private func content(_ block: AppendBlock, _ row: Int) -> Content {
    func text(_ field: AppendBlock.Field) -> String {
      String(decoding: block.field(row, field), as: UTF8.self)
    }
    return Content(
      type: block.rows[row].type.rawValue, isbn: text(.isbn), title: text(.title),
      author: text(.author), quantity: block.rows[row].quantity, userID: text(.userID),
      occurredMicroseconds: block.rows[row].occurredMicroseconds)
  }
}
