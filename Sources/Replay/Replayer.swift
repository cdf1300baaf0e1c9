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
  ///
  /// With `activity`, the replay also records the activity report (never from a snapshot).
  public static func replay(
    _ store: any EventStore, cut: ReplayCut, policy: ReplayPolicy, resume: Bool = false,
    activity: ActivityOptions? = nil, progress: (Int) -> Void = { _ in }
  ) throws(ReplayError) -> Projection {
    var fold = ReplayFold(
      library: Library(policy: policy), sink: try SpillSink(),
      activity: activity.map { ActivityRecorder(options: $0, at: cut.at) })
    var resumedCounts: [AnomalyType: Int]?
    let head: LogHead?
    // Small logs fold inline; past the first events, a worker thread folds while this one reads.
    var pipeline: FoldPipeline?
    var rows = 0
    var restored = 0
    do {
      head = try store.replay(
        cut, snapshotMaxLoans: resume && activity == nil ? policy.maxLoans : nil,
        start: { start in
          guard let snapshot = start.snapshot else { return }
          let content = try SnapshotContent(snapshot, path: store.name)
          fold.library = Library(policy: policy, restoring: content.state)
          restored = fold.library.eventCount
          resumedCounts = content.anomalyCounts
        },
        { block in
          rows += block.count
          if let pipeline {
            pipeline.push(&block)
          } else {
            fold.apply(block)
            if rows >= inlineEvents {
              pipeline = FoldPipeline(fold)
              fold.library = Library(policy: policy)
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
    if let pipeline { fold = pipeline.finish() }
    if let failure = fold.sink.failure { throw failure }
    let report = fold.activityReport()
    if fold.activity?.tooManyPeriods == true {
      throw .tooManyPeriods(ActivityOptions.maximumPeriods)
    }
    try fold.sink.anomalies.seal()
    try fold.sink.loans.seal()
    return Projection(
      cut: cut, policy: policy, library: fold.library, logHead: head, sink: fold.sink,
      resumedCounts: resumedCounts, activity: report)
  }
}
