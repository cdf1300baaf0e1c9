/// The kinds of surprising fact the fold reports, spelled as in the reports.
public enum AnomalyType: String, Sendable, CaseIterable, Comparable {
  case catalogConflict = "catalog_conflict"
  case overBorrow = "over_borrow"
  case loanLimitExceeded = "loan_limit_exceeded"
  case unknownBook = "unknown_book"
  case returnWithoutLoan = "return_without_loan"
  case removedWhileOnLoan = "removed_while_on_loan"

  public static func < (lhs: AnomalyType, rhs: AnomalyType) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

/// An event that the library's rules say should not have happened: evidence, not an error.
public struct Anomaly: Sendable, Equatable {
  public var type: AnomalyType
  public var occurredAt: Timestamp
  public var position: Int64
  /// nil when the event had no command id.
  public var commandID: String?
  public var isbn: ISBN
  /// nil for events without a user.
  public var userID: String?
  /// Text for people, not for scripts.
  public var detail: String

  public init(
    type: AnomalyType, occurredAt: Timestamp, position: Int64, commandID: String?, isbn: ISBN,
    userID: String?, detail: String
  ) {
    self.type = type
    self.occurredAt = occurredAt
    self.position = position
    self.commandID = commandID
    self.isbn = isbn
    self.userID = userID
    self.detail = detail
  }
}
