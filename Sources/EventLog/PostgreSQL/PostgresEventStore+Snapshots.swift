import Crypto
import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

extension PostgresEventStore {
  /// The best snapshot for `cut`, by the rule of `SQLiteEventStore.bestSnapshot`: the latest at
  /// or before `cut.at` that no batch between its end and the cut's known end (either way
  /// round) contradicts; a damaged one is skipped.
  func bestSnapshot(cut: ReplayCut, maxLoans: Int) throws(EventLogError) -> StoredSnapshot? {
    let logEnd = try lastPositionInTransaction()
    let knownEnd = min(try lastKnownPosition(cut), logEnd)
    var binds = PostgresBindings()
    binds.append(Int64(maxLoans))
    binds.append(cut.at.microseconds)
    binds.append(logEnd)
    let candidates = try session.query(
      """
      SELECT id, through_position, occurred_us FROM snapshots
      WHERE max_loans = $1 AND occurred_us <= $2 AND through_position <= $3
      ORDER BY occurred_us DESC, through_position DESC
      """, binds)
    for candidate in candidates {
      let cells = candidate.makeRandomAccess()
      let id = PostgresCells.int(cells[0]) ?? 0
      let position = PostgresCells.int(cells[1]) ?? 0
      let time = PostgresCells.int(cells[2]) ?? 0
      var range = PostgresBindings()
      range.append(min(position, knownEnd))
      range.append(max(position, knownEnd))
      range.append(time)
      let stale = try !session.query(
        """
        SELECT 1 FROM log_batches
        WHERE first_position > $1 AND first_position <= $2 AND min_occurred_us <= $3 LIMIT 1
        """, range
      ).isEmpty
      if stale { continue }
      var byID = PostgresBindings()
      byID.append(id)
      guard
        let row = try session.query(
          """
          SELECT id, through_position, occurred_us, max_loans, events, format, state, sha256
          FROM snapshots WHERE id = $1
          """, byID
        ).first?.makeRandomAccess()
      else { continue }
      let state = PostgresCells.bytes(row[6])
      guard Hex.string(SHA256.hash(data: state)) == PostgresCells.string(row[7]) else { continue }
      return StoredSnapshot(
        id: id, throughPosition: position, occurredAt: Timestamp(microseconds: time),
        maxLoans: Int(PostgresCells.int(row[3]) ?? 0), events: Int(PostgresCells.int(row[4]) ?? 0),
        format: Int(PostgresCells.int(row[5]) ?? 0), state: state)
    }
    return nil
  }

  /// A PostgreSQL log keeps no anomaly index (docs/postgresql.md): `indexedAnomalies` answers
  /// nil, and `explain` folds the events instead, with the same result.
  public func storeSnapshot(
    _ snapshot: StoredSnapshot, anomalies: AnomalyIndexUpdate?
  ) throws(EventLogError) {
    var binds = PostgresBindings()
    binds.append(snapshot.throughPosition)
    binds.append(snapshot.occurredAt.microseconds)
    binds.append(Int64(snapshot.maxLoans))
    binds.append(Int64(snapshot.events))
    binds.append(Int64(snapshot.format))
    binds.append(NIOCore.ByteBuffer(bytes: snapshot.state))
    binds.append(Hex.string(SHA256.hash(data: snapshot.state)))
    try session.query(
      """
      INSERT INTO snapshots (through_position, occurred_us, max_loans, events, format, state,
        sha256)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      """, binds)
  }

  public func indexedAnomalies(
    maxLoans: Int, cut: ReplayCut, events: [(position: Int64, occurred: Int64)]
  ) throws(EventLogError) -> [Int64: UInt8]? {
    nil
  }

  @discardableResult
  public func deleteSnapshots(maxLoans: Int?) throws(EventLogError) -> Int {
    var binds = PostgresBindings()
    var sql = "DELETE FROM snapshots RETURNING id"
    if let maxLoans {
      binds.append(Int64(maxLoans))
      sql = "DELETE FROM snapshots WHERE max_loans = $1 RETURNING id"
    }
    return try session.query(sql, binds).count
  }

  public func snapshotChecks() throws(EventLogError) -> [SnapshotCheck] {
    try session.query("SELECT id, state, sha256 FROM snapshots ORDER BY id").map { row in
      let cells = row.makeRandomAccess()
      let state = PostgresCells.bytes(cells[1])
      return SnapshotCheck(
        id: PostgresCells.int(cells[0]) ?? 0,
        intact: Hex.string(SHA256.hash(data: state)) == PostgresCells.string(cells[2]))
    }
  }

  // MARK: - Verify

