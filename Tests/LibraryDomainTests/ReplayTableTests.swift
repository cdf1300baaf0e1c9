import LibraryDomain
import ShelflogTestSupport
import Testing

/// Every row of the table of docs/reports.md, each as a short log and the state it must fold into.
@Suite("Replay table (docs/reports.md)")
struct ReplayTableTests {
  static let cases: [ReplayCase] =
    addedCases + borrowedCases + returnedCases + removedCases + policyCases + seedCases

  @Test("a log folds into the books, loans and anomalies of the table", arguments: cases)
  func row(_ row: ReplayCase) throws {
    let events = recorded(row.steps)
    let (library, sink) = fold(events, policy: row.policy)

    #expect(library.policy == row.policy)
    #expect(library.eventCount == events.count)

    let books = library.books.values.sorted { $0.isbn < $1.isbn }.map(ExpectedBook.init)
    #expect(books == row.books.sorted { $0.isbn < $1.isbn })
    for (isbn, book) in library.books {
      #expect(book.isbn == isbn)
    }

    #expect(library.openLoanCounts.filter { $0.value != 0 } == row.openCounts)
    let open = library.openLoans.values.flatMap { $0 }
    #expect(open.map(\.position).sorted() == row.openLoans.sorted())
    for loan in open {
      #expect(loan.returnedAt == nil)
      #expect(loan.borrowedAt == ReplayClock.time(of: loan.position))
    }

    let closedLoans = try row.closedLoans.map { try $0.loan(in: events) }
    #expect(sink.closedLoans.map(ClosedLoanFacts.init) == closedLoans)

    #expect(sink.anomalies.map(ExpectedAnomaly.init) == row.anomalies)
    for anomaly in sink.anomalies {
      #expect(anomaly.occurredAt == ReplayClock.time(of: anomaly.position))
      #expect(!anomaly.detail.isEmpty)
    }
  }
}
