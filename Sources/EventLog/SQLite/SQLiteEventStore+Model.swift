import Crypto
import Foundation
import GRDB
import LibraryDomain

extension ModelSchema {
  /// `CREATE TABLE` in SQLite's types.
  static func sqlite(_ table: Table, suffix: String = "", ifMissing: Bool = false) -> String {
    create(table, suffix: suffix, ifMissing: ifMissing, withoutRowID: true) { kind in
      switch kind {
      case .text, .optionalText: "TEXT"
      case .integer, .smallInteger: "INTEGER"
      case .bytes: "BLOB"
      }
    }
  }
}

extension SQLiteEventStore: ModelStore {
  public func modelCheckpoint() throws(EventLogError) -> ModelCheckpoint? {
    try read { db in try Self.modelCheckpoint(db) }
  }

  static func modelCheckpoint(_ db: Database) throws -> ModelCheckpoint? {
    for table in ModelSchema.names + ["model_checkpoint"] {
      guard try db.tableExists(table) else { return nil }
    }
    return try Row.fetchOne(
      db,
      sql: """
        SELECT model_version, max_loans, loan_days, position, hash, occurred_us, events, guards,
          state
        FROM model_checkpoint WHERE id = 1
        """
    ).map { row in
      ModelCheckpoint(
        version: row[0], maxLoans: row[1], loanDays: row[2], position: row[3], hash: row[4],
        occurredThrough: row[5], events: row[6], guards: row[7],
        state: [UInt8]((row[8] as Data?) ?? Data()))
    }
  }

  public func writeModel(_ update: ModelUpdate) throws {
    _ = try writeTransaction { db -> (Void, commit: Bool) in
      guard try Self.modelCheckpoint(db) == update.previous else {
        throw EventLogError.modelMoved(path: path)
      }
      // Without a checkpoint (`previous` nil) the update is a rebuild.
      let fresh = update.rebuild || update.previous == nil
      let suffix = fresh ? "_next" : ""
      if fresh {
        for name in ModelSchema.names { try db.execute(sql: "DROP TABLE IF EXISTS \(name)_next") }
        for table in ModelSchema.tables {
          try db.execute(sql: ModelSchema.sqlite(table, suffix: suffix))
        }
      } else {
        try db.execute(
          sql: "DELETE FROM current_anomalies WHERE occurred_us > ?",
          arguments: [update.anomaliesAfter])
      }
      try Self.insertRows(update, db, suffix: suffix)
      if fresh {
        for name in ModelSchema.names {
          try db.execute(sql: "DROP TABLE IF EXISTS \(name)")
          try db.execute(sql: "ALTER TABLE \(name)_next RENAME TO \(name)")
        }
        for index in ModelSchema.indexes { try db.execute(sql: index) }
      }
      try db.execute(sql: ModelSchema.sqlite(ModelSchema.checkpoint, ifMissing: true))
      let point = update.checkpoint
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO model_checkpoint (id, model_version, max_loans, loan_days,
            position, hash, occurred_us, events, guards, state)
          VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          point.version, point.maxLoans, point.loanDays, point.position, point.hash,
          point.occurredThrough, point.events, point.guards, Data(point.state),
        ])
      return ((), true)
    }
  }

  /// The changed books, loans and users and the new anomalies of `update` into the tables with
  /// `suffix`.
  private static func insertRows(_ update: ModelUpdate, _ db: Database, suffix: String) throws {
    let book = try db.makeStatement(
      sql: "INSERT OR REPLACE INTO current_books\(suffix) VALUES (?, ?, ?, ?, ?, ?, ?)")
    for entry in update.books {
      try book.execute(arguments: [
        entry.isbn.digits, entry.title, entry.author, entry.total, entry.onLoan,
        entry.available, entry.status.rawValue,
      ])
    }
    let closed = try db.makeStatement(sql: "DELETE FROM current_loans\(suffix) WHERE position = ?")
    for position in update.closedLoans { try closed.execute(arguments: [position]) }
    let loan = try db.makeStatement(
      sql: "INSERT INTO current_loans\(suffix) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    for entry in update.openedLoans {
      let due = update.due(entry)
      try loan.execute(arguments: [
        entry.position, entry.isbn.digits, entry.userID, entry.borrowedAt.description,
        Timestamp(microseconds: due).description, entry.borrowedAt.microseconds, due,
        entry.counted ? 1 : 0,
      ])
    }
    let user = try db.makeStatement(
      sql: "INSERT OR REPLACE INTO current_users\(suffix) VALUES (?, ?, ?, ?)")
    let gone = try db.makeStatement(sql: "DELETE FROM current_users\(suffix) WHERE user_id = ?")
    for entry in update.users {
      guard entry.openLoans > 0 else {
        try gone.execute(arguments: [entry.id])
        continue
      }
      try user.execute(arguments: [
        entry.id, entry.openLoans, update.checkpoint.maxLoans,
        update.atLimit(entry.openLoans) ? 1 : 0,
      ])
    }
    let anomaly = try db.makeStatement(
      sql: "INSERT INTO current_anomalies\(suffix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    try update.forEachAnomaly { entry, seq in
      try anomaly.execute(arguments: [
        entry.occurredAt.microseconds, entry.position, seq, entry.type.rawValue,
        entry.occurredAt.description, entry.commandID, entry.isbn.digits, entry.userID,
        entry.detail,
      ])
    }
  }

  public func logGuards() throws(EventLogError) -> String {
    try read { db in
      let triggers = try String.fetchAll(
        db,
        sql: """
          SELECT name || ':' || sql FROM sqlite_master
          WHERE type = 'trigger' AND tbl_name IN ('log_events', 'log_batches') ORDER BY name
          """)
      return Hex.string(SHA256.hash(data: Data(triggers.joined(separator: "\n").utf8)))
    }
  }

  public func eventHash(at position: Int64) throws(EventLogError) -> String? {
    try read { db in
      try Row.fetchOne(
        db, sql: "SELECT hash FROM log_events WHERE position = ?", arguments: [position]
      ).map { Hex.string(($0[0] as Data?) ?? Data()) }
    }
  }

  public func earliestOccurrence(after: Int64, through: Int64) throws(EventLogError) -> Int64? {
    try read { db in
      try Int64.fetchOne(
        db, sql: "SELECT min(occurred_us) FROM log_events WHERE position > ? AND position <= ?",
        arguments: [after, through])
    }
  }
}
