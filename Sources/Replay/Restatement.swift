import EventLog
import LibraryDomain

/// What changed between the reports of two cuts (`shelflog diff`, docs/reports.md): only what
/// differs, each item marked `added` (in B only), `removed` (in A only) or `changed`, and the
/// batches that caused it. One replay per cut.
public struct Restatement: Sendable {
  /// How an item differs between A and B.
  public enum Change: String, Sendable {
    case added, removed, changed
  }

  public struct Side: Sendable {
    public var cut: ReplayCut
    public var logHead: String?
  }

  public struct Metric: Sendable, Equatable {
    public var name: String
    public var a: Int
    public var b: Int
  }

  /// A book's figures, as the inventory reports them.
  public struct BookFigures: Sendable, Equatable {
    public var total: Int
    public var onLoan: Int
    public var available: Int
    public var status: BookStatus

    init(_ book: Book) {
      total = book.total
      onLoan = book.onLoan
      available = book.available
      status = book.status
    }
  }

  public struct BookChange: Sendable {
    public var isbn: ISBN
    /// B's title, A's when the book is not in B.
    public var title: String
    public var change: Change
    public var a: BookFigures?
    public var b: BookFigures?
  }

  /// A loan's state in one cut.
  public struct LoanState: Sendable, Equatable {
    public var returnedAt: Timestamp?
    public var overdue: Bool

    public init(returnedAt: Timestamp?, overdue: Bool) {
      self.returnedAt = returnedAt
      self.overdue = overdue
    }
  }

  public struct LoanChange: Sendable {
    /// The position of the loan's BookBorrowed: the loan's identity.
    public var position: Int64
    public var userID: String
    public var isbn: ISBN
    public var borrowedAt: Timestamp
    public var change: Change
    public var a: LoanState?
    public var b: LoanState?
  }

  public struct AnomalyChange: Sendable {
    public var change: Change
    public var anomaly: Anomaly
  }

  public struct Cause: Sendable {
    public var batch: String
    public var file: String
    public var recordedAt: String
    /// Its events that exactly one of the cuts applies.
    public var events: Int
  }

  public var a: Side
  public var b: Side
  public var summary: [Metric]
  public var inventory: [BookChange]
  public var loans: [LoanChange]
  public var anomalies: [AnomalyChange]
  public var causes: [Cause]

  /// Whether the two cuts' reports are equal (`diff` exits 0).
  public var isEmpty: Bool {
    summary.isEmpty && inventory.isEmpty && loans.isEmpty && anomalies.isEmpty && causes.isEmpty
  }
}

extension Restatement {
  /// Replays both cuts and compares their reports.
  public static func compare(
    _ store: any EventStore, _ cutA: ReplayCut, _ cutB: ReplayCut, policy: ReplayPolicy
  ) throws(ReplayError) -> Restatement {
    let projectionA = try Replayer.replay(store, cut: cutA, policy: policy)
    let projectionB = try Replayer.replay(store, cut: cutB, policy: policy)
    let counts: [String: Int]
    let batches: [StoredBatch]
    do {
      counts = try store.eventsInExactlyOne(of: cutA, cutB)
      batches = try store.batches()
    } catch {
      throw .log(error)
    }
    let causes = batches.filter { counts[$0.sha256, default: 0] > 0 }
      .sorted { ($0.firstPosition ?? .max, $0.sha256) < ($1.firstPosition ?? .max, $1.sha256) }
      .map {
        Cause(
          batch: $0.sha256, file: $0.fileName, recordedAt: $0.recordedAt,
          events: counts[$0.sha256, default: 0])
      }
    return Restatement(
      a: Side(cut: cutA, logHead: projectionA.logHead),
      b: Side(cut: cutB, logHead: projectionB.logHead),
      summary: summary(projectionA, projectionB),
      inventory: inventory(projectionA, projectionB),
      loans: loans(projectionA, projectionB),
      anomalies: anomalies(projectionA, projectionB), causes: causes)
  }

  /// The summary's metrics, in its key order, that differ.
  private static func summary(_ a: Projection, _ b: Projection) -> [Metric] {
    func metrics(_ projection: Projection) -> [(String, Int)] {
      let totals = projection.library.totals
      return [
        ("events", projection.library.eventCount), ("titles_active", totals.titlesActive),
        ("copies_total", totals.copiesTotal), ("copies_on_loan", totals.copiesOnLoan),
        ("open_loans", projection.openLoanCount), ("overdue_loans", projection.overdueLoanCount),
      ]
        + AnomalyType.allCases.sorted().map {
          ("anomalies.\($0.rawValue)", projection.anomalyCounts[$0] ?? 0)
        }
    }
    return zip(metrics(a), metrics(b)).filter { $0.0.1 != $0.1.1 }.map {
      Metric(name: $0.0.0, a: $0.0.1, b: $0.1.1)
    }
  }

