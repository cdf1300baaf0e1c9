import Foundation
import GRDB
import LibraryDomain

extension SQLiteEventStore {
  /// Records one batch: its row in `log_batches` and, when it holds events, its earliest
  /// business time in `batch_extents` (a snapshot later than it is stale for cuts that know
  /// the batch).
  static func insertBatch(_ db: Database, number: Int64, _ batch: StoredBatch, earliest: Int64?)
    throws
  {
    try db.execute(
      sql: """
        INSERT INTO log_batches (id, sha256, file_name, recorded_us, rows_accepted,
          rows_rejected, rows_skipped, first_position, last_position)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        number, Data(Hex.bytes(batch.sha256) ?? []), batch.fileName, batch.recordedMicroseconds,
        batch.accepted, batch.rejected, batch.skipped, batch.firstPosition, batch.lastPosition,
      ])
    if let first = batch.firstPosition, let last = batch.lastPosition, let earliest {
      try db.execute(
        sql: """
          INSERT INTO batch_extents (first_position, last_position, min_occurred_us)
          VALUES (?, ?, ?)
          """,
        arguments: [first, last, earliest])
    }
  }

  public func copyIn(
    batches: [StoredBatch], events: ((StoredEvent) throws -> Void) throws -> Void
  ) throws {
    try writeTransaction { db -> (Void, commit: Bool) in
      guard try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM log_batches)") ?? true)
      else { throw EventLogError.notEmpty(path: path) }
      var numbers: [String: Int64] = [:]
      for (index, batch) in batches.enumerated() { numbers[batch.sha256] = Int64(index + 1) }
      let insert = try db.makeStatement(
        sql: """
          INSERT INTO log_events (position, type, command_id, isbn, title, author, quantity,
            user_id, occurred_us, batch, hash)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      let key = try db.makeStatement(sql: "INSERT INTO command_keys (key, position) VALUES (?, ?)")
      var earliest: [Int64: Int64] = [:]
      var packed = [UInt8](repeating: 0, count: CompactForm.packedCommandIDLength)
      try events { event in
        let copied = try CopiedEvent(event, numbers: numbers, name: path)
        var commandID: DatabaseValueConvertible = event.commandID
        var text = event.commandID
        let isUUID = text.withUTF8 { bytes in
          packed.withUnsafeMutableBytes {
            CompactForm.packCommandID(UnsafeRawBufferPointer(bytes), into: $0)
          }
        }
        if isUUID { commandID = Data(packed) }
        try insert.execute(arguments: [
          event.position, copied.typeCode, commandID, copied.isbn, event.title, event.author,
          event.quantity, event.userID, event.occurredMicroseconds, copied.batch,
          Data(copied.hash),
        ])
        if !event.commandID.isEmpty {
          try key.execute(arguments: [CommandKey.of(event.commandID), event.position])
        }
        earliest[copied.batch] = min(
          earliest[copied.batch] ?? Int64.max, event.occurredMicroseconds)
      }
      for (index, batch) in batches.enumerated() {
        try Self.insertBatch(
          db, number: Int64(index + 1), batch, earliest: earliest[Int64(index + 1)])
      }
      return ((), true)
    }
  }
}

/// An event of another log in this log's stored form: what a copy checks before it writes.
struct CopiedEvent {
  let typeCode: Int64
  let isbn: Int64
  let batch: Int64
  let hash: [UInt8]

  init(_ event: StoredEvent, numbers: [String: Int64], name: String) throws {
    guard let type = EventType(rawValue: event.type),
      let isbn = Int64(event.isbn), event.isbn.utf8.count == 13,
      let batch = numbers[event.batch],
      let hash = Hex.bytes(event.hash), hash.count == 32
    else {
      throw EventLogError.database(
        path: name,
        detail: "event at position \(event.position) of the source cannot be stored as it is;"
          + " run shelflog verify on the source")
    }
    typeCode = CompactForm.code(type)
    self.isbn = isbn
    self.batch = batch
    self.hash = hash
  }
}
