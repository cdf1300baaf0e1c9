extension Schema {
  /// `explain` reads one ISBN's or a few users' events: these indexes find them without a scan
  /// of the log, in replay order. Events of a batch arrive in file order, so their keys land
  /// all over each index: that is the import's price for them (BENCHMARKS.md).
  static let v5 = """
    CREATE INDEX events_by_isbn ON events(isbn, occurred_us, position);
    CREATE INDEX events_by_user ON events(user_id, occurred_us, position) WHERE user_id != '';
    """
}
