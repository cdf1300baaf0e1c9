#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What the fold hands out besides its state: anomalies as they are raised, and loans as they
/// close (a report of every loan would otherwise hold the whole history in memory).
public protocol ReplaySink {
  mutating func raised(_ anomaly: Anomaly)
  mutating func closed(_ loan: Loan)
  /// A loan closed, as the fold keeps it (the user id is read only when asked for). The
  /// default makes the `Loan` and forwards it to `closed(_:)`.
  mutating func closed(_ loan: ClosedLoan, userID: () -> String)
}

extension ReplaySink {
  public mutating func closed(_ loan: ClosedLoan, userID: () -> String) {
    closed(
      Loan(
        isbn: loan.isbn, userID: userID(), position: loan.position, borrowedAt: loan.borrowedAt,
        returnedAt: loan.returnedAt, counted: loan.counted))
  }
}

/// A loan as it closes, with the fold's dense indexes of its user and ISBN (see
/// `Library.userID(_:)` and `Library.isbn(_:)`) and `ordinal`, the user's count of loans opened
/// before it: a user's loans in ordinal order are in (borrowed_at, position) order.
public struct ClosedLoan: Sendable {
  public var isbn: ISBN
  public var user: Int32
  public var ordinal: Int32
  public var book: Int32
  public var position: Int64
  public var borrowedAt: Timestamp
  public var returnedAt: Timestamp
  public var counted: Bool
}

/// A sink that keeps everything, for tests and small logs.
public struct CollectingSink: ReplaySink, Sendable {
  public var anomalies: [Anomaly] = []
  public var closedLoans: [Loan] = []

  public init() {}

  public mutating func raised(_ anomaly: Anomaly) { anomalies.append(anomaly) }
  public mutating func closed(_ loan: Loan) { closedLoans.append(loan) }
}

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
}

/// The read model: the library's state after the events applied so far. The fold is pure and
/// never throws: a surprising fact becomes an anomaly.
///
/// User ids and ISBNs are interned to dense indexes on first sight, and each user's open loans
/// are a linked list in a pool, so applying an event hashes a few bytes once and allocates
/// nothing. `books`, `openLoans` and `openLoanCounts` are views built on each access.
public struct Library: Sendable {
  public let policy: ReplayPolicy
  /// Events applied.
  public internal(set) var eventCount = 0

  private var users = UserTable()
  private var userSlots: [UserSlot] = []
  private var isbns = ISBNTable()
  private var bookSlots: [BookSlot] = []
  private var titles: [String] = []
  private var authors: [String] = []
  private var pool: [OpenLoan] = []
  private var freeLoan: Int32 = -1
  /// Open loans, those of unknown books included.
  public var openLoanTotal: Int {
    openLoansCounted
  }
  private var openLoansCounted = 0
  /// `books`, `openLoans` and `openLoanCounts` as built on first read (a cache).
  private var views = LibraryViews()

  private struct UserSlot: Sendable {
    var head: Int32 = -1
    var tail: Int32 = -1
    var open: Int32 = 0
    /// Loans opened so far: the next loan's ordinal.
    var loans: Int32 = 0
  }

  private struct BookSlot: Sendable {
    var total = 0
    var onLoan = 0
    /// Whether the ISBN was added (it is in `books`).
    var added = false
    var active = false
  }

  /// A user's loans of one ISBN.
  public struct LoanKey: Hashable, Sendable {
    public var userID: String
    public var isbn: ISBN
  }

  public init(policy: ReplayPolicy = .standard) {
    self.policy = policy
  }

  // MARK: - Views

  /// Every ISBN added so far, active or removed. Built on first read and kept until the library
  /// changes.
  public var books: [ISBN: Book] { views.read(\.books) { makeBooks() } }

  /// Open loans per user and ISBN, oldest first (built and kept like `books`).
  public var openLoans: [LoanKey: [Loan]] { views.read(\.openLoans) { makeOpenLoans() } }

  /// Open loans per user, of any book (built and kept like `books`).
  public var openLoanCounts: [String: Int] {
    views.read(\.openLoanCounts) { makeOpenLoanCounts() }
  }

