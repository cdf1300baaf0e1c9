import EventLog
import Importer
import Ingest
import LibraryDomain
import ShelflogTestSupport
import Testing

/// A dry run answers exactly as the import would: on random batches with command ids repeated
/// within and across batches, bad rows and repeated files, the summaries and rejects of a dry
/// run over a log equal those of the real import that follows it, and the log is unchanged.
@Suite("Dry run")
struct DryRunTests {
  private static let isbns = ["9781593275846", "9780439023481", "1593275846", "978-0-316-01584-4"]

  private static func randomBatch(_ generator: inout SplitMix64, rows: Int) -> String {
    var text = TestLog.header
    for _ in 0..<rows {
      let id = generator.next() % 4 == 0 ? "" : "c\(generator.next() % 40)"
      let isbn = isbns[Int(generator.next() % UInt64(isbns.count))]
      let day = 1 + generator.next() % 20
      let time = "2024-03-\(day < 10 ? "0" : "")\(day)T09:00:00Z"
      switch generator.next() % 6 {
      case 0: text += "\(id),AddBook,\(isbn),Title,Author,\(1 + generator.next() % 3),,\(time)\n"
      case 1: text += "\(id),BorrowBook,\(isbn),,,,u\(generator.next() % 3),\(time)\n"
      case 2: text += "\(id),ReturnBook,\(isbn),,,,u\(generator.next() % 3),\(time)\n"
      case 3: text += "\(id),RemoveBook,\(isbn),,,,,\(time)\n"
      case 4: text += "\(id),BorrowBook,439023483,,,,u1,03/01/2024\n"
      default: text += "\(id),AddBook,\(isbn),Other title,Author,1,,\(time)\n"
      }
    }
    return text
  }

  private struct Outcome: Equatable {
    var summary: BatchSummary
    var rejects: [Reject]
  }

  private static func run(
    _ batch: [UInt8], file: String, into target: any AppendTarget, recordedAt: Int64,
    allowPartial: Bool
  ) throws -> Outcome {
    var rejects: [Reject] = []
    let observer = ImportObserver(
      reject: { rejects.append($0) }, warning: { _ in }, progress: { _ in })
    let summary = try Importer.importBatch(
      BytesSource(batch), file: file, sha256: sha256Hex(batch), into: target,
      options: ImportOptions(
        allowPartial: allowPartial, recordedAt: TestLog.time(recordedAt), now: TestLog.time(0)),
      observer: observer)
    return Outcome(summary: summary, rejects: rejects)
  }

  @Test func dryRunEqualsTheImportThatFollows() throws {
    for seed in 0..<40 {
      var generator = SplitMix64(seed: UInt64(500 + seed))
      let log = try TestLog()
      var batches: [[UInt8]] = []
      for _ in 0..<6 {
        batches.append(
          Array(Self.randomBatch(&generator, rows: 1 + Int(generator.next() % 12)).utf8))
      }
      batches.append(batches[Int(generator.next() % 6)])  // a file imported twice
      let split = Int(generator.next() % 4)
      let allowPartial = generator.next() % 3 != 0
      for (index, batch) in batches[..<split].enumerated() {
        _ = try Self.run(
          batch, file: "b\(index).csv", into: log.store, recordedAt: Int64(index),
          allowPartial: allowPartial)
      }
      let head = try LogVerifierHead.of(log)
      let dryRun = try DryRun(store: log.store)
      var expected: [Outcome] = []
      for (index, batch) in batches.enumerated().dropFirst(split) {
        expected.append(
          try Self.run(
            batch, file: "b\(index).csv", into: dryRun, recordedAt: Int64(index),
            allowPartial: allowPartial))
      }
      #expect(try LogVerifierHead.of(log) == head, "seed \(seed): the dry run changed the log")
      var actual: [Outcome] = []
      for (index, batch) in batches.enumerated().dropFirst(split) {
        actual.append(
          try Self.run(
            batch, file: "b\(index).csv", into: log.store, recordedAt: Int64(index),
            allowPartial: allowPartial))
      }
      #expect(expected == actual, "seed \(seed)")
    }
  }

  /// A dry run with no log answers as an empty log would.
  @Test func dryRunWithoutALogStartsAtPositionOne() throws {
    let batch = Array(
      (TestLog.header + "c1,RemoveBook,9781593275846,,,,,2024-03-01T09:00:00Z\n").utf8)
    let outcome = try Self.run(
      batch, file: "one.csv", into: try DryRun(store: nil), recordedAt: 0, allowPartial: false)
    #expect(outcome.summary.status == .imported)
    #expect(outcome.summary.firstPosition == 1 && outcome.summary.lastPosition == 1)
  }
}

/// The log's events and batches, to show a dry run left them as they were.
private enum LogVerifierHead {
  static func of(_ log: TestLog) throws -> [String] {
    try log.events().map(\.hash) + log.store.batches().map(\.sha256)
  }
}
