import GRDB

/// The log's schema as named migrations. A released migration is never edited: add a new one.
enum Schema {
  /// The last migration the read side depends on: the compact form.
  static var readable: String { compact }

  static func migrator() -> DatabaseMigrator {
    var migrator = DatabaseMigrator()
    // A new log is created in the compact form at once (v1 only ever runs on an empty
    // database); the later migrations that exist for text logs skip it.
    migrator.registerMigration("v1-events-and-batches") { db in
      try db.execute(sql: v7Tables + v7Views + v7Indexes)
    }
    migrator.registerMigration("v2-replay-order-index") { db in
      if try !isCompact(db) { try db.execute(sql: v2) }
    }
    migrator.registerMigration("v3-projection-snapshots") { db in
      try db.execute(sql: v3)
    }
    migrator.registerMigration("v4-command-keys-table") { db in
      try db.execute(sql: try isCompact(db) ? v4Table : v4Table + v4Move)
    }
    migrator.registerMigration("v5-explain-indexes") { db in
      if try !isCompact(db) { try db.execute(sql: v5) }
    }
    migrator.registerMigration("v6-anomaly-index") { db in
      try db.execute(sql: v6)
    }
    migrator.registerMigration(compact) { db in
      if try !isCompact(db) { try migrateToCompact(db) }
    }
    return migrator
  }

  /// Whether the log is stored in the compact form (`Schema+V7`).
  static func isCompact(_ db: Database) throws -> Bool {
    try db.tableExists("log_events")
  }

  // Until v7 a log was a text log: `v1-events-and-batches` created the tables `events`
  // (position, type, command_id, isbn, title, author, quantity, user_id, occurred_at,
  // recorded_at, batch, hash as text, with occurred_us, recorded_us and command_key, an FNV-1a
  // key of command_id, beside them; index events_by_command_key) and `batches` (sha256 as its
  // key, file_name, recorded_at, recorded_us, the three counts, first_position,
  // last_position), both behind append-only triggers; v2 to v6 below changed them. A new log
  // no longer starts that way (see `migrator()`); `migrateToCompact` moves an old one.

  /// Replay reads events in business-time order; this index lets it stream them without a
  /// sort. Events mostly arrive in time order, so its inserts are mostly appends.
  static let v2 = """
    CREATE INDEX events_by_occurrence ON events(occurred_us, position);
    """

  /// Projection snapshots, a cache that lets a point-in-time report replay only the tail of the
  /// log (see `SQLiteEventStore+Snapshots`), and each batch's earliest business time, which tells
  /// whether a batch landed before a snapshot's time (and so invalidates it for cuts that know
  /// the batch).
  static let v3 = """
    CREATE TABLE snapshots (
      id INTEGER PRIMARY KEY,
      through_position INTEGER NOT NULL,
      occurred_us INTEGER NOT NULL,
      max_loans INTEGER NOT NULL,
      events INTEGER NOT NULL,
      format INTEGER NOT NULL,
      state BLOB NOT NULL,
      sha256 TEXT NOT NULL
    );
    CREATE INDEX snapshots_by_time ON snapshots(max_loans, occurred_us);
    CREATE TABLE batch_extents (
      first_position INTEGER PRIMARY KEY,
      last_position INTEGER NOT NULL,
      min_occurred_us INTEGER NOT NULL
    );
    INSERT INTO batch_extents (first_position, last_position, min_occurred_us)
      SELECT first_position, last_position,
        (SELECT min(occurred_us) FROM events WHERE position BETWEEN first_position AND last_position)
      FROM batches WHERE first_position IS NOT NULL;
    """
}
