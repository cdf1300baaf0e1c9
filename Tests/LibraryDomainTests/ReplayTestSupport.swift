import LibraryDomain
import ShelflogTestSupport
import Testing

// A tiny DSL for replay tests: a log is a list of steps; step i gets position i and the time
// `ReplayClock.time(of: i)`, so positions and times both increase.

// MARK: - ISBNs

extension ISBN {
  /// The seed example's first title.
  static let elixirInAction = ISBN("978-1593275846")!
  /// The seed example's second title.
  static let programmingElixir = ISBN("978-1680502992")!
  static let bookA = ISBN("0-306-40615-2")!  // 9780306406157
  static let bookB = ISBN("080442957X")!  // 9780804429573
  static let bookC = ISBN("979-10-90636-07-1")!  // 9791090636071
}

// MARK: - Steps

/// One event of a test log, before it gets its position and time.
struct Step: Sendable {
  var event: LibraryEvent
  var commandID = ""

  /// The same step with a command id.
  func id(_ commandID: String) -> Step {
    var copy = self
    copy.commandID = commandID
    return copy
  }
}

func add(_ isbn: ISBN, _ title: String, _ author: String, _ quantity: Int) -> Step {
  Step(
    event: .bookAdded(BookAdded(isbn: isbn, title: title, author: author, quantity: quantity)))
}

func borrow(_ isbn: ISBN, _ user: String) -> Step {
  Step(event: .bookBorrowed(BookBorrowed(isbn: isbn, userID: user)))
}

func giveBack(_ isbn: ISBN, _ user: String) -> Step {
  Step(event: .bookReturned(BookReturned(isbn: isbn, userID: user)))
}

func remove(_ isbn: ISBN) -> Step {
  Step(event: .bookRemoved(BookRemoved(isbn: isbn)))
}

// MARK: - Time and folding

enum ReplayClock {
  /// 2024-03-01T09:00:00Z.
  static let base = Timestamp(microseconds: 1_709_283_600_000_000)
  static let minute: Int64 = 60_000_000
  static let day: Int64 = 86_400_000_000

  /// The time of the step at `position`: one minute per position after `base`.
  static func time(of position: Int64) -> Timestamp {
    Timestamp(microseconds: base.microseconds + position * minute)
  }
}

/// Positions 1, 2, 3 … and increasing times.
func recorded(_ steps: [Step]) -> [RecordedEvent] {
  steps.enumerated().map { index, step in
    let position = Int64(index + 1)
    return RecordedEvent(
      position: position, occurredAt: ReplayClock.time(of: position), commandID: step.commandID,
      event: step.event)
  }
}

/// Folds `events` in the order given.
func fold(
  _ events: some Sequence<RecordedEvent>, policy: ReplayPolicy = .standard
) -> (library: Library, sink: CollectingSink) {
  var library = Library(policy: policy)
  var sink = CollectingSink()
  for event in events {
    library.apply(event, sink: &sink)
  }
  return (library, sink)
}

/// Replay order (docs/reports.md): by occurred_at, then position.
func replayOrder(_ events: [RecordedEvent]) -> [RecordedEvent] {
  events.sorted { ($0.occurredAt, $0.position) < ($1.occurredAt, $1.position) }
}

// MARK: - Expectations

/// A book's state as the inventory report shows it.
struct ExpectedBook: Sendable, Equatable, CustomStringConvertible {
  var isbn: ISBN
  var title: String
  var author: String
  var total: Int
  var onLoan: Int
  var available: Int
  var status: BookStatus

  init(
    isbn: ISBN, title: String, author: String, total: Int, onLoan: Int, available: Int,
    status: BookStatus
  ) {
    self.isbn = isbn
    self.title = title
    self.author = author
    self.total = total
    self.onLoan = onLoan
    self.available = available
    self.status = status
  }

  init(_ book: Book) {
    self.init(
      isbn: book.isbn, title: book.title, author: book.author, total: book.total,
      onLoan: book.onLoan, available: book.available, status: book.status)
  }

  var description: String {
    "\(isbn) \"\(title)\" by \(author): total \(total), on_loan \(onLoan),"
      + " available \(available), \(status.rawValue)"
  }
}

