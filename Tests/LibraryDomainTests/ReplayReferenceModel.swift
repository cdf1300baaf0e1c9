import LibraryDomain

/// A deliberately naive replay written straight from the table of docs/reports.md: one flat list
/// of every loan, searched every time. The property tests check the fold against it.
struct ReplayReferenceModel {
  struct Entry: Equatable {
    var title: String
    var author: String
    var total: Int
    var onLoan: Int
    var active: Bool
  }

  struct ModelLoan {
    var isbn: ISBN
    var user: String
    var position: Int64
    var counted: Bool
    var open = true
  }

  let policy: ReplayPolicy
  var books: [ISBN: Entry] = [:]
  var loans: [ModelLoan] = []

  init(policy: ReplayPolicy) {
    self.policy = policy
  }

  func openLoans(of user: String) -> Int {
    loans.filter { $0.open && $0.user == user }.count
  }

  /// Applies one event; returns its anomalies in table order and the borrow position of the loan
  /// it closed, if any.
  mutating func apply(_ event: LibraryEvent, position: Int64) -> ([AnomalyType], Int64?) {
    switch event {
    case .bookAdded(let added):
      if let entry = books[added.isbn], entry.active {
        books[added.isbn]?.total += added.quantity
        let conflict = entry.title != added.title || entry.author != added.author
        return (conflict ? [.catalogConflict] : [], nil)
      }
      books[added.isbn] = Entry(
        title: added.title, author: added.author, total: added.quantity,
        onLoan: books[added.isbn]?.onLoan ?? 0, active: true)
      return ([], nil)
    case .bookBorrowed(let borrowed):
      var anomalies: [AnomalyType] = []
      let active = books[borrowed.isbn]?.active == true
      if let entry = books[borrowed.isbn], active {
        if entry.total - entry.onLoan <= 0 { anomalies.append(.overBorrow) }
        if openLoans(of: borrowed.userID) >= policy.maxLoans {
          anomalies.append(.loanLimitExceeded)
        }
        books[borrowed.isbn]?.onLoan += 1
      } else {
        anomalies.append(.unknownBook)
      }
      loans.append(
        ModelLoan(isbn: borrowed.isbn, user: borrowed.userID, position: position, counted: active))
      return (anomalies, nil)
    case .bookReturned(let returned):
      // Loans are appended in replay order, so the first match is the oldest.
      guard
        let index = loans.firstIndex(where: {
          $0.open && $0.user == returned.userID && $0.isbn == returned.isbn
        })
      else { return ([.returnWithoutLoan], nil) }
      loans[index].open = false
      if loans[index].counted { books[returned.isbn]?.onLoan -= 1 }
      return ([], loans[index].position)
    case .bookRemoved(let removed):
      guard let entry = books[removed.isbn], entry.active else { return ([.unknownBook], nil) }
      books[removed.isbn]?.active = false
      return (entry.onLoan > 0 ? [.removedWhileOnLoan] : [], nil)
    }
  }
}
