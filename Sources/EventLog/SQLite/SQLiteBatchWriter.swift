import Foundation
import GRDB
import GRDBSQLite
import LibraryDomain

/// The write transaction of a SQLite log: appends blocks of events in file order (positions and
/// the hash chain follow the file) with multi-row inserts, and decides each command id's fate
/// in sorted key order (`SQLiteBatchWriter+Keys.swift`). Memory stays bounded by one block and
/// the buffer of new keys, whatever the batch size.
final class SQLiteBatchWriter: BatchWriter {
  /// Rows per multi-row INSERT: one statement step per group keeps SQLite's cursor on the page
  /// it writes, instead of a descent from the root (and a statement set-up) per row.
  static let group = 64

  let db: Database
  private var statements: Statements?
  var chain = HashChain()
  /// The last position appended (or in the log before the batch).
  private(set) var position: Int64 = 0
  private var firstPosition: Int64?
  /// The earliest business time of the appended events.
  private var earliest = Int64.max
  /// The batch's number in `log_batches`.
  private var batchNumber: Int64 = 0
  /// The texts of recorded_at and batch, the same for every event of the batch (stable
  /// addresses for binding).
  private let recordedText = ByteBuffer(capacity: 64)
  private let batchText = ByteBuffer(capacity: 64)
  /// One event's canonical bytes, each hash of a group and each packed command id (bound
  /// without copies).
  private let canonical = ByteBuffer(capacity: 1 << 12)
  private let hashes = ByteBuffer(capacity: 32 * SQLiteBatchWriter.group)
  private let packedIDs = ByteBuffer(
    capacity: CompactForm.packedCommandIDLength * SQLiteBatchWriter.group)
  /// Rows of the block being appended, appended but not yet inserted (at most a group).
  private var unwritten: [Int] = []
  /// The event indexes dropped at the start of an import into an empty log, built at its end.
  private var indexesToBuild: [String] = []
  /// Key resolution: see `SQLiteBatchWriter+Keys.swift`.
  var keys = KeyState()
  /// Reads logged events' compact columns back as text (key lookups).
  let columns = CompactColumns()

  struct Statements {
    /// Inserts of `group` rows and of one row (for the rest of a block).
    let insertEvents: (group: Statement, one: Statement)
    let insertKeys: (group: Statement, one: Statement)
    let lookup: Statement
    let eventAt: Statement
  }

  init(db: Database) {
    self.db = db
    unwritten.reserveCapacity(Self.group)
    keys.pending.reserveCapacity(Self.pendingKeyLimit + AppendBlock.rowLimit)
  }

  func isImported(sha256: String) throws -> Bool {
    try SQLiteEventStore.hasBatch(db, sha256: sha256)
  }

  func latestRecordedAt() throws -> Timestamp? {
    try Int64.fetchOne(db, sql: "SELECT max(recorded_us) FROM log_batches")
      .map(Timestamp.init(microseconds:))
  }

