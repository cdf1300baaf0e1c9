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
      var tally = CopyTally(batches, name: path)
      let insert = try db.makeStatement(
        sql: """
          INSERT INTO log_events (position, type, command_id, isbn, title, author, quantity,
            user_id, occurred_us, batch, hash)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      let key = try db.makeStatement(sql: "INSERT INTO command_keys (key, position) VALUES (?, ?)")
      var packed = [UInt8](repeating: 0, count: CompactForm.packedCommandIDLength)
      try events { event in
        let copied = try tally.take(event)
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
      }
      for (number, batch) in tally.numbered {
        try Self.insertBatch(db, number: number, batch, earliest: tally.earliest[number])
      }
      return ((), true)
    }
  }
}
