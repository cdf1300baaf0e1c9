/// An event with the envelope the fold needs: where it stands in the log and when it happened.
public struct RecordedEvent: Sendable, Equatable {
  public var position: Int64
  public var occurredAt: Timestamp
  /// Empty when the command had no id.
  public var commandID: String
  public var event: LibraryEvent

  public init(position: Int64, occurredAt: Timestamp, commandID: String, event: LibraryEvent) {
    self.position = position
    self.occurredAt = occurredAt
    self.commandID = commandID
    self.event = event
  }
}

/// One event as the fold reads it (`Library.apply(row:sink:)`): no String per event but a
/// BookAdded's title and author. The bytes of `userID` and `commandID` are valid only during the
/// call that receives the row; do not keep them.
public struct EventRow {
  public var position: Int64
  public var occurredAt: Timestamp
  public var type: EventType
  public var isbn: ISBN
  /// BookAdded only (0 otherwise).
  public var quantity: Int
  /// BookAdded only ("" otherwise).
  public var title: String
  /// BookAdded only ("" otherwise).
  public var author: String
  /// BookBorrowed and BookReturned only (empty otherwise).
  public var userID: UnsafeBufferPointer<UInt8>
  /// Empty when the command had no id.
  public var commandID: UnsafeBufferPointer<UInt8>

  public init(
    position: Int64, occurredAt: Timestamp, type: EventType, isbn: ISBN, quantity: Int,
    title: String, author: String, userID: UnsafeBufferPointer<UInt8>,
    commandID: UnsafeBufferPointer<UInt8>
  ) {
    self.position = position
    self.occurredAt = occurredAt
    self.type = type
    self.isbn = isbn
    self.quantity = quantity
    self.title = title
    self.author = author
    self.userID = userID
    self.commandID = commandID
  }

  /// The row as a self-contained event (Strings copied out).
  public var recorded: RecordedEvent {
    let event: LibraryEvent
    switch type {
    case .bookAdded:
      event = .bookAdded(BookAdded(isbn: isbn, title: title, author: author, quantity: quantity))
    case .bookBorrowed:
      event = .bookBorrowed(
        BookBorrowed(isbn: isbn, userID: String(decoding: userID, as: UTF8.self)))
    case .bookReturned:
      event = .bookReturned(
        BookReturned(isbn: isbn, userID: String(decoding: userID, as: UTF8.self)))
    case .bookRemoved:
      event = .bookRemoved(BookRemoved(isbn: isbn))
    }
    return RecordedEvent(
      position: position, occurredAt: occurredAt,
      commandID: String(decoding: commandID, as: UTF8.self), event: event)
  }
}
