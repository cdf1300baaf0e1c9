import GRDB
import LibraryDomain

/// Which events `shelflog log` lists.
public struct EventFilter: Sendable {
  public var isbn: ISBN?
  public var userID: String?
  /// Inclusive bounds on `occurred_at`.
  public var since: Timestamp?
  public var until: Timestamp?

  public init(
    isbn: ISBN? = nil, userID: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil
  ) {
    self.isbn = isbn
    self.userID = userID
    self.since = since
    self.until = until
  }
}

extension EventLogStore {
  /// Streams the events that match, in position (append) order, from one read snapshot.
  public func events(
    matching filter: EventFilter = EventFilter(), _ body: (StoredEvent) throws -> Void
  ) throws {
    var clauses: [String] = []
    var arguments = StatementArguments()
    if let isbn = filter.isbn {
      clauses.append("isbn = ?")
      _ = arguments.append(contentsOf: [isbn.digits])
    }
    if let user = filter.userID {
      clauses.append("user_id = ?")
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
    let sql = "SELECT \(StoredEvent.columns) FROM events \(condition) ORDER BY position"
    try read { db in
      let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
      while let row = try cursor.next() {
        try body(StoredEvent(row: row))
      }
    }
  }

  /// The batches, in the order they were imported.
  public func batches() throws(EventLogError) -> [StoredBatch] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT sha256, file_name, recorded_at, recorded_us, rows_accepted, rows_rejected,
            rows_skipped, first_position, last_position
          FROM batches ORDER BY recorded_us, first_position
          """
      ).map(StoredBatch.init(row:))
    }
  }
}

/// One row of the `batches` table.
public struct StoredBatch: Sendable, Equatable {
  public var sha256: String
  public var fileName: String
  public var recordedAt: String
  public var recordedMicroseconds: Int64
  public var accepted: Int64
  public var rejected: Int64
  public var skipped: Int64
  public var firstPosition: Int64?
  public var lastPosition: Int64?

  init(row: Row) {
    sha256 = row[0]
    fileName = row[1]
    recordedAt = row[2]
    recordedMicroseconds = row[3]
    accepted = row[4]
    rejected = row[5]
    skipped = row[6]
    firstPosition = row[7]
    lastPosition = row[8]
  }
}
