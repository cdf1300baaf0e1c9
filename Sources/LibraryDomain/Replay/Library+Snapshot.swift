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
  /// The state in canonical order (independent of dictionary order).
  public var state: LibraryState {
    let books = books.values.sorted { $0.isbn < $1.isbn }
    let keys = openLoans.keys.sorted {
      $0.userID == $1.userID
        ? $0.isbn < $1.isbn : $0.userID.utf8.lexicographicallyPrecedes($1.userID.utf8)
    }
    return LibraryState(
      books: books, openLoans: keys.flatMap { openLoans[$0] ?? [] }, eventCount: eventCount)
  }

  /// A library in `state`, to fold on from there under `policy`.
  public init(policy: ReplayPolicy, restoring state: LibraryState) {
    self.init(policy: policy)
    books.reserveCapacity(state.books.count)
    for book in state.books { books[book.isbn] = book }
    for loan in state.openLoans {
      openLoans[LoanKey(userID: loan.userID, isbn: loan.isbn), default: []].append(loan)
      openLoanCounts[loan.userID, default: 0] += 1
    }
    eventCount = state.eventCount
  }
}
