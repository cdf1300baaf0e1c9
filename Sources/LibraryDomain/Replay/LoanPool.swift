/// An open loan as the fold keeps it: in its user's list, oldest first.
public struct OpenLoan: Sendable {
  /// The next open loan of the same user, or -1.
  var next: Int32
  /// The ISBN's dense index.
  public var book: Int32
  /// The user's count of loans opened before this one.
  public var ordinal: Int32
  /// Whether it was counted in the book's `on_loan` when it opened.
  public var counted: Bool
  public var position: Int64
  public var borrowedAt: Int64

  init(book: Int32, counted: Bool, position: Int64, borrowedAt: Int64) {
    next = -1
    self.book = book
    ordinal = 0
    self.counted = counted
    self.position = position
    self.borrowedAt = borrowedAt
  }
}

/// Every user's open loans, oldest first, as linked lists in one pool: opening and closing a
/// loan allocates nothing, and a return walks only its user's open loans.
struct LoanPool: Sendable {
  private struct List: Sendable {
    var head: Int32 = -1
    var tail: Int32 = -1
    var open: Int32 = 0
    /// Loans opened so far: the next loan's ordinal.
    var opened: Int32 = 0
  }

  private var nodes: [OpenLoan] = []
  /// The first unused node, -1 when none.
  private var free: Int32 = -1
  /// One list per user index.
  private var lists: [List] = []
  /// Open loans of all users.
  private(set) var openTotal = 0

  /// Users known to the pool.
  var userCount: Int { lists.count }

  /// Adds a list for the next user index.
  mutating func addUser() {
    lists.append(List())
  }

  func openCount(ofUser user: Int) -> Int { Int(lists[user].open) }

  /// Loans the user opened, open and returned.
  func loanCount(ofUser user: Int) -> Int { Int(lists[user].opened) }

  /// Appends `loan` to the user's open loans, with the next ordinal.
  mutating func open(_ loan: OpenLoan, user: Int) {
    var loan = loan
    loan.ordinal = lists[user].opened
    loan.next = -1
    let index: Int32
    if free >= 0 {
      index = free
      free = nodes[Int(index)].next
      nodes[Int(index)] = loan
    } else {
      index = Int32(nodes.count)
      nodes.append(loan)
    }
    let tail = lists[user].tail
    if tail >= 0 {
      nodes[Int(tail)].next = index
    } else {
      lists[user].head = index
    }
    lists[user].tail = index
    lists[user].open += 1
    lists[user].opened += 1
    openTotal += 1
  }

  /// Closes the user's oldest open loan of `book` and returns it; nil when there is none.
  mutating func closeOldest(ofUser user: Int, book: Int32) -> OpenLoan? {
    var previous: Int32 = -1
    var current = lists[user].head
    while current >= 0 && nodes[Int(current)].book != book {
      previous = current
      current = nodes[Int(current)].next
    }
    guard current >= 0 else { return nil }
    let loan = nodes[Int(current)]
    if previous >= 0 {
      nodes[Int(previous)].next = loan.next
    } else {
      lists[user].head = loan.next
    }
    if lists[user].tail == current { lists[user].tail = previous }
    lists[user].open -= 1
    openTotal -= 1
    nodes[Int(current)].next = free
    free = current
    return loan
  }

  /// The user's open loans, oldest first.
  func forEach(ofUser user: Int, _ body: (OpenLoan) throws -> Void) rethrows {
    var next = lists[user].head
    while next >= 0 {
      let loan = nodes[Int(next)]
      try body(loan)
      next = loan.next
    }
  }
}