  func begin(sha256: String, recordedAt: Timestamp) throws {
    // OR FAIL: no statement journal per step. A failing insert (a fault, never data) throws,
    // and the batch's transaction rolls back whole.
    func eventInsert(rows: Int) throws -> Statement {
      try db.makeStatement(
        sql: """
          INSERT OR FAIL INTO log_events (position, type, command_id, isbn, title, author,
            quantity, user_id, occurred_us, batch, hash)
          VALUES \(repeatElement("(?,?,?,?,?,?,?,?,?,?,?)", count: rows).joined(separator: ","))
          """)
    }
    func keyInsert(rows: Int) throws -> Statement {
      try db.makeStatement(
        sql: """
          INSERT OR FAIL INTO command_keys (key, position)
          VALUES \(repeatElement("(?,?)", count: rows).joined(separator: ","))
          """)
    }
    statements = Statements(
      insertEvents: (try eventInsert(rows: Self.group), try eventInsert(rows: 1)),
      insertKeys: (try keyInsert(rows: Self.group), try keyInsert(rows: 1)),
      lookup: try db.makeStatement(sql: SQLiteEventStore.lookupSQL),
      eventAt: try db.makeStatement(
        sql: """
          SELECT position, command_id, type, isbn, title, author, quantity, user_id, occurred_us
          FROM log_events WHERE position = ?1
          """))
    keys.logged = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM command_keys)") ?? true
    // Into an empty log, the event indexes are built once at the end, each in one sorted
    // pass, instead of kept up row by row (in random order for ISBNs and users): measured on
    // 1M rows, 10.3 s with them kept up, 5.1 s without plus about 2 s to build them. The
    // transaction holds both, so the log is never seen without its indexes.
    let empty = try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM log_events)") ?? true)
    if empty {
      for index in Schema.eventIndexes
      where try db.indexes(on: "log_events").contains(where: { $0.name == index.name }) {
        try db.execute(sql: "DROP INDEX \(index.name)")
      }
      indexesToBuild = Schema.eventIndexes.map(\.create)
    }
    let head = try Row.fetchOne(
      db, sql: "SELECT position, hash FROM log_events ORDER BY position DESC LIMIT 1")
    position = head?["position"] ?? 0
    let headHash: [UInt8]? = (head?["hash"] as Data?).map(Array.init)
    chain = HashChain(head: headHash ?? [UInt8](repeating: 0, count: 32))
    batchNumber =
      try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM log_batches") ?? 1
    recordedText.removeAll()
    recordedText.append(recordedAt.description)
    batchText.removeAll()
    batchText.append(sha256)
  }

  func append(_ block: inout AppendBlock) throws {
    guard let statements else { preconditionFailure("append before begin") }
    let keyed = CommandIDRule.keyedRows(block)
    let decisions = CommandIDRule.decide(
      block, keyed: keyed, logged: try logged(keyed, statements))
    let rows = block
    try CommandIDRule.outcomes(decisions, into: &block) { index in
      position += 1
      if firstPosition == nil { firstPosition = position }
      earliest = min(earliest, rows.rows[index].occurredMicroseconds)
      unwritten.append(index)
      if unwritten.count == Self.group { try writeEvents(rows, statements) }
      return position
    }
    try writeEvents(block, statements)
    try keep(block, keyed: keyed, statements)
  }

  func finish(_ batch: BatchRecord) throws -> (first: Int64, last: Int64)? {
    if let statements { try writeKeys(statements) }
    if !indexesToBuild.isEmpty {
      // SQLite's sorter takes up to the page cache's size again: a smaller cache while the
      // indexes are built keeps the import's peak memory where it was (measured on 1M rows:
      // 70 MiB with 16 MiB, 55 MiB with 2 MiB, the same time).
      try db.execute(sql: "PRAGMA cache_size = -2048")
      for create in indexesToBuild { try db.execute(sql: create) }
      try db.execute(sql: "PRAGMA cache_size = \(SQLiteEventStore.writerCacheSize)")
      indexesToBuild = []
    }
    let positions = firstPosition.map { ($0, position) }
    try SQLiteEventStore.insertBatch(
      db, number: batchNumber, batch.stored(first: positions?.0, last: positions?.1),
      earliest: positions == nil ? nil : earliest)
    return positions
  }

  // MARK: - Events

  /// Inserts the appended rows not yet written, in position order: canonical bytes and hash of
  /// each, then one multi-row insert (single-row inserts for a short rest).
  private func writeEvents(_ block: AppendBlock, _ statements: Statements) throws {
    guard !unwritten.isEmpty else { return }
    let first = position - Int64(unwritten.count) + 1
    if unwritten.count == Self.group {
      try writeEvents(unwritten[...], from: first, block, statements.insertEvents.group)
    } else {
      for offset in unwritten.indices {
        try writeEvents(
          unwritten[offset...offset], from: first + Int64(offset), block,
          statements.insertEvents.one)
      }
    }
    unwritten.removeAll(keepingCapacity: true)
  }

  /// Inserts `rows` of the block at positions `first`, `first + 1` … with one statement.
  private func writeEvents(
    _ rows: ArraySlice<Int>, from first: Int64, _ block: AppendBlock, _ insert: Statement
  ) throws {
    hashes.removeAll()
    for (slot, index) in rows.enumerated() {
      canonical.removeAll()
      CanonicalEvent.write(fields(block, index, position: first + Int64(slot)), to: canonical)
      chain.advance(canonical: canonical.bytes(0..<canonical.count)) { digest in
        hashes.append(digest)
      }
    }
    let handle = insert.sqliteStatement
    let packedLength = CompactForm.packedCommandIDLength
    packedIDs.removeAll()
    packedIDs.reserve(packedLength * rows.count)
    for (slot, index) in rows.enumerated() {
      let row = block.rows[index]
      let event = fields(block, index, position: first + Int64(slot))
      let base = Int32(slot * 11)
      sqlite3_bind_int64(handle, base + 1, event.position)
      sqlite3_bind_int64(handle, base + 2, CompactForm.code(row.type))
      let packed = UnsafeMutableRawBufferPointer(
        start: packedIDs.pointer(at: packedLength * slot), count: packedLength)
      if CompactForm.packCommandID(event.commandID, into: packed) {
        RawStatement.bindBlob(handle, base + 3, UnsafeRawBufferPointer(packed))
      } else {
        RawStatement.bindText(handle, base + 3, event.commandID)
      }
      sqlite3_bind_int64(handle, base + 4, row.isbn)
      RawStatement.bindText(handle, base + 5, event.title)
      RawStatement.bindText(handle, base + 6, event.author)
      RawStatement.bind(handle, base + 7, event.quantity)
      RawStatement.bindText(handle, base + 8, event.userID)
      sqlite3_bind_int64(handle, base + 9, row.occurredMicroseconds)
      sqlite3_bind_int64(handle, base + 10, batchNumber)
      RawStatement.bindBlob(handle, base + 11, hashes.bytes(32 * slot..<32 * slot + 32))
    }
    try RawStatement.run(handle)
  }

  /// Row `index` of the block as the event it becomes at `position`.
  private func fields(_ block: AppendBlock, _ index: Int, position: Int64) -> EventFields {
    block.eventFields(
      index, position: position, recordedAt: recordedText.bytes(0..<recordedText.count),
      batch: batchText.bytes(0..<batchText.count))
  }
}
