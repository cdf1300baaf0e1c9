/// What the fold hands out besides its state: anomalies as they are raised, and loans as they
/// close (a report of every loan would otherwise hold the whole history in memory).
public protocol ReplaySink {
  mutating func raised(_ anomaly: Anomaly)
  mutating func closed(_ loan: Loan)
}

/// A sink that keeps everything, for tests and small logs.
public struct CollectingSink: ReplaySink, Sendable {
  public var anomalies: [Anomaly] = []
  public var closedLoans: [Loan] = []

  public init() {}

  public mutating func raised(_ anomaly: Anomaly) { anomalies.append(anomaly) }
  public mutating func closed(_ loan: Loan) { closedLoans.append(loan) }
}

/// The read model: the library's state after the events applied so far. The fold is pure and
/// never throws: a surprising fact becomes an anomaly.
public struct Library: Sendable {
  public let policy: ReplayPolicy
  /// Every ISBN added so far, active or removed.
  public internal(set) var books: [ISBN: Book] = [:]
  /// Open loans per user and ISBN, oldest first.
  public internal(set) var openLoans: [LoanKey: [Loan]] = [:]
  /// Open loans per user, of any book.
  public internal(set) var openLoanCounts: [String: Int] = [:]
  /// Events applied.
  public internal(set) var eventCount = 0

  /// A user's loans of one ISBN.
  public struct LoanKey: Hashable, Sendable {
    public var userID: String
    public var isbn: ISBN
  }

  public init(policy: ReplayPolicy = .standard) {
    self.policy = policy
  }

  /// Applies one event per the table of SPEC section 3, raising its anomalies in table order.
  public mutating func apply(_ recorded: RecordedEvent, sink: inout some ReplaySink) {
    eventCount += 1
    switch recorded.event {
    case .bookAdded(let event): add(event, recorded, &sink)
    case .bookBorrowed(let event): borrow(event, recorded, &sink)
    case .bookReturned(let event): giveBack(event, recorded, &sink)
    case .bookRemoved(let event): remove(event, recorded, &sink)
    }
  }

  private mutating func add(
    _ event: BookAdded, _ recorded: RecordedEvent, _ sink: inout some ReplaySink
  ) {
    guard var book = books[event.isbn], book.status == .active else {
      books[event.isbn] = Book(
        isbn: event.isbn, title: event.title, author: event.author, total: event.quantity,
        onLoan: books[event.isbn]?.onLoan ?? 0, status: .active)
      return
    }
    book.total += event.quantity
    books[event.isbn] = book
    if book.title != event.title || book.author != event.author {
      sink.raised(
        anomaly(
          .catalogConflict, recorded,
          detail: "AddBook says \"\(event.title)\" by \(event.author); the catalogue has"
            + " \"\(book.title)\" by \(book.author) (kept)"))
    }
  }

  private mutating func borrow(
    _ event: BookBorrowed, _ recorded: RecordedEvent, _ sink: inout some ReplaySink
  ) {
    let key = LoanKey(userID: event.userID, isbn: event.isbn)
    let openCount = openLoanCounts[event.userID, default: 0]
    var counted = false
    if var book = books[event.isbn], book.status == .active {
      if book.available <= 0 {
        sink.raised(
          anomaly(
            .overBorrow, recorded,
            detail: "\(event.userID) borrowed with \(book.available) of \(book.total) copies"
              + " available"))
      }
      if openCount >= policy.maxLoans {
        sink.raised(
          anomaly(
            .loanLimitExceeded, recorded,
            detail: "\(event.userID) already had \(openCount) open loans (limit"
              + " \(policy.maxLoans))"))
      }
      book.onLoan += 1
      books[event.isbn] = book
      counted = true
    } else {
      sink.raised(
        anomaly(
          .unknownBook, recorded,
          detail: books[event.isbn] == nil
            ? "BorrowBook of an ISBN never added" : "BorrowBook of a removed ISBN"))
    }
    let loan = Loan(
      isbn: event.isbn, userID: event.userID, position: recorded.position,
      borrowedAt: recorded.occurredAt, returnedAt: nil, counted: counted)
    openLoans[key, default: []].append(loan)
    openLoanCounts[event.userID] = openCount + 1
  }

  private mutating func giveBack(
    _ event: BookReturned, _ recorded: RecordedEvent, _ sink: inout some ReplaySink
  ) {
    let key = LoanKey(userID: event.userID, isbn: event.isbn)
    guard var loans = openLoans[key], !loans.isEmpty else {
      sink.raised(
        anomaly(
          .returnWithoutLoan, recorded, detail: "\(event.userID) had no open loan of this ISBN"))
      return
    }
    var loan = loans.removeFirst()
    openLoans[key] = loans.isEmpty ? nil : loans
    let remaining = openLoanCounts[event.userID, default: 1] - 1
    openLoanCounts[event.userID] = remaining > 0 ? remaining : nil
    if loan.counted, var book = books[event.isbn] {
      book.onLoan -= 1
      books[event.isbn] = book
    }
    loan.returnedAt = recorded.occurredAt
    sink.closed(loan)
  }

  private mutating func remove(
    _ event: BookRemoved, _ recorded: RecordedEvent, _ sink: inout some ReplaySink
  ) {
    guard var book = books[event.isbn], book.status == .active else {
      sink.raised(
        anomaly(
          .unknownBook, recorded,
          detail: books[event.isbn] == nil
            ? "RemoveBook of an ISBN never added" : "RemoveBook of an ISBN already removed"))
      return
    }
    book.status = .removed
    books[event.isbn] = book
    if book.onLoan > 0 {
      sink.raised(
        anomaly(
          .removedWhileOnLoan, recorded,
          detail: "removed with \(book.onLoan) of \(book.total) copies on loan"))
    }
  }

  private func anomaly(_ type: AnomalyType, _ recorded: RecordedEvent, detail: String) -> Anomaly {
    Anomaly(
      type: type, occurredAt: recorded.occurredAt, position: recorded.position,
      commandID: recorded.commandID.isEmpty ? nil : recorded.commandID, isbn: recorded.event.isbn,
      userID: recorded.event.userID, detail: detail)
  }
}
