import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing
import Workload

/// `shelflog generate`: deterministic, valid, and realistic enough to benchmark with.
@Suite("Workload generator")
struct WorkloadTests {
  private func rows(_ count: Int, seed: UInt64) -> String {
    var generator = WorkloadGenerator(seed: seed)
    var text = WorkloadGenerator.header
    for _ in 0..<count { generator.appendRow(to: &text) }
    return text
  }

  @Test func sameSeedSameBytesOtherSeedOtherBytes() {
    let first = rows(5_000, seed: 7)
    #expect(first == rows(5_000, seed: 7))
    #expect(first != rows(5_000, seed: 8))
    #expect(first.split(separator: "\n").count == 5_001)
  }

  /// Every row is accepted; anomalies are a few percent of events, every type among them; some
  /// rows arrive late; command ids are unique.
  @Test func rowsAreValidAndAnomaliesAreAFewPercent() throws {
    let count = 60_000
    let text = rows(count, seed: 3)
    let log = try TestLog()
    let summary = try log.importBytes(
      Array(text.utf8), file: "workload.csv", recordedAt: TestLog.time(0))
    #expect(summary.accepted == count)
    #expect(summary.rejected == 0 && summary.skipped == 0)
    #expect(log.rejects.isEmpty)

    let projection = try project(log, at: "2031-01-01")
    #expect(projection.library.eventCount == count)
    let share = Double(projection.anomalyTotal) / Double(count)
    #expect(share > 0.005 && share < 0.05, "anomalies are \(share * 100)% of events")
    for type in AnomalyType.allCases where type != .loanLimitExceeded {
      #expect(projection.anomalyCounts[type, default: 0] > 0, "no \(type.rawValue)")
    }
    #expect(projection.openLoanCount > 0 && projection.openLoanCount < count / 10)

    let events = try log.events()
    let ids = events.map(\.commandID).filter { !$0.isEmpty }
    #expect(Set(ids).count == ids.count && ids.count > count * 9 / 10)
    let times = events.compactMap { Timestamp(rfc3339: $0.occurredAt) }
    #expect(times.count == count)
    let late = zip(times, times.dropFirst()).filter { $0.1 < $0.0 }.count
    #expect(late > count / 200, "late arrivals: \(late)")
  }
}