  public func chainLayout(splitFrom: Int64) throws(EventLogError) -> ChainLayout {
    try transaction { () throws(EventLogError) -> ChainLayout in
      var batches: [String: (count: Int64, first: Int64?, last: Int64?)] = [:]
      for row in try session.query(
        "SELECT sha256, rows_accepted, first_position, last_position FROM log_batches")
      {
        let cells = row.makeRandomAccess()
        batches[Hex.string(PostgresCells.bytes(cells[0]))] = (
          PostgresCells.int(cells[1]) ?? 0, PostgresCells.int(cells[2]),
          PostgresCells.int(cells[3])
        )
      }
      let end = try lastPositionInTransaction()
      var middle: (position: Int64, hash: [UInt8], recordedMicroseconds: Int64)?
      if end >= splitFrom, end >= 2 {
        var binds = PostgresBindings()
        binds.append(end / 2)
        if let row = try session.query(
          """
          SELECT e.hash, b.recorded_us FROM log_events AS e JOIN log_batches AS b ON b.id = e.batch
          WHERE e.position = $1
          """, binds
        ).first?.makeRandomAccess() {
          let hash = PostgresCells.bytes(row[0])
          if hash.count == 32 { middle = (end / 2, hash, PostgresCells.int(row[1]) ?? 0) }
        }
      }
      return ChainLayout(end: end, batches: batches, middle: middle)
    }
  }

  public func walkChain(
    _ walk: ChainWalk, through end: Int64, progress: (Int64) -> Void
  ) throws(EventLogError) -> VerifyFault? {
    // A walk may run beside another on another thread: each has a connection of its own.
    let own = try PostgresEventStore(location: location, access: .read, wait: wait)
    do {
      return try own.transaction { () throws -> VerifyFault? in
        try own.walk(walk, through: end, progress: progress)
      }
    } catch let fault as EventLogError {
      throw fault
    } catch {
      throw PostgresSession.fault(error, location: location, wait: wait)
    }
  }

