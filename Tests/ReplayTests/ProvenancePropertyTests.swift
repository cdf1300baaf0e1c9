import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

/// `explain` and `diff` on random logs with late batches, at random cuts: explain's state after
/// the last event is the report's; its borrows are the user's loans; its exclusions are exactly
/// the subject's events outside the cut; its anomalies are the report's for that book or user.
/// A cut diffed with itself is empty, and a diff's changes turn report A into report B.
@Suite("Provenance properties")
struct ProvenancePropertyTests {
  /// Explain through the anomaly index (kept by snapshot refreshes at random moments between
  /// batches, so late batches leave it stale for some cuts) and through the fold give the
  /// reports' answers; the index answers often enough that this is not vacuous.
  @Test func explainAgreesWithTheReports() throws {
    var fromIndex = 0
    var total = 0
    for seed in 0..<30 {
      let (used, explained) = try explainAgreesWithTheReports(seed: seed)
      fromIndex += used
      total += explained
    }
    #expect(fromIndex * 4 > total, "the index answered \(fromIndex) of \(total)")
    #expect(fromIndex < total, "the fold never ran")
  }

  private func explainAgreesWithTheReports(seed: Int) throws -> (Int, Int) {
    var generator = SplitMix64(seed: UInt64(4_000 + seed))
    let log = try TestLog()
    var used = 0
    var explained = 0
    let reader = { try SQLiteEventStore(path: log.path, access: .read) }
    for (index, batch) in randomBatches(&generator).enumerated() {
      try log.importBatch(batch, file: "b\(index).csv", recordedAt: Int64(index) * 60)
      if Bool.random(using: &generator) {
        _ = try SnapshotBuilder.refresh(
          writer: log.store, reader: try reader(), policy: .standard,
          interval: Int.random(in: 1...12, using: &generator))
      }
    }
    let stored = try log.events()
    for _ in 0..<3 {
      let cut = randomCut(&generator)
      let projection = try Replayer.replay(log.store, cut: cut, policy: .standard)
      var anomalies: [Anomaly] = []
      projection.forEachAnomaly { anomalies.append($0) }
      let admitted = { (event: StoredEvent) in
        cut.admits(
          occurred: event.occurredMicroseconds, recorded: event.recordedMicroseconds,
          position: event.position)
      }
      for isbn in ["9781593275846", "9781680502992", "9780306406157"] {
        let book = try #require(ISBN(isbn))
        let explanation = try Explainer.explain(log.store, .book(book), cut: cut, policy: .standard)
        used += explanation.fromIndex ? 1 : 0
        explained += 1
        let context = Comment(
          rawValue: "seed \(seed), \(cut), \(isbn), index \(explanation.fromIndex)")
        #expect(
          explanation.events.last?.book == projection.books.first { $0.isbn == book }, context)
        let ofBook = stored.filter { $0.isbn == isbn }
        #expect(
          explanation.events.map(\.event.position)
            == ofBook.filter(admitted).sorted {
              ($0.occurredMicroseconds, $0.position) < ($1.occurredMicroseconds, $1.position)
            }.map(\.position), context)
        #expect(
          explanation.excluded.map(\.event.position)
            == ofBook.filter { !admitted($0) }.map(\.position), context)
        for (event, reason) in explanation.excluded {
          let known = event.recordedMicroseconds <= (cut.knownAt?.microseconds ?? .max)
          #expect(reason == (known ? .afterAt : .notKnown), context)
        }
        let raised = explanation.events.flatMap { item in
          item.anomalies.map { (item.event.position, $0) }
        }
        let reported = anomalies.filter { $0.isbn == book }.map { ($0.position, $0.type) }
        #expect(raised.elementsEqual(reported) { $0 == $1 }, context)
      }
      for user in ["ann", "bob", "cy"] {
        let explanation = try Explainer.explain(log.store, .user(user), cut: cut, policy: .standard)
        used += explanation.fromIndex ? 1 : 0
        explained += 1
        let context = Comment(
          rawValue: "seed \(seed), \(cut), \(user), index \(explanation.fromIndex)")
        let borrows = explanation.events.filter { $0.event.type == "BookBorrowed" }.map(
          \.event.position)
        #expect(Set(borrows) == Set(projection.loans(of: user).map(\.position)), context)
        let open = projection.loans(of: user).filter { $0.returnedAt == nil }.count
        #expect((explanation.events.last?.openLoans ?? 0) == open, context)
        #expect(
          explanation.excluded.map(\.event.position)
            == stored.filter { $0.userID == user && !admitted($0) }.map(\.position), context)
        let raised = explanation.events.flatMap { item in
          item.anomalies.map { (item.event.position, $0) }
        }
        let reported = anomalies.filter { $0.userID == user }.map { ($0.position, $0.type) }
        #expect(raised.elementsEqual(reported) { $0 == $1 }, context)
      }
    }
    return (used, explained)
  }

  @Test(arguments: 0..<30)
  func diffTurnsReportAIntoReportB(seed: Int) throws {
    var generator = SplitMix64(seed: UInt64(5_000 + seed))
    let log = try TestLog()
    for (index, batch) in randomBatches(&generator).enumerated() {
      try log.importBatch(batch, file: "b\(index).csv", recordedAt: Int64(index) * 60)
    }
    let cutA = randomCut(&generator)
    let cutB = randomCut(&generator)
    let itself = try Restatement.compare(log.store, cutA, cutA, policy: .standard)
    #expect(itself.isEmpty, "seed \(seed): a cut differs from itself")

    let diff = try Restatement.compare(log.store, cutA, cutB, policy: .standard)
    let a = try Replayer.replay(log.store, cut: cutA, policy: .standard)
    let b = try Replayer.replay(log.store, cut: cutB, policy: .standard)
    let context = Comment(rawValue: "seed \(seed), \(cutA) -> \(cutB)")

    // Summary: A's metrics with the diff's b values put in are B's.
    var metrics = Self.metrics(a)
    for metric in diff.summary {
      #expect(metrics[metric.name] == metric.a, context)
      metrics[metric.name] = metric.b
    }
    #expect(metrics == Self.metrics(b), context)

    // Inventory: A's figures, changed, added and removed by the diff, are B's.
    var books = Dictionary(uniqueKeysWithValues: a.books.map { ($0.isbn, Self.figures($0)) })
    for change in diff.inventory {
      #expect(books[change.isbn] == change.a.map(Self.figures), context)
      books[change.isbn] = change.b.map(Self.figures)
    }
    #expect(
      books == Dictionary(uniqueKeysWithValues: b.books.map { ($0.isbn, Self.figures($0)) }),
      context)

    // Loans, by the position of their borrow.
    var loans = Self.loans(a)
    for change in diff.loans {
      #expect(loans[change.position] == change.a, context)
      loans[change.position] = change.b
    }
    #expect(loans == Self.loans(b), context)

    // Anomalies, by position and type.
    var anomalies = Self.anomalies(a)
    for change in diff.anomalies {
      let key = "\(change.anomaly.position) \(change.anomaly.type.rawValue)"
      #expect((anomalies[key] != nil) == (change.change == .removed), context)
      anomalies[key] = change.change == .added ? change.anomaly.occurredAt : nil
    }
    #expect(anomalies == Self.anomalies(b), context)

    // Causes: every event applied in exactly one cut, counted by batch.
    let inOne = try log.events().filter {
      cutA.admits(
        occurred: $0.occurredMicroseconds, recorded: $0.recordedMicroseconds, position: $0.position)
        != cutB.admits(
          occurred: $0.occurredMicroseconds, recorded: $0.recordedMicroseconds,
          position: $0.position)
    }
    var counts: [String: Int] = [:]
    for event in inOne { counts[event.batch, default: 0] += 1 }
    #expect(
      Dictionary(uniqueKeysWithValues: diff.causes.map { ($0.batch, $0.events) }) == counts, context
    )
  }

  private static func metrics(_ projection: Projection) -> [String: Int] {
    let totals = projection.library.totals
    var metrics = [
      "events": projection.library.eventCount, "titles_active": totals.titlesActive,
      "copies_total": totals.copiesTotal, "copies_on_loan": totals.copiesOnLoan,
      "open_loans": projection.openLoanCount, "overdue_loans": projection.overdueLoanCount,
    ]
    for type in AnomalyType.allCases {
      metrics["anomalies.\(type.rawValue)"] = projection.anomalyCounts[type] ?? 0
    }
    return metrics
  }

  private static func figures(_ book: Book) -> [String] {
    [String(book.total), String(book.onLoan), String(book.available), book.status.rawValue]
  }

  private static func figures(_ figures: Restatement.BookFigures) -> [String] {
    [
      String(figures.total), String(figures.onLoan), String(figures.available),
      figures.status.rawValue,
    ]
  }

  private static func loans(_ projection: Projection) -> [Int64: Restatement.LoanState] {
    var loans: [Int64: Restatement.LoanState] = [:]
    for user in projection.users {
      for loan in projection.loans(of: user) {
        loans[loan.position] = Restatement.LoanState(
          returnedAt: loan.returnedAt,
          overdue: loan.isOverdue(at: projection.cut.at, policy: projection.policy))
      }
    }
    return loans
  }

  private static func anomalies(_ projection: Projection) -> [String: Timestamp] {
    var anomalies: [String: Timestamp] = [:]
    projection.forEachAnomaly { anomalies["\($0.position) \($0.type.rawValue)"] = $0.occurredAt }
    return anomalies
  }
}
