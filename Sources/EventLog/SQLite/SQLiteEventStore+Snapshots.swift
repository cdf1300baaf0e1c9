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
    let logEnd = try Self.lastPosition(db)
    let knownEnd = min(try Self.lastKnownPosition(db, cut), logEnd)
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

  public func storeSnapshot(
    _ snapshot: StoredSnapshot, anomalies: AnomalyIndexUpdate?
  ) throws(EventLogError) {
    do {
      _ = try writeTransaction { db -> (Void, commit: Bool) in
        if let anomalies {
          try storeAnomalyIndex(
            anomalies, db, maxLoans: snapshot.maxLoans, logEnd: snapshot.throughPosition)
        }
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
        let deleted: Int
        if let maxLoans {
          try db.execute(sql: "DELETE FROM snapshots WHERE max_loans = ?", arguments: [maxLoans])
          deleted = db.changesCount
          try db.execute(
            sql: "DELETE FROM anomaly_index WHERE max_loans = ?", arguments: [maxLoans])
          try db.execute(
            sql: "DELETE FROM anomaly_index_state WHERE max_loans = ?", arguments: [maxLoans])
        } else {
          try db.execute(sql: "DELETE FROM snapshots")
          deleted = db.changesCount
          try db.execute(sql: "DELETE FROM anomaly_index; DELETE FROM anomaly_index_state")
        }
        return (deleted, true)
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

  // MARK: - The anomaly index

  /// Replaces the index entries of the events that occurred in the update's range with its
  /// entries, and records how far the index now reaches.
  private func storeAnomalyIndex(
    _ update: AnomalyIndexUpdate, _ db: Database, maxLoans: Int, logEnd: Int64
  ) throws {
    try db.execute(
      sql: """
        DELETE FROM anomaly_index WHERE max_loans = ?1 AND position IN (
          SELECT position FROM log_events INDEXED BY events_by_occurrence
          WHERE occurred_us > ?2 AND occurred_us <= ?3)
        """,
      arguments: [maxLoans, update.after ?? Int64.min, update.through])
    let insert = try db.makeStatement(
      sql: "INSERT INTO anomaly_index (max_loans, position, types) VALUES (?, ?, ?)")
    for entry in update.entries {
      try insert.execute(arguments: [maxLoans, entry.position, Int(entry.types)])
    }
    try db.execute(
      sql: """
        INSERT OR REPLACE INTO anomaly_index_state (max_loans, through_position, covered_us)
        VALUES (?, ?, ?)
        """,
      arguments: [maxLoans, logEnd, update.through])
  }

  public func indexedAnomalies(
    maxLoans: Int, cut: ReplayCut, events: [(position: Int64, occurred: Int64)]
  ) throws(EventLogError) -> [Int64: UInt8]? {
    try read { db in
      guard try db.tableExists("anomaly_index_state"),
        let state = try Row.fetchOne(
          db,
          sql: "SELECT through_position, covered_us FROM anomaly_index_state WHERE max_loans = ?",
          arguments: [maxLoans])
      else { return nil }
      let indexed: Int64 = state[0]
      let covered: Int64 = state[1]
      guard events.allSatisfy({ $0.position <= indexed && $0.occurred <= covered }) else {
        return nil
      }
      let latest = events.map(\.occurred).max() ?? Int64.min
      let known = try Self.lastKnownPosition(db, cut)
      // The batches one of the two saw and the other did not: any event of theirs at or before
      // the latest event asked about changes what came after it.
      let stale =
        try Bool.fetchOne(
          db,
          sql: """
            SELECT EXISTS (SELECT 1 FROM batch_extents
              WHERE last_position > ?1 AND first_position <= ?2 AND min_occurred_us <= ?3)
            """,
          arguments: [min(indexed, known), max(indexed, known), latest]) ?? true
      guard !stale else { return nil }
      var found: [Int64: UInt8] = [:]
      let positions = "[" + events.map { String($0.position) }.joined(separator: ",") + "]"
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT position, types FROM anomaly_index
          WHERE max_loans = ? AND position IN (SELECT value FROM json_each(?))
          """,
        arguments: [maxLoans, positions])
      while let row = try rows.next() { found[row[0]] = UInt8(truncatingIfNeeded: row[1] as Int) }
      return found
    }
  }
}
