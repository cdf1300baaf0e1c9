import EventLog
import LibraryDomain

/// Views of a library for tests: dictionaries built from its canonical state, to compare with a
/// reference model.
extension Library {
  /// A user's loans of one ISBN.
  public struct LoanKey: Hashable, Sendable {
    public var userID: String
    public var isbn: ISBN
  }

  /// Every ISBN added so far, active or removed.
  public var books: [ISBN: Book] {
    Dictionary(uniqueKeysWithValues: sortedBooks.map { ($0.isbn, $0) })
  }

  /// Open loans per user and ISBN, oldest first.
  public var openLoans: [LoanKey: [Loan]] {
    var open: [LoanKey: [Loan]] = [:]
    for loan in sortedOpenLoans {
      open[LoanKey(userID: loan.userID, isbn: loan.isbn), default: []].append(loan)
    }
    return open
  }

  /// Open loans per user, of any book (users without any left out).
  public var openLoanCounts: [String: Int] {
    var counts: [String: Int] = [:]
    for loan in sortedOpenLoans { counts[loan.userID, default: 0] += 1 }
    return counts
  }
}

/// A sink that keeps everything.
public struct CollectingSink: ReplaySink, Sendable {
  public var anomalies: [Anomaly] = []
  public var closedLoans: [Loan] = []

  public init() {}

  public mutating func raised(_ anomaly: Anomaly) { anomalies.append(anomaly) }
  public mutating func closed(_ loan: Loan) { closedLoans.append(loan) }
}

extension EventStore {
  /// `replay` one self-contained event at a time (Strings copied out).
  public func replayEvents(
    _ cut: ReplayCut, _ body: (RecordedEvent) throws -> Void
  ) throws -> String? {
    try replay(
      cut, snapshotMaxLoans: nil, start: { _ in },
      { rows in try rows.forEachRow { try body($0.recorded) } })?.hash
  }
}
