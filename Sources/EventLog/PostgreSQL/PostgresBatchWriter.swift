import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

/// The write transaction of a PostgreSQL log, holding the head row's lock: decides each row's
/// command id (`CommandIDRule`, against the events logged before, looked up a block at a time,
/// this batch's among them), hashes the appended rows in file order, and inserts each block with
/// one statement (`EventInsert`). Memory stays bounded by one block.
final class PostgresBatchWriter: BatchWriter {
  let store: PostgresEventStore
  private var session: PostgresSession { store.session }
  private var chain: HashChain
  private var position: Int64
  private var firstPosition: Int64?
  private let recorded: Int64?
  private let batchNumber: Int64
  /// Whether any logged event has a command id (until one has, lookups are skipped).
  private var keysLogged = true
  private var earliest = Int64.max
  private var recordedText: [UInt8] = []
  private var batchText: [UInt8] = []
  private let canonical = ByteBuffer(capacity: 1 << 12)

  init(store: PostgresEventStore, position: Int64, hash: [UInt8], recorded: Int64?, batches: Int64)
  {
    self.store = store
    self.position = position
    chain = HashChain(head: hash.count == 32 ? hash : [UInt8](repeating: 0, count: 32))
    self.recorded = recorded
    batchNumber = batches + 1
  }

  func isImported(sha256: String) throws -> Bool { try store.hasBatch(sha256: sha256) }

  func latestRecordedAt() throws -> Timestamp? { recorded.map(Timestamp.init(microseconds:)) }

  func begin(sha256: String, recordedAt: Timestamp) throws {
    recordedText = Array(recordedAt.description.utf8)
    batchText = Array(sha256.utf8)
    keysLogged =
      try !session.query(
        "SELECT 1 FROM log_events WHERE command_key IS NOT NULL LIMIT 1"
      ).isEmpty
  }

  func append(_ block: inout AppendBlock) throws {
    let keyed = CommandIDRule.keyedRows(block)
    var logged: [(key: Int64, event: LoggedEntry)] = []
    if keysLogged, !keyed.isEmpty {
      logged = try PostgresEventStore.loggedCommands(keys: keyed.map(\.key), session).map {
        (key: $0.key, event: LoggedEntry.command($0.event))
      }
      logged.sort { $0.key != $1.key ? $0.key < $1.key : $0.event.position < $1.event.position }
    }
    let decisions = CommandIDRule.decide(block, keyed: keyed, logged: logged)
    var appended: [Int] = []
    CommandIDRule.outcomes(decisions, into: &block) { index in
      position += 1
      if firstPosition == nil { firstPosition = position }
      appended.append(index)
      return position
    }
    guard !appended.isEmpty else { return }
    var insert = EventInsert()
    var at = position - Int64(appended.count)
    recordedText.withUnsafeBytes { recordedAt in
      batchText.withUnsafeBytes { batch in
        for index in appended {
          at += 1
          let row = block.rows[index]
          earliest = min(earliest, row.occurredMicroseconds)
          let fields = block.eventFields(index, position: at, recordedAt: recordedAt, batch: batch)
          canonical.removeAll()
          CanonicalEvent.write(fields, to: canonical)
          chain.advance(canonical: canonical.bytes(0..<canonical.count)) { digest in
            insert.append(
              position: at, type: CompactForm.code(row.type),
              commandID: String(decoding: fields.commandID, as: UTF8.self), isbn: row.isbn,
              title: String(decoding: fields.title, as: UTF8.self),
              author: String(decoding: fields.author, as: UTF8.self), quantity: row.quantity,
              userID: String(decoding: fields.userID, as: UTF8.self),
              occurredMicroseconds: row.occurredMicroseconds, batch: batchNumber, hash: digest)
          }
        }
      }
    }
    try insert.flush(session)
    if appended.contains(where: { block.rows[$0].key != nil }) { keysLogged = true }
  }

  func finish(_ batch: BatchRecord) throws -> (first: Int64, last: Int64)? {
    let positions = firstPosition.map { ($0, position) }
    var binds = PostgresBindings()
    binds.append(batchNumber)
    binds.append(NIOCore.ByteBuffer(bytes: Hex.bytes(batch.sha256) ?? []))
    binds.append(batch.fileName)
    binds.append(batch.recordedAt.microseconds)
    binds.append(Int64(batch.accepted))
    binds.append(Int64(batch.rejected))
    binds.append(Int64(batch.skipped))
    binds.append(positions?.0)
    binds.append(positions?.1)
    binds.append(positions == nil ? nil : earliest)
    try session.query(
      """
      INSERT INTO log_batches (id, sha256, file_name, recorded_us, rows_accepted, rows_rejected,
        rows_skipped, first_position, last_position, min_occurred_us)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      """, binds)
    var head = PostgresBindings()
    head.append(position)
    head.append(NIOCore.ByteBuffer(bytes: chain.head))
    head.append(batch.recordedAt.microseconds)
    head.append(batchNumber)
    try session.query(
      """
      UPDATE log_head SET position = $1, hash = $2, recorded_us = greatest(recorded_us, $3),
        batches = $4
      """, head)
    return positions
  }
}
