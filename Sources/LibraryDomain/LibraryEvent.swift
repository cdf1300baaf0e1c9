/// The stored name of an event type, written out by hand so that renaming a Swift case never
/// changes the log.
public enum EventType: String, Sendable, CaseIterable {
  case bookAdded = "BookAdded"
  case bookBorrowed = "BookBorrowed"
  case bookReturned = "BookReturned"
  case bookRemoved = "BookRemoved"
}

/// Copies of a title entered the catalogue.
public struct BookAdded: Sendable, Equatable {
  public let isbn: ISBN
  public let title: String
  public let author: String
  public let quantity: Int

  public init(isbn: ISBN, title: String, author: String, quantity: Int) {
    self.isbn = isbn
    self.title = title
    self.author = author
    self.quantity = quantity
  }
}

/// A user took a copy of a book.
public struct BookBorrowed: Sendable, Equatable {
  public let isbn: ISBN
  public let userID: String

  public init(isbn: ISBN, userID: String) {
    self.isbn = isbn
    self.userID = userID
  }
}

/// A user brought a copy back.
public struct BookReturned: Sendable, Equatable {
  public let isbn: ISBN
  public let userID: String

  public init(isbn: ISBN, userID: String) {
    self.isbn = isbn
    self.userID = userID
  }
}

/// A title left the catalogue.
public struct BookRemoved: Sendable, Equatable {
  public let isbn: ISBN

  public init(isbn: ISBN) {
    self.isbn = isbn
  }
}

/// One fact of the library's history; a `switch` over it is exhaustive.
public enum LibraryEvent: Sendable, Equatable {
  case bookAdded(BookAdded)
  case bookBorrowed(BookBorrowed)
  case bookReturned(BookReturned)
  case bookRemoved(BookRemoved)

  /// The stored type name.
  public var type: EventType {
    switch self {
    case .bookAdded: .bookAdded
    case .bookBorrowed: .bookBorrowed
    case .bookReturned: .bookReturned
    case .bookRemoved: .bookRemoved
    }
  }

  /// The ISBN every event concerns.
  public var isbn: ISBN {
    switch self {
    case .bookAdded(let event): event.isbn
    case .bookBorrowed(let event): event.isbn
    case .bookReturned(let event): event.isbn
    case .bookRemoved(let event): event.isbn
    }
  }

  /// The user, for borrows and returns.
  public var userID: String? {
    switch self {
    case .bookBorrowed(let event): event.userID
    case .bookReturned(let event): event.userID
    case .bookAdded, .bookRemoved: nil
    }
  }
}