  private func makeBooks() -> [ISBN: Book] {
    var books: [ISBN: Book] = [:]
    books.reserveCapacity(bookSlots.count)
    for index in bookSlots.indices where bookSlots[index].added {
      books[isbns.isbns[index]] = makeBook(index)
    }
    return books
  }

  private func makeOpenLoans() -> [LoanKey: [Loan]] {
    var open: [LoanKey: [Loan]] = [:]
    for user in userSlots.indices {
      forEachOpenLoan(ofUser: Int32(user)) { loan in
        open[LoanKey(userID: users.names[user], isbn: isbns.isbns[Int(loan.book)]), default: []]
          .append(makeLoan(loan, user: user))
      }
    }
    return open
  }

  private func makeOpenLoanCounts() -> [String: Int] {
    var counts: [String: Int] = [:]
    for (user, slot) in userSlots.enumerated() where slot.open > 0 {
      counts[users.names[user]] = Int(slot.open)
    }
    return counts
  }

  /// Before any change of the tables: the cached views dropped (in a box of this library's
  /// own).
  @inline(__always)
  private mutating func changing() {
    if !isKnownUniquelyReferenced(&views) {
      views = LibraryViews()
    } else if !views.isEmpty {
      views.clear()
    }
  }

  /// Every ISBN added so far, by ISBN (the canonical order of a snapshot).
  public var sortedBooks: [Book] {
    return bookSlots.indices.filter { bookSlots[$0].added }.map(makeBook).sorted {
      $0.isbn < $1.isbn
    }
  }

  /// Open loans by (user id bytes, ISBN), oldest first within one user and ISBN (the canonical
  /// order of a snapshot).
  public var sortedOpenLoans: [Loan] {
    var result: [Loan] = []
    result.reserveCapacity(openLoanTotal)
    for user in sortedUsers(where: { $0.open > 0 }) {
      var loans: [Loan] = []
      forEachOpenLoan(ofUser: user) { loans.append(makeLoan($0, user: Int(user))) }
      // Stable: equal ISBNs keep their oldest-first order.
      result += loans.enumerated().sorted {
        ($0.element.isbn, $0.offset) < ($1.element.isbn, $1.offset)
      }.map(\.element)
    }
    return result
  }

  /// Loads state in bulk (snapshot restore): the books, then the open loans oldest first.
  public mutating func restore(books: [Book], openLoans: [Loan], eventCount: Int) {
    changing()
    for book in books { restore(book: book) }
    let loans = openLoans.enumerated().sorted {
      ($0.element.borrowedAt, $0.element.position, $0.offset)
        < ($1.element.borrowedAt, $1.element.position, $1.offset)
    }
    for loan in loans { restore(openLoan: loan.element) }
    self.eventCount = eventCount
  }

  private mutating func restore(book: Book) {
    let index = Int(bookIndex(book.isbn))
    bookSlots[index] = BookSlot(
      total: book.total, onLoan: book.onLoan, added: true, active: book.status == .active)
    titles[index] = book.title
    authors[index] = book.author
  }

  private mutating func restore(openLoan loan: Loan) {
    let user = Int(users.intern(loan.userID))
    if user == userSlots.count { userSlots.append(UserSlot()) }
    let book = bookIndex(loan.isbn)
    open(
      OpenLoan(
        next: -1, book: book, ordinal: userSlots[user].loans, counted: loan.counted,
        position: loan.position, borrowedAt: loan.borrowedAt.microseconds), user: user)
  }

  // MARK: - Indexes (for the replay's reports)

  /// Users seen so far (with or without loans).
  public var userCount: Int { userSlots.count }

  /// The id of user `index`.
  public func userID(_ index: Int32) -> String { users.names[Int(index)] }

  /// The index of a user id, nil when never seen.
  public func userIndex(of userID: String) -> Int32? { users.find(userID) }

  /// Loans the user opened (open and returned).
  public func loanCount(ofUser index: Int32) -> Int { Int(userSlots[Int(index)].loans) }

