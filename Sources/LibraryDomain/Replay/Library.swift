/// The read model: the library's state after the events applied so far, folded by the table of
/// docs/reports.md. The fold is pure and never throws: a surprising fact becomes an anomaly.
///
/// User ids and ISBNs are interned to dense indexes on first sight (`InternTables`), and open
/// loans live in a pool of per-user lists (`LoanPool`), so applying an event hashes a few bytes
/// once and allocates nothing. Queries are in `Library+Queries.swift`, snapshots in
/// `Library+Snapshot.swift`.
public struct Library: Sendable {
  public let policy: ReplayPolicy
  /// Events applied.
  public internal(set) var eventCount = 0

  var users = UserTable()
  var isbns = ISBNTable()
  /// Per ISBN index: copies, and whether the ISBN was added and is active.
  var bookSlots: [BookSlot] = []
  var titles: [String] = []
  var authors: [String] = []
  /// Open loans per user index.
  var loans = LoanPool()

  struct BookSlot: Sendable {
    var total = 0
    var onLoan = 0
    /// Whether the ISBN was added (it is in the inventory).
    var added = false
    var active = false
  }

  public init(policy: ReplayPolicy = .standard) {
    self.policy = policy
  }

  // MARK: - The fold

  /// Applies one event per the table of docs/reports.md, raising its anomalies in table order.
  public mutating func apply(_ recorded: RecordedEvent, sink: inout some ReplaySink) {
    let event = recorded.event
    var title = ""
    var author = ""
    var quantity = 0
    if case .bookAdded(let added) = event {
      title = added.title
      author = added.author
      quantity = added.quantity
    }
    var userID = event.userID ?? ""
    var commandID = recorded.commandID
    userID.withUTF8 { user in
      commandID.withUTF8 { command in
        apply(
          row: EventRow(
            position: recorded.position, occurredAt: recorded.occurredAt, type: event.type,
            isbn: event.isbn, quantity: quantity, title: title, author: author, userID: user,
            commandID: command),
          sink: &sink)
      }
    }
  }

  /// Applies a block of events read from a log, in order.
  public mutating func apply(_ rows: EventRows, sink: inout some ReplaySink) {
    rows.forEachRow { apply(row: $0, sink: &sink) }
  }

  /// Applies one event read from the log: the same fold as `apply(_:sink:)`. Returns the
  /// user's index (`userIndex(of:)`) for a borrow or return, nil otherwise.
  @discardableResult
  public mutating func apply(row: EventRow, sink: inout some ReplaySink) -> Int32? {
    eventCount += 1
    switch row.type {
    case .bookAdded:
      add(row, &sink)
      return nil
    case .bookBorrowed:
      let user = userIndex(row.userID)
      borrow(row, user: user, &sink)
      return Int32(user)
    case .bookReturned:
      let user = userIndex(row.userID)
      giveBack(row, user: user, &sink)
      return Int32(user)
    case .bookRemoved:
      remove(row, &sink)
      return nil
    }
  }

  /// BookAdded: an unknown or removed ISBN becomes active with the event's catalogue entry and
  /// copies (its loans still out kept); an active one gains copies, and a differing title or
  /// author is a `catalog_conflict`.
  private mutating func add(_ row: EventRow, _ sink: inout some ReplaySink) {
    let index = Int(bookIndex(row.isbn))
    let slot = bookSlots[index]
    guard slot.added, slot.active else {
      bookSlots[index] = BookSlot(
        total: row.quantity, onLoan: slot.added ? slot.onLoan : 0, added: true, active: true)
      titles[index] = row.title
      authors[index] = row.author
      return
    }
    bookSlots[index].total += row.quantity
    if titles[index] != row.title || authors[index] != row.author {
      sink.raised(
        anomaly(
          .catalogConflict, row, userID: nil,
          detail: "AddBook says \"\(row.title)\" by \(row.author); the catalogue has"
            + " \"\(titles[index])\" by \(authors[index]) (kept)"))
    }
  }

