/// The fold's whole state in a canonical form: what a projection snapshot stores, and what it
/// restores. Two libraries with equal states fold every later event identically.
public struct LibraryState: Sendable, Equatable {
  /// Every ISBN added so far, by ISBN.
  public var books: [Book]
  /// Open loans by (user id, ISBN), and within one user and ISBN oldest first (the order in
  /// which returns close them).
  public var openLoans: [Loan]
  /// Events applied.
  public var eventCount: Int

  public init(books: [Book], openLoans: [Loan], eventCount: Int) {
    self.books = books
    self.openLoans = openLoans
    self.eventCount = eventCount
  }
}

extension Library {
  /// The state in canonical order (independent of how the fold stores it).
  public var state: LibraryState {
    LibraryState(books: sortedBooks, openLoans: sortedOpenLoans, eventCount: eventCount)
  }

  /// A library in `state`, to fold on from there under `policy`.
  public init(policy: ReplayPolicy, restoring state: LibraryState) {
    self.init(policy: policy)
    for book in state.books {
      let index = Int(bookIndex(book.isbn))
      bookSlots[index] = BookSlot(
        total: book.total, onLoan: book.onLoan, added: true, active: book.status == .active)
      titles[index] = book.title
      authors[index] = book.author
    }
    // Oldest first, so that each user's list and ordinals come out in borrow order.
    let loans = state.openLoans.enumerated().sorted {
      ($0.element.borrowedAt, $0.element.position, $0.offset)
        < ($1.element.borrowedAt, $1.element.position, $1.offset)
    }
    for (_, loan) in loans {
      var userID = loan.userID
      let user = userID.withUTF8 { userIndex($0) }
      self.loans.open(
        OpenLoan(
          book: bookIndex(loan.isbn), counted: loan.counted, position: loan.position,
          borrowedAt: loan.borrowedAt.microseconds), user: user)
    }
    eventCount = state.eventCount
  }
}
