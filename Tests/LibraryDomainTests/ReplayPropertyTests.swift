import LibraryDomain
import ShelflogTestSupport
import Testing

/// Rules that must hold for every log: 200 random logs of 0 to 300 events, from fixed seeds.
@Suite("Replay properties")
struct ReplayPropertyTests {
  static let seeds = Array(UInt64(1)...200)

  /// Everything a fold produces, to compare two folds.
  struct FoldResult: Equatable {
    var books: [ISBN: Book]
    var openLoans: [Library.LoanKey: [Loan]]
    var openLoanCounts: [String: Int]
    var eventCount: Int
    var anomalies: [Anomaly]
    var closedLoans: [Loan]

    init(_ library: Library, _ sink: CollectingSink) {
      books = library.books
      openLoans = library.openLoans
      openLoanCounts = library.openLoanCounts.filter { $0.value != 0 }
      eventCount = library.eventCount
      anomalies = sink.anomalies
      closedLoans = sink.closedLoans
    }
  }

  @Test(
    "after every event the counts agree with the loans and with a naive model", arguments: seeds)
  func everyEvent(seed: UInt64) throws {
    let log = RandomLog(seed: seed)
    var library = Library(policy: log.policy)
    var sink = CollectingSink()
    var model = ReplayReferenceModel(policy: log.policy)
    for (index, event) in replayOrder(log.events).enumerated() {
      let context = Comment("seed \(seed), event \(index + 1), position \(event.position)")
      let anomalyCount = sink.anomalies.count
      let closedCount = sink.closedLoans.count
      library.apply(event, sink: &sink)
      try Self.checkInvariants(of: library, applied: index + 1, context)

      let raised = Array(sink.anomalies[anomalyCount...])
      let closedNow = Array(sink.closedLoans[closedCount...])
      for anomaly in raised {
        try #require(anomaly.position == event.position, context)
        try #require(anomaly.occurredAt == event.occurredAt, context)
        try #require(anomaly.isbn == event.event.isbn, context)
        try #require(anomaly.userID == event.event.userID, context)
        try #require(
          anomaly.commandID == (event.commandID.isEmpty ? nil : event.commandID), context)
      }
      for loan in closedNow {
        try #require(loan.returnedAt == event.occurredAt, context)
        try #require(loan.isbn == event.event.isbn && loan.userID == event.event.userID, context)
      }

      let (types, closedPosition) = model.apply(event.event, position: event.position)
      try #require(raised.map(\.type) == types, context)
      try #require(closedNow.map(\.position) == (closedPosition.map { [$0] } ?? []), context)
      let books = library.books.mapValues {
        ReplayReferenceModel.Entry(
          title: $0.title, author: $0.author, total: $0.total, onLoan: $0.onLoan,
          active: $0.status == .active)
      }
      try #require(books == model.books, context)
      let open = library.openLoans.values.flatMap { $0 }.map(\.position).sorted()
      try #require(open == model.loans.filter(\.open).map(\.position).sorted(), context)
    }
  }

  /// available = total - on_loan; on_loan = the book's open counted loans; per-user counts.
  static func checkInvariants(of library: Library, applied: Int, _ context: Comment) throws {
    try #require(library.eventCount == applied, context)
    let open = library.openLoans.values.flatMap { $0 }
    for (key, loans) in library.openLoans {
      try #require(!loans.isEmpty, context)
      for loan in loans {
        try #require(loan.userID == key.userID && loan.isbn == key.isbn, context)
        try #require(loan.returnedAt == nil, context)
      }
      let order = loans.map { ($0.borrowedAt, $0.position) }
      try #require(zip(order, order.dropFirst()).allSatisfy { $0 < $1 }, "oldest first; \(context)")
    }
    for (isbn, book) in library.books {
      try #require(book.isbn == isbn, context)
      try #require(book.available == book.total - book.onLoan, context)
      let counted = open.filter { $0.isbn == isbn && $0.counted }.count
      try #require(book.onLoan == counted, "on_loan of \(isbn); \(context)")
    }
    for loan in open where loan.counted {
      try #require(library.books[loan.isbn] != nil, "counted loan of no book; \(context)")
    }
    var perUser: [String: Int] = [:]
    for loan in open {
      perUser[loan.userID, default: 0] += 1
    }
    try #require(library.openLoanCounts.filter { $0.value != 0 } == perUser, context)
  }

  @Test("folding the events up to a cut equals folding the prefix up to it", arguments: seeds)
  func cut(seed: UInt64) throws {
    let log = RandomLog(seed: seed)
    let sorted = replayOrder(log.events)
    for cut in log.cuts(seed: seed) {
      let context = Comment("seed \(seed), cut \(cut.microseconds)")

      // The full sorted log, applying only the events up to the cut.
      var library = Library(policy: log.policy)
      var sink = CollectingSink()
      for event in sorted where event.occurredAt <= cut {
        library.apply(event, sink: &sink)
      }
      let filtered = FoldResult(library, sink)

      // The prefix of the sorted log, up to the first event after the cut.
      let prefix = Array(sorted.prefix { $0.occurredAt <= cut })
      let (prefixLibrary, prefixSink) = fold(prefix, policy: log.policy)
      try #require(FoldResult(prefixLibrary, prefixSink) == filtered, context)

      // The log in append order, cut, then sorted: late events take their place.
      let cutFirst = replayOrder(log.events.filter { $0.occurredAt <= cut })
      let (cutLibrary, cutSink) = fold(cutFirst, policy: log.policy)
      try #require(FoldResult(cutLibrary, cutSink) == filtered, context)

      // A snapshot taken during a fold of the whole log, just before the first event after the cut.
      var whole = Library(policy: log.policy)
      var wholeSink = CollectingSink()
      var snapshot: FoldResult?
      for event in sorted {
        if snapshot == nil, event.occurredAt > cut { snapshot = FoldResult(whole, wholeSink) }
        whole.apply(event, sink: &wholeSink)
      }
      try #require((snapshot ?? FoldResult(whole, wholeSink)) == filtered, context)
      try #require(filtered.eventCount == prefix.count, context)
    }
  }

  @Test("the random logs cover every anomaly, late events and time ties")
  func coverage() {
    var types = Set<AnomalyType>()
    var late = 0
    var ties = 0
    for seed in Self.seeds {
      let log = RandomLog(seed: seed)
      types.formUnion(fold(replayOrder(log.events), policy: log.policy).sink.anomalies.map(\.type))
      for (earlier, later) in zip(log.events, log.events.dropFirst()) {
        if later.occurredAt < earlier.occurredAt { late += 1 }
        if later.occurredAt == earlier.occurredAt { ties += 1 }
      }
    }
    #expect(types == Set(AnomalyType.allCases))
    #expect(late > 1000)
    #expect(ties > 100)
  }
}