  /// User indexes matching `include`, by user id bytes.
  public func sortedUsers(withLoansOnly: Bool = true) -> [Int32] {
    sortedUsers(where: { !withLoansOnly || $0.loans > 0 })
  }

  private func sortedUsers(where include: (UserSlot) -> Bool) -> [Int32] {
    var result: [Int32] = []
    for (index, slot) in userSlots.enumerated() where include(slot) {
      result.append(Int32(index))
    }
    result.sort { users.precedes(Int($0), Int($1)) }
    return result
  }

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

  /// The title of index `book`, nil when it was never added.
  public func title(_ book: Int32) -> String? {
    bookSlots[Int(book)].added ? titles[Int(book)] : nil
  }

  /// The user's open loans, oldest first.
  public func forEachOpenLoan(ofUser user: Int32, _ body: (OpenLoan) throws -> Void) rethrows {
    var next = userSlots[Int(user)].head
    while next >= 0 {
      let loan = pool[Int(next)]
      try body(loan)
      next = loan.next
    }
  }

  /// Active titles, their copies, and copies on loan over all books.
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

  private func makeBook(_ index: Int) -> Book {
    let slot = bookSlots[index]
    return Book(
      isbn: isbns.isbns[index], title: titles[index], author: authors[index], total: slot.total,
      onLoan: slot.onLoan, status: slot.active ? .active : .removed)
  }

  private func makeLoan(_ loan: OpenLoan, user: Int) -> Loan {
    Loan(
      isbn: isbns.isbns[Int(loan.book)], userID: users.names[user], position: loan.position,
      borrowedAt: Timestamp(microseconds: loan.borrowedAt), returnedAt: nil,
      counted: loan.counted)
  }

  private mutating func bookIndex(_ isbn: ISBN) -> Int32 {
    let (index, inserted) = isbns.intern(isbn)
    if inserted {
      bookSlots.append(BookSlot())
      titles.append("")
      authors.append("")
    }
    return index
  }

  private mutating func userIndex(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    let user = Int(users.intern(bytes))
    if user == userSlots.count { userSlots.append(UserSlot()) }
    return user
  }

  /// Appends `loan` to the user's open loans, with the next ordinal.
  private mutating func open(_ loan: OpenLoan, user: Int) {
    var loan = loan
    loan.ordinal = userSlots[user].loans
    loan.next = -1
    let index: Int32
    if freeLoan >= 0 {
      index = freeLoan
      freeLoan = pool[Int(index)].next
      pool[Int(index)] = loan
    } else {
      index = Int32(pool.count)
      pool.append(loan)
    }
    let tail = userSlots[user].tail
    if tail >= 0 {
      pool[Int(tail)].next = index
    } else {
      userSlots[user].head = index
    }
    userSlots[user].tail = index
    userSlots[user].open += 1
    userSlots[user].loans += 1
    openLoansCounted += 1
  }

  // MARK: - The fold

