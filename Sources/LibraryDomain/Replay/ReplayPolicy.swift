/// The library's lending rules, passed into the fold (never read from a global).
public struct ReplayPolicy: Sendable, Equatable {
  /// A loan is overdue when open and `borrowed_at + loanDays < T`.
  public var loanDays: Int
  /// A user's open loans (of any book) before `loan_limit_exceeded`.
  public var maxLoans: Int

  public static let standard = ReplayPolicy(loanDays: 21, maxLoans: 5)

  public init(loanDays: Int, maxLoans: Int) {
    self.loanDays = loanDays
    self.maxLoans = maxLoans
  }

  /// The loan period in microseconds.
  @inlinable public var loanMicroseconds: Int64 { Int64(loanDays) * 86_400 * 1_000_000 }

  /// docs/reports.md: an open loan borrowed at `borrowedAt` (microseconds) is overdue at `at`
  /// when `borrowed_at + loan_days < T`. The one place this rule is written.
  @inlinable
  public func isOverdue(borrowedAt: Int64, at: Timestamp) -> Bool {
    borrowedAt + loanMicroseconds < at.microseconds
  }
}
