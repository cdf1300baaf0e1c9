import LibraryDomain
import ShelflogTestSupport
import Testing

/// The policy passed into the fold: the defaults of docs/reports.md and the overdue rule.
@Suite("Replay policy")
struct ReplayPolicyTests {
  @Test("the defaults are 21 loan days and 5 loans per user")
  func defaults() {
    #expect(ReplayPolicy.standard == ReplayPolicy(loanDays: 21, maxLoans: 5))
    #expect(Library().policy == .standard)
    #expect(ReplayPolicy.standard.loanMicroseconds == 21 * ReplayClock.day)
  }

  @Test(
    "loan_limit_exceeded fires once the user already has max_loans open loans",
    arguments: [
      (1, [3, 4, 5, 6] as [Int64]), (2, [4, 5, 6]), (3, [5, 6]), (4, [6]), (5, []), (6, []),
    ])
  func loanLimit(maxLoans: Int, limitPositions: [Int64]) {
    let steps =
      [add(.bookA, "Dune", "Frank Herbert", 100)] + Array(repeating: borrow(.bookA, "u1"), count: 5)
    let (library, sink) = fold(
      recorded(steps), policy: ReplayPolicy(loanDays: 21, maxLoans: maxLoans))
    #expect(sink.anomalies.map(\.type).allSatisfy { $0 == .loanLimitExceeded })
    #expect(sink.anomalies.map(\.position) == limitPositions)
    #expect(library.openLoanCounts["u1"] == 5)
  }

  /// Borrowed at position 2, so at `ReplayClock.time(of: 2)`.
  static func openLoan(loanDays: Int) throws -> (Loan, ReplayPolicy) {
    let policy = ReplayPolicy(loanDays: loanDays, maxLoans: 5)
    let (library, _) = fold(
      recorded([add(.bookA, "Dune", "Frank Herbert", 1), borrow(.bookA, "u1")]), policy: policy)
    let loans = try #require(library.openLoans.values.first)
    return (try #require(loans.first), policy)
  }

  @Test(
    "a loan is overdue when borrowed_at + loan_days < T, strictly",
    arguments: [
      (21, -1 as Int64, false), (21, 0, false), (21, 1, true), (21, 10 * ReplayClock.day, true),
      (1, 0, false), (1, 1, true), (0, 0, false), (0, 1, true), (0, -1, false),
    ])
  func overdue(loanDays: Int, afterBoundary: Int64, expected: Bool) throws {
    let (loan, policy) = try Self.openLoan(loanDays: loanDays)
    let boundary = loan.borrowedAt.microseconds + Int64(loanDays) * ReplayClock.day
    let at = Timestamp(microseconds: boundary + afterBoundary)
    #expect(loan.isOverdue(at: at, policy: policy) == expected)
  }

  @Test("a loan is not overdue before it is due, even long after with a longer policy")
  func overdueDependsOnPolicy() throws {
    let (loan, _) = try Self.openLoan(loanDays: 21)
    let at = Timestamp(microseconds: loan.borrowedAt.microseconds + 22 * ReplayClock.day)
    #expect(loan.isOverdue(at: at, policy: ReplayPolicy(loanDays: 21, maxLoans: 5)))
    #expect(!loan.isOverdue(at: at, policy: ReplayPolicy(loanDays: 22, maxLoans: 5)))
    #expect(!loan.isOverdue(at: at, policy: ReplayPolicy(loanDays: 30, maxLoans: 5)))
  }

  @Test("a returned loan is never overdue")
  func returnedNeverOverdue() throws {
    let policy = ReplayPolicy(loanDays: 1, maxLoans: 5)
    let (_, sink) = fold(
      recorded([
        add(.bookA, "Dune", "Frank Herbert", 1), borrow(.bookA, "u1"), giveBack(.bookA, "u1"),
      ]),
      policy: policy)
    let loan = try #require(sink.closedLoans.first)
    for days: Int64 in [0, 1, 2, 365, 36_500] {
      let at = Timestamp(microseconds: loan.borrowedAt.microseconds + days * ReplayClock.day + 1)
      #expect(!loan.isOverdue(at: at, policy: policy))
    }
  }

  @Test("an open loan of an unknown book can be overdue too")
  func unknownBookLoanOverdue() throws {
    let policy = ReplayPolicy(loanDays: 21, maxLoans: 5)
    let (library, _) = fold(recorded([borrow(.bookC, "u1")]), policy: policy)
    let loan = try #require(library.openLoans.values.first?.first)
    #expect(!loan.counted)
    let due = loan.borrowedAt.microseconds + 21 * ReplayClock.day
    #expect(!loan.isOverdue(at: Timestamp(microseconds: due), policy: policy))
    #expect(loan.isOverdue(at: Timestamp(microseconds: due + 1), policy: policy))
  }
}
