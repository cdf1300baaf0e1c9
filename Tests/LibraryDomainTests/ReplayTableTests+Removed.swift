import LibraryDomain
import Testing

// BookRemoved rows, and a removed ISBN added again while its loans are still open.
extension ReplayTableTests {
  static let removedCases: [ReplayCase] = [
    ReplayCase(
      name: "BookRemoved of an active ISBN with nothing on loan: removed, no anomaly",
      steps: [add(.bookA, "Dune", "Frank Herbert", 3), remove(.bookA)],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 3, onLoan: 0, available: 3, .removed)
      ]),
    ReplayCase(
      name: "BookRemoved of an active ISBN on loan: removed_while_on_loan, the loan stays open",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 3),
        borrow(.bookA, "u1"),
        remove(.bookA).id("rm-3"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 3, onLoan: 1, available: 2, .removed)
      ],
      openCounts: ["u1": 1], openLoans: [2],
      anomalies: [anomaly(.removedWhileOnLoan, at: 3, .bookA, command: "rm-3")]),
    ReplayCase(
      name: "BookRemoved after every copy came back: no anomaly",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        borrow(.bookA, "u1"),
        giveBack(.bookA, "u1"),
        remove(.bookA),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 0, available: 1, .removed)
      ],
      closedLoans: [closed(2, by: 3)]),
    ReplayCase(
      name: "BookRemoved with only uncounted loans open: no removed_while_on_loan",
      steps: [borrow(.bookC, "u1"), add(.bookC, "Ulysses", "James Joyce", 1), remove(.bookC)],
      books: [
        book(.bookC, "Ulysses", "James Joyce", total: 1, onLoan: 0, available: 1, .removed)
      ],
      openCounts: ["u1": 1], openLoans: [1],
      anomalies: [anomaly(.unknownBook, at: 1, .bookC, user: "u1")]),
    ReplayCase(
      name: "BookRemoved of an unknown ISBN: unknown_book, no book",
      steps: [remove(.bookC).id("rm-1")],
      anomalies: [anomaly(.unknownBook, at: 1, .bookC, command: "rm-1")]),
    ReplayCase(
      name: "BookRemoved of an already removed ISBN: unknown_book, nothing changes",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 2),
        borrow(.bookA, "u1"),
        remove(.bookA),
        remove(.bookA),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 2, onLoan: 1, available: 1, .removed)
      ],
      openCounts: ["u1": 1], openLoans: [2],
      anomalies: [
        anomaly(.removedWhileOnLoan, at: 3, .bookA),
        anomaly(.unknownBook, at: 4, .bookA),
      ]),
    ReplayCase(
      name: "An open loan of a removed ISBN can be returned: on_loan lowered, still removed",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 2),
        borrow(.bookA, "u1"),
        remove(.bookA),
        giveBack(.bookA, "u1"),
      ],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 2, onLoan: 0, available: 2, .removed)
      ],
      closedLoans: [closed(2, by: 4)],
      anomalies: [anomaly(.removedWhileOnLoan, at: 3, .bookA)]),
    ReplayCase(
      name: "A removed ISBN re-added with loans open: on_loan kept, returns lower it",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 2),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u2"),
        remove(.bookA),
        add(.bookA, "Dune Messiah", "F. Herbert", 1),
        giveBack(.bookA, "u1"),
      ],
      books: [book(.bookA, "Dune Messiah", "F. Herbert", total: 1, onLoan: 1, available: 0)],
      openCounts: ["u2": 1], openLoans: [3], closedLoans: [closed(2, by: 6)],
      anomalies: [anomaly(.removedWhileOnLoan, at: 4, .bookA)]),
    ReplayCase(
      name: "A removed ISBN re-added below its on_loan: available negative, then over_borrow",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 2),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u2"),
        remove(.bookA),
        add(.bookA, "Dune Messiah", "F. Herbert", 1),
        borrow(.bookA, "u3"),
      ],
      books: [book(.bookA, "Dune Messiah", "F. Herbert", total: 1, onLoan: 3, available: -2)],
      openCounts: ["u1": 1, "u2": 1, "u3": 1], openLoans: [2, 3, 6],
      anomalies: [
        anomaly(.removedWhileOnLoan, at: 4, .bookA),
        anomaly(.overBorrow, at: 6, .bookA, user: "u3"),
      ]),
  ]
}
