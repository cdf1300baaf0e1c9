extension Schema {
  /// The anomaly index, a cache kept by `shelflog snapshot` beside the snapshots: the anomaly
  /// types each event raised in the replay of the whole log (a bit per type), for one
  /// `max_loans`, and how far it reaches: the log through `through_position`, events that
  /// occurred by `covered_us`. `explain` takes anomalies from it where no batch it did not see
  /// (or that the cut does not know) could have changed them, instead of folding every event
  /// that decides them.
  static let v6 = """
    CREATE TABLE anomaly_index (
      max_loans INTEGER NOT NULL,
      position INTEGER NOT NULL,
      types INTEGER NOT NULL,
      PRIMARY KEY (max_loans, position)
    ) WITHOUT ROWID;
    CREATE TABLE anomaly_index_state (
      max_loans INTEGER PRIMARY KEY,
      through_position INTEGER NOT NULL,
      covered_us INTEGER NOT NULL
    );
    """
}