  /// Reads, for a group of upcoming events, the table slots their users and ISBNs hash to, then
  /// the user and book state those point at, then each user's oldest open loan: a group's cache
  /// misses then overlap instead of queueing one behind the other when the events are applied.
  /// Changes nothing; the result means nothing, but keep it (so the reads are not optimised
  /// away).
  public func prefetch(
    _ count: Int, user: (Int) -> UnsafeBufferPointer<UInt8>, isbn: (Int) -> ISBN
  ) -> Int {
    var warmth = 0
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * count) { scratch in
      // The slots first, then the reads alone: a short loop keeps many reads in flight.
      for item in 0..<count {
        let bytes = user(item)
        scratch[item] = bytes.isEmpty ? -1 : users.firstSlot(bytes)
        scratch[count + item] = isbns.firstSlot(isbn(item))
      }
      for item in 0..<count where scratch[item] >= 0 {
        warmth &+= users.index(atSlot: scratch[item])
      }
      for item in 0..<count {
        warmth &+= isbns.index(atSlot: scratch[count + item])
      }
      for item in 0..<count {
        let user = scratch[item] >= 0 ? users.index(atSlot: scratch[item]) : -1
        scratch[item] = -1
        if user >= 0 && user < userSlots.count {
          let head = Int(userSlots[user].head)
          scratch[item] = head
          warmth &+= head
        }
        let book = isbns.index(atSlot: scratch[count + item])
        if book >= 0 { warmth &+= bookSlots[book].total }
      }
      // The first few open loans of each user, a round per link.
      for _ in 0..<3 {
        for item in 0..<count where scratch[item] >= 0 {
          let loan = pool[scratch[item]]
          warmth &+= Int(loan.book)
          scratch[item] = Int(loan.next)
        }
      }
    }
    return warmth
  }

  /// Applies one event per the table of SPEC section 3, raising its anomalies in table order.
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
    userID.withUTF8 { bytes in
      apply(
        row: EventRow(
          position: recorded.position, occurredAt: recorded.occurredAt, type: event.type,
          isbn: event.isbn, quantity: quantity, title: title, author: author, userID: bytes,
          withCommandID: { body in
            var commandID = recorded.commandID
            commandID.withUTF8(body)
          }),
        sink: &sink)
    }
  }

  /// Applies one event read from the log (the replay's fast path): the same fold as
  /// `apply(_:sink:)`.
  public mutating func apply(row: EventRow, sink: inout some ReplaySink) {
    changing()
    eventCount += 1
    switch row.type {
    case .bookAdded: add(row, &sink)
    case .bookBorrowed: borrow(row, user: userIndex(row.userID), &sink)
    case .bookReturned: giveBack(row, user: userIndex(row.userID), &sink)
    case .bookRemoved: remove(row, &sink)
    }
  }

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

  private mutating func borrow(_ row: EventRow, user: Int, _ sink: inout some ReplaySink) {
    let book = bookIndex(row.isbn)
    let openCount = Int(userSlots[user].open)
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
    open(
      OpenLoan(
        next: -1, book: book, ordinal: 0, counted: counted, position: row.position,
        borrowedAt: row.occurredAt.microseconds), user: user)
  }

  private mutating func giveBack(_ row: EventRow, user: Int, _ sink: inout some ReplaySink) {
    var previous: Int32 = -1
    var current: Int32 = -1
    if let book = isbns.find(row.isbn) {
      current = userSlots[user].head
      while current >= 0 && pool[Int(current)].book != book {
        previous = current
        current = pool[Int(current)].next
      }
    }
    guard current >= 0 else {
      let userID = users.names[user]
      sink.raised(
        anomaly(
          .returnWithoutLoan, row, userID: userID,
          detail: "\(userID) had no open loan of this ISBN"))
      return
    }
    let loan = pool[Int(current)]
    if previous >= 0 {
      pool[Int(previous)].next = loan.next
    } else {
      userSlots[user].head = loan.next
    }
    if userSlots[user].tail == current { userSlots[user].tail = previous }
    userSlots[user].open -= 1
    openLoansCounted -= 1
    pool[Int(current)].next = freeLoan
    freeLoan = current
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
    let commandID = row.commandID()
    return Anomaly(
      type: type, occurredAt: row.occurredAt, position: row.position,
      commandID: commandID.isEmpty ? nil : commandID, isbn: row.isbn, userID: userID,
      detail: detail)
  }
}

/// The dictionary views of a library, built on first read. A class so that a read (which cannot
/// mutate the library) can keep what it built; a lock so that copies of one library read on
/// several threads at once stay sound.
final class LibraryViews: @unchecked Sendable {
  var books: [ISBN: Book]?
  var openLoans: [Library.LoanKey: [Loan]]?
  var openLoanCounts: [String: Int]?
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  init() {
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Only its owner calls it, on a box no other library shares.
  var isEmpty: Bool { books == nil && openLoans == nil && openLoanCounts == nil }

  func clear() {
    books = nil
    openLoans = nil
    openLoanCounts = nil
  }

  /// The view at `path`, built with `make` when missing.
  func read<View>(_ path: ReferenceWritableKeyPath<LibraryViews, View?>, _ make: () -> View)
    -> View
  {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    if let view = self[keyPath: path] { return view }
    let view = make()
    self[keyPath: path] = view
    return view
  }
}
