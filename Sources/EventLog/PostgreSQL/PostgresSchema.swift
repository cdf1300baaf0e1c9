/// The schema of a PostgreSQL log (docs/postgresql.md): the compact stored form of the SQLite
/// log's `log_events` and `log_batches` (`CompactForm`: integer microseconds, type codes, the
/// ISBN as a number, hashes as bytes), one head row that serialises appenders, snapshots, and
/// the views `events` and `batches` with the SPEC's text columns.
enum PostgresSchema {
  /// The schema version this shelflog writes and reads; a log with a higher one is refused.
  static let version = 1

  /// A time's text (SPEC section 5) from integer microseconds, as `Timestamp.description`
  /// writes it: the seconds floor-divided, six fraction digits only when not zero.
  static func timeText(_ microseconds: String) -> String {
    let fraction = "(((\(microseconds)) % 1000000 + 1000000) % 1000000)"
    return """
      (to_char(timestamp '1970-01-01' + ((((\(microseconds)) - \(fraction)) / 1000000) \
      * interval '1 second'), 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN \(fraction) = 0 THEN 'Z' ELSE '.' || lpad(\(fraction)::text, 6, '0') || 'Z' END)
      """
  }

  /// Statements that create version 1, in order, in one transaction.
  static let create: [String] =
    [
      "CREATE TABLE shelflog_schema (version integer NOT NULL)",
      "INSERT INTO shelflog_schema VALUES (\(version))",
      """
      CREATE TABLE log_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position bigint NOT NULL,
        hash bytea NOT NULL,
        recorded_us bigint,
        batches bigint NOT NULL
      )
      """,
      "INSERT INTO log_head VALUES (true, 0, decode(repeat('00', 32), 'hex'), NULL, 0)",
      """
      CREATE TABLE log_batches (
        id bigint PRIMARY KEY,
        sha256 bytea NOT NULL UNIQUE,
        file_name text NOT NULL,
        recorded_us bigint NOT NULL,
        rows_accepted bigint NOT NULL,
        rows_rejected bigint NOT NULL,
        rows_skipped bigint NOT NULL,
        first_position bigint,
        last_position bigint,
        min_occurred_us bigint
      )
      """,
      """
      CREATE TABLE log_events (
        position bigint PRIMARY KEY,
        type smallint NOT NULL,
        command_id text NOT NULL,
        command_key bigint,
        isbn bigint NOT NULL,
        title text NOT NULL,
        author text NOT NULL,
        quantity bigint,
        user_id text NOT NULL,
        occurred_us bigint NOT NULL,
        batch bigint NOT NULL,
        hash bytea NOT NULL
      )
      """,
    ] + eventIndexes.map(\.create) + [
      """
      CREATE TABLE snapshots (
        id bigserial PRIMARY KEY,
        through_position bigint NOT NULL,
        occurred_us bigint NOT NULL,
        max_loans integer NOT NULL,
        events bigint NOT NULL,
        format integer NOT NULL,
        state bytea NOT NULL,
        sha256 text NOT NULL
      )
      """,
      """
      CREATE FUNCTION shelflog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% are append-only', TG_ARGV[0];
      END
      $$
      """,
      """
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON log_events
        FOR EACH ROW EXECUTE FUNCTION shelflog_append_only('events')
      """,
      """
      CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON log_events
        FOR EACH STATEMENT EXECUTE FUNCTION shelflog_append_only('events')
      """,
      """
      CREATE TRIGGER batches_append_only BEFORE UPDATE OR DELETE ON log_batches
        FOR EACH ROW EXECUTE FUNCTION shelflog_append_only('batches')
      """,
      """
      CREATE TRIGGER batches_append_only_truncate BEFORE TRUNCATE ON log_batches
        FOR EACH STATEMENT EXECUTE FUNCTION shelflog_append_only('batches')
      """,
      """
      CREATE VIEW events AS
      SELECT e.position,
        CASE e.type WHEN 0 THEN 'BookBorrowed' WHEN 1 THEN 'BookReturned' WHEN 2 THEN 'BookAdded'
          WHEN 3 THEN 'BookRemoved' END AS type,
        e.command_id, lpad(e.isbn::text, 13, '0') AS isbn, e.title, e.author, e.quantity,
        e.user_id, \(timeText("e.occurred_us")) AS occurred_at,
        \(timeText("b.recorded_us")) AS recorded_at,
        encode(b.sha256, 'hex') AS batch, encode(e.hash, 'hex') AS hash,
        e.occurred_us, b.recorded_us
      FROM log_events AS e JOIN log_batches AS b ON b.id = e.batch
      """,
      """
      CREATE VIEW batches AS
      SELECT encode(sha256, 'hex') AS sha256, file_name,
        \(timeText("recorded_us")) AS recorded_at, recorded_us, rows_accepted, rows_rejected,
        rows_skipped, first_position, last_position
      FROM log_batches
      """,
    ]

  /// The secondary indexes of `log_events`: replay order, explain's ISBN and user, and the
  /// duplicate check's command key. An import into an empty log drops them and builds each
  /// once at its end (`PostgresBatchWriter`).
  static let eventIndexes: [(name: String, create: String)] = [
    (
      "events_by_occurrence",
      "CREATE INDEX events_by_occurrence ON log_events (occurred_us, position)"
    ),
    ("events_by_isbn", "CREATE INDEX events_by_isbn ON log_events (isbn)"),
    ("events_by_user", "CREATE INDEX events_by_user ON log_events (user_id) WHERE user_id <> ''"),
    (
      "events_by_command",
      "CREATE INDEX events_by_command ON log_events (command_key) WHERE command_key IS NOT NULL"
    ),
  ]

  /// What a replay reads of each event, in `PostgresEventStore.decodeEvent`'s order: the
  /// position and the occurrence time (the page key), then the rest packed by the server into
  /// one `bytea` (`PackedReplayRow`): the client then reads three cells a row instead of nine,
  /// PostgresNIO's cost per cell being most of a replay's (docs/performance.md), and packing
  /// costs the server nothing measurable.
  static let replayColumns =
    "e.position, e.occurred_us, int2send(e.type) || int8send(e.isbn)"
    + " || int8send(coalesce(e.quantity, 0)) || textsend(e.command_id) || '\\x00'::bytea"
    + " || textsend(e.title) || '\\x00'::bytea || textsend(e.author) || '\\x00'::bytea"
    + " || textsend(e.user_id)"
}
