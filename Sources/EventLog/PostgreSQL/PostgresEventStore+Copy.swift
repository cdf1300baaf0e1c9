import Crypto
import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

extension PostgresEventStore {
  /// Records one batch in `log_batches`, with its earliest business time when it holds events
  /// (which snapshots it makes stale).
  static func insertBatch(
    _ session: PostgresSession, number: Int64, _ batch: StoredBatch, earliest: Int64?
  ) throws(EventLogError) {
    var binds = PostgresBindings()
    binds.append(number)
    binds.append(NIOCore.ByteBuffer(bytes: Hex.bytes(batch.sha256) ?? []))
    binds.append(batch.fileName)
    binds.append(batch.recordedMicroseconds)
    binds.append(batch.accepted)
    binds.append(batch.rejected)
    binds.append(batch.skipped)
    binds.append(batch.firstPosition)
    binds.append(batch.lastPosition)
    binds.append(batch.firstPosition == nil ? nil : earliest)
    try session.query(
      """
      INSERT INTO log_batches (id, sha256, file_name, recorded_us, rows_accepted, rows_rejected,
        rows_skipped, first_position, last_position, min_occurred_us)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      """, binds)
  }

  public func copyIn(
    batches: [StoredBatch], events: ((StoredEvent) throws -> Void) throws -> Void
  ) throws {
    try holdingHead { _ in
      guard try session.query("SELECT 1 FROM log_batches LIMIT 1").isEmpty else {
        throw EventLogError.notEmpty(path: name)
      }
      var tally = CopyTally(batches, name: name)
      var insert = EventCopy()
      var last: (position: Int64, hash: [UInt8])?
      try events { event in
        let copied = try tally.take(event)
        insert.append(
          position: event.position, type: copied.typeCode, commandID: event.commandID.utf8,
          isbn: copied.isbn, title: event.title.utf8, author: event.author.utf8,
          quantity: event.quantity, userID: event.userID.utf8,
          occurredMicroseconds: event.occurredMicroseconds, batch: copied.batch, hash: copied.hash)
        last = (event.position, copied.hash)
        if insert.count >= AppendBlock.rowLimit { try insert.flush(session) }
      }
      try insert.flush(session)
      for (number, batch) in tally.numbered {
        try Self.insertBatch(session, number: number, batch, earliest: tally.earliest[number])
      }
      try Self.moveHead(
        session, position: last?.position ?? 0,
        hash: last?.hash ?? [UInt8](repeating: 0, count: 32),
        recorded: batches.map(\.recordedMicroseconds).max(), batches: Int64(batches.count))
      try session.query("ANALYZE log_events")
      return ((), commit: true)
    }
  }
}