  /// Books whose figures differ, by ISBN.
  private static func inventory(_ a: Projection, _ b: Projection) -> [BookChange] {
    let booksA = Dictionary(uniqueKeysWithValues: a.books.map { ($0.isbn, $0) })
    let booksB = Dictionary(uniqueKeysWithValues: b.books.map { ($0.isbn, $0) })
    return Set(booksA.keys).union(booksB.keys).sorted().compactMap { isbn in
      let figuresA = booksA[isbn].map(BookFigures.init)
      let figuresB = booksB[isbn].map(BookFigures.init)
      guard figuresA != figuresB else { return nil }
      let change: Change = figuresA == nil ? .added : figuresB == nil ? .removed : .changed
      return BookChange(
        isbn: isbn, title: (booksB[isbn] ?? booksA[isbn])?.title ?? "", change: change,
        a: figuresA, b: figuresB)
    }
  }

  /// One loan of a projection, compactly (every loan of the log may pass here).
  private struct LoanEntry {
    var position: Int64
    var user: Int32
    var book: Int32
    var borrowedAt: Int64
    var state: LoanState
  }

  private static func loanEntries(_ projection: Projection) -> [LoanEntry] {
    var entries: [LoanEntry] = []
    let policy = projection.policy
    let at = projection.cut.at
    projection.forEachUser { user, loans in
      for loan in loans {
        entries.append(
          LoanEntry(
            position: loan.position, user: user, book: loan.book, borrowedAt: loan.borrowedAt,
            state: LoanState(
              returnedAt: loan.isOpen ? nil : Timestamp(microseconds: loan.returnedAt),
              overdue: loan.isOpen && policy.isOverdue(borrowedAt: loan.borrowedAt, at: at))))
      }
    }
    entries.sort { $0.position < $1.position }
    return entries
  }

  /// Loans, by the position of their borrow, whose presence, return or overdue state differ.
  private static func loans(_ a: Projection, _ b: Projection) -> [LoanChange] {
    let entriesA = loanEntries(a)
    let entriesB = loanEntries(b)
    var changes: [LoanChange] = []
    func change(
      _ entry: LoanEntry, in projection: Projection, _ kind: Change, a: LoanState?, b: LoanState?
    )
      -> LoanChange
    {
      LoanChange(
        position: entry.position, userID: projection.library.userID(entry.user),
        isbn: projection.library.isbn(entry.book),
        borrowedAt: Timestamp(microseconds: entry.borrowedAt), change: kind, a: a, b: b)
    }
    var indexA = 0
    var indexB = 0
    while indexA < entriesA.count || indexB < entriesB.count {
      let positionA = indexA < entriesA.count ? entriesA[indexA].position : .max
      let positionB = indexB < entriesB.count ? entriesB[indexB].position : .max
      if positionA < positionB {
        changes.append(change(entriesA[indexA], in: a, .removed, a: entriesA[indexA].state, b: nil))
        indexA += 1
      } else if positionB < positionA {
        changes.append(change(entriesB[indexB], in: b, .added, a: nil, b: entriesB[indexB].state))
        indexB += 1
      } else {
        if entriesA[indexA].state != entriesB[indexB].state {
          changes.append(
            change(
              entriesB[indexB], in: b, .changed, a: entriesA[indexA].state,
              b: entriesB[indexB].state))
        }
        indexA += 1
        indexB += 1
      }
    }
    return changes
  }

  /// Anomalies present in one cut only (one is the same in both when its position and type
  /// are), by position then in the order of the replay table.
  private static func anomalies(_ a: Projection, _ b: Projection) -> [AnomalyChange] {
    func keyed(_ projection: Projection) -> [String: Anomaly] {
      var anomalies: [String: Anomaly] = [:]
      projection.forEachAnomaly { anomalies["\($0.position) \($0.type.rawValue)"] = $0 }
      return anomalies
    }
    let inA = keyed(a)
    let inB = keyed(b)
    let order = { (anomaly: Anomaly) in AnomalyType.allCases.firstIndex(of: anomaly.type) ?? 0 }
    let changes =
      inA.filter { inB[$0.key] == nil }.map { AnomalyChange(change: .removed, anomaly: $0.value) }
      + inB.filter { inA[$0.key] == nil }.map { AnomalyChange(change: .added, anomaly: $0.value) }
    return changes.sorted {
      ($0.anomaly.position, order($0.anomaly)) < ($1.anomaly.position, order($1.anomaly))
    }
  }
}
