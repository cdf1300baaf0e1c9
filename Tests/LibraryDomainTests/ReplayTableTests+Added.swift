import LibraryDomain
import Testing

// BookAdded rows: an unknown or removed ISBN becomes active; an active one grows.
extension ReplayTableTests {
  static let addedCases: [ReplayCase] = [
    ReplayCase(
      name: "BookAdded of an unknown ISBN makes it active with total = quantity",
      steps: [add(.bookA, "Dune", "Frank Herbert", 3)],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 3, onLoan: 0, available: 3)]),
    ReplayCase(
      name: "BookAdded of a removed ISBN makes it active with the new title, author and total",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 3),
        remove(.bookA),
        add(.bookA, "Dune Messiah", "F. Herbert", 7),
      ],
      books: [book(.bookA, "Dune Messiah", "F. Herbert", total: 7, onLoan: 0, available: 7)]),
    ReplayCase(
      name: "BookAdded of a removed ISBN keeps on_loan",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 2),
        borrow(.bookA, "u1"),
        remove(.bookA),
        add(.bookA, "Dune Messiah", "F. Herbert", 5),
      ],
      books: [book(.bookA, "Dune Messiah", "F. Herbert", total: 5, onLoan: 1, available: 4)],
      openCounts: ["u1": 1], openLoans: [2],
      anomalies: [anomaly(.removedWhileOnLoan, at: 3, .bookA)]),
    ReplayCase(
      name: "BookAdded of an active ISBN with the same title and author adds copies quietly",
      steps: [add(.bookA, "Dune", "Frank Herbert", 3), add(.bookA, "Dune", "Frank Herbert", 2)],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 0, available: 5)]),
    ReplayCase(
      name: "BookAdded of an active ISBN with another title: catalog_conflict, title kept",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 3),
        add(.bookA, "Dune (2nd ed.)", "Frank Herbert", 2).id("add-2"),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 0, available: 5)],
      anomalies: [anomaly(.catalogConflict, at: 2, .bookA, command: "add-2")]),
    ReplayCase(
      name: "BookAdded of an active ISBN with another author: catalog_conflict, author kept",
      steps: [add(.bookA, "Dune", "Frank Herbert", 3), add(.bookA, "Dune", "F. Herbert", 2)],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 0, available: 5)],
      anomalies: [anomaly(.catalogConflict, at: 2, .bookA)]),
    ReplayCase(
      name: "BookAdded of an active ISBN with another title and author: one catalog_conflict",
      steps: [add(.bookA, "Dune", "Frank Herbert", 1), add(.bookA, "Emma", "Jane Austen", 1)],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 2, onLoan: 0, available: 2)],
      anomalies: [anomaly(.catalogConflict, at: 2, .bookA)]),
    ReplayCase(
      name: "BookAdded of an active ISBN on loan keeps on_loan and raises available",
      steps: [
        add(.bookA, "Dune", "Frank Herbert", 1),
        borrow(.bookA, "u1"),
        borrow(.bookA, "u2"),
        add(.bookA, "Dune", "Frank Herbert", 4),
      ],
      books: [book(.bookA, "Dune", "Frank Herbert", total: 5, onLoan: 2, available: 3)],
      openCounts: ["u1": 1, "u2": 1], openLoans: [2, 3],
      anomalies: [anomaly(.overBorrow, at: 3, .bookA, user: "u2")]),
    ReplayCase(
      name: "BookAdded of two ISBNs keeps them apart",
      steps: [add(.bookA, "Dune", "Frank Herbert", 1), add(.bookB, "Emma", "Jane Austen", 2)],
      books: [
        book(.bookA, "Dune", "Frank Herbert", total: 1, onLoan: 0, available: 1),
        book(.bookB, "Emma", "Jane Austen", total: 2, onLoan: 0, available: 2),
      ]),
  ]
}