  private func walk(
    _ walk: ChainWalk, through end: Int64, progress: (Int64) -> Void
  ) throws -> VerifyFault? {
    var texts: [Int64: (sha256: [UInt8], recordedAt: [UInt8], recorded: Int64)] = [:]
    for row in try session.query("SELECT id, sha256, recorded_us FROM log_batches") {
      let cells = row.makeRandomAccess()
      let recorded = PostgresCells.int(cells[2]) ?? 0
      var recordedAt: [UInt8] = []
      Timestamp(microseconds: recorded).appendText(to: &recordedAt)
      texts[PostgresCells.int(cells[0]) ?? 0] = (
        Array(Hex.string(PostgresCells.bytes(cells[1])).utf8), recordedAt, recorded
      )
    }
    var binds = PostgresBindings()
    // The first walker also reads positions below 1, which only a tamperer can have written.
    binds.append(walk.position == 0 ? Int64.min : walk.position)
    binds.append(end)
    var fault: VerifyFault?
    var occurredText: [UInt8] = []
    var isbnText = [UInt8](repeating: 0, count: 13)
    try pages(
      select: """
        e.position, e.type, e.command_id, e.isbn, e.title, e.author, e.quantity, e.user_id,
          e.occurred_us, e.batch, e.hash, e.command_key
        """,
      from: "log_events AS e", where: ["e.position > $1", "e.position <= $2"], binds: binds,
      order: .position(0)
    ) { rows in
      guard fault == nil else { return }
      for row in rows {
        let cells = row.makeRandomAccess()
        let position = PostgresCells.int(cells[0]) ?? 0
        let number = PostgresCells.int(cells[9]) ?? 0
        guard let batch = texts[number] else {
          fault = VerifyFault(
            position: position, message: "batch number \(number) is not in the batches table")
          return
        }
        let type = PostgresCells.int(cells[1]).flatMap(CompactForm.type(code:))
        let isbn = PostgresCells.int(cells[3]) ?? -1
        let commandID = PostgresCells.string(cells[2])
        let key = PostgresCells.int(cells[11])
        if key != (commandID.isEmpty ? nil : CommandKey.of(commandID.utf8)) {
          fault = VerifyFault(
            position: position, message: "the stored command key does not match the command id")
          return
        }
        occurredText.removeAll(keepingCapacity: true)
        Timestamp(microseconds: PostgresCells.int(cells[8]) ?? 0).appendText(to: &occurredText)
        isbnText.withUnsafeMutableBufferPointer {
          ISBN.writeDigits(of: isbn.magnitude, into: $0)
        }
        let typeText = Array((type?.rawValue ?? "").utf8)
        let problem: String? = PostgresCells.withBytes(cells[10]) { hash in
          PostgresCells.withBytes(cells[4]) { title in
            PostgresCells.withBytes(cells[5]) { author in
              PostgresCells.withBytes(cells[7]) { user in
                PostgresCells.withBytes(cells[2]) { command in
                  occurredText.withUnsafeBytes { occurred in
                    isbnText.withUnsafeBytes { isbnBytes in
                      typeText.withUnsafeBytes { typeBytes in
                        batch.sha256.withUnsafeBytes { sha in
                          batch.recordedAt.withUnsafeBytes { recordedAt in
                            walk.check(
                              StoredEventBytes(
                                fields: EventFields(
                                  position: position, type: typeBytes, commandID: command,
                                  isbn: isbnBytes, title: title, author: author,
                                  quantity: PostgresCells.int(cells[6]), userID: user,
                                  occurredAt: occurred, recordedAt: recordedAt, batch: sha),
                                hash: hash, type: type, isbnIsValid: ISBN(number: isbn) != nil,
                                recordedMicroseconds: batch.recorded))
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
        if let problem {
          fault = VerifyFault(position: position, message: problem)
          return
        }
        if walk.events & 0xFFFF == 0 { progress(walk.events) }
      }
    }
    if fault == nil { fault = walk.gap(before: end) }
    return fault
  }

  /// Beside the walk: the head row (what appenders lock and continue from) must name the last
  /// event and its hash. The database's own integrity is the server's business.
  public func checkStorage(thorough: Bool) throws(EventLogError) -> StorageCheck {
    let own = try PostgresEventStore(location: location, access: .read, wait: wait)
    return try own.transaction { () throws(EventLogError) -> StorageCheck in
      let head = try own.session.query("SELECT position, hash FROM log_head").first?
        .makeRandomAccess()
      let last = try own.session.query(
        "SELECT position, hash FROM log_events ORDER BY position DESC LIMIT 1"
      ).first?.makeRandomAccess()
      let headPosition = head.flatMap { PostgresCells.int($0[0]) } ?? -1
      let lastPosition = last.flatMap { PostgresCells.int($0[0]) } ?? 0
      let headHash = head.map { PostgresCells.bytes($0[1]) } ?? []
      let lastHash = last.map { PostgresCells.bytes($0[1]) } ?? [UInt8](repeating: 0, count: 32)
      var fault: String?
      if headPosition != lastPosition || headHash != lastHash {
        fault =
          "the head row names position \(headPosition), the log ends at position \(lastPosition)"
          + (headPosition == lastPosition ? " with another hash" : "")
      }
      return StorageCheck(
        problems: [], checkName: "head check", indexFault: fault, commandKeys: nil)
    }
  }
}

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
    do {
      _ = try beginAppend()
      guard try session.query("SELECT 1 FROM log_batches LIMIT 1").isEmpty else {
        throw EventLogError.notEmpty(path: name)
      }
      var numbers: [String: Int64] = [:]
      for (index, batch) in batches.enumerated() {
        numbers[batch.sha256] = Int64(index + 1)
      }
      var earliest: [Int64: Int64] = [:]
      var insert = EventInsert()
      var last: (position: Int64, hash: [UInt8])?
      try events { event in
        let copied = try CopiedEvent(event, numbers: numbers, name: name)
        earliest[copied.batch] = min(
          earliest[copied.batch] ?? Int64.max, event.occurredMicroseconds)
        insert.append(
          position: event.position, type: copied.typeCode, commandID: event.commandID,
          isbn: copied.isbn, title: event.title, author: event.author, quantity: event.quantity,
          userID: event.userID, occurredMicroseconds: event.occurredMicroseconds,
          batch: copied.batch, hash: copied.hash)
        last = (event.position, copied.hash)
        if insert.count >= AppendBlock.rowLimit { try insert.flush(session) }
      }
      try insert.flush(session)
      for (index, batch) in batches.enumerated() {
        try Self.insertBatch(
          session, number: Int64(index + 1), batch, earliest: earliest[Int64(index + 1)])
      }
      var head = PostgresBindings()
      head.append(last?.position ?? 0)
      head.append(NIOCore.ByteBuffer(bytes: last?.hash ?? [UInt8](repeating: 0, count: 32)))
      head.append(batches.map(\.recordedMicroseconds).max())
      head.append(Int64(batches.count))
      try session.query(
        "UPDATE log_head SET position = $1, hash = $2, recorded_us = $3, batches = $4", head)
      try session.query("ANALYZE log_events")
      try session.query("COMMIT")
    } catch {
      _ = try? session.query("ROLLBACK")
      throw error
    }
  }
}
