/// What the reports and snapshots read from a library.
extension Library {
  // MARK: - Views

  /// Every ISBN added so far, by ISBN (the canonical order of a snapshot).
  public var sortedBooks: [Book] {
    bookSlots.indices.filter { bookSlots[$0].added }.map(makeBook).sorted { $0.isbn < $1.isbn }
  }

  /// Open loans by (user id bytes, ISBN), oldest first within one user and ISBN (the canonical
  /// order of a snapshot).
  public var sortedOpenLoans: [Loan] {
    var result: [Loan] = []
    result.reserveCapacity(openLoanTotal)
    for user in sortedUsers(where: { loans.openCount(ofUser: $0) > 0 }) {
      var userLoans: [Loan] = []
      loans.forEach(ofUser: Int(user)) { userLoans.append(makeLoan($0, user: Int(user))) }
      // Stable: equal ISBNs keep their oldest-first order.
      result += userLoans.enumerated().sorted {
        ($0.element.isbn, $0.offset) < ($1.element.isbn, $1.offset)
      }.map(\.element)
    }
    return result
  }

  /// Active titles, their copies, and copies on loan over all books (docs/reports.md's
  /// `titles_active`, `copies_total` and `copies_on_loan`).
  public var totals: (titlesActive: Int, copiesTotal: Int, copiesOnLoan: Int) {
    var titles = 0
    var copies = 0
    var onLoan = 0
    for slot in bookSlots where slot.added {
      if slot.active {
        titles += 1
        copies += slot.total
      }
      onLoan += slot.onLoan
    }
    return (titles, copies, onLoan)
  }

  /// Open loans, those of unknown books included.
  public var openLoanTotal: Int { loans.openTotal }

  /// Open loans overdue at `at` by the policy's rule (`ReplayPolicy.isOverdue`).
  public func overdueLoanCount(at: Timestamp) -> Int {
    var count = 0
    for user in 0..<loans.userCount {
      loans.forEach(ofUser: user) { loan in
        if policy.isOverdue(borrowedAt: loan.borrowedAt, at: at) { count += 1 }
      }
    }
    return count
  }

  // MARK: - Users

  /// Users seen so far (with or without loans).
  public var userCount: Int { loans.userCount }

  /// The id of user `index`.
  public func userID(_ index: Int32) -> String { users.names[Int(index)] }

  /// The index of a user id, nil when never seen.
  public func userIndex(of userID: String) -> Int32? { users.find(userID) }

  /// The index of a user id given as UTF-8 bytes, nil when never seen.
  public func userIndex(of userID: UnsafeBufferPointer<UInt8>) -> Int32? { users.find(userID) }

  /// The user's open loans, of any book (0 for a user never seen).
  public func openLoanCount(of userID: String) -> Int {
    users.find(userID).map { loans.openCount(ofUser: Int($0)) } ?? 0
  }

  /// Loans the user opened (open and returned).
  public func loanCount(ofUser index: Int32) -> Int { loans.loanCount(ofUser: Int(index)) }

  /// The user's open loans, oldest first.
  public func forEachOpenLoan(ofUser user: Int32, _ body: (OpenLoan) throws -> Void) rethrows {
    try loans.forEach(ofUser: Int(user), body)
  }

  /// User indexes by user id bytes: those with a loan, or all of them.
  public func sortedUsers(withLoansOnly: Bool = true) -> [Int32] {
    sortedUsers(where: { !withLoansOnly || loans.loanCount(ofUser: $0) > 0 })
  }

  private func sortedUsers(where include: (Int) -> Bool) -> [Int32] {
    var result: [Int32] = []
    for index in 0..<loans.userCount where include(index) {
      result.append(Int32(index))
    }
    result.sort { users.precedes(Int($0), Int($1)) }
    return result
  }

  // MARK: - Books

  /// ISBNs seen so far (added or only borrowed).
  public var isbnCount: Int { bookSlots.count }

  /// The ISBN of index `book`.
  public func isbn(_ book: Int32) -> ISBN { isbns.isbns[Int(book)] }

  /// The index of an ISBN, nil when never seen.
  public func bookIndex(of isbn: ISBN) -> Int32? { isbns.find(isbn) }

  /// The book of index `book`, nil when it was never added.
  public func book(_ book: Int32) -> Book? {
    bookSlots[Int(book)].added ? makeBook(Int(book)) : nil
  }

  /// The book of an ISBN, nil when it was never added.
  public func book(isbn: ISBN) -> Book? {
    bookIndex(of: isbn).flatMap(book)
  }

  /// The title of index `book`, nil when it was never added.
  public func title(_ book: Int32) -> String? {
    bookSlots[Int(book)].added ? titles[Int(book)] : nil
  }

  func makeBook(_ index: Int) -> Book {
    let slot = bookSlots[index]
    return Book(
      isbn: isbns.isbns[index], title: titles[index], author: authors[index], total: slot.total,
      onLoan: slot.onLoan, status: slot.active ? .active : .removed)
  }

  func makeLoan(_ loan: OpenLoan, user: Int) -> Loan {
    Loan(
      isbn: isbns.isbns[Int(loan.book)], userID: users.names[user], position: loan.position,
      borrowedAt: Timestamp(microseconds: loan.borrowedAt), returnedAt: nil,
      counted: loan.counted)
  }
}
