import LibraryDomain

/// What a replay folds into: the library, the sink that spills its history, and, when the
/// activity report is asked for, its recorder. The replay's reading thread or its worker owns
/// it, one at a time.
struct ReplayFold {
  var library: Library
  var sink: SpillSink
  var activity: ActivityRecorder?

  /// Applies a block of events in order.
  mutating func apply(_ rows: EventRows) {
    guard var recorder = activity else {
      library.apply(rows, sink: &sink)
      return
    }
    rows.forEachRow { row in
      // Only a period's end reads the library's figures (passing it per event copied it).
      if recorder.closesPeriod(before: row.occurredAt) {
        recorder.before(row.occurredAt, library: library, anomalies: sink.anomalyCounts)
      }
      let user = library.apply(row: row, sink: &sink)
      recorder.after(row, user: user, anomalies: sink.anomalyCounts)
    }
    activity = recorder
  }

  /// The activity report, once every event was applied.
  mutating func activityReport() -> ActivityReport? {
    guard var recorder = activity else { return nil }
    let periods = recorder.finish(library: library, anomalies: sink.anomalyCounts)
    activity = recorder
    return ActivityReport(every: recorder.options.every, periods: periods)
  }
}
