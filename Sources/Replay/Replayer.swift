import EventLog
import LibraryDomain

/// Drives the fold over a cut of the log: streams events in business-time order, never loading
/// the log into memory.
public enum Replayer {
  /// Events folded on the reading thread before a worker thread takes over the fold.
  static let inlineEvents = 1 << 16

  /// Replays the log at `cut` under `policy`; `progress` gets the count of events applied.
  ///
  /// With `resume`, the replay starts from the best stored snapshot for the cut, when there is
  /// one: the projection then has the state but not the whole history (`hasHistory` false).
  public static func replay(
    _ store: any EventStore, cut: ReplayCut, policy: ReplayPolicy, resume: Bool = false,
    progress: (Int) -> Void = { _ in }
  ) throws(ReplayError) -> Projection {
    var library = Library(policy: policy)
    var sink = try SpillSink()
    var resumedCounts: [AnomalyType: Int]?
    let head: String?
    // Small logs fold inline; past the first events, a worker thread folds while this one reads.
    var pipeline: FoldPipeline?
    var rows = 0
    var restored = 0
    do {
      head = try store.replay(
        cut, snapshotMaxLoans: resume ? policy.maxLoans : nil,
        start: { start in
          guard let snapshot = start.snapshot else { return }
          let content = try SnapshotContent(snapshot, path: store.name)
          library = Library(policy: policy, restoring: content.state)
          restored = library.eventCount
          resumedCounts = content.anomalyCounts
        },
        { block in
          rows += block.count
          if let pipeline {
            pipeline.push(&block)
          } else {
            library.apply(block, sink: &sink)
            if rows >= inlineEvents {
              pipeline = FoldPipeline(library: library, sink: sink)
              library = Library(policy: policy)
            }
          }
          if (restored + rows) / (1 << 18) != (restored + rows - block.count) / (1 << 18) {
            progress(restored + rows)
          }
        })
    } catch {
      if let pipeline { _ = pipeline.finish() }
      throw ReplayError(error, log: store.name)
    }
    if let pipeline { (library, sink) = pipeline.finish() }
    if let failure = sink.failure { throw failure }
    try sink.anomalies.seal()
    try sink.loans.seal()
    return Projection(
      cut: cut, policy: policy, library: library, logHead: head, sink: sink,
      resumedCounts: resumedCounts)
  }
}
