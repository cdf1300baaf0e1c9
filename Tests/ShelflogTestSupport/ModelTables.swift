import Foundation

/// The current-state model's tables of a SQLite log, each row as one `|`-joined line in a fixed
/// order: what the model tests compare.
public struct ModelTables: Equatable, CustomStringConvertible {
  public var books: [String]
  public var loans: [String]
  public var users: [String]
  public var anomalies: [String]
  /// (position, hash) of the checkpoint, nil without one.
  public var checkpoint: String?

  public init(
    books: [String], loans: [String], users: [String], anomalies: [String], checkpoint: String?
  ) {
    self.books = books
    self.loans = loans
    self.users = users
    self.anomalies = anomalies
    self.checkpoint = checkpoint
  }

  /// The queries, also run by the end-to-end tests through `sqlite3`.
  public static let queries = [
    "SELECT isbn, title, author, total, on_loan, available, status FROM current_books"
      + " ORDER BY isbn",
    "SELECT position, isbn, user_id, borrowed_us, due_us, counted FROM current_loans"
      + " ORDER BY position",
    "SELECT user_id, open_loans, at_limit FROM current_users ORDER BY user_id",
    "SELECT occurred_us, position, type, coalesce(command_id, '-'), isbn,"
      + " coalesce(user_id, '-'), detail FROM current_anomalies ORDER BY occurred_us, position, seq",
  ]

  /// Reads the tables of a SQLite log (empty lists when there is no model).
  public static func read(_ path: String) throws -> ModelTables {
    try read(
      exists: { "(SELECT count(*) FROM sqlite_master WHERE name = '\($0)') > 0" },
      { try TestLog.query($0, sqlite: path) })
  }

  /// Reads the tables of a test log, on either backend.
  public static func read(_ log: TestLog) throws -> ModelTables {
    guard log.backend == .postgres else { return try read(log.path) }
    return try read(exists: { "to_regclass('\($0)') IS NOT NULL" }, log.query)
  }

  /// `exists` makes the SQL that is true when a table exists.
  private static func read(
    exists: (String) -> String, _ query: (String) throws -> [String]
  ) throws -> ModelTables {
    let present = try query(
      """
      SELECT count(*) FROM (SELECT 1 AS x) AS one
      WHERE \(exists("current_books")) AND \(exists("model_checkpoint"))
      """)
    guard present == ["1"] else {
      return ModelTables(books: [], loans: [], users: [], anomalies: [], checkpoint: nil)
    }
    let tables = try queries.map(query)
    let checkpoint = try query("SELECT position, hash FROM model_checkpoint WHERE id = 1").first
    return ModelTables(
      books: tables[0], loans: tables[1], users: tables[2], anomalies: tables[3],
      checkpoint: checkpoint)
  }

  public var description: String {
    "books \(books)\nloans \(loans)\nusers \(users)\nanomalies \(anomalies)\ncheckpoint"
      + " \(checkpoint ?? "none")"
  }
}
