import LibraryDomain
import Testing

// BookReturned rows: the user's oldest open loan of the ISBN closes, or return_without_loan.
extension ReplayTableTests {
  static let returnedCases: [ReplayCase] = [
    ReplayCase(
      name: "BookReturned closes the loan and lowers on_loan",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 2),
        borrow(.bookA, "u1"),
        giveBack(.bookA, "u1"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 2, onLoan: 0, available: 2)],
      closedLoans: [closed(2, by: 3)]),
    ReplayCase(
      name: "BookReturned closes the user's oldest open loan of the ISBN first (FIFO)",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 5),
        add(.bookB, "Emma", "Jane Austen", 5),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u2"),
        borrow(.bookB, "u1"),
        borrow(.bookA, "u1"),
        giveBack(.bookA, "u1"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 2, available: 3),
        book(.bookB, "Emma", "Jane Austen", total: 5, onLoan: 1, available: 4),
      ],
      openCounts: ["u1": 2, "u2": 1], openLoans: [4, 5, 6], closedLoans: [closed(3, by: 7)]),
    ReplayCase(
      name: "BookReturned twice closes the user's loans in borrow order",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 5),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u1"),
        giveBack(.bookA, "u1"),
        giveBack(.bookA, "u1"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 0, available: 5)],
      closedLoans: [closed(2, by: 4), closed(3, by: 5)]),
    ReplayCase(
      name: "BookReturned of a loan opened while the ISBN was unknown: closed, on_loan unchanged",
      steps: [
        borrow(.bookC, "u1"),
        add(.bookC, "Ulysses", "James Joyce", 2),
        giveBack(.bookC, "u1"),
      ],
      books: [book(.bookC, "Ulysses", "James Joyce", total: 2, onLoan: 0, available: 2)],
      closedLoans: [closed(1, by: 3, counted: false)],
      anomalies: [anomaly(.unknownBook, at: 1, .bookC, user: "u1")]),
    ReplayCase(
      name: "BookReturned closes an uncounted oldest loan before a counted one",
      steps: [
        borrow(.bookC, "u1"),
        add(.bookC, "Ulysses", "James Joyce", 1),
        borrow(.bookC, "u1"),
        giveBack(.bookC, "u1"),
        giveBack(.bookC, "u1"),
      ],
      books: [book(.bookC, "Ulysses", "James Joyce", total: 1, onLoan: 0, available: 1)],
      closedLoans: [closed(1, by: 4, counted: false), closed(3, by: 5)],
      anomalies: [anomaly(.unknownBook, at: 1, .bookC, user: "u1")]),
    ReplayCase(
      name: "BookReturned after the uncounted loan only: on_loan keeps the counted one",
      steps: [
        borrow(.bookC, "u1"),
        add(.bookC, "Ulysses", "James Joyce", 1),
        borrow(.bookC, "u1"),
        giveBack(.bookC, "u1"),
      ],
      books: [book(.bookC, "Ulysses", "James Joyce", total: 1, onLoan: 1, available: 0)],
      openCounts: ["u1": 1], openLoans: [3], closedLoans: [closed(1, by: 4, counted: false)],
      anomalies: [anomaly(.unknownBook, at: 1, .bookC, user: "u1")]),
    ReplayCase(
      name: "BookReturned of a loan opened while removed, after a re-add: on_loan unchanged",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        remove(.bookA),
        borrow(.bookA, "u1"),
        add(.bookA, "Dune", "Frank Herbert", 2),
        giveBack(.bookA, "u1"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 2, onLoan: 0, available: 2)],
      closedLoans: [closed(3, by: 5, counted: false)],
      anomalies: [anomaly(.unknownBook, at: 3, .bookA, user: "u1")]),
    ReplayCase(
      name: "BookReturned with no loan at all: return_without_loan",
      steps: [add(.bookA, "Dune", "Frank Herbert", 1), giveBack(.bookA, "u1").id("r2")],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 0, available: 1)],
      anomalies: [anomaly(.returnWithoutLoan, at: 2, .bookA, user: "u1", command: "r2")]),
    ReplayCase(
      name: "BookReturned by another user than the borrower: return_without_loan",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        borrow(.bookA, "u1"),
        giveBack(.bookA, "u2"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 1, available: 0)],
      openCounts: ["u1": 1], openLoans: [2],
      anomalies: [anomaly(.returnWithoutLoan, at: 3, .bookA, user: "u2")]),
    ReplayCase(
      name: "BookReturned of another ISBN than the one borrowed: return_without_loan",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        add(.bookB, "Emma", "Jane Austen", 1),
        borrow(.bookA, "u1"),
        giveBack(.bookB, "u1"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 1, available: 0),
        book(.bookB, "Emma", "Jane Austen", total: 1, onLoan: 0, available: 1),
      ],
      openCounts: ["u1": 1], openLoans: [3],
      anomalies: [anomaly(.returnWithoutLoan, at: 4, .bookB, user: "u1")]),
    ReplayCase(
      name: "BookReturned once more than borrowed: return_without_loan",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        borrow(.bookA, "u1"),
        giveBack(.bookA, "u1"),
        giveBack(.bookA, "u1"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 0, available: 1)],
      closedLoans: [closed(2, by: 3)],
      anomalies: [anomaly(.returnWithoutLoan, at: 4, .bookA, user: "u1")]),
    ReplayCase(
      name: "BookReturned of an ISBN never added nor borrowed: return_without_loan only",
      steps: [giveBack(.bookC, "u1")],
      anomalies: [anomaly(.returnWithoutLoan, at: 1, .bookC, user: "u1")]),
  ]
}
