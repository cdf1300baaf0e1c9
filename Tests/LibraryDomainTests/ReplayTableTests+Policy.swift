import LibraryDomain
import Testing

// The policy passed in decides when loan_limit_exceeded fires; and the seed example.
extension ReplayTableTests {
  /// u1 borrows three copies of two books.
  static func threeBorrows(maxLoans: Int, anomalies: [ExpectedAnomaly]) -> ReplayCase {
    ReplayCase(
      name: "max_loans \(maxLoans): three borrows by one user",
      policy: ReplayPolicy(loanDays: 21, maxLoans: maxLoans),
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 5),
        add(.bookB, "Emma", "Jane Austen", 5),
        borrow(.bookA, "u1"),
        borrow(.bookB, "u1"),
        borrow(.bookA, "u1"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 2, available: 3),
        book(.bookB, "Emma", "Jane Austen", total: 5, onLoan: 1, available: 4),
      ],
      openCounts: ["u1": 3], openLoans: [3, 4, 5], anomalies: anomalies)
  }

  static let policyCases: [ReplayCase] = [
    threeBorrows(
      maxLoans: 1,
      anomalies: [
        anomaly(.loanLimitExceeded, at: 4, .bookB, user: "u1"),
        anomaly(.loanLimitExceeded, at: 5, .bookA, user: "u1"),
      ]),
    threeBorrows(maxLoans: 2, anomalies: [anomaly(.loanLimitExceeded, at: 5, .bookA, user: "u1")]),
    threeBorrows(maxLoans: 3, anomalies: []),
    ReplayCase(
      name: "max_loans 1: another user's loans do not count",
      policy: ReplayPolicy(loanDays: 21, maxLoans: 1),
      steps: [add(.bookA, "Dune", "Frank Herbert", 5), borrow(.bookA, "u1"), borrow(.bookA, "u2")],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 2, available: 3)],
      openCounts: ["u1": 1, "u2": 1], openLoans: [2, 3]),
  ]

  static let seedCases: [ReplayCase] = [
    ReplayCase(
      name: "the seed example",
      steps: [
        add(.elixirInAction, "Elixir in Action", "Sasa Juric", 10),
        add(.programmingElixir, "Programming Elixir 1.6", "Dave Thomas", 5),
        borrow(.elixirInAction, "user123"),
        remove(.programmingElixir),
      ],
      books: [
        book(.elixirInAction, "Elixir in Action", "Sasa Juric", total: 10, onLoan: 1, available: 9),
        book(
          .programmingElixir, "Programming Elixir 1.6", "Dave Thomas", total: 5, onLoan: 0,
          available: 5, .removed),
      ],
      openCounts: ["user123": 1], openLoans: [3])
  ]
}
