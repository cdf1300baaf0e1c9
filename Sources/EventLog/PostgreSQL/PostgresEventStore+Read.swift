import Crypto
import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

extension PostgresEventStore {
  /// The order a streamed read pages in, and so the key each page starts after.
  enum PageOrder {
    /// (occurred_us, position): replay order. The row's columns at these indexes are the key.
    case occurrence(occurred: Int, position: Int)
    /// position: append order.
    case position(Int)
  }

  /// Streams `SELECT select FROM source WHERE conditions` in `order`, a page of `pageSize` rows
  /// at a time (each page one indexed range read from the last key of the one before), inside
  /// the caller's transaction. `binds` are the conditions' parameters ($1 …).
  func pages(
    select: String, from source: String, where conditions: [String], binds: PostgresBindings,
    order: PageOrder, _ body: ([PostgresRow]) throws -> Void
  ) throws {
    // Each page's query goes out before the page before it is handed on: the server reads
    // the next page while this thread decodes and folds the current one.
    func send(after: (Int64, Int64)?) -> PostgresSession.Sent {
      var binds = binds
      var clauses = conditions
      let orderBy: String
      switch order {
      case .occurrence:
        orderBy = "e.occurred_us, e.position"
        if let after {
          binds.append(after.0)
          binds.append(after.1)
          clauses.append("(e.occurred_us, e.position) > ($\(binds.count - 1), $\(binds.count))")
        }
      case .position:
        orderBy = "e.position"
        if let after {
          binds.append(after.1)
          clauses.append("e.position > $\(binds.count)")
        }
      }
      let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
      return session.send(
        "SELECT \(select) FROM \(source)\(condition) ORDER BY \(orderBy) LIMIT \(Self.pageSize)",
        binds)
    }
    var sent = send(after: nil)
    while true {
      let rows = try session.wait(for: sent)
      guard rows.count == Self.pageSize else {
        if !rows.isEmpty { try body(rows) }
        return
      }
      let last = Array(rows[rows.count - 1])
      switch order {
      case .occurrence(let occurred, let position):
        sent = send(
          after: (PostgresCells.int(last[occurred]) ?? 0, PostgresCells.int(last[position]) ?? 0))
      case .position(let position):
        sent = send(after: (0, PostgresCells.int(last[position]) ?? 0))
      }
      do {
        try body(rows)
      } catch {
        _ = try? session.wait(for: sent)
        throw error
      }
    }
  }

