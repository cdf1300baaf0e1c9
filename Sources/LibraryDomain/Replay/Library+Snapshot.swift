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
    restore(books: state.books, openLoans: state.openLoans, eventCount: state.eventCount)
  }
}
