import Foundation
import GRDB

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

  /// Reads the tables of the log at `path` (empty lists when there is no model).
  public static func read(_ path: String) throws -> ModelTables {
    var config = Configuration()
    config.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: config)
    return try queue.read { db in
      guard try db.tableExists("current_books"), try db.tableExists("model_checkpoint") else {
        return ModelTables(books: [], loans: [], users: [], anomalies: [], checkpoint: nil)
      }
      let tables = try queries.map { sql in
        try Row.fetchAll(db, sql: sql).map { row in
          row.databaseValues.map { value in
            switch value.storage {
            case .int64(let number): String(number)
            case .string(let text): text
            case .null: "NULL"
            default: value.description
            }
          }.joined(separator: "|")
        }
      }
      let checkpoint = try Row.fetchOne(
        db, sql: "SELECT position, hash FROM model_checkpoint WHERE id = 1"
      ).map { "\($0[0] as Int64)|\($0[1] as String)" }
      return ModelTables(
        books: tables[0], loans: tables[1], users: tables[2], anomalies: tables[3],
        checkpoint: checkpoint)
    }
  }

  public var description: String {
    "books \(books)\nloans \(loans)\nusers \(users)\nanomalies \(anomalies)\ncheckpoint"
      + " \(checkpoint ?? "none")"
  }
}