  /// BookBorrowed: opens a loan. Of an active ISBN it counts in `on_loan`, with `over_borrow`
  /// when no copy was available and `loan_limit_exceeded` when the user was at the limit; of an
  /// unknown or removed ISBN it is an `unknown_book` only.
  private mutating func borrow(_ row: EventRow, user: Int, _ sink: inout some ReplaySink) {
    let book = bookIndex(row.isbn)
    let openCount = loans.openCount(ofUser: user)
    let slot = bookSlots[Int(book)]
    var counted = false
    if slot.added, slot.active {
      let available = slot.total - slot.onLoan
      if available <= 0 {
        let userID = users.names[user]
        sink.raised(
          anomaly(
            .overBorrow, row, userID: userID,
            detail: "\(userID) borrowed with \(available) of \(slot.total) copies available"))
      }
      if openCount >= policy.maxLoans {
        let userID = users.names[user]
        sink.raised(
          anomaly(
            .loanLimitExceeded, row, userID: userID,
            detail: "\(userID) already had \(openCount) open loans (limit"
              + " \(policy.maxLoans))"))
      }
      bookSlots[Int(book)].onLoan += 1
      counted = true
    } else {
      sink.raised(
        anomaly(
          .unknownBook, row, userID: users.names[user],
          detail: slot.added
            ? "BorrowBook of a removed ISBN" : "BorrowBook of an ISBN never added"))
    }
    loans.open(
      OpenLoan(
        book: book, counted: counted, position: row.position,
        borrowedAt: row.occurredAt.microseconds), user: user)
  }

  /// BookReturned: closes the user's oldest open loan of the ISBN (`on_loan -= 1` if it was
  /// counted), or raises `return_without_loan`.
  private mutating func giveBack(_ row: EventRow, user: Int, _ sink: inout some ReplaySink) {
    guard let book = isbns.find(row.isbn), let loan = loans.closeOldest(ofUser: user, book: book)
    else {
      let userID = users.names[user]
      sink.raised(
        anomaly(
          .returnWithoutLoan, row, userID: userID,
          detail: "\(userID) had no open loan of this ISBN"))
      return
    }
    if loan.counted, bookSlots[Int(loan.book)].added {
      bookSlots[Int(loan.book)].onLoan -= 1
    }
    sink.closed(
      ClosedLoan(
        isbn: row.isbn, user: Int32(user), ordinal: loan.ordinal, book: loan.book,
        position: loan.position, borrowedAt: Timestamp(microseconds: loan.borrowedAt),
        returnedAt: row.occurredAt, counted: loan.counted),
      userID: { users.names[user] })
  }

  /// BookRemoved: an active ISBN becomes removed (`removed_while_on_loan` when copies are out;
  /// its loans stay open); an unknown or removed one is an `unknown_book`.
  private mutating func remove(_ row: EventRow, _ sink: inout some ReplaySink) {
    let index = isbns.find(row.isbn).map(Int.init)
    guard let index, bookSlots[index].added, bookSlots[index].active else {
      let added = index.map { bookSlots[$0].added } ?? false
      sink.raised(
        anomaly(
          .unknownBook, row, userID: nil,
          detail: added
            ? "RemoveBook of an ISBN already removed" : "RemoveBook of an ISBN never added"))
      return
    }
    bookSlots[index].active = false
    let slot = bookSlots[index]
    if slot.onLoan > 0 {
      sink.raised(
        anomaly(
          .removedWhileOnLoan, row, userID: nil,
          detail: "removed with \(slot.onLoan) of \(slot.total) copies on loan"))
    }
  }

  private func anomaly(
    _ type: AnomalyType, _ row: EventRow, userID: String?, detail: String
  ) -> Anomaly {
    Anomaly(
      type: type, occurredAt: row.occurredAt, position: row.position,
      commandID: row.commandID.isEmpty ? nil : String(decoding: row.commandID, as: UTF8.self),
      isbn: row.isbn, userID: userID, detail: detail)
  }

  // MARK: - Interning

  /// The dense index of an ISBN, interned (with an empty book slot) on first sight.
  mutating func bookIndex(_ isbn: ISBN) -> Int32 {
    let (index, inserted) = isbns.intern(isbn)
    if inserted {
      bookSlots.append(BookSlot())
      titles.append("")
      authors.append("")
    }
    return index
  }

  /// The dense index of a user id, interned (with an empty loan list) on first sight.
  mutating func userIndex(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    let user = Int(users.intern(bytes))
    if user == loans.userCount { loans.addUser() }
    return user
  }
}
