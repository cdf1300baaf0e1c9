import EventLog
import LibraryDomain

/// The read model at one cut: the library's state, and the history spilled on the way.
public final class Projection {
  public let cut: ReplayCut
  public let policy: ReplayPolicy
  public let library: Library
  /// The hash of the last event known at the cut (nil for none).
  public let logHead: String?
  public let anomalyCounts: [AnomalyType: Int]
  public let anomalyTotal: Int
  private let anomalyFile: SpillFile
  private let loanFile: SpillFile
  private let lastClosedLoan: [String: Int64]
  private let openLoansByUser: [String: [Loan]]

  /// Whether the loan history and the anomaly list are complete. A projection resumed from a
  /// snapshot has the state (books, open loans, counts) but only the history after the
  /// snapshot: it serves `summary` and `inventory` only.
  public let hasHistory: Bool

  init(
    cut: ReplayCut, policy: ReplayPolicy, library: Library, logHead: String?, sink: SpillSink,
    resumedCounts: [AnomalyType: Int]? = nil
  ) {
    self.cut = cut
    self.policy = policy
    self.library = library
    self.logHead = logHead
    hasHistory = resumedCounts == nil
    anomalyCounts = sink.anomalyCounts.merging(resumedCounts ?? [:], uniquingKeysWith: +)
    anomalyTotal = sink.anomalyTotal + (resumedCounts?.values.reduce(0, +) ?? 0)
    anomalyFile = sink.anomalies
    loanFile = sink.loans
    lastClosedLoan = sink.lastLoan
    var open: [String: [Loan]] = [:]
    for loans in library.openLoans.values {
      for loan in loans { open[loan.userID, default: []].append(loan) }
    }
    openLoansByUser = open
  }

  /// Every ISBN added by the cut, active or removed, by ISBN.
  public var books: [Book] {
    library.books.values.sorted { $0.isbn < $1.isbn }
  }

  /// Every user with a loan, open or returned, by user id.
  public var users: [String] {
    Set(lastClosedLoan.keys).union(openLoansByUser.keys).sorted {
      $0.utf8.lexicographicallyPrecedes($1.utf8)
    }
  }

  /// One user's loans, open and returned, by (borrowed_at, position).
  public func loans(of user: String) -> [Loan] {
    var loans = openLoansByUser[user] ?? []
    loanFile.closedLoans(of: user, from: lastClosedLoan[user], into: &loans)
    return loans.sorted {
      ($0.borrowedAt, $0.position) < ($1.borrowedAt, $1.position)
    }
  }

  /// The anomalies, in replay order.
  public func forEachAnomaly(_ body: (Anomaly) throws -> Void) rethrows {
    try anomalyFile.forEachAnomaly(body)
  }

  /// Open loans, those of unknown books included.
  public var openLoanCount: Int {
    library.openLoanCounts.values.reduce(0, +)
  }

  /// Open loans overdue at the cut.
  public var overdueLoanCount: Int {
    openLoansByUser.values.reduce(0) { count, loans in
      count + loans.filter { $0.isOverdue(at: cut.at, policy: policy) }.count
    }
  }
}
