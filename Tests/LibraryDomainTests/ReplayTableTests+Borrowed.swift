import LibraryDomain
import Testing

// BookBorrowed rows: a loan always opens; inventory and checks only for an active ISBN.
extension ReplayTableTests {
  static let borrowedCases: [ReplayCase] = [
    ReplayCase(
      name: "BookBorrowed of an active ISBN opens a loan and raises on_loan",
      steps: [add(.bookA, "Dune", "Frank Herbert", 2), borrow(.bookA, "u1")],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 2, onLoan: 1, available: 1)],
      openCounts: ["u1": 1], openLoans: [2]),
    ReplayCase(
      name: "BookBorrowed of the last copy (available 1 before) is no over_borrow",
      steps: [add(.bookA, "Dune", "Frank Herbert", 1), borrow(.bookA, "u1")],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 1, available: 0)],
      openCounts: ["u1": 1], openLoans: [2]),
    ReplayCase(
      name: "BookBorrowed with available 0 before: over_borrow",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u2").id("borrow-3"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 2, available: -1)],
      openCounts: ["u1": 1, "u2": 1], openLoans: [2, 3],
      anomalies: [anomaly(.overBorrow, at: 3, .bookA, user: "u2", command: "borrow-3")]),
    ReplayCase(
      name: "BookBorrowed with available already negative: over_borrow again",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u2"),
        borrow(.bookA, "u3"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 3, available: -2)],
      openCounts: ["u1": 1, "u2": 1, "u3": 1], openLoans: [2, 3, 4],
      anomalies: [
        anomaly(.overBorrow, at: 3, .bookA, user: "u2"),
        anomaly(.overBorrow, at: 4, .bookA, user: "u3"),
      ]),
    ReplayCase(
      name: "BookBorrowed by a user with max_loans (5) open loans of several books",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 10),
        add(.bookB, "Emma", "Jane Austen", 10),
        borrow(.bookA, "u1"),
        borrow(.bookB, "u1"),
        borrow(.bookA, "u1"),
        borrow(.bookB, "u1"),
        borrow(.bookA, "u2"),
        borrow(.bookA, "u1"),
        borrow(.bookB, "u1").id("sixth"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 10, onLoan: 4, available: 6),
        book(.bookB, "Emma", "Jane Austen", total: 10, onLoan: 3, available: 7),
      ],
      openCounts: ["u1": 6, "u2": 1], openLoans: [3, 4, 5, 6, 7, 8, 9],
      anomalies: [anomaly(.loanLimitExceeded, at: 9, .bookB, user: "u1", command: "sixth")]),
    ReplayCase(
      name: "BookBorrowed: open loans of unknown books count toward max_loans",
      policy: ReplayPolicy(loanDays: 21, maxLoans: 2),
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 5),
        borrow(.bookC, "u1"),
        borrow(.bookC, "u1"),
        borrow(.bookA, "u1"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 1, available: 4)],
      openCounts: ["u1": 3], openLoans: [2, 3, 4],
      anomalies: [
        anomaly(.unknownBook, at: 2, .bookC, user: "u1"),
        anomaly(.unknownBook, at: 3, .bookC, user: "u1"),
        anomaly(.loanLimitExceeded, at: 4, .bookA, user: "u1"),
      ]),
    ReplayCase(
      name: "BookBorrowed: a return frees a slot under max_loans",
      policy: ReplayPolicy(loanDays: 21, maxLoans: 2),
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 5),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u1"),
        giveBack(.bookA, "u1"),
        borrow(.bookA, "u1"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 2, available: 3)],
      openCounts: ["u1": 2], openLoans: [3, 5], closedLoans: [closed(2, by: 4)]),
    ReplayCase(
      name: "BookBorrowed raising over_borrow then loan_limit_exceeded, in table order",
      policy: ReplayPolicy(loanDays: 21, maxLoans: 1),
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        add(.bookB, "Emma", "Jane Austen", 1),
        borrow(.bookB, "u1"),
        borrow(.bookA, "u2"),
        borrow(.bookA, "u1").id("both"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 2, available: -1),
        book(.bookB, "Emma", "Jane Austen", total: 1, onLoan: 1, available: 0),
      ],
      openCounts: ["u1": 2, "u2": 1], openLoans: [3, 4, 5],
      anomalies: [
        anomaly(.overBorrow, at: 5, .bookA, user: "u1", command: "both"),
        anomaly(.loanLimitExceeded, at: 5, .bookA, user: "u1", command: "both"),
      ]),
    ReplayCase(
      name: "BookBorrowed of an unknown ISBN: unknown_book, the loan opens, no book",
      steps: [borrow(.bookC, "u1").id("b1")],
      openCounts: ["u1": 1], openLoans: [1],
      anomalies: [anomaly(.unknownBook, at: 1, .bookC, user: "u1", command: "b1")]),
    ReplayCase(
      name: "BookBorrowed of a removed ISBN: unknown_book, inventory unchanged",
      steps: [add(.bookA, "Dune", "Frank Herbert", 2), remove(.bookA), borrow(.bookA, "u1")],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 2, onLoan: 0, available: 2, .removed)
      ],
      openCounts: ["u1": 1], openLoans: [3],
      anomalies: [anomaly(.unknownBook, at: 3, .bookA, user: "u1")]),
    ReplayCase(
      name: "BookBorrowed of an unknown ISBN over max_loans: unknown_book only",
      policy: ReplayPolicy(loanDays: 21, maxLoans: 1),
      steps: [add(.bookA, "Dune", "Frank Herbert", 5), borrow(.bookA, "u1"), borrow(.bookC, "u1")],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 1, available: 4)],
      openCounts: ["u1": 2], openLoans: [2, 3],
      anomalies: [anomaly(.unknownBook, at: 3, .bookC, user: "u1")]),
    ReplayCase(
      name: "BookBorrowed of a removed ISBN with none available, over max_loans: unknown_book only",
      policy: ReplayPolicy(loanDays: 21, maxLoans: 1),
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        borrow(.bookA, "u1"),
        remove(.bookA),
        borrow(.bookA, "u1"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 1, available: 0, .removed)
      ],
      openCounts: ["u1": 2], openLoans: [2, 4],
      anomalies: [
        anomaly(.removedWhileOnLoan, at: 3, .bookA),
        anomaly(.unknownBook, at: 4, .bookA, user: "u1"),
      ]),
  ]
}