func book(
  _ isbn: ISBN, _ title: String, _ author: String, total: Int, onLoan: Int, available: Int,
  _ status: BookStatus = .active
) -> ExpectedBook {
  ExpectedBook(
    isbn: isbn, title: title, author: author, total: total, onLoan: onLoan,
    available: available, status: status)
}

/// An anomaly without its time (which must be its event's) and detail (text for people).
struct ExpectedAnomaly: Sendable, Equatable, CustomStringConvertible {
  var type: AnomalyType
  var position: Int64
  var isbn: ISBN
  var userID: String?
  var commandID: String?

  init(type: AnomalyType, position: Int64, isbn: ISBN, userID: String?, commandID: String?) {
    self.type = type
    self.position = position
    self.isbn = isbn
    self.userID = userID
    self.commandID = commandID
  }

  init(_ anomaly: Anomaly) {
    self.init(
      type: anomaly.type, position: anomaly.position, isbn: anomaly.isbn,
      userID: anomaly.userID, commandID: anomaly.commandID)
  }

  var description: String {
    "\(type.rawValue)@\(position) \(isbn) user \(userID ?? "nil") command \(commandID ?? "nil")"
  }
}

func anomaly(
  _ type: AnomalyType, at position: Int64, _ isbn: ISBN, user: String? = nil,
  command: String? = nil
) -> ExpectedAnomaly {
  ExpectedAnomaly(type: type, position: position, isbn: isbn, userID: user, commandID: command)
}

/// A returned loan as the fold hands it out (built field by field, so that tests need no
/// public initialiser of `Loan`).
struct ClosedLoanFacts: Sendable, Equatable {
  var isbn: ISBN
  var userID: String
  var position: Int64
  var borrowedAt: Timestamp
  var returnedAt: Timestamp?
  var counted: Bool

  init(
    isbn: ISBN, userID: String, position: Int64, borrowedAt: Timestamp, returnedAt: Timestamp?,
    counted: Bool
  ) {
    self.isbn = isbn
    self.userID = userID
    self.position = position
    self.borrowedAt = borrowedAt
    self.returnedAt = returnedAt
    self.counted = counted
  }

  init(_ loan: Loan) {
    self.init(
      isbn: loan.isbn, userID: loan.userID, position: loan.position, borrowedAt: loan.borrowedAt,
      returnedAt: loan.returnedAt, counted: loan.counted)
  }
}

/// A returned loan: the positions of its borrow and of its return.
struct ExpectedClosedLoan: Sendable, Equatable {
  var borrowedAt: Int64
  var returnedAt: Int64
  var counted: Bool

  /// The whole loan, its ISBN and user read from the borrow step of `events`.
  func loan(in events: [RecordedEvent]) throws -> ClosedLoanFacts {
    let borrow = try #require(events.first { $0.position == borrowedAt })
    let giveBack = try #require(events.first { $0.position == returnedAt })
    guard case .bookBorrowed(let borrowed) = borrow.event else {
      Issue.record("position \(borrowedAt) is not a borrow")
      return ClosedLoanFacts(
        isbn: borrow.event.isbn, userID: "", position: borrowedAt,
        borrowedAt: borrow.occurredAt, returnedAt: nil, counted: counted)
    }
    return ClosedLoanFacts(
      isbn: borrowed.isbn, userID: borrowed.userID, position: borrowedAt,
      borrowedAt: borrow.occurredAt, returnedAt: giveBack.occurredAt, counted: counted)
  }
}

func closed(_ borrowedAt: Int64, by returnedAt: Int64, counted: Bool = true)
  -> ExpectedClosedLoan
{
  ExpectedClosedLoan(borrowedAt: borrowedAt, returnedAt: returnedAt, counted: counted)
}

// MARK: - Cases

/// One row of a replay table: a log and everything the fold should make of it.
struct ReplayCase: Sendable, CustomTestStringConvertible {
  var name: String
  var policy: ReplayPolicy = .standard
  var steps: [Step]
  /// Every ISBN ever added, active or removed.
  var books: [ExpectedBook] = []
  /// Open loans per user (users without one left out).
  var openCounts: [String: Int] = [:]
  /// The borrow positions of the loans still open.
  var openLoans: [Int64] = []
  /// Loans closed, in the order they closed.
  var closedLoans: [ExpectedClosedLoan] = []
  /// In replay order; several of one event in table order.
  var anomalies: [ExpectedAnomaly] = []

  var testDescription: String { name }
}
