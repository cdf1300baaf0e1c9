import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

/// The write transaction of a PostgreSQL log, holding the head row's lock: decides each row's
/// command id (`CommandIDRule`, against the events logged before, looked up a block at a time,
/// this batch's among them), hashes the appended rows in file order, and inserts each block with
/// one `COPY` (`EventCopy`). Memory: one block, and 16 bytes per appended row with a
/// command id (`pending`, at most `pendingLimit` of them in a log that is not empty).
final class PostgresBatchWriter: BatchWriter {
  let store: PostgresEventStore
  private var session: PostgresSession { store.session }
  private var chain: HashChain
  private var position: Int64
  private var firstPosition: Int64?
  private let recorded: Int64?
  private let batchNumber: Int64
  /// The log's last position when the batch began: the events the committed log holds.
  private let startPosition: Int64
  /// Whether the log held no event when the batch began: then its secondary indexes are
  /// dropped and built once at the end (measured on 200k rows: 3.3 s of index upkeep on the
  /// server against 0.5 s to build them).
  private var emptyLog = false
  /// The keys of the batch's appended rows with their positions, sorted (16 bytes per row with
  /// a command id): how the command-id check finds the batch's own rows, which only this
  /// transaction sees; a hit reads the event by position.
  private var pending: [(key: Int64, position: Int64)] = []
  /// How many keys `pending` holds at most in a log that is not empty (64 MiB); past it the
  /// batch's own rows are looked up through the index, on this transaction's connection after
  /// the previous block's insert (an empty log's index is dropped: there `pending` has no cap).
  @TaskLocal static var pendingLimit = 1 << 22
  /// Whether `pending` passed its limit and was given up.
  private var pendingFull = false
  /// Whether an event logged before the batch has a command id: then each block's keys are
  /// looked up in the committed log (through `startPosition`).
  private var loggedKeys = false
  /// A second connection for those lookups, so that the server runs a block's lookup beside
  /// the previous block's insert instead of after it; nil when no logged event has a command
  /// id, or when the server would not open a second connection (a role's or the server's
  /// connection limit): then the lookups run on this transaction's connection.
  private var lookups: PostgresSession?
  /// The insert of the previous block, sent and not yet waited for: the server stores one
  /// block while this thread reads, checks and hashes the next.
  private var inFlight: PostgresSession.Sent?
  private var earliest = Int64.max
  private var recordedText: [UInt8] = []
  private var batchText: [UInt8] = []
  private let canonical = ByteBuffer(capacity: 1 << 12)

  init(store: PostgresEventStore, position: Int64, hash: [UInt8], recorded: Int64?, batches: Int64)
  {
    self.store = store
    self.position = position
    startPosition = position
    chain = HashChain(head: hash.count == 32 ? hash : [UInt8](repeating: 0, count: 32))
    self.recorded = recorded
    batchNumber = batches + 1
  }

  func isImported(sha256: String) throws -> Bool { try store.hasBatch(sha256: sha256) }

  func latestRecordedAt() throws -> Timestamp? { recorded.map(Timestamp.init(microseconds:)) }

  func begin(sha256: String, recordedAt: Timestamp) throws {
    recordedText = Array(recordedAt.description.utf8)
    batchText = Array(sha256.utf8)
    emptyLog = position == 0
    if emptyLog {
      // The head row's lock is held: no other import can be appending. Readers of the empty
      // log wait for the commit (DROP INDEX locks the table) and then see the whole batch.
      for index in PostgresSchema.eventIndexes {
        try session.query("DROP INDEX IF EXISTS \(index.name)")
      }
    } else if try !session.query(
      "SELECT 1 FROM log_events WHERE command_key IS NOT NULL LIMIT 1"
    ).isEmpty {
      // What it reads was committed before this lock was taken, and nothing commits events
      // while it is held. The second connection only saves time: without it the import goes on.
      loggedKeys = true
      lookups = try? PostgresSession(store.location)
    }
  }

