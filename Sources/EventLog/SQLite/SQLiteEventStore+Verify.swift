import Foundation
import GRDB
import GRDBSQLite
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
  /// and against the rules of SPEC section 2, and checks the database file.
  ///
  /// The file check runs on its own connection and thread while the chain is walked: SQLite's
  /// `quick_check` (every B-tree page, record and constraint) and a count of the replay index
  /// against the events; `thorough` runs the full `integrity_check` instead, which also matches
  /// every index entry against its row.
  ///
  /// A log of `parallelFrom` events or more is walked in two halves at once: the second walker
  /// starts from the stored hash of the middle event, which the first walker recomputes and
  /// compares, so the chain is still checked link by link.
  public func verify(
    thorough: Bool = false, parallelFrom: Int64 = 1 << 18, progress: (Int64) -> Void = { _ in }
  ) throws(EventLogError) -> VerifyReport {
    let structure = structureCheck(path: path, wait: wait, thorough: thorough)
    var report = try walkChain(parallelFrom: parallelFrom, progress: progress)
    let (problems, index) = try structure.result()
    if !problems.isEmpty {
      // A damaged file explains whatever else was found: it is reported first.
      report.fault = VerifyFault(
        position: nil,
        message: "\(thorough ? "SQLite integrity check" : "SQLite quick check"):"
          + " \(problems.prefix(3).joined(separator: "; "))")
    } else if report.fault == nil, let index {
      // With positions checked gapless, the last position is the number of events.
      report.fault = VerifyFault(position: nil, message: index)
    }
    return report
  }

  private func walkChain(
    parallelFrom: Int64, progress: (Int64) -> Void
  ) throws(EventLogError) -> VerifyReport {
    try read { db in
      var report = VerifyReport()
      let batches = try Row.fetchAll(
        db, sql: "SELECT sha256, rows_accepted, first_position, last_position FROM batches")
      report.batches = batches.count
      var expected: [String: (count: Int64, first: Int64?, last: Int64?)] = [:]
      for row in batches {
        expected[row[0]] = (row[1], row[2], row[3])
      }
      let known = Set(expected.keys)
      let end = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
      // The second half, on its own connection and thread, from the stored middle link.
      var second: BackgroundRead<(ChainWalk, VerifyFault?)>?
      var middle = end
      if end >= parallelFrom, end >= 2 {
        let half = end / 2
        if let row = try Row.fetchOne(
          db, sql: "SELECT hash, recorded_us FROM events WHERE position = ?", arguments: [half]),
          let hash = (row[0] as String?).flatMap(unhex), hash.count == 32
        {
          middle = half
          second = secondWalk(
            path: path, wait: wait,
            walk: ChainWalk(knownBatches: known, after: half, head: hash, recorded: row[1]),
            through: end)
        }
      }
      var walk = ChainWalk(knownBatches: known)
      let share: Int64 = second == nil ? 1 : 2
      if let fault = try walkRange(db, &walk, through: middle, progress: { progress($0 * share) }) {
        _ = try second?.result()
        report.fault = fault
        return report
      }
      walk.finish()
      var events = walk.events
      var keyed = walk.keyed
      var seen = walk.seen
      var head = walk.events > 0 ? walk.chain.headHex : nil
      if let second {
        let (other, fault) = try second.result()
        if let fault {
          report.fault = fault
          return report
        }
        events += other.events
        keyed += other.keyed
        head = other.chain.headHex
        for (sha, tally) in other.seen {
          let mine = seen[sha]
          seen[sha] = (
            (mine?.count ?? 0) + tally.count, min(mine?.first ?? tally.first, tally.first),
            max(mine?.last ?? tally.last, tally.last)
          )
        }
      }
      report.events = events
      report.head = head
      // The idempotency index: one key per event with a command id (a missing key would let a
      // re-import log the command twice).
      if try db.tableExists("command_keys") {
        let keys = try Int64.fetchOne(db, sql: "SELECT count(*) FROM command_keys") ?? 0
        if keys != keyed {
          report.fault = VerifyFault(
            position: nil,
            message: "command_keys holds \(keys) keys for \(keyed) events with a command id")
          return report
        }
      }
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

/// Walks the events after `walk`'s position through `end`; the first fault, nil when sound.
private func walkRange(
  _ db: Database, _ walk: inout ChainWalk, through end: Int64, progress: (Int64) -> Void
) throws -> VerifyFault? {
  let statement = try db.makeStatement(sql: ChainWalk.sql)
  let handle = statement.sqliteStatement
  defer { sqlite3_reset(handle) }
  // The first walker also reads positions below 1, which only a tamperer can have written.
  sqlite3_bind_int64(handle, 1, walk.position == 0 ? Int64.min : walk.position)
  sqlite3_bind_int64(handle, 2, end)
  var fault: VerifyFault?
  try forEachRow(handle) {
    if let problem = walk.check(handle) {
      fault = VerifyFault(position: sqlite3_column_int64(handle, 0), message: problem)
      return false
    }
    if walk.events & 0xFFFF == 0 { progress(walk.events) }
    return true
  }
  // Rows missing at the end of the range (a gap before `end`) are a gap too.
  if fault == nil, walk.position != end {
    fault = VerifyFault(
      position: walk.position + 1,
      message: "position \(walk.position + 1) is missing: positions must run 1, 2, 3 … without gaps"
    )
  }
  return fault
}

/// A read on a connection and thread of its own, in one read transaction: verify's second
/// walker and its check of the file run so, beside the first walker.
private final class BackgroundRead<Value>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var outcome: Result<Value, EventLogError>?

  init(path: String, wait: Double, _ body: @escaping @Sendable (Database) throws -> Value) {
    Thread.detachNewThread { [self] in
      defer { done.signal() }
      do {
        let queue = try EventLogStore.openReader(path: path, wait: wait)
        let value = try queue.inDatabase { db in
          var value: Value?
          try db.inTransaction(.deferred) {
            value = try body(db)
            return .commit
          }
          return value!
        }
        outcome = .success(value)
      } catch {
        outcome = .failure(EventLogError.from(error, path: path, wait: wait))
      }
    }
  }

  /// Waits for the read and returns what it gave.
  func result() throws(EventLogError) -> Value {
    done.wait()
    return try outcome!.get()
  }
}

/// The second half of a chain walk: its state, and its first fault.
private func secondWalk(
  path: String, wait: Double, walk: ChainWalk, through end: Int64
) -> BackgroundRead<(ChainWalk, VerifyFault?)> {
  BackgroundRead(path: path, wait: wait) { db in
    var walk = walk
    let fault = try walkRange(db, &walk, through: end, progress: { _ in })
    walk.finish()
    return (walk, fault)
  }
}

/// SQLite's check of the file: the problems it found (none when the file is sound), and whether
/// the replay index misses events.
private func structureCheck(
  path: String, wait: Double, thorough: Bool
) -> BackgroundRead<([String], index: String?)> {
  BackgroundRead(path: path, wait: wait) { db in
    let pragma = thorough ? "integrity_check" : "quick_check"
    let report = try String.fetchAll(db, sql: "PRAGMA \(pragma)")
    // Replay reads the events through this index: it must hold one entry per event.
    let entries =
      try Int64.fetchOne(
        db,
        sql: "SELECT count(*) FROM events INDEXED BY events_by_occurrence"
          + " WHERE occurred_us >= -9223372036854775808") ?? 0
    let events = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
    return (
      report == ["ok"] ? [] : report,
      entries == events
        ? nil : "index events_by_occurrence holds \(entries) entries for \(events) events"
    )
  }
}
