import LibraryDomain

/// The read model at one cut: the library's state, and the history spilled on the way.
public final class Projection {
  public let cut: ReplayCut
  public let policy: ReplayPolicy
  public let library: Library
  /// The last event known at the cut (nil for none).
  public let head: LogHead?
  /// The hash of the last event known at the cut (nil for none).
  public var logHead: String? { head?.hash }
  /// The activity report, when the replay recorded it.
  public let activity: ActivityReport?
  public let anomalyCounts: [AnomalyType: Int]
  public let anomalyTotal: Int
  private let anomalyFile: SpillFile
  private let loanFile: SpillFile
  /// Users with a loan, open or returned, by user id bytes (the library's user indexes).
  private let usersWithLoans: [Int32]

  /// Whether the loan history and the anomaly list are complete. A projection resumed from a
  /// snapshot has the state (books, open loans, counts) but only the history after the
  /// snapshot: it serves `summary` and `inventory` only.
  public let hasHistory: Bool

  init(
    cut: ReplayCut, policy: ReplayPolicy, library: Library, logHead: LogHead?, sink: SpillSink,
    resumedCounts: [AnomalyType: Int]? = nil, activity: ActivityReport? = nil
  ) {
    self.cut = cut
    self.policy = policy
    self.library = library
    self.head = logHead
    self.activity = activity
    hasHistory = resumedCounts == nil
    anomalyCounts = sink.anomalyCounts.merging(resumedCounts ?? [:], uniquingKeysWith: +)
    anomalyTotal = sink.anomalyTotal + (resumedCounts?.values.reduce(0, +) ?? 0)
    anomalyFile = sink.anomalies
    loanFile = sink.loans
    usersWithLoans = library.sortedUsers()
  }

  /// Every ISBN added by the cut, active or removed, by ISBN.
  public var books: [Book] {
    library.sortedBooks
  }

  /// Loans opened by the cut, open and returned.
  public var loanTotal: Int {
    usersWithLoans.reduce(0) { $0 + library.loanCount(ofUser: $1) }
  }

  /// Every user with a loan, open or returned, by user id.
  public var users: [String] {
    usersWithLoans.map(library.userID)
  }

  /// One user's loans, open and returned, by (borrowed_at, position). Reads the whole spill of
  /// closed loans: for one user, not for all (see `forEachUser`).
  public func loans(of user: String) -> [Loan] {
    guard let index = library.userIndex(of: user) else { return [] }
    var loans: [Loan] = []
    library.forEachOpenLoan(ofUser: index) { loan in
      loans.append(
        Loan(
          isbn: library.isbn(loan.book), userID: user, position: loan.position,
          borrowedAt: Timestamp(microseconds: loan.borrowedAt), returnedAt: nil,
          counted: loan.counted))
    }
    loanFile.forEachRecordChunk(of: SpilledLoan.self) { records in
      for record in records where record.user == index {
        loans.append(
          Loan(
            isbn: library.isbn(record.book), userID: user, position: record.position,
            borrowedAt: Timestamp(microseconds: record.borrowedAt),
            returnedAt: Timestamp(microseconds: record.returnedAt), counted: record.counted != 0))
      }
    }
    return loans.sorted {
      ($0.borrowedAt, $0.position) < ($1.borrowedAt, $1.position)
    }
  }

  /// One loan of `forEachUser`: `book` is the library's ISBN index, `returnedAt` is
  /// `Int64.min` while open.
  public struct UserLoan: Sendable {
    public var book: Int32
    public var position: Int64
    public var borrowedAt: Int64
    public var returnedAt: Int64

    public var isOpen: Bool { returnedAt == Int64.min }
  }

  /// Every user with a loan, by user id (the library's user index), with their loans open and
  /// returned by (borrowed_at, position).
  ///
  /// A user's loans are placed by their ordinal (loans are opened in (borrowed_at, position)
  /// order), a `window` of loans (about a million by default) at a time: one sequential read of
  /// the spilled loans per window, and memory bounded by the window, not by the history.
  public func forEachUser(
    window: Int = 1 << 20, _ body: (Int32, UnsafeBufferPointer<UserLoan>) throws -> Void
  ) rethrows {
    var start = [Int](repeating: -1, count: library.userCount)
    var total = 0
    for user in usersWithLoans {
      start[Int(user)] = total
      total += library.loanCount(ofUser: user)
    }
    let empty = UserLoan(book: -1, position: -1, borrowedAt: 0, returnedAt: 0)
    var slots: [UserLoan] = []
    var first = 0
    while first < usersWithLoans.count {
      // Users first..<last, whose loans fill slots base..<end.
      let base = start[Int(usersWithLoans[first])]
      var last = first + 1
      while last < usersWithLoans.count
        && start[Int(usersWithLoans[last])] + library.loanCount(ofUser: usersWithLoans[last])
          - base <= window
      {
        last += 1
      }
      let end =
        last < usersWithLoans.count ? start[Int(usersWithLoans[last])] : total
      slots.removeAll(keepingCapacity: true)
      slots.append(contentsOf: repeatElement(empty, count: end - base))
      slots.withUnsafeMutableBufferPointer { slots in
        for user in usersWithLoans[first..<last] {
          let offset = start[Int(user)] - base
          library.forEachOpenLoan(ofUser: user) { loan in
            slots[offset + Int(loan.ordinal)] = UserLoan(
              book: loan.book, position: loan.position, borrowedAt: loan.borrowedAt,
              returnedAt: Int64.min)
          }
        }
        loanFile.forEachRecordChunk(of: SpilledLoan.self) { records in
          for record in records {
            let slot = start[Int(record.user)] + Int(record.ordinal) - base
            guard slot >= 0 && slot < slots.count else { continue }
            slots[slot] = UserLoan(
              book: record.book, position: record.position, borrowedAt: record.borrowedAt,
              returnedAt: record.returnedAt)
          }
        }
      }
      for user in usersWithLoans[first..<last] {
        let from = start[Int(user)] - base
        let to = from + library.loanCount(ofUser: user)
        try Self.ordered(slots[from..<to]) { try body(user, $0) }
      }
      first = last
    }
  }

  /// Hands over `loans` without empty slots (history a resumed projection lacks), sorted
  /// by (borrowed_at, position) should the ordinals not already have them so.
  private static func ordered(
    _ loans: ArraySlice<UserLoan>, _ body: (UnsafeBufferPointer<UserLoan>) throws -> Void
  ) rethrows {
    var loans = loans
    var sorted = true
    var holes = false
    var previous: UserLoan?
    for loan in loans {
      if loan.position < 0 {
        holes = true
        continue
      }
      if let previous, (previous.borrowedAt, previous.position) > (loan.borrowedAt, loan.position) {
        sorted = false
      }
      previous = loan
    }
    if holes || !sorted {
      var kept = loans.filter { $0.position >= 0 }
      if !sorted { kept.sort { ($0.borrowedAt, $0.position) < ($1.borrowedAt, $1.position) } }
      loans = kept[...]
    }
    try loans.withUnsafeBufferPointer { try body($0) }
  }

  /// The anomalies, in replay order.
  public func forEachAnomaly(_ body: (Anomaly) throws -> Void) rethrows {
    try anomalyFile.forEachAnomaly(body)
  }

  /// Open loans, those of unknown books included.
  public var openLoanCount: Int {
    library.openLoanTotal
  }

  /// Open loans overdue at the cut.
  public var overdueLoanCount: Int {
    library.overdueLoanCount(at: cut.at)
  }
}