  func append(_ block: inout AppendBlock) throws {
    let keyed = CommandIDRule.keyedRows(block)
    var logged: [(key: Int64, event: LoggedEntry)] = []
    if !keyed.isEmpty {
      logged = try lookUp(keyed).map { (key: $0.key, event: LoggedEntry.command($0.event)) }
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
    var insert = EventCopy()
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
              position: at, type: CompactForm.code(row.type), commandID: fields.commandID,
              isbn: row.isbn, title: fields.title, author: fields.author, quantity: row.quantity,
              userID: fields.userID, occurredMicroseconds: row.occurredMicroseconds,
              batch: batchNumber, hash: digest)
          }
        }
      }
    }
    let sent = insert.send(session)
    try waitForInFlight()
    inFlight = sent
    keep(block, keyed: keyed)
  }

  /// Waits for the previous block's insert (its fault, if any, is thrown here).
  private func waitForInFlight() throws {
    if let sent = inFlight {
      inFlight = nil
      _ = try session.wait(for: sent)
    }
  }

  /// The events logged under the keys of `keyed`: in the committed log through the index on
  /// the second connection, among the batch's rows through `pending` and then by position.
  private func lookUp(_ keyed: [(key: Int64, row: Int32)]) throws -> [(
    key: Int64, event: LoggedCommand
  )] {
    if pendingFull {
      // The index shows this transaction's rows too.
      try waitForInFlight()
      return try PostgresEventStore.loggedCommands(keys: keyed.map(\.key), session)
    }
    var found: [(key: Int64, event: LoggedCommand)] = []
    if loggedKeys {
      let connection: PostgresSession
      if let lookups {
        connection = lookups
      } else {
        try waitForInFlight()
        connection = session
      }
      found = try PostgresEventStore.loggedCommands(
        keys: keyed.map(\.key), through: startPosition, connection)
    }
    var positions: [Int64] = []
    var next = 0
    for (index, entry) in keyed.enumerated() where index == 0 || entry.key != keyed[index - 1].key {
      while next < pending.count, pending[next].key < entry.key { next += 1 }
      var hit = next
      while hit < pending.count, pending[hit].key == entry.key {
        positions.append(pending[hit].position)
        hit += 1
      }
    }
    guard !positions.isEmpty else { return found }
    // The rows must have been inserted: wait for the previous block's insert.
    try waitForInFlight()
    var binds = PostgresBindings()
    binds.append(positions)
    return try found
      + session.query(
        "SELECT \(PostgresEventStore.loggedColumns) FROM log_events WHERE position = ANY($1)",
        binds
      ).map(PostgresEventStore.loggedCommand)
  }

  /// Adds the keys of the block's appended rows to `pending`, keeping it sorted.
  private func keep(_ block: AppendBlock, keyed: [(key: Int64, row: Int32)]) {
    guard !pendingFull else { return }
    CommandKey.merge(CommandIDRule.appendedKeys(block, keyed: keyed), into: &pending)
    if !emptyLog, pending.count > Self.pendingLimit {
      pendingFull = true
      pending = []
    }
  }

  func finish(_ batch: BatchRecord) throws -> (first: Int64, last: Int64)? {
    try waitForInFlight()
    if emptyLog {
      for index in PostgresSchema.eventIndexes { try session.query(index.create) }
      // Statistics for the planner now, not when autovacuum gets round to it: without them a
      // replay's page reads were planned as a full scan and sort each (1M events: 34 s).
      try session.query("ANALYZE log_events")
    }
    pending = []
    lookups = nil
    let positions = firstPosition.map { ($0, position) }
    try PostgresEventStore.insertBatch(
      session, number: batchNumber, batch.stored(first: positions?.0, last: positions?.1),
      earliest: positions == nil ? nil : earliest)
    try PostgresEventStore.moveHead(
      session, position: position, hash: chain.head, recorded: batch.recordedAt.microseconds,
      batches: batchNumber)
    return positions
  }
}
