extension Schema {
  /// The idempotency index moves out of `events` into its own table, which an import fills in
  /// sorted key order, one bounded chunk at a time: an index on `events(command_key)` is kept up
  /// row by row in file order, that is in random key order, which cost about a third of a 1M-row
  /// import. A key is the 64-bit FNV-1a of a command id; different ids may share one (a
  /// collision), so the key is not unique on its own, and a lookup compares the ids of the events
  /// at the listed positions. Existing logs get one row per event that has a command id
  /// (`v4Move`).
  static let v4Table = """
    CREATE TABLE command_keys (
      key INTEGER NOT NULL,
      position INTEGER NOT NULL,
      PRIMARY KEY (key, position)
    ) WITHOUT ROWID;
    CREATE TRIGGER command_keys_append_only_update BEFORE UPDATE ON command_keys
      BEGIN SELECT RAISE(ABORT, 'command keys are append-only'); END;
    CREATE TRIGGER command_keys_append_only_delete BEFORE DELETE ON command_keys
      BEGIN SELECT RAISE(ABORT, 'command keys are append-only'); END;
    """

  /// The keys of a text log's events move from its index to the table.
  static let v4Move = """
    INSERT INTO command_keys (key, position)
      SELECT command_key, position FROM events WHERE command_key IS NOT NULL
      ORDER BY command_key, position;
    DROP INDEX events_by_command_key;
    """
}
