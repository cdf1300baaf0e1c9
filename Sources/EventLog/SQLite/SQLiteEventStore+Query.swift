import GRDB
import LibraryDomain

extension SQLiteEventStore {
  public func hasBatch(sha256: String) throws(EventLogError) -> Bool {
    try read { db in
      try Bool.fetchOne(db, sql: "SELECT 1 FROM batches WHERE sha256 = ?", arguments: [sha256])
        ?? false
    }
  }

  public func events(
    matching filter: EventFilter = EventFilter(), _ body: (StoredEvent) throws -> Void
  ) throws {
    let (sql, arguments) = Self.eventsQuery(filter)
    try readPassingErrors { db in
      let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
      while let row = try cursor.next() {
        try body(
          StoredEvent(
            position: row[0], type: row[1], commandID: row[2], isbn: row[3], title: row[4],
            author: row[5], quantity: row[6], userID: row[7], occurredAt: row[8],
            recordedAt: row[9], batch: row[10], hash: row[11], occurredMicroseconds: row[12],
            recordedMicroseconds: row[13]))
      }
    }
  }

  /// The query behind `events(matching:)` (internal so that a test can check its plan).
  static func eventsQuery(_ filter: EventFilter) -> (sql: String, arguments: StatementArguments) {
    var clauses: [String] = []
    var arguments = StatementArguments()
    if let isbn = filter.isbn {
      clauses.append("isbn = ?")
      _ = arguments.append(contentsOf: [isbn.digits])
    }
    if let user = filter.userID {
      // `user_id != ''` lets the planner use the partial index events_by_user.
      clauses.append("user_id = ? AND user_id != ''")
      _ = arguments.append(contentsOf: [user])
    }
    if let since = filter.since {
      clauses.append("occurred_us >= ?")
      _ = arguments.append(contentsOf: [since.microseconds])
    }
    if let until = filter.until {
      clauses.append("occurred_us <= ?")
      _ = arguments.append(contentsOf: [until.microseconds])
    }
    let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
    let sql = """
      SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_at,
        recorded_at, batch, hash, occurred_us, recorded_us
      FROM events \(condition) ORDER BY position
      """
    return (sql, arguments)
  }

  public func eventsInExactlyOne(of first: ReplayCut, _ second: ReplayCut) throws(EventLogError)
    -> [String: Int]
  {
    try read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT batch, count(*) FROM events
          WHERE (occurred_us <= ?1 AND recorded_us <= ?2 AND position <= ?3)
            != (occurred_us <= ?4 AND recorded_us <= ?5 AND position <= ?6)
          GROUP BY batch
          """,
        arguments: [
          first.at.microseconds, first.knownAt?.microseconds ?? Int64.max,
          first.through ?? Int64.max, second.at.microseconds,
          second.knownAt?.microseconds ?? Int64.max, second.through ?? Int64.max,
        ])
      return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
    }
  }

  public func lastPosition() throws(EventLogError) -> Int64 {
    try read { db in try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0 }
  }

  public func batches() throws(EventLogError) -> [StoredBatch] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT sha256, file_name, recorded_at, recorded_us, rows_accepted, rows_rejected,
            rows_skipped, first_position, last_position
          FROM batches ORDER BY recorded_us, first_position
          """
      ).map { row in
        StoredBatch(
          sha256: row[0], fileName: row[1], recordedAt: row[2], recordedMicroseconds: row[3],
          accepted: row[4], rejected: row[5], skipped: row[6], firstPosition: row[7],
          lastPosition: row[8])
      }
    }
  }
}
