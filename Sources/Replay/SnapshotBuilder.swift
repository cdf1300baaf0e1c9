import EventLog
import LibraryDomain

/// What a snapshot refresh did.
public struct SnapshotRefresh: Sendable {
  /// Snapshots stored by this refresh.
  public var stored = 0
  /// Events replayed (those after the snapshot it resumed from).
  public var replayed = 0
  /// The business time of the snapshot it resumed from; nil when it replayed from the start.
  public var resumedFrom: Timestamp?
  /// The log's last position when the refresh read it.
  public var logEnd: Int64 = 0
}

/// Builds projection snapshots: the cache that lets `report summary` and `report inventory`
/// replay only the tail of the log.
public enum SnapshotBuilder {
  /// Events between two snapshots at least: a point-in-time report replays at most about this
  /// many, or a 48th of the log on a log of more than 6M events (`interval(logEnd:)`).
  public static let defaultInterval = 131_072

  /// The default spacing on a log of `logEnd` events: 131,072 events, or a 48th of the log
  /// when that is more. A snapshot's state grows with the log (every book, user and open loan),
  /// so a fixed spacing makes the cache grow with the square of the log: on the 10M benchmark
  /// log 77 snapshots took 442 MB, 44 bytes per event beside the log's 162. A 48th keeps the
  /// cache to about 48 snapshots (about 28 bytes per event there) and a point-in-time report's
  /// tail to a 48th of the log. Measured on that log: a 16th (19 bytes per event) put the
  /// point-in-time reports at 0.045–0.052 of a full replay, over their 0.05 target; a 32nd
  /// (18 bytes per event, 185 MB) at about 0.05.
  public static func interval(logEnd: Int64) -> Int {
    max(defaultInterval, Int(logEnd / 48))
  }

  /// Brings the snapshots for `policy` up to date with the whole log: resumes from the latest
  /// snapshot that is still exact for it, replays the events after it, and stores a snapshot
  /// every `interval` events (where business time moves on; nil: `interval(logEnd:)`) and one
  /// after the last event.
  ///
  /// Reads through `reader` (one read transaction: a batch committed meanwhile waits for the
  /// next refresh) and writes through `writer`, one transaction per snapshot: an interrupted
  /// refresh leaves whole snapshots only.
  public static func refresh(
    writer: any EventStore, reader: any EventStore, policy: ReplayPolicy,
    interval: Int? = nil, progress: (Int) -> Void = { _ in }
  ) throws(ReplayError) -> SnapshotRefresh {
    var library = Library(policy: policy)
    var sink = CountingSink()
    var result = SnapshotRefresh()
    var last: Int64?
    var pending = 0
    var spacing = interval ?? defaultInterval
    /// The time of the last snapshot stored or resumed from: the anomaly index is rewritten for
    /// the events after it.
    var previous: Int64?
    func store(through time: Int64) throws(EventLogError) {
      try writer.storeSnapshot(
        StoredSnapshot(
          throughPosition: result.logEnd, occurredAt: Timestamp(microseconds: time),
          maxLoans: policy.maxLoans, events: library.eventCount, format: SnapshotCodec.format,
          state: SnapshotCodec.encode(
            SnapshotContent(state: library.state, anomalyCounts: sink.counts))),
        anomalies: AnomalyIndexUpdate(after: previous, through: time, entries: sink.raised))
      result.stored += 1
      pending = 0
      previous = time
      sink.raised.removeAll(keepingCapacity: true)
    }
    do {
      _ = try reader.replay(
        ReplayCut(at: Timestamp(microseconds: Int64.max)), snapshotMaxLoans: policy.maxLoans,
        start: { start in
          result.logEnd = start.logEnd
          spacing = interval ?? Self.interval(logEnd: start.logEnd)
          guard let snapshot = start.snapshot else { return }
          let content = try SnapshotContent(snapshot, path: reader.name)
          library = Library(policy: policy, restoring: content.state)
          sink.counts = content.anomalyCounts
          result.resumedFrom = snapshot.occurredAt
          previous = snapshot.occurredAt.microseconds
        },
        { rows in
          try rows.forEachRow { row in
            let time = row.occurredAt.microseconds
            // A snapshot covers every event of its time: it is taken where time moves on.
            if let last, time > last, pending >= spacing { try store(through: last) }
            library.apply(row: row, sink: &sink)
            last = time
            pending += 1
            result.replayed += 1
            if result.replayed & 0x3_FFFF == 0 { progress(result.replayed) }
          }
        })
      if let last, pending > 0 { try store(through: last) }
    } catch {
      throw ReplayError(error, log: reader.name)
    }
    return result
  }
}

/// Counts anomalies, and keeps their types per event for the anomaly index, and forgets closed
/// loans: all a snapshot keeps of the history.
struct CountingSink: ReplaySink {
  var counts: [AnomalyType: Int] = [:]
  /// The anomaly types of the events since the last snapshot stored, by position (in replay
  /// order: an event's anomalies come together).
  var raised: [(position: Int64, types: UInt8)] = []

  mutating func raised(_ anomaly: Anomaly) {
    counts[anomaly.type, default: 0] += 1
    let bit = AnomalyIndexUpdate.bit(anomaly.type)
    if let last = raised.last, last.position == anomaly.position {
      raised[raised.count - 1].types |= bit
    } else {
      raised.append((anomaly.position, bit))
    }
  }

  mutating func closed(_ loan: Loan) {}
  mutating func closed(_ loan: ClosedLoan, userID: () -> String) {}
}
