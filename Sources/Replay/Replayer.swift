import EventLog
import LibraryDomain

/// Drives the fold over a cut of the log: streams events in business-time order, never loading
/// the log into memory.
public enum Replayer {
  /// Replays the log at `cut` under `policy`; `progress` gets the count of events applied.
  ///
  /// With `resume`, the replay starts from the best stored snapshot for the cut, when there is
  /// one: the projection then has the state but not the whole history (`hasHistory` false).
  public static func replay(
    _ store: EventLogStore, cut: ReplayCut, policy: ReplayPolicy, resume: Bool = false,
    progress: (Int) -> Void = { _ in }
  ) throws(ReplayError) -> Projection {
    var library = Library(policy: policy)
    var sink = try SpillSink()
    var resumedCounts: [AnomalyType: Int]?
    let head: String?
    // Small logs fold inline; past the first events, a worker thread folds while this one reads.
    var pipeline = FoldPipeline()
    var rows = 0
    var restored = 0
    do {
      defer { pipeline.finish(library: &library, sink: &sink) }
      head = try store.replayRows(
        cut, snapshotPolicy: resume ? policy.maxLoans : nil,
        start: { start in
          guard let snapshot = start.snapshot else { return }
          let content = try SnapshotContent(snapshot, path: store.path)
          library = Library(policy: policy, restoring: content.state)
          resumedCounts = content.anomalyCounts
        },
        { row in
          rows += 1
          if rows <= 1 << 16 {
            library.apply(row: row, sink: &sink)
            restored = library.eventCount - rows
          } else {
            if !pipeline.started { pipeline.start(library: &library, sink: sink) }
            pipeline.push(row)
          }
          if (restored + rows) & 0x3_FFFF == 0 { progress(restored + rows) }
        })
    } catch let error as EventLogError {
      throw .log(error)
    } catch {
      throw .log(.database(path: store.path, detail: String(describing: error)))
    }
    if let failure = sink.failure { throw failure }
    try sink.anomalies.seal()
    try sink.loans.seal()
    return Projection(
      cut: cut, policy: policy, library: library, logHead: head, sink: sink,
      resumedCounts: resumedCounts)
  }
}
