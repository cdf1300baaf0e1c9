import LibraryDomain
import Replay

/// The rows of each report, shared by every format so that they cannot disagree.
struct ReportRows {
  let projection: Projection
  let filter: ReportFilter

  var at: String { projection.cut.at.description }
  var knownAt: String? { projection.cut.knownAt?.description }

  static let inventoryColumns = [
    "isbn", "title", "author", "total", "on_loan", "available", "status",
  ]

  func forEachBook(_ body: ([Cell]) throws -> Void) rethrows {
    for book in projection.books where filter.admits(isbn: book.isbn) {
      try body([
        .text(book.isbn.digits), .text(book.title), .text(book.author), .number(book.total),
        .number(book.onLoan), .number(book.available), .text(book.status.rawValue),
      ])
    }
  }

  static let loanColumns = ["isbn", "title", "borrowed_at", "returned_at", "overdue"]

  /// One loan's cells in `loanColumns` order, and the position of its borrow (its identity).
  typealias LoanRow = (position: Int64, cells: [Cell])

  /// Each user with their loans, filtered; users left without loans are dropped.
  func forEachUser(_ body: (String, [LoanRow]) throws -> Void) rethrows {
    let library = projection.library
    let at = projection.cut.at
    let policy = projection.policy
    if let user = filter.userID {
      let loans = projection.loans(of: user).filter { filter.admits(isbn: $0.isbn) }
      guard !loans.isEmpty else { return }
      try body(
        user,
        loans.map { loan in
          (
            loan.position,
            [
              .text(loan.isbn.digits),
              .optional(library.bookIndex(of: loan.isbn).flatMap(library.title)),
              .text(loan.borrowedAt.description), .optional(loan.returnedAt?.description),
              .bool(loan.isOverdue(at: at, policy: policy)),
            ]
          )
        })
      return
    }
    try projection.forEachUser { user, loans in
      var rows: [LoanRow] = []
      for loan in loans where filter.admits(isbn: library.isbn(loan.book)) {
        rows.append(
          (
            loan.position,
            [
              .text(library.isbn(loan.book).digits), .optional(library.title(loan.book)),
              .text(Timestamp(microseconds: loan.borrowedAt).description),
              .optional(loan.isOpen ? nil : Timestamp(microseconds: loan.returnedAt).description),
              .bool(loan.isOpen && policy.isOverdue(borrowedAt: loan.borrowedAt, at: at)),
            ]
          ))
      }
      guard !rows.isEmpty else { return }
      try body(library.userID(user), rows)
    }
  }

  static let anomalyColumns = [
    "type", "occurred_at", "position", "command_id", "isbn", "user_id", "detail",
  ]

  func forEachAnomaly(_ body: ([Cell]) throws -> Void) rethrows {
    try projection.forEachAnomaly { anomaly in
      guard filter.admits(isbn: anomaly.isbn), filter.admits(user: anomaly.userID) else { return }
      try body([
        .text(anomaly.type.rawValue), .text(anomaly.occurredAt.description),
        .number(Int(anomaly.position)), .optional(anomaly.commandID), .text(anomaly.isbn.digits),
        .optional(anomaly.userID), .text(anomaly.detail),
      ])
    }
  }

  /// The summary as ordered key/value pairs (anomalies as one nested object).
  var summary: [(String, Cell)] {
    let library = projection.library
    let totals = library.totals
    return [
      ("at", .text(at)),
      ("known_at", .optional(knownAt)),
      ("events", .number(library.eventCount)),
      ("titles_active", .number(totals.titlesActive)),
      ("copies_total", .number(totals.copiesTotal)),
      ("copies_on_loan", .number(totals.copiesOnLoan)),
      ("open_loans", .number(projection.openLoanCount)),
      ("overdue_loans", .number(projection.overdueLoanCount)),
    ]
  }

  /// Every anomaly type with its count, keys sorted.
  var anomalyCounts: [(String, Cell)] {
    AnomalyType.allCases.sorted().map { type in
      (type.rawValue, .number(projection.anomalyCounts[type] ?? 0))
    }
  }

  var logHead: Cell { .optional(projection.logHead) }

  /// The activity report's columns, anomaly counts last (as `anomalies.<type>` in tables).
  static let activityColumns = [
    "start", "end", "added", "borrowed", "returned", "removed", "active_users", "copies_total",
    "copies_on_loan", "open_loans", "overdue_loans",
  ]

  /// The activity report (empty when the replay did not record it).
  var activity: ActivityReport {
    projection.activity ?? ActivityReport(every: .month, periods: [])
  }

  /// Each period's cells in `activityColumns` order, and its anomaly counts (every type, keys
  /// sorted).
  func forEachPeriod(_ body: ([Cell], [(String, Cell)]) throws -> Void) rethrows {
    for period in activity.periods {
      try body(
        [
          .text(period.start.description), .text(period.end.description), .number(period.added),
          .number(period.borrowed), .number(period.returned), .number(period.removed),
          .number(period.activeUsers), .number(period.copiesTotal), .number(period.copiesOnLoan),
          .number(period.openLoans), .number(period.overdueLoans),
        ],
        AnomalyType.allCases.sorted().map { ($0.rawValue, .number(period.anomalies[$0] ?? 0)) })
    }
  }
}
