import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

/// The anomaly index that `snapshot` keeps for `explain`: what it stores and when it refuses.
@Suite("Anomaly index")
struct AnomalyIndexTests {
  @Test("each anomaly type has its own stored bit, and a mask reads back as its types")
  func bitsAreDistinct() {
    let bits = AnomalyType.allCases.map(AnomalyIndexUpdate.bit)
    #expect(Set(bits).count == bits.count)
    #expect(bits.allSatisfy { $0 != 0 && $0 & ($0 - 1) == 0 })
    let all = bits.reduce(UInt8(0), |)
    #expect(AnomalyIndexUpdate.types(all) == AnomalyType.allCases)
    // The stored values are part of the log format (docs/log-format.md).
    #expect(AnomalyIndexUpdate.bit(.unknownBook) == 8)
    #expect(AnomalyIndexUpdate.bit(.loanLimitExceeded) == 4)
  }

  @Test("a refresh records the anomalies each event raised; a late batch before them retires it")
  func refreshFillsAndLateBatchRetires() throws {
    let log = try TestLog()
    try log.importBatch(
      """
      c1,BorrowBook,9781593275846,,,,ann,2024-03-02T09:00:00Z
      c2,ReturnBook,9780131103627,,,,bob,2024-03-03T09:00:00Z
      c3,AddBook,9780131103627,K&R,Kernighan,1,,2024-03-04T09:00:00Z

      """, file: "a.csv", recordedAt: 0)
    let reader = try SQLiteEventStore(path: log.path, access: .read)
    try SnapshotBuilder.refresh(
      writer: log.store, reader: reader, policy: .standard, interval: 1)
    let cut = ReplayCut(at: try #require(Timestamp(cut: "2024-12-31")))
    let found = try #require(
      try reader.indexedAnomalies(
        maxLoans: ReplayPolicy.standard.maxLoans, cut: cut,
        events: [(1, 0), (2, 0), (3, 0)].map { ($0.0, Int64($0.1)) }))
    #expect(found[1].map(AnomalyIndexUpdate.types) == [.unknownBook])
    #expect(found[2].map(AnomalyIndexUpdate.types) == [.returnWithoutLoan])
    #expect(found[3] == nil)

    // A batch the index has not seen, with an event before the ones asked about: no answer.
    try log.importBatch(
      "c4,AddBook,9781593275846,Elixir,Juric,1,,2024-03-01T09:00:00Z\n", file: "b.csv",
      recordedAt: 60)
    let late = try reader.indexedAnomalies(
      maxLoans: ReplayPolicy.standard.maxLoans, cut: cut, events: [(1, 1_709_370_000_000_000)])
    #expect(late == nil)
  }
}
