/// What the fold hands out besides its state: anomalies as they are raised, and loans as they
/// close (a report of every loan would otherwise hold the whole history in memory).
public protocol ReplaySink {
  mutating func raised(_ anomaly: Anomaly)
  mutating func closed(_ loan: Loan)
  /// A loan closed, as the fold keeps it (the user id is read only when asked for). The
  /// default makes the `Loan` and forwards it to `closed(_:)`.
  mutating func closed(_ loan: ClosedLoan, userID: () -> String)
}

extension ReplaySink {
  public mutating func closed(_ loan: ClosedLoan, userID: () -> String) {
    closed(
      Loan(
        isbn: loan.isbn, userID: userID(), position: loan.position, borrowedAt: loan.borrowedAt,
        returnedAt: loan.returnedAt, counted: loan.counted))
  }
}

/// A loan as it closes, with the fold's dense indexes of its user and ISBN (see
/// `Library.userID(_:)` and `Library.isbn(_:)`) and `ordinal`, the user's count of loans opened
/// before it: a user's loans in ordinal order are in (borrowed_at, position) order.
public struct ClosedLoan: Sendable {
  public var isbn: ISBN
  public var user: Int32
  public var ordinal: Int32
  public var book: Int32
  public var position: Int64
  public var borrowedAt: Timestamp
  public var returnedAt: Timestamp
  public var counted: Bool
}
