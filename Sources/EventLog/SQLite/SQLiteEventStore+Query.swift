import Foundation
import GRDB
import LibraryDomain

extension SQLiteEventStore {
  public func hasBatch(sha256: String) throws(EventLogError) -> Bool {
    try read { db in try Self.hasBatch(db, sha256: sha256) }
  }

  /// Whether a batch of this SHA-256 (hex) is in the log.
  static func hasBatch(_ db: Database, sha256: String) throws -> Bool {
    guard let bytes = Hex.bytes(sha256) else { return false }
    return try Bool.fetchOne(
      db, sql: "SELECT 1 FROM log_batches WHERE sha256 = ?", arguments: [Data(bytes)]) ?? false
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
      clauses.append("e.isbn = ?")
      _ = arguments.append(contentsOf: [isbn.number])
    }
    if let user = filter.userID {
      // `user_id != ''` lets the planner use the partial index events_by_user.
      clauses.append("e.user_id = ? AND e.user_id != ''")
      _ = arguments.append(contentsOf: [user])
    }
    if let since = filter.since {
      clauses.append("e.occurred_us >= ?")
      _ = arguments.append(contentsOf: [since.microseconds])
    }
    if let until = filter.until {
      clauses.append("e.occurred_us <= ?")
      _ = arguments.append(contentsOf: [until.microseconds])
    }
    if let after = filter.after {
      clauses.append("e.position > ?")
      _ = arguments.append(contentsOf: [after])
    }
    if let through = filter.through {
      clauses.append("e.position <= ?")
      _ = arguments.append(contentsOf: [through])
    }
    let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
    let sql = """
      SELECT \(Schema.eventColumns)
      FROM \(Schema.eventSource) \(condition) ORDER BY e.position
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
          SELECT lower(hex(b.sha256)), count(*) FROM \(Schema.eventSource)
          WHERE (e.occurred_us <= ?1 AND b.recorded_us <= ?2 AND e.position <= ?3)
            != (e.occurred_us <= ?4 AND b.recorded_us <= ?5 AND e.position <= ?6)
          GROUP BY b.sha256
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
    try read { db in try Self.lastPosition(db) }
  }

  /// The last position in the log, 0 when it is empty.
  static func lastPosition(_ db: Database) throws -> Int64 {
    try Int64.fetchOne(db, sql: "SELECT max(position) FROM log_events") ?? 0
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
