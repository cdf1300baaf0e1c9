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
    do {
      head = try store.replay(
        cut, snapshotPolicy: resume ? policy.maxLoans : nil,
        start: { start in
          guard let snapshot = start.snapshot else { return }
          let content = try SnapshotContent(snapshot, path: store.path)
          library = Library(policy: policy, restoring: content.state)
          resumedCounts = content.anomalyCounts
        },
        { event in
          library.apply(event, sink: &sink)
          if library.eventCount & 0x3_FFFF == 0 { progress(library.eventCount) }
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
