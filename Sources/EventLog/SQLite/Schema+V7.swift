import Foundation
import GRDB

/// The compact stored form (docs/log-format.md, "Stored form"). Events and batches move into
/// `log_events` and `log_batches`: times as integer microseconds, the batch as a number into
/// `log_batches`, its recorded time once per batch, hashes as 32 bytes, the type as a code
/// (`CompactForm`), the ISBN as a number, a UUID command id as 16 bytes. `events` and
/// `batches` become views with the text columns the SPEC names, rebuilt from that form.
extension Schema {
  static let compact = "v7-compact-log"

  /// A log the compact migration cannot move without changing it (a tampered text log).
  struct MigrationRefused: Error {
    let detail: String
  }

  /// A time's text (SPEC section 5) from integer microseconds: the seconds floor-divided (the
  /// fraction of a time before 1970 is still positive), six fraction digits only when not zero.
  static func timeText(_ microseconds: String) -> String {
    let fraction = "((\(microseconds) % 1000000) + 1000000) % 1000000"
    return """
      strftime('%Y-%m-%dT%H:%M:%S', (\(microseconds) - \(fraction)) / 1000000, 'unixepoch')
        || CASE WHEN \(fraction) = 0 THEN 'Z' ELSE printf('.%06dZ', \(fraction)) END
      """
  }

  /// The text of a stored command id: a 16-byte one is a UUID (`CompactForm.packCommandID`).
  private static let commandIDText = """
    CASE WHEN typeof(e.command_id) = 'blob' THEN lower(substr(hex(e.command_id), 1, 8) || '-'
        || substr(hex(e.command_id), 9, 4) || '-' || substr(hex(e.command_id), 13, 4) || '-'
        || substr(hex(e.command_id), 17, 4) || '-' || substr(hex(e.command_id), 21, 12))
      ELSE e.command_id END
    """

  /// The columns of the `events` view over `log_events AS e JOIN log_batches AS b`: the SPEC's
  /// text columns, then the numeric times.
  static let eventColumns = """
    e.position,
    CASE e.type WHEN 0 THEN 'BookBorrowed' WHEN 1 THEN 'BookReturned' WHEN 2 THEN 'BookAdded'
      WHEN 3 THEN 'BookRemoved' END AS type,
    \(commandIDText) AS command_id,
    printf('%013d', e.isbn) AS isbn, e.title, e.author, e.quantity, e.user_id,
    \(timeText("e.occurred_us")) AS occurred_at,
    \(timeText("b.recorded_us")) AS recorded_at,
    lower(hex(b.sha256)) AS batch, lower(hex(e.hash)) AS hash,
    e.occurred_us, b.recorded_us
    """

  /// The stored events joined to their batches (for `eventColumns`).
  static let eventSource = "log_events AS e JOIN log_batches AS b ON b.id = e.batch"

  static let v7Tables = """
    CREATE TABLE log_batches (
      id INTEGER PRIMARY KEY,
      sha256 BLOB NOT NULL UNIQUE,
      file_name TEXT NOT NULL,
      recorded_us INTEGER NOT NULL,
      rows_accepted INTEGER NOT NULL,
      rows_rejected INTEGER NOT NULL,
      rows_skipped INTEGER NOT NULL,
      first_position INTEGER,
      last_position INTEGER
    );
    CREATE TABLE log_events (
      position INTEGER PRIMARY KEY,
      type INTEGER NOT NULL,
      command_id NOT NULL,
      isbn INTEGER NOT NULL,
      title TEXT NOT NULL,
      author TEXT NOT NULL,
      quantity INTEGER,
      user_id TEXT NOT NULL,
      occurred_us INTEGER NOT NULL,
      batch INTEGER NOT NULL,
      hash BLOB NOT NULL
    );
    """

  static let v7Views = """
    CREATE VIEW events AS SELECT \(eventColumns) FROM \(eventSource);
    CREATE VIEW batches AS
      SELECT lower(hex(sha256)) AS sha256, file_name, \(timeText("recorded_us")) AS recorded_at,
        recorded_us, rows_accepted, rows_rejected, rows_skipped, first_position, last_position
      FROM log_batches;
    """

  /// The indexes on `log_events`: by business time (replay), by ISBN and by user (explain).
  static let eventIndexes: [(name: String, create: String)] = [
    ("events_by_occurrence", "CREATE INDEX events_by_occurrence ON log_events(occurred_us);"),
    ("events_by_isbn", "CREATE INDEX events_by_isbn ON log_events(isbn);"),
    (
      "events_by_user",
      "CREATE INDEX events_by_user ON log_events(user_id) WHERE user_id != '';"
    ),
  ]

  /// Indexes and the append-only triggers of the compact tables (the trigger names stay those
  /// of the text tables before them).
  static let v7Indexes =
    eventIndexes.map(\.create).joined(separator: "\n") + """

      CREATE TRIGGER events_append_only_update BEFORE UPDATE ON log_events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_append_only_delete BEFORE DELETE ON log_events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER batches_append_only_update BEFORE UPDATE ON log_batches
        BEGIN SELECT RAISE(ABORT, 'batches are append-only'); END;
      CREATE TRIGGER batches_append_only_delete BEFORE DELETE ON log_batches
        BEGIN SELECT RAISE(ABORT, 'batches are append-only'); END;
      """

