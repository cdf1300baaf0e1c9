import LibraryDomain

/// One event exactly as stored: the docs/log-format.md columns (text times, hash and all) and the
/// numeric times beside them.
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

  public init(
    position: Int64, type: String, commandID: String, isbn: String, title: String,
    author: String, quantity: Int64?, userID: String, occurredAt: String, recordedAt: String,
    batch: String, hash: String, occurredMicroseconds: Int64, recordedMicroseconds: Int64
  ) {
    self.position = position
    self.type = type
    self.commandID = commandID
    self.isbn = isbn
    self.title = title
    self.author = author
    self.quantity = quantity
    self.userID = userID
    self.occurredAt = occurredAt
    self.recordedAt = recordedAt
    self.batch = batch
    self.hash = hash
    self.occurredMicroseconds = occurredMicroseconds
    self.recordedMicroseconds = recordedMicroseconds
  }
}

/// One batch as the batches table records it.
public struct StoredBatch: Sendable, Equatable {
  public var sha256: String
  public var fileName: String
  public var recordedAt: String
  public var recordedMicroseconds: Int64
  public var accepted: Int64
  public var rejected: Int64
  public var skipped: Int64
  public var firstPosition: Int64?
  public var lastPosition: Int64?

  public init(
    sha256: String, fileName: String, recordedAt: String, recordedMicroseconds: Int64,
    accepted: Int64, rejected: Int64, skipped: Int64, firstPosition: Int64?, lastPosition: Int64?
  ) {
    self.sha256 = sha256
    self.fileName = fileName
    self.recordedAt = recordedAt
    self.recordedMicroseconds = recordedMicroseconds
    self.accepted = accepted
    self.rejected = rejected
    self.skipped = skipped
    self.firstPosition = firstPosition
    self.lastPosition = lastPosition
  }
}

/// Which events `shelflog log` lists.
public struct EventFilter: Sendable {
  public var isbn: ISBN?
  public var userID: String?
  /// Inclusive bounds on `occurred_at`.
  public var since: Timestamp?
  public var until: Timestamp?
  /// Bounds on `position`: after (exclusive) and through (inclusive).
  public var after: Int64?
  public var through: Int64?

  public init(
    isbn: ISBN? = nil, userID: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil,
    after: Int64? = nil, through: Int64? = nil
  ) {
    self.isbn = isbn
    self.userID = userID
    self.since = since
    self.until = until
    self.after = after
    self.through = through
  }
}
