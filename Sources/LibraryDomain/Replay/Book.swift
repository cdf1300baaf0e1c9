/// Whether a catalogued title can be lent.
public enum BookStatus: String, Sendable {
  case active
  case removed
}

/// The state of one ISBN: copies owned and lent, and its catalogue entry.
public struct Book: Sendable, Equatable {
  public var isbn: ISBN
  public var title: String
  public var author: String
  public var total: Int
  /// Loans counted against this book when they opened and not yet returned.
  public var onLoan: Int
  public var status: BookStatus

  public init(
    isbn: ISBN, title: String, author: String, total: Int, onLoan: Int, status: BookStatus
  ) {
    self.isbn = isbn
    self.title = title
    self.author = author
    self.total = total
    self.onLoan = onLoan
    self.status = status
  }

  /// May go negative: that is itself evidence.
  public var available: Int { total - onLoan }
}

/// One loan, open or returned.
public struct Loan: Sendable, Equatable {
  public var isbn: ISBN
  public var userID: String
  /// The position of the borrow event: loans of one time are ordered by it.
  public var position: Int64
  public var borrowedAt: Timestamp
  public var returnedAt: Timestamp?
  /// Whether the loan was counted in the book's `on_loan` when it opened (false for a loan of an
  /// unknown or removed book).
  public var counted: Bool

  public init(
    isbn: ISBN, userID: String, position: Int64, borrowedAt: Timestamp, returnedAt: Timestamp?,
    counted: Bool
  ) {
    self.isbn = isbn
    self.userID = userID
    self.position = position
    self.borrowedAt = borrowedAt
    self.returnedAt = returnedAt
    self.counted = counted
  }

  /// Open at `at` and overdue by the policy's rule.
  public func isOverdue(at: Timestamp, policy: ReplayPolicy) -> Bool {
    returnedAt == nil && policy.isOverdue(borrowedAt: borrowedAt.microseconds, at: at)
  }
}
