import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

/// The activity report on random logs with late batches, at random cuts: periods run without
/// gaps from the first period to the cut; each period's state is what a replay at its end
/// gives; its counts are the applied events, users and anomalies of its time; and without
/// `--from` the sums over periods are the summary's.
@Suite("Activity properties")
struct ActivityPropertyTests {
  @Test(arguments: 0..<30)
  func activityAgreesWithReplaysAtEachPeriodEnd(seed: Int) throws {
    var generator = SplitMix64(seed: UInt64(9_000 + seed))
    let log = try TestLog()
    for (index, batch) in randomBatches(&generator).enumerated() {
      try log.importBatch(batch, file: "b\(index).csv", recordedAt: Int64(index) * 60)
    }
    let stored = try log.events()
    for _ in 0..<3 {
      let cut = randomCut(&generator)
      let every: PeriodLength = Bool.random(using: &generator) ? .day : .week
      let from: Timestamp? =
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: nil
        case 1: Timestamp(cut: "2024-02-27")
        default: Timestamp(cut: "2024-03-0\(Int.random(in: 1...9, using: &generator))")
        }
      let options = ActivityOptions(every: every, from: from)
      let projection = try Replayer.replay(
        log.store, cut: cut, policy: .standard, activity: options)
      let periods = try #require(projection.activity?.periods)
      let context = Comment(
        rawValue: "seed \(seed), \(cut), \(every), from \(String(describing: from))")

      let applied = stored.filter {
        $0.occurredMicroseconds <= cut.at.microseconds
          && $0.recordedMicroseconds <= (cut.knownAt?.microseconds ?? .max)
      }
      // The first period holds --from, or the first applied event; none without either.
      let firstTime = from ?? applied.map(\.occurredMicroseconds).min().map(Timestamp.init)
      guard let firstTime, firstTime <= cut.at else {
        #expect(periods.isEmpty, context)
        continue
      }
      #expect(periods.first?.start == every.start(of: firstTime), context)
      #expect(periods.last?.end == cut.at, context)
      for (earlier, later) in zip(periods, periods.dropFirst()) {
        #expect(later.start.microseconds == earlier.end.microseconds + 1, context)
      }

      for period in periods {
        let state = try Replayer.replay(
          log.store, cut: ReplayCut(at: period.end, knownAt: cut.knownAt), policy: .standard)
        let totals = state.library.totals
        #expect(period.copiesTotal == totals.copiesTotal, context)
        #expect(period.copiesOnLoan == totals.copiesOnLoan, context)
        #expect(period.openLoans == state.openLoanCount, context)
        #expect(period.overdueLoans == state.overdueLoanCount, context)
        let inside = applied.filter {
          $0.occurredMicroseconds >= period.start.microseconds
            && $0.occurredMicroseconds <= period.end.microseconds
        }
        #expect(period.added == inside.filter { $0.type == "BookAdded" }.count, context)
        #expect(period.borrowed == inside.filter { $0.type == "BookBorrowed" }.count, context)
        #expect(period.returned == inside.filter { $0.type == "BookReturned" }.count, context)
        #expect(period.removed == inside.filter { $0.type == "BookRemoved" }.count, context)
        let users = Set(inside.filter { !$0.userID.isEmpty }.map(\.userID))
        #expect(period.activeUsers == users.count, context)
        var raised: [AnomalyType: Int] = [:]
        state.forEachAnomaly { anomaly in
          if anomaly.occurredAt >= period.start { raised[anomaly.type, default: 0] += 1 }
        }
        #expect(period.anomalies == raised, context)
      }

      // Without --from (or with one before every event) the periods cover every applied event.
      if from == nil
        || from! <= Timestamp(microseconds: applied.map(\.occurredMicroseconds).min() ?? 0)
      {
        let events = periods.reduce(0) { $0 + $1.added + $1.borrowed + $1.returned + $1.removed }
        #expect(events == projection.library.eventCount, context)
        var sums: [AnomalyType: Int] = [:]
        for period in periods { sums.merge(period.anomalies, uniquingKeysWith: +) }
        #expect(sums == projection.anomalyCounts.filter { $0.value > 0 }, context)
        let last = try #require(periods.last)
        #expect(last.copiesTotal == projection.library.totals.copiesTotal, context)
        #expect(last.overdueLoans == projection.overdueLoanCount, context)
      }
    }
  }

  @Test func fromAfterTheCutGivesNoPeriods() throws {
    let log = try TestLog()
    try log.importBatch("c1,RemoveBook,9781593275846,,,,,2024-03-01T09:00:00Z\n")
    let cut = ReplayCut(at: try #require(Timestamp(cut: "2024-03-31")))
    let projection = try Replayer.replay(
      log.store, cut: cut, policy: .standard,
      activity: ActivityOptions(every: .month, from: Timestamp(cut: "2024-04-01")))
    #expect(projection.activity?.periods == [])
  }

  @Test func periodBoundaries() throws {
    let time = { (text: String) in Timestamp(rfc3339: text)! }
    // 2024-03-06 is a Wednesday: its ISO week starts on Monday the 4th.
    #expect(
      PeriodLength.week.start(of: time("2024-03-06T12:00:00Z")) == time("2024-03-04T00:00:00Z"))
    #expect(
      PeriodLength.week.start(of: time("2024-03-04T00:00:00Z")) == time("2024-03-04T00:00:00Z"))
    #expect(
      PeriodLength.week.start(of: time("2024-03-03T23:59:59Z")) == time("2024-02-26T00:00:00Z"))
    #expect(
      PeriodLength.month.start(of: time("2024-02-29T23:00:00Z")) == time("2024-02-01T00:00:00Z"))
    #expect(
      PeriodLength.month.next(after: time("2024-12-01T00:00:00Z")) == time("2025-01-01T00:00:00Z"))
    #expect(
      PeriodLength.day.start(of: time("1969-12-31T23:00:00Z")) == time("1969-12-31T00:00:00Z"))
    #expect(
      PeriodLength.week.start(of: time("1970-01-01T00:00:00Z")) == time("1969-12-29T00:00:00Z"))
  }
}
