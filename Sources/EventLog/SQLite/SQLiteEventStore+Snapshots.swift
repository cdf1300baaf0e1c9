import Crypto
import Foundation
import GRDB
import LibraryDomain

/// A projection snapshot as stored: the fold's state after every event of positions
/// `1...throughPosition` whose business time is at or before `occurredAt`, replayed under a
/// policy with `maxLoans` (the only policy value the fold depends on).
public struct StoredSnapshot: Sendable {
  public var id: Int64
  public var throughPosition: Int64
  public var occurredAt: Timestamp
  public var maxLoans: Int
  public var events: Int
  public var format: Int
  public var state: [UInt8]
}

/// What a snapshot-assisted replay starts from, read in the replay's own read transaction.
public struct ReplayStart: Sendable {
  /// The snapshot to resume from; nil to fold from the first event.
  public var snapshot: StoredSnapshot?
  /// The last position of the log in this read.
  public var logEnd: Int64
}

extension EventLogStore {
  /// The best snapshot for `cut`: the latest one at or before `cut.at` whose events are exactly
  /// the cut's events up to its time. Snapshots are a cache: any doubt means "none".
  ///
  /// A snapshot taken on the log's first P events, at business time S, holds the events of
  /// `1...P` with `occurred_us <= S`. The cut knows the first P_K events (those recorded by K),
  /// so the two sets agree up to S exactly when no batch between P and P_K (either way round)
  /// carries an event at or before S. `batch_extents` keeps each batch's earliest time.
  func bestSnapshot(_ db: Database, cut: ReplayCut, maxLoans: Int) throws -> StoredSnapshot? {
    // A log from before snapshots (read without migrating) has none.
    guard try db.tableExists("snapshots"), try db.tableExists("batch_extents") else { return nil }
    let logEnd = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
    let knownEnd =
      try cut.knownAt.map { known in
        try Int64.fetchOne(
          db, sql: "SELECT max(last_position) FROM batches WHERE recorded_us <= ?",
          arguments: [known.microseconds]) ?? 0
      } ?? logEnd
    let candidates = try Row.fetchAll(
      db,
      sql: """
        SELECT id, through_position, occurred_us FROM snapshots
        WHERE max_loans = ? AND occurred_us <= ? AND through_position <= ?
        ORDER BY occurred_us DESC, through_position DESC
        """,
      arguments: [maxLoans, cut.at.microseconds, logEnd])
    for candidate in candidates {
      let position: Int64 = candidate["through_position"]
      let time: Int64 = candidate["occurred_us"]
      let stale =
        try Bool.fetchOne(
          db,
          sql: """
            SELECT EXISTS (SELECT 1 FROM batch_extents
              WHERE first_position > ? AND first_position <= ? AND min_occurred_us <= ?)
            """,
          arguments: [min(position, knownEnd), max(position, knownEnd), time]) ?? true
      if stale { continue }
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT id, through_position, occurred_us, max_loans, events, format, state, sha256
            FROM snapshots WHERE id = ?
            """, arguments: [candidate["id"] as Int64])
      else { continue }
      let state: [UInt8] = [UInt8]((row["state"] as Data?) ?? Data())
      // A damaged snapshot is skipped (verify reports it); the replay then starts earlier.
      guard hex(Array(SHA256.hash(data: state))) == (row["sha256"] as String?) else { continue }
      return StoredSnapshot(
        id: row["id"], throughPosition: row["through_position"],
        occurredAt: Timestamp(microseconds: row["occurred_us"]), maxLoans: row["max_loans"],
        events: row["events"], format: row["format"], state: state)
    }
    return nil
  }

  /// Stores one snapshot in its own transaction.
  public func storeSnapshot(
    throughPosition: Int64, occurredAt: Timestamp, maxLoans: Int, events: Int, format: Int,
    state: [UInt8]
  ) throws(EventLogError) {
    do {
      _ = try writeTransaction { db -> (Void, commit: Bool) in
        try db.execute(
          sql: """
            INSERT INTO snapshots (through_position, occurred_us, max_loans, events, format, state,
              sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            throughPosition, occurredAt.microseconds, maxLoans, events, format, Data(state),
            hex(Array(SHA256.hash(data: state))),
          ])
        return ((), true)
      }
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

  /// Removes the snapshots of one policy (`nil`: all of them). Returns how many.
  @discardableResult
  public func deleteSnapshots(maxLoans: Int?) throws(EventLogError) -> Int {
    do {
      return try writeTransaction { db -> (Int, commit: Bool) in
        if let maxLoans {
          try db.execute(sql: "DELETE FROM snapshots WHERE max_loans = ?", arguments: [maxLoans])
        } else {
          try db.execute(sql: "DELETE FROM snapshots")
        }
        return (db.changesCount, true)
      }
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

  /// The stored snapshots' headers and whether each one's bytes match its checksum, by id.
  public func snapshotChecks() throws(EventLogError) -> [(id: Int64, intact: Bool)] {
    try read { db in
      guard try db.tableExists("snapshots") else { return [] }
      var checks: [(Int64, Bool)] = []
      let rows = try Row.fetchCursor(db, sql: "SELECT id, state, sha256 FROM snapshots ORDER BY id")
      while let row = try rows.next() {
        let state = [UInt8]((row["state"] as Data?) ?? Data())
        checks.append(
          (row["id"], hex(Array(SHA256.hash(data: state))) == (row["sha256"] as String?)))
      }
      return checks
    }
  }
}
