import Crypto
import Foundation
import GRDB
import LibraryDomain

extension SQLiteEventStore {
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
      guard Hex.string(SHA256.hash(data: state)) == (row["sha256"] as String?) else { continue }
      return StoredSnapshot(
        id: row["id"], throughPosition: row["through_position"],
        occurredAt: Timestamp(microseconds: row["occurred_us"]), maxLoans: row["max_loans"],
        events: row["events"], format: row["format"], state: state)
    }
    return nil
  }

  public func storeSnapshot(_ snapshot: StoredSnapshot) throws(EventLogError) {
    do {
      _ = try writeTransaction { db -> (Void, commit: Bool) in
        try db.execute(
          sql: """
            INSERT INTO snapshots (through_position, occurred_us, max_loans, events, format, state,
              sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            snapshot.throughPosition, snapshot.occurredAt.microseconds, snapshot.maxLoans,
            snapshot.events, snapshot.format, Data(snapshot.state),
            Hex.string(SHA256.hash(data: snapshot.state)),
          ])
        return ((), true)
      }
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

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

  public func snapshotChecks() throws(EventLogError) -> [SnapshotCheck] {
    try read { db in
      guard try db.tableExists("snapshots") else { return [] }
      var checks: [SnapshotCheck] = []
      let rows = try Row.fetchCursor(db, sql: "SELECT id, state, sha256 FROM snapshots ORDER BY id")
      while let row = try rows.next() {
        let state = [UInt8]((row["state"] as Data?) ?? Data())
        checks.append(
          SnapshotCheck(
            id: row["id"], intact: Hex.string(SHA256.hash(data: state)) == row["sha256"]))
      }
      return checks
    }
  }
}
