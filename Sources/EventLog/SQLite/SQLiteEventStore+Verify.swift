import Foundation
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
      let end = try Self.lastPosition(db)
      var middle: (position: Int64, hash: [UInt8], recordedMicroseconds: Int64)?
      if end >= splitFrom, end >= 2,
        let row = try Row.fetchOne(
          db, sql: "SELECT e.hash, b.recorded_us FROM \(Schema.eventSource) WHERE e.position = ?",
          arguments: [end / 2]),
        let hash = (row[0] as Data?).map(Array.init), hash.count == 32
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
      let batches = try BatchTexts(db)
      let statement = try db.makeStatement(
        sql: """
          SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_us,
            batch, hash
          FROM log_events WHERE position > ?1 AND position <= ?2 ORDER BY position
          """)
      let handle = statement.sqliteStatement
      // The first walker also reads positions below 1, which only a tamperer can have written.
      sqlite3_bind_int64(handle, 1, walk.position == 0 ? Int64.min : walk.position)
      sqlite3_bind_int64(handle, 2, end)
      let columns = CompactColumns()
      var occurredText: [UInt8] = []
      occurredText.reserveCapacity(32)
      var fault: VerifyFault?
      try RawStatement.forEachRow(handle) {
        let position = sqlite3_column_int64(handle, 0)
        guard let batch = batches.texts(of: sqlite3_column_int64(handle, 9)) else {
          fault = VerifyFault(
            position: position,
            message: "batch number \(sqlite3_column_int64(handle, 9)) is not in the batches table")
          return false
        }
        guard CompactColumns.isCommandIDSound(handle, 2),
          sqlite3_column_type(handle, 3) == SQLITE_INTEGER,
          sqlite3_column_type(handle, 8) == SQLITE_INTEGER
        else {
          fault = VerifyFault(
            position: position, message: "a stored column is not of the type shelflog writes")
          return false
        }
        let type = CompactColumns.type(handle, 1)
        let isbn = sqlite3_column_int64(handle, 3)
        occurredText.removeAll(keepingCapacity: true)
        Timestamp(microseconds: sqlite3_column_int64(handle, 8)).appendText(to: &occurredText)
        let bytes = { (column: Int32) in RawStatement.bytes(handle, column) }
        let fault1: String? = occurredText.withUnsafeBytes { occurred in
          let event = StoredEventBytes(
            fields: EventFields(
              position: position, type: type?.storedName.rawBytes ?? bytes(1),
              commandID: UnsafeRawBufferPointer(columns.commandID(handle, 2)),
              isbn: UnsafeRawBufferPointer(columns.isbnText(isbn)), title: bytes(4),
              author: bytes(5), quantity: RawStatement.optionalInt(handle, 6), userID: bytes(7),
              occurredAt: occurred, recordedAt: batch.recordedAt, batch: batch.sha256),
            hash: bytes(10), type: type, isbnIsValid: ISBN(number: isbn) != nil,
            recordedMicroseconds: batch.recordedMicroseconds)
          return walk.check(event)
        }
        if let problem = fault1 {
          fault = VerifyFault(position: position, message: problem)
          return false
        }
        if walk.events & 0xFFFF == 0 { progress(walk.events) }
        return true
      }
      // Rows missing at the end of the range (a gap before `end`) are a gap too.
      if fault == nil { fault = walk.gap(before: end) }
      return fault
    }
  }

  /// The check of the file beside the chain walk. By default a count of the replay and ISBN
  /// indexes against the events (reading every page of both) and of the idempotency keys: the
  /// walk itself reads every page of `log_events`, so what SQLite's `quick_check` would add is
  /// mostly a second read of the whole file. `thorough` runs `integrity_check` as well, which
  /// matches every index entry with its row.
  public func checkStorage(thorough: Bool) throws(EventLogError) -> StorageCheck {
    try readOnOwnConnection { db in
      let report = thorough ? try String.fetchAll(db, sql: "PRAGMA integrity_check") : ["ok"]
      let events = try Self.lastPosition(db)
      var indexFault: String?
      for (index, column) in [("events_by_occurrence", "occurred_us"), ("events_by_isbn", "isbn")] {
        let entries =
          try Int64.fetchOne(
            db,
            sql: "SELECT count(*) FROM log_events INDEXED BY \(index)"
              + " WHERE \(column) >= -9223372036854775808") ?? 0
        if entries != events, indexFault == nil {
          indexFault = "index \(index) holds \(entries) entries for \(events) events"
        }
      }
      let keys =
        try db.tableExists("command_keys")
        ? try Int64.fetchOne(db, sql: "SELECT count(*) FROM command_keys") : nil
      return StorageCheck(
        problems: report == ["ok"] ? [] : report,
        checkName: thorough ? "SQLite integrity check" : "index check",
        indexFault: indexFault, commandKeys: keys)
    }
  }
}

/// The texts of every batch's SHA-256 and recorded time, by batch number, for a chain walk (a
/// log has few batches beside its events). Their bytes stay put for the walk.
private final class BatchTexts {
  struct Texts {
    let sha256: UnsafeRawBufferPointer
    let recordedAt: UnsafeRawBufferPointer
    let recordedMicroseconds: Int64
  }

  private var byNumber: [Int64: Texts] = [:]
  private let storage: UnsafeMutableRawBufferPointer
  private var last: (number: Int64, texts: Texts)?

  init(_ db: Database) throws {
    let rows = try Row.fetchAll(db, sql: "SELECT id, sha256, recorded_us FROM log_batches")
    storage = .allocate(byteCount: max(1, rows.count) * 128, alignment: 8)
    for (slot, row) in rows.enumerated() {
      let base = storage.baseAddress! + slot * 128
      let sha = Hex.string((row[1] as Data?) ?? Data())
      var text = Array(sha.utf8.prefix(64))
      let shaCount = text.count
      let micros: Int64 = row[2]
      Timestamp(microseconds: micros).appendText(to: &text)
      text = Array(text.prefix(128))
      text.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      byNumber[row[0]] = Texts(
        sha256: UnsafeRawBufferPointer(start: base, count: shaCount),
        recordedAt: UnsafeRawBufferPointer(start: base + shaCount, count: text.count - shaCount),
        recordedMicroseconds: micros)
    }
  }

  deinit { storage.deallocate() }

  func texts(of number: Int64) -> Texts? {
    if let last, last.number == number { return last.texts }
    guard let texts = byNumber[number] else { return nil }
    last = (number, texts)
    return texts
  }
}
