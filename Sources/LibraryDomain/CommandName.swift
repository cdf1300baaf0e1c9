/// The four commands a batch may hold, by their CSV spelling.
public enum CommandName: String, Sendable, CaseIterable {
  case addBook = "AddBook"
  case borrowBook = "BorrowBook"
  case returnBook = "ReturnBook"
  case removeBook = "RemoveBook"

  /// Parses the command column's bytes without making a String.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> CommandName? {
    for name in allCases where name.utf8Bytes.elementsEqual(bytes) {
      return name
    }
    return nil
  }

  /// The event an accepted command becomes.
  public var eventType: EventType {
    switch self {
    case .addBook: .bookAdded
    case .borrowBook: .bookBorrowed
    case .returnBook: .bookReturned
    case .removeBook: .bookRemoved
    }
  }

  private var utf8Bytes: String.UTF8View { rawValue.utf8 }
}
