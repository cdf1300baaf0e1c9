import GRDB
import LibraryDomain

/// The outcome of `shelflog verify`.
public struct VerifyReport: Sendable, Equatable {
  public var events: Int64 = 0
  public var batches = 0
  /// The hash of the last event, as recomputed (nil for an empty log).
  public var head: String?
  /// The first fault found, nil when the log is sound.
  public var fault: VerifyFault?
}

/// Where and how the log no longer matches its chain or its own rules.
public struct VerifyFault: Sendable, Equatable {
  /// The first bad position, nil for a fault of the whole file or of the batches table.
  public var position: Int64?
  public var message: String
}

extension EventLogStore {
  /// Re-computes the hash chain from the stored fields, checks every stored field against it
  /// and against the rules of SPEC section 2, and runs SQLite's integrity check.
  public func verify(progress: (Int64) -> Void = { _ in }) throws(EventLogError) -> VerifyReport {
    try read { db in
      var report = VerifyReport()
      let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
      if integrity != ["ok"] {
        report.fault = VerifyFault(
          position: nil,
          message: "SQLite integrity check: \(integrity.prefix(3).joined(separator: "; "))")
        return report
      }
      let batches = try Row.fetchAll(
        db, sql: "SELECT sha256, rows_accepted, first_position, last_position FROM batches")
      report.batches = batches.count
      var expected: [String: (count: Int64, first: Int64?, last: Int64?)] = [:]
      for row in batches {
        expected[row[0]] = (row[1], row[2], row[3])
      }
      var seen: [String: (count: Int64, first: Int64, last: Int64)] = [:]
      var checker = EventChecker()
      let cursor = try Row.fetchCursor(
        db, sql: "SELECT \(StoredEvent.columns) FROM events ORDER BY position")
      while let row = try cursor.next() {
        let event = StoredEvent(row: row)
        if let problem = checker.check(event, knownBatch: expected[event.batch] != nil) {
          report.fault = VerifyFault(position: event.position, message: problem)
          return report
        }
        let tally = seen[event.batch]
        seen[event.batch] = (
          (tally?.count ?? 0) + 1, tally?.first ?? event.position, event.position
        )
        report.events += 1
        if report.events & 0xFFFF == 0 { progress(report.events) }
      }
      report.head = checker.chain.map { $0.headHex }
      for (sha, want) in expected.sorted(by: { $0.key < $1.key }) {
        let got = seen[sha]
        if (got?.count ?? 0) != want.count || got?.first != want.first || got?.last != want.last {
          report.fault = VerifyFault(
            position: want.first ?? got?.first,
            message: "batch \(sha) should hold \(want.count) events at positions"
              + " \(want.first.map(String.init) ?? "-")...\(want.last.map(String.init) ?? "-"),"
              + " the log holds \(got?.count ?? 0)")
          return report
        }
      }
      return report
    }
  }
}

/// Walks the events in position order, re-computing the chain and checking each stored field.
struct EventChecker {
  private(set) var chain: HashChain?
  private var lastPosition: Int64 = 0
  private var lastRecorded = Int64.min

  /// A description of the first problem with this event, nil when it is sound.
  mutating func check(_ event: StoredEvent, knownBatch: Bool) -> String? {
    var hashChain = chain ?? HashChain()
    let computed = event.canonical.bytes.withUnsafeBytes { hashChain.append(canonical: $0) }
    if hex(computed) != event.hash {
      return "hash does not match the event's fields and the chain before it"
        + " (stored \(event.hash), computed \(hex(computed)))"
    }
    chain = hashChain
    if event.position != lastPosition + 1 {
      return "position follows \(lastPosition): positions must run 1, 2, 3 … without gaps"
    }
    lastPosition = event.position
    if let problem = fieldProblem(event, knownBatch: knownBatch) { return problem }
    if event.recordedMicroseconds < lastRecorded {
      return "recorded_at \(event.recordedAt) runs backwards"
    }
    lastRecorded = event.recordedMicroseconds
    return nil
  }

  private func fieldProblem(_ event: StoredEvent, knownBatch: Bool) -> String? {
    guard let type = EventType(rawValue: event.type) else { return "unknown type \(event.type)" }
    if ISBN(event.isbn)?.digits != event.isbn { return "isbn \(event.isbn) is not normalised" }
    for (name, text, micros) in [
      ("occurred_at", event.occurredAt, event.occurredMicroseconds),
      ("recorded_at", event.recordedAt, event.recordedMicroseconds),
    ] {
      guard let time = Timestamp(rfc3339: text), time.description == text else {
        return "\(name) \(text) is not a normalised time"
      }
      if time.microseconds != micros { return "\(name) does not match its numeric column" }
    }
    if !knownBatch { return "batch \(event.batch) is not in the batches table" }
    let expectedKey = event.commandID.isEmpty ? nil : commandKey(event.commandID)
    if event.commandKey != expectedKey { return "command_key does not match command_id" }
    let isAdd = type == .bookAdded
    if isAdd != (event.quantity != nil) || (isAdd && event.title.isEmpty) {
      return "fields do not fit a \(event.type) event"
    }
    let hasUser = type == .bookBorrowed || type == .bookReturned
    if hasUser == event.userID.isEmpty { return "user_id does not fit a \(event.type) event" }
    return nil
  }
}