  public func replay(
    _ cut: ReplayCut, snapshotMaxLoans: Int?, start: (ReplayStart) throws -> Void,
    _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead? {
    try transaction {
      let head = try logHead(cut)
      let logEnd = try lastPositionInTransaction()
      let snapshot =
        cut.through == nil
        ? try snapshotMaxLoans.flatMap { try bestSnapshot(cut: cut, maxLoans: $0) } : nil
      try start(ReplayStart(snapshot: snapshot, logEnd: logEnd))
      try stream(cut, after: snapshot?.occurredAt.microseconds ?? Int64.min, body)
      return head
    }
  }

  public func replay(
    _ cut: ReplayCut, occurredAfter time: Int64, _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead? {
    try transaction {
      let head = try logHead(cut)
      try stream(cut, after: time, body)
      return head
    }
  }

  /// Streams the events of `cut` that occurred after `time`, in replay order.
  private func stream(
    _ cut: ReplayCut, after time: Int64, _ body: (inout EventRows) throws -> Void
  ) throws {
    var binds = PostgresBindings()
    binds.append(cut.at.microseconds)
    binds.append(time)
    binds.append(try lastKnownPosition(cut))
    try stream(
      where: ["e.occurred_us <= $1", "e.occurred_us > $2", "e.position <= $3"], binds, body)
  }

  public func replay(
    _ cut: ReplayCut, touching entities: EntityFilter, _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead? {
    try transaction {
      let head = try logHead(cut)
      var binds = PostgresBindings()
      binds.append(entities.isbns.map(\.number))
      binds.append(entities.users.sorted())
      binds.append(cut.at.microseconds)
      binds.append(try lastKnownPosition(cut))
      try stream(
        where: [
          "(e.isbn = ANY($1) OR (e.user_id <> '' AND e.user_id = ANY($2)))",
          "e.occurred_us <= $3", "e.position <= $4",
        ], binds, body)
      return head
    }
  }

  /// Streams the matching events in replay order into blocks of `EventRows`.
  private func stream(
    where conditions: [String], _ binds: PostgresBindings, _ body: (inout EventRows) throws -> Void
  ) throws {
    var block = EventRows()
    try pages(
      select: PostgresSchema.replayColumns, from: "log_events AS e", where: conditions,
      binds: binds, order: .occurrence(occurred: 1, position: 0)
    ) { rows in
      for row in rows {
        guard try decodeEvent(row, into: &block) else {
          throw EventLogError.database(
            path: name,
            detail: "event at position \(PostgresCells.int(Array(row)[0]) ?? 0)"
              + " cannot be read; run shelflog verify")
        }
        if block.isFull {
          try body(&block)
          block.removeAll()
        }
      }
    }
    if !block.isEmpty { try body(&block) }
  }

  /// Reads one replay row (`PostgresSchema.replayColumns`) into `rows`; false when it cannot
  /// be read.
  private func decodeEvent(_ row: PostgresRow, into rows: inout EventRows) throws -> Bool {
    // The cells in order (a random-access row builds a name table per row).
    let cells = Array(row)
    guard cells.count == 3, let position = PostgresCells.int(cells[0]),
      let occurred = PostgresCells.int(cells[1])
    else { return false }
    return PostgresCells.withBytes(cells[2]) { bytes in
      guard let event = PackedReplayRow(bytes), let type = CompactForm.type(code: event.type),
        let isbn = ISBN(number: event.isbn)
      else { return false }
      let hasUser = type == .bookBorrowed || type == .bookReturned
      rows.append(
        position: position, occurredAt: occurred, type: type, isbn: isbn,
        quantity: type == .bookAdded ? Int(event.quantity) : 0,
        title: String(decoding: event.title, as: UTF8.self),
        author: String(decoding: event.author, as: UTF8.self),
        userID: hasUser
          ? event.userID.assumingMemoryBound(to: UInt8.self)
          : UnsafeBufferPointer(start: nil, count: 0),
        commandID: event.commandID.assumingMemoryBound(to: UInt8.self))
      return true
    }
  }

  /// The last event the cut knows.
  private func logHead(_ cut: ReplayCut) throws(EventLogError) -> LogHead? {
    var binds = PostgresBindings()
    binds.append(try lastKnownPosition(cut))
    let rows = try session.query(
      "SELECT position, hash FROM log_events WHERE position <= $1 ORDER BY position DESC LIMIT 1",
      binds)
    return rows.first.map { row in
      let cells = Array(row)
      return LogHead(
        position: PostgresCells.int(cells[0]) ?? 0, hash: Hex.string(PostgresCells.bytes(cells[1])))
    }
  }

  /// The last position a cut knows (see `SQLiteEventStore.lastKnownPosition`).
  func lastKnownPosition(_ cut: ReplayCut) throws(EventLogError) -> Int64 {
    var known = Int64.max
    if let knownAt = cut.knownAt {
      var binds = PostgresBindings()
      binds.append(knownAt.microseconds)
      let rows = try session.query(
        "SELECT coalesce(max(last_position), 0) FROM log_batches WHERE recorded_us <= $1", binds)
      known = rows.first?.first.flatMap(PostgresCells.int) ?? 0
    }
    return min(known, cut.through ?? Int64.max)
  }

  /// The log's last position inside a transaction.
  func lastPositionInTransaction() throws(EventLogError) -> Int64 {
    try session.query("SELECT coalesce(max(position), 0) FROM log_events").first?.first
      .flatMap(PostgresCells.int) ?? 0
  }

  /// Polls twice a second: a read of the positions after the last one is an index probe.
  public func watchChanges() -> any ChangeWatch {
    PollingWatch(interval: 0.5)
  }

  public func lastPosition() throws(EventLogError) -> Int64 {
    try lastPositionInTransaction()
  }

  public func events(
    matching filter: EventFilter, _ body: (StoredEvent) throws -> Void
  ) throws {
    var conditions: [String] = []
    var binds = PostgresBindings()
    if let isbn = filter.isbn {
      binds.append(isbn.number)
      conditions.append("e.isbn = $\(binds.count)")
    }
    if let user = filter.userID {
      binds.append(user)
      conditions.append("e.user_id = $\(binds.count) AND e.user_id <> ''")
    }
    if let since = filter.since {
      binds.append(since.microseconds)
      conditions.append("e.occurred_us >= $\(binds.count)")
    }
    if let until = filter.until {
      binds.append(until.microseconds)
      conditions.append("e.occurred_us <= $\(binds.count)")
    }
    if let after = filter.after {
      binds.append(after)
      conditions.append("e.position > $\(binds.count)")
    }
    if let through = filter.through {
      binds.append(through)
      conditions.append("e.position <= $\(binds.count)")
    }
    try transaction {
      try pages(
        select: """
          e.position, e.type, e.command_id, e.isbn, e.title, e.author, e.quantity, e.user_id,
            e.occurred_us, b.recorded_us, b.sha256, e.hash
          """,
        from: "log_events AS e JOIN log_batches AS b ON b.id = e.batch", where: conditions,
        binds: binds, order: .position(0)
      ) { rows in
        for row in rows {
          let cells = Array(row)
          let occurred = PostgresCells.int(cells[8]) ?? 0
          let recorded = PostgresCells.int(cells[9]) ?? 0
          try body(
            StoredEvent(
              position: PostgresCells.int(cells[0]) ?? 0,
              type: PostgresCells.int(cells[1]).flatMap(CompactForm.type(code:))?.rawValue ?? "",
              commandID: PostgresCells.string(cells[2]),
              isbn: ISBN.digits(of: PostgresCells.int(cells[3]) ?? 0),
              title: PostgresCells.string(cells[4]), author: PostgresCells.string(cells[5]),
              quantity: PostgresCells.int(cells[6]), userID: PostgresCells.string(cells[7]),
              occurredAt: Timestamp(microseconds: occurred).description,
              recordedAt: Timestamp(microseconds: recorded).description,
              batch: Hex.string(PostgresCells.bytes(cells[10])),
              hash: Hex.string(PostgresCells.bytes(cells[11])), occurredMicroseconds: occurred,
              recordedMicroseconds: recorded))
        }
      }
    }
  }

  public func batches() throws(EventLogError) -> [StoredBatch] {
    try session.query(
      """
      SELECT sha256, file_name, recorded_us, rows_accepted, rows_rejected, rows_skipped,
        first_position, last_position
      FROM log_batches ORDER BY recorded_us, first_position NULLS FIRST, id
      """
    ).map { row in
      let cells = Array(row)
      let recorded = PostgresCells.int(cells[2]) ?? 0
      return StoredBatch(
        sha256: Hex.string(PostgresCells.bytes(cells[0])), fileName: PostgresCells.string(cells[1]),
        recordedAt: Timestamp(microseconds: recorded).description,
        recordedMicroseconds: recorded, accepted: PostgresCells.int(cells[3]) ?? 0,
        rejected: PostgresCells.int(cells[4]) ?? 0, skipped: PostgresCells.int(cells[5]) ?? 0,
        firstPosition: PostgresCells.int(cells[6]), lastPosition: PostgresCells.int(cells[7]))
    }
  }

  public func eventsInExactlyOne(of first: ReplayCut, _ second: ReplayCut) throws(EventLogError)
    -> [String: Int]
  {
    var binds = PostgresBindings()
    for cut in [first, second] {
      binds.append(cut.at.microseconds)
      binds.append(cut.knownAt?.microseconds ?? Int64.max)
      binds.append(cut.through ?? Int64.max)
    }
    var counts: [String: Int] = [:]
    for row in try session.query(
      """
      SELECT b.sha256, count(*) FROM log_events AS e JOIN log_batches AS b ON b.id = e.batch
      WHERE (e.occurred_us <= $1 AND b.recorded_us <= $2 AND e.position <= $3)
        <> (e.occurred_us <= $4 AND b.recorded_us <= $5 AND e.position <= $6)
      GROUP BY b.sha256
      """, binds)
    {
      let cells = Array(row)
      counts[Hex.string(PostgresCells.bytes(cells[0]))] = Int(PostgresCells.int(cells[1]) ?? 0)
    }
    return counts
  }
}
