import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

private let isbns = ["9781593275846", "9781680502992", "9780306406157"]
private let users = ["ann", "bob", "cy"]

/// Random valid batches: rows over a few ISBNs and users, times over ten days in any order (so
/// later batches bring late arrivals, and many events share a time).
func randomBatches(_ generator: inout SplitMix64, count: ClosedRange<Int> = 1...4) -> [String] {
  (0..<Int.random(in: count, using: &generator)).map { _ in
    (0..<Int.random(in: 0...25, using: &generator)).map { _ in
      let isbn = isbns.randomElement(using: &generator) ?? isbns[0]
      let user = users.randomElement(using: &generator) ?? users[0]
      let time =
        "2024-03-0\(Int.random(in: 1...9, using: &generator))T"
        + "\(Int.random(in: 10...11, using: &generator)):00:00Z"
      switch Int.random(in: 0..<10, using: &generator) {
      case 0...1:
        return
          ",AddBook,\(isbn),T\(isbn.suffix(1)),A,\(Int.random(in: 1...2, using: &generator)),,\(time)\n"
      case 2...5: return ",BorrowBook,\(isbn),,,,\(user),\(time)\n"
      case 6...8: return ",ReturnBook,\(isbn),,,,\(user),\(time)\n"
      default: return ",RemoveBook,\(isbn),,,,,\(time)\n"
      }
    }.joined()
  }
}

/// A random cut over those ten days: `--at` a day, `--known-at` (half the time) between before
/// the first batch and after the fifth.
func randomCut(_ generator: inout SplitMix64) -> ReplayCut {
  let day = Int.random(in: 1...9, using: &generator)
  let knownAt: Timestamp? =
    Bool.random(using: &generator)
    ? TestLog.time(Int64.random(in: -1...4, using: &generator) * 60) : nil
  return ReplayCut(at: Timestamp(cut: "2024-03-0\(day)")!, knownAt: knownAt)
}

@Suite("Replay properties")
struct ReplayPropertyTests {
  /// The projection a driver builds from the log equals the pure fold over the events the cut
  /// admits, filtered and sorted here by hand: the SQL cut and order are right, late batches
  /// included; and the spilled history reads back as the fold produced it.
  @Test(arguments: Backend.available, 0..<40)
  func driverEqualsTheFoldOverTheCut(on backend: Backend, seed: Int) throws {
    var generator = SplitMix64(seed: UInt64(seed))
    let log = try TestLog(backend)
    for (index, batch) in randomBatches(&generator).enumerated() {
      try log.importBatch(batch, file: "b\(index).csv", recordedAt: Int64(index) * 60)
    }
    let stored = try log.events()
    for _ in 0..<4 {
      let cut = randomCut(&generator)
      let projection = try Replayer.replay(log.store, cut: cut, policy: .standard)

      let admitted = stored.filter {
        $0.occurredMicroseconds <= cut.at.microseconds
          && $0.recordedMicroseconds <= (cut.knownAt?.microseconds ?? .max)
      }.sorted { ($0.occurredMicroseconds, $0.position) < ($1.occurredMicroseconds, $1.position) }
      var library = Library(policy: .standard)
      var sink = CollectingSink()
      for event in admitted { library.apply(try recorded(event), sink: &sink) }

      #expect(projection.library.eventCount == admitted.count)
      #expect(projection.books == library.books.values.sorted { $0.isbn < $1.isbn })
      for book in projection.books {
        #expect(book.available == book.total - book.onLoan)
        let counted = library.openLoans.values.joined().filter {
          $0.isbn == book.isbn && $0.counted
        }
        #expect(book.onLoan == counted.count)
      }
      var anomalies: [Anomaly] = []
      projection.forEachAnomaly { anomalies.append($0) }
      #expect(anomalies == sink.anomalies)
      var expectedLoans = sink.closedLoans + library.openLoans.values.joined()
      expectedLoans.sort {
        ($0.userID, $0.borrowedAt, $0.position) < ($1.userID, $1.borrowedAt, $1.position)
      }
      let actualLoans = projection.users.flatMap { projection.loans(of: $0) }
      #expect(actualLoans == expectedLoans)
      let head = stored.last { $0.recordedMicroseconds <= (cut.knownAt?.microseconds ?? .max) }?
        .hash
      #expect(projection.logHead == head)
    }
  }
}

/// The domain event a stored row stands for.
func recorded(_ event: StoredEvent) throws -> RecordedEvent {
  let isbn = try #require(ISBN(event.isbn))
  let payload: LibraryEvent =
    switch event.type {
    case "BookAdded":
      .bookAdded(
        BookAdded(
          isbn: isbn, title: event.title, author: event.author, quantity: Int(event.quantity ?? 0)))
    case "BookBorrowed": .bookBorrowed(BookBorrowed(isbn: isbn, userID: event.userID))
    case "BookReturned": .bookReturned(BookReturned(isbn: isbn, userID: event.userID))
    default: .bookRemoved(BookRemoved(isbn: isbn))
    }
  return RecordedEvent(
    position: event.position, occurredAt: Timestamp(microseconds: event.occurredMicroseconds),
    commandID: event.commandID, event: payload)
}