  /// Moves a text log into the compact form in one transaction (the migrator's): copies every
  /// row, checks that the views give back exactly the text stored before (every column of
  /// every row: the chain's canonical bytes, and so every hash, are unchanged), and drops the
  /// text tables. Any difference aborts the migration and leaves the log as it was.
  static func migrateToCompact(_ db: Database) throws {
    db.add(function: unhex)
    db.add(function: packCommandID)
    try db.execute(
      sql: """
        ALTER TABLE events RENAME TO text_events;
        ALTER TABLE batches RENAME TO text_batches;
        \(v7Tables)
        INSERT INTO log_batches (sha256, file_name, recorded_us, rows_accepted, rows_rejected,
          rows_skipped, first_position, last_position)
          SELECT shelflog_unhex(sha256), file_name, recorded_us, rows_accepted, rows_rejected,
            rows_skipped, first_position, last_position
          FROM text_batches ORDER BY recorded_us, first_position IS NULL, first_position;
        INSERT INTO log_events (position, type, command_id, isbn, title, author, quantity,
          user_id, occurred_us, batch, hash)
          SELECT o.position,
            CASE o.type WHEN 'BookBorrowed' THEN 0 WHEN 'BookReturned' THEN 1
              WHEN 'BookAdded' THEN 2 WHEN 'BookRemoved' THEN 3 END,
            shelflog_pack_command_id(o.command_id), CAST(o.isbn AS INTEGER), o.title, o.author,
            o.quantity, o.user_id, o.occurred_us, b.id, shelflog_unhex(o.hash)
          FROM text_events AS o JOIN log_batches AS b ON b.sha256 = shelflog_unhex(o.batch)
          ORDER BY o.position;
        \(v7Views)
        """)
    let differing = try Int64.fetchOne(
      db,
      sql: """
        SELECT o.position FROM text_events AS o LEFT JOIN events AS n ON n.position = o.position
        WHERE n.position IS NULL OR o.type IS NOT n.type OR o.command_id IS NOT n.command_id
          OR o.isbn IS NOT n.isbn OR o.title IS NOT n.title OR o.author IS NOT n.author
          OR o.quantity IS NOT n.quantity OR o.user_id IS NOT n.user_id
          OR o.occurred_at IS NOT n.occurred_at OR o.recorded_at IS NOT n.recorded_at
          OR o.batch IS NOT n.batch OR o.hash IS NOT n.hash
          OR o.occurred_us IS NOT n.occurred_us OR o.recorded_us IS NOT n.recorded_us
        ORDER BY o.position LIMIT 1
        """)
    if let differing {
      throw MigrationRefused(
        detail: "cannot move the log to the compact form: event \(differing) is not stored as"
          + " shelflog writes it (run shelflog verify with the previous release)")
    }
    let batchesDiffer =
      try Bool.fetchOne(
        db,
        sql: """
          SELECT EXISTS (SELECT 1 FROM text_batches AS o LEFT JOIN batches AS n
            ON n.sha256 = o.sha256
            WHERE n.sha256 IS NULL OR o.file_name IS NOT n.file_name
              OR o.recorded_at IS NOT n.recorded_at OR o.recorded_us IS NOT n.recorded_us
              OR o.rows_accepted IS NOT n.rows_accepted OR o.rows_rejected IS NOT n.rows_rejected
              OR o.rows_skipped IS NOT n.rows_skipped OR o.first_position IS NOT n.first_position
              OR o.last_position IS NOT n.last_position)
            OR (SELECT count(*) FROM text_events) != (SELECT count(*) FROM log_events)
          """) ?? true
    if batchesDiffer {
      throw MigrationRefused(
        detail: "cannot move the log to the compact form: its batches table is not as shelflog"
          + " writes it (run shelflog verify with the previous release)")
    }
    try db.execute(
      sql: """
        DROP TABLE text_events;
        DROP TABLE text_batches;
        \(v7Indexes)
        """)
    db.remove(function: unhex)
    db.remove(function: packCommandID)
  }

  /// `shelflog_unhex(text)`: the bytes of lowercase hex (SQLite's own `unhex` came in 3.41).
  private static let unhex = DatabaseFunction("shelflog_unhex", argumentCount: 1, pure: true) {
    values in
    guard let text = String.fromDatabaseValue(values[0]), let bytes = Hex.bytes(text) else {
      return nil
    }
    return Data(bytes)
  }

  /// `shelflog_pack_command_id(text)`: the stored form of a command id.
  private static let packCommandID = DatabaseFunction(
    "shelflog_pack_command_id", argumentCount: 1, pure: true
  ) { values in
    guard let text = String.fromDatabaseValue(values[0]) else { return nil }
    var utf8 = Array(text.utf8)
    var packed = [UInt8](repeating: 0, count: CompactForm.packedCommandIDLength)
    let isUUID = utf8.withUnsafeMutableBytes { source in
      packed.withUnsafeMutableBytes {
        CompactForm.packCommandID(UnsafeRawBufferPointer(source), into: $0)
      }
    }
    return isUUID ? Data(packed) : text
  }
}
