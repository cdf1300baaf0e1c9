import Crypto
import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

extension PostgresEventStore {
  /// The best snapshot for `cut`, by the rule of `SQLiteEventStore.bestSnapshot`: the latest at
  /// or before `cut.at` that no batch between its end and the cut's known end (either way
  /// round) contradicts; a damaged one is skipped.
  func bestSnapshot(cut: ReplayCut, maxLoans: Int) throws(EventLogError) -> StoredSnapshot? {
    let logEnd = try lastPositionInTransaction()
    let knownEnd = min(try lastKnownPosition(cut), logEnd)
    var binds = PostgresBindings()
    binds.append(Int64(maxLoans))
    binds.append(cut.at.microseconds)
    binds.append(logEnd)
    let candidates = try session.query(
      """
      SELECT id, through_position, occurred_us FROM snapshots
      WHERE max_loans = $1 AND occurred_us <= $2 AND through_position <= $3
      ORDER BY occurred_us DESC, through_position DESC
      """, binds)
    for candidate in candidates {
      let cells = Array(candidate)
      let id = PostgresCells.int(cells[0]) ?? 0
      let position = PostgresCells.int(cells[1]) ?? 0
      let time = PostgresCells.int(cells[2]) ?? 0
      var range = PostgresBindings()
      range.append(min(position, knownEnd))
      range.append(max(position, knownEnd))
      range.append(time)
      let stale = try !session.query(
        """
        SELECT 1 FROM log_batches
        WHERE first_position > $1 AND first_position <= $2 AND min_occurred_us <= $3 LIMIT 1
        """, range
      ).isEmpty
      if stale { continue }
      var byID = PostgresBindings()
      byID.append(id)
      guard
        let row = try session.query(
          """
          SELECT id, through_position, occurred_us, max_loans, events, format, state, sha256
          FROM snapshots WHERE id = $1
          """, byID
        ).first.map(PostgresCells.cells)
      else { continue }
      let state = PostgresCells.bytes(row[6])
      guard Hex.string(SHA256.hash(data: state)) == PostgresCells.string(row[7]) else { continue }
      return StoredSnapshot(
        id: id, throughPosition: position, occurredAt: Timestamp(microseconds: time),
        maxLoans: Int(PostgresCells.int(row[3]) ?? 0), events: Int(PostgresCells.int(row[4]) ?? 0),
        format: Int(PostgresCells.int(row[5]) ?? 0), state: state)
    }
    return nil
  }

  /// A PostgreSQL log keeps no anomaly index (docs/postgresql.md): `indexedAnomalies` answers
  /// nil, and `explain` folds the events instead, with the same result.
  public func storeSnapshot(
    _ snapshot: StoredSnapshot, anomalies: AnomalyIndexUpdate?
  ) throws(EventLogError) {
    var binds = PostgresBindings()
    binds.append(snapshot.throughPosition)
    binds.append(snapshot.occurredAt.microseconds)
    binds.append(Int64(snapshot.maxLoans))
    binds.append(Int64(snapshot.events))
    binds.append(Int64(snapshot.format))
    binds.append(NIOCore.ByteBuffer(bytes: snapshot.state))
    binds.append(Hex.string(SHA256.hash(data: snapshot.state)))
    try session.query(
      """
      INSERT INTO snapshots (through_position, occurred_us, max_loans, events, format, state,
        sha256)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      """, binds)
  }

  public func indexedAnomalies(
    maxLoans: Int, cut: ReplayCut, events: [(position: Int64, occurred: Int64)]
  ) throws(EventLogError) -> [Int64: UInt8]? {
    nil
  }

  @discardableResult
  public func deleteSnapshots(maxLoans: Int?) throws(EventLogError) -> Int {
    var binds = PostgresBindings()
    var sql = "DELETE FROM snapshots RETURNING id"
    if let maxLoans {
      binds.append(Int64(maxLoans))
      sql = "DELETE FROM snapshots WHERE max_loans = $1 RETURNING id"
    }
    return try session.query(sql, binds).count
  }

  public func snapshotChecks() throws(EventLogError) -> [SnapshotCheck] {
    try session.query("SELECT id, state, sha256 FROM snapshots ORDER BY id").map { row in
      let cells = Array(row)
      let state = PostgresCells.bytes(cells[1])
      return SnapshotCheck(
        id: PostgresCells.int(cells[0]) ?? 0,
        intact: Hex.string(SHA256.hash(data: state)) == PostgresCells.string(cells[2]))
    }
  }
}
