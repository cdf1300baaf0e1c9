import GRDB

/// One row of the `events` table, exactly as stored (text times, hash and all).
public struct StoredEvent: Sendable, Equatable {
  public var position: Int64
  public var type: String
  public var commandID: String
  public var isbn: String
  public var title: String
  public var author: String
  public var quantity: Int64?
  public var userID: String
  public var occurredAt: String
  public var recordedAt: String
  public var batch: String
  public var hash: String
  public var occurredMicroseconds: Int64
  public var recordedMicroseconds: Int64
  public var commandKey: Int64?

  /// The columns `init(row:)` reads, in its order.
  static let columns = """
    position, type, command_id, isbn, title, author, quantity, user_id, occurred_at, \
    recorded_at, batch, hash, occurred_us, recorded_us, command_key
    """

  /// Reads a row selected with `columns`, by index (Codable is three times slower here).
  init(row: Row) {
    position = row[0]
    type = row[1]
    commandID = row[2]
    isbn = row[3]
    title = row[4]
    author = row[5]
    quantity = row[6]
    userID = row[7]
    occurredAt = row[8]
    recordedAt = row[9]
    batch = row[10]
    hash = row[11]
    occurredMicroseconds = row[12]
    recordedMicroseconds = row[13]
    commandKey = row[14]
  }
}
