import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

/// Snapshots are a cache: a replay resumed from one must give exactly the full replay's result.
@Suite("Projection snapshots")
struct SnapshotTests {
  /// Refreshes the snapshots of `log` (reading through a read-only connection, as the command
  /// does).
  @discardableResult
  private func refresh(
    _ log: TestLog, every: Int, policy: ReplayPolicy = .standard
  ) throws -> SnapshotRefresh {
    let reader = try log.reader()
    return try SnapshotBuilder.refresh(
      writer: log.store, reader: reader, policy: policy, interval: every)
  }

  /// The state-level result of a projection: everything `summary` and `inventory` print.
  private func expectSame(
    _ resumed: Projection, _ full: Projection, _ comment: Comment
  ) {
    #expect(resumed.library.state == full.library.state, comment)
    #expect(resumed.anomalyCounts == full.anomalyCounts, comment)
    #expect(resumed.anomalyTotal == full.anomalyTotal, comment)
    #expect(resumed.openLoanCount == full.openLoanCount, comment)
    #expect(resumed.overdueLoanCount == full.overdueLoanCount, comment)
    #expect(resumed.logHead == full.logHead, comment)
  }

  /// Random logs whose batches arrive late, snapshots refreshed between batches at random
  /// intervals; at random `--at` and `--known-at`, the resumed replay equals the full one. The
  /// test also counts how often a snapshot was used, so that it cannot pass vacuously.
  @Test(arguments: Backend.available) func resumedReplayEqualsFullReplay(on backend: Backend) throws
  {
    var used = 0
    var cuts = 0
    for seed in 0..<60 {
      var generator = SplitMix64(seed: UInt64(1_000 + seed))
      let log = try TestLog(backend)
      let batches = randomBatches(&generator, count: 2...7)
      for (index, batch) in batches.enumerated() {
        try log.importBatch(batch, file: "b\(index).csv", recordedAt: Int64(index) * 60)
        if Int.random(in: 0..<3, using: &generator) > 0 {
          try refresh(log, every: Int.random(in: 1...12, using: &generator))
        }
      }
      for _ in 0..<10 {
        let day = Int.random(in: 1...9, using: &generator)
        // Events are at 10:00 and 11:00: cuts fall on them (inclusive) and between them.
        let time = ["09:00", "10:00", "10:30", "11:00", "12:00"].randomElement(using: &generator)
        let at = try #require(Timestamp(cut: "2024-03-0\(day)T\(time ?? "10:00"):00Z"))
        let knownAt: Timestamp? =
          Bool.random(using: &generator)
          ? TestLog.time(Int64(Int.random(in: -1...batches.count, using: &generator)) * 60) : nil
        let cut = ReplayCut(at: at, knownAt: knownAt)
        let resumed = try Replayer.replay(log.store, cut: cut, policy: .standard, resume: true)
        let full = try Replayer.replay(log.store, cut: cut, policy: .standard)
        #expect(full.hasHistory)
        if !resumed.hasHistory { used += 1 }
        cuts += 1
        expectSame(resumed, full, "seed \(seed), at \(at), known at \(String(describing: knownAt))")
      }
    }
    #expect(used > cuts / 4, "a snapshot was used for \(used) of \(cuts) cuts")
  }

  /// A late batch with events before a snapshot's time makes the snapshot unusable for cuts that
  /// know the batch, and leaves it usable for cuts as known before the batch.
  @Test(arguments: Backend.available) func lateBatchBeforeASnapshotsTimeRetiresItForCutsThatKnowIt(
    on backend: Backend
  ) throws {
    let log = try TestLog(backend)
    let isbn = "9781593275846"
    try log.importBatch(
      """
      ,AddBook,\(isbn),Elixir,Saša,2,,2024-03-01T10:00:00Z
      ,BorrowBook,\(isbn),,,,ann,2024-03-02T10:00:00Z
      ,BorrowBook,\(isbn),,,,bob,2024-03-03T10:00:00Z

      """, recordedAt: 0)
    let first = try refresh(log, every: 1)
    #expect(first.stored == 3)
    try log.importBatch(",BorrowBook,\(isbn),,,,cy,2024-03-01T12:00:00Z\n", recordedAt: 60)

    let now = ReplayCut(at: try #require(Timestamp(cut: "2024-03-05")))
    let resumedNow = try Replayer.replay(log.store, cut: now, policy: .standard, resume: true)
    let fullNow = try Replayer.replay(log.store, cut: now, policy: .standard)
    expectSame(resumedNow, fullNow, "now")
    #expect(fullNow.anomalyCounts[.overBorrow] == 1)
    // Only the snapshot at 03-01T10:00, before the late event, is still exact for this cut.
    #expect(!resumedNow.hasHistory)

    let before = ReplayCut(at: now.at, knownAt: TestLog.time(30))
    let resumedBefore = try Replayer.replay(log.store, cut: before, policy: .standard, resume: true)
    expectSame(resumedBefore, try Replayer.replay(log.store, cut: before, policy: .standard), "K")
    #expect(resumedBefore.anomalyCounts[.overBorrow, default: 0] == 0)

    // The next refresh resumes from the last snapshot still exact for the whole log.
    let second = try refresh(log, every: 1)
    #expect(second.resumedFrom == Timestamp(cut: "2024-03-01T10:00:00Z"))
    #expect(second.replayed == 3)
  }

  /// Snapshots for another `max_loans`, or with damaged bytes, are never used.
  @Test(arguments: Backend.available)
  func otherPolicyAndDamagedSnapshotsAreNotUsed(on backend: Backend) throws {
    var generator = SplitMix64(seed: 7)
    let log = try TestLog(backend)
    for (index, batch) in randomBatches(&generator, count: 3...3).enumerated() {
      try log.importBatch(batch, file: "b\(index).csv", recordedAt: Int64(index) * 60)
    }
    try refresh(log, every: 2)
    let cut = ReplayCut(at: try #require(Timestamp(cut: "2024-03-09")))
    let strict = ReplayPolicy(loanDays: 21, maxLoans: 1)
    #expect(try Replayer.replay(log.store, cut: cut, policy: strict, resume: true).hasHistory)
    #expect(!(try Replayer.replay(log.store, cut: cut, policy: .standard, resume: true).hasHistory))

    try log.tamper(
      backend == .sqlite
        ? "UPDATE snapshots SET state = zeroblob(length(state))"
        : "UPDATE snapshots SET state = decode(repeat('00', length(state)), 'hex')")
    let resumed = try Replayer.replay(log.store, cut: cut, policy: .standard, resume: true)
    #expect(resumed.hasHistory)
    expectSame(resumed, try Replayer.replay(log.store, cut: cut, policy: .standard), "damaged")
    #expect(try log.store.snapshotChecks().allSatisfy { !$0.intact })
  }
}
