import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing
import Workload

/// A log long enough for the replay's fast paths: past the first 65,536 events a worker thread
/// folds while the reading thread reads, and the loan history is placed per user by ordinal.
/// The projection must equal a plain fold of the same events through `Library.apply(_:sink:)`.
@Suite("Large replay")
struct LargeReplayTests {
  @Test func pipelinedReplayEqualsAPlainFold() throws {
    let count = 70_000
    var generator = WorkloadGenerator(seed: 11)
    var text = WorkloadGenerator.header
    for _ in 0..<count { generator.appendRow(to: &text) }
    let log = try TestLog()
    let summary = try log.importBytes(
      Array(text.utf8), file: "large.csv", recordedAt: TestLog.time(0))
    #expect(summary.accepted == count)

    let cut = ReplayCut(at: try #require(Timestamp(cut: "2031-01-01")))
    let projection = try Replayer.replay(log.store, cut: cut, policy: .standard)

    var reference = Library(policy: .standard)
    var sink = CollectingSink()
    _ = try log.store.replayEvents(cut) { reference.apply($0, sink: &sink) }

    #expect(projection.library.eventCount == count)
    #expect(projection.library.books == reference.books)
    #expect(projection.library.openLoans == reference.openLoans)
    #expect(projection.library.openLoanCounts == reference.openLoanCounts)
    #expect(projection.openLoanCount == reference.openLoanCounts.values.reduce(0, +))

    var anomalies: [Anomaly] = []
    projection.forEachAnomaly { anomalies.append($0) }
    #expect(anomalies == sink.anomalies)
    #expect(projection.anomalyTotal == sink.anomalies.count)

    // Every user's loans, open and returned, by (borrowed_at, position).
    var expected: [String: [Loan]] = [:]
    for loan in sink.closedLoans + reference.openLoans.values.flatMap({ $0 }) {
      expected[loan.userID, default: []].append(loan)
    }
    let order: (Loan, Loan) -> Bool = {
      ($0.borrowedAt, $0.position) < ($1.borrowedAt, $1.position)
    }
    let users = expected.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    #expect(projection.users == users)
    // Every user's loans, open and returned, each seen once, whatever the window.
    for window in [1 << 20, 1_000, 1] {
      var seen: [String] = []
      var mismatches = 0
      projection.forEachUser(window: window) { user, loans in
        let id = projection.library.userID(user)
        seen.append(id)
        let want = (expected[id] ?? []).sorted(by: order)
        let got = loans.map { loan in
          (
            projection.library.isbn(loan.book), loan.position, loan.borrowedAt,
            loan.isOpen ? nil : loan.returnedAt
          )
        }
        let wanted = want.map {
          ($0.isbn, $0.position, $0.borrowedAt.microseconds, $0.returnedAt?.microseconds)
        }
        if !got.elementsEqual(wanted, by: { $0 == $1 }) { mismatches += 1 }
      }
      #expect(seen == users, "window \(window)")
      #expect(mismatches == 0, "window \(window)")
    }
    let someone = try #require(users.first)
    #expect(projection.loans(of: someone) == (expected[someone] ?? []).sorted(by: order))
  }
}
