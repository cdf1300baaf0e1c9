import EventLog
import LibraryDomain

/// What one refresh of the current-state model did.
public struct ModelRefresh: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// The model already stood at the log's end.
    case upToDate
    /// Events after the model's latest business time were folded on from its checkpoint.
    case appended
    /// A late batch (events at or before the model's latest business time) made the model fold
    /// again from a stored snapshot's time (nil: from the first event).
    case refolded(from: Timestamp?)
    /// The model was built afresh, for this reason.
    case rebuilt(reason: String)
  }

  public var kind: Kind
  /// Events folded by this refresh.
  public var folded: Int
  /// The model's position after it.
  public var position: Int64
}

/// Where the model stands against the log.
public struct ModelStatus: Sendable {
  public var checkpoint: ModelCheckpoint?
  public var logEnd: Int64
  /// Why the next refresh would build the model afresh; nil when it would fold on.
  public var rebuildReason: String?

  /// Events appended since the model's position.
  public var behind: Int64 { logEnd - (checkpoint?.position ?? 0) }
}

/// The read model as living tables (`shelflog project`, docs/current-model.md): "now, as the log
/// knows it now", the fold of every event in the log in replay order, kept in the log's own
/// database and brought up to date by folding only what was appended since its checkpoint.
///
/// The checkpoint holds the fold's state, the position and hash of the last event folded and
/// the latest business time folded. A refresh then does one of three things:
/// - events that all occurred after that time fold on from the checkpoint's state (the nightly
///   case), and their anomalies are added;
/// - a late batch (an event at or before that time) changes history from its time on: the fold
///   starts again from the latest stored snapshot before it (`shelflog snapshot`) and the
///   anomalies after the snapshot's time are replaced; without one, from the first event;
/// - a model of another version or policy, or a log whose event at the checkpoint's position
///   is no longer the one folded (a rewritten log), is rebuilt from the first event.
/// Rows and checkpoint are written in one transaction; a rebuild fills shadow tables and swaps
/// them in, so a reader never sees a half-built model.
public enum CurrentModel {
  /// The version of the tables and rules: a model of another version is rebuilt.
  public static let version = 1

  public static func status(_ store: any EventStore, policy: ReplayPolicy) throws(ReplayError)
    -> ModelStatus
  {
    do {
      let checkpoint = try store.modelCheckpoint()
      let logEnd = try store.lastPosition()
      return ModelStatus(
        checkpoint: checkpoint, logEnd: logEnd,
        rebuildReason: try rebuildReason(checkpoint, store, policy: policy, logEnd: logEnd))
    } catch {
      throw ReplayError(error, log: store.name)
    }
  }

  /// Brings the model up to date with the log under `policy`; `progress` gets events folded.
  public static func refresh(
    _ store: any EventStore, policy: ReplayPolicy, progress: (Int) -> Void = { _ in }
  ) throws(ReplayError) -> ModelRefresh {
    var attempt = 0
    while true {
      attempt += 1
      do {
        return try refreshOnce(store, policy: policy, progress: progress)
      } catch EventLogError.modelMoved where attempt < 3 {
        // Another refresh wrote the model meanwhile: start again from its checkpoint.
        continue
      } catch {
        throw ReplayError(error, log: store.name)
      }
    }
  }

  private static func refreshOnce(
    _ store: any EventStore, policy: ReplayPolicy, progress: (Int) -> Void
  ) throws -> ModelRefresh {
    let previous = try store.modelCheckpoint()
    let logEnd = try store.lastPosition()
    if let reason = try rebuildReason(previous, store, policy: policy, logEnd: logEnd) {
      return try fold(
        store, policy: policy, previous: previous, from: nil, through: logEnd,
        kind: .rebuilt(reason: reason),
        progress: progress)
    }
    guard let previous, previous.position < logEnd,
      let earliest = try store.earliestOccurrence(after: previous.position, through: logEnd)
    else {
      return ModelRefresh(kind: .upToDate, folded: 0, position: previous?.position ?? 0)
    }
    if earliest > previous.occurredThrough, let content = SnapshotCodec.decode(previous.state) {
      return try fold(
        store, policy: policy, previous: previous, from: content, through: logEnd,
        kind: .appended,
        progress: progress)
    }
    return try refold(
      store, policy: policy, previous: previous, before: earliest, through: logEnd, progress)
  }

  /// Why the model must be built afresh, nil when it can fold on.
  static func rebuildReason(
    _ checkpoint: ModelCheckpoint?, _ store: any EventStore, policy: ReplayPolicy, logEnd: Int64
  ) throws -> String? {
    guard let checkpoint else { return "no model yet" }
    if checkpoint.version != version {
      return "the model is of version \(checkpoint.version), this shelflog's is \(version)"
    }
    if checkpoint.maxLoans != policy.maxLoans || checkpoint.loanDays != policy.loanDays {
      return "the policy changed (max_loans \(checkpoint.maxLoans) → \(policy.maxLoans),"
        + " loan_days \(checkpoint.loanDays) → \(policy.loanDays))"
    }
    if try store.logGuards() != checkpoint.guards {
      return "the log's append-only triggers changed since the model read it (dropped or"
        + " replaced): the log may have been edited; run shelflog verify"
    }
    guard checkpoint.position > 0 else { return nil }
    if checkpoint.position > logEnd {
      return "the log ends at position \(logEnd), before the model's \(checkpoint.position)"
    }
    let stored = try store.eventHash(at: checkpoint.position)
    if stored != checkpoint.hash {
      return "the event at position \(checkpoint.position) is not the one the model folded"
        + " (hash \(checkpoint.hash.prefix(12))… then, \(stored?.prefix(12) ?? "none")… now):"
        + " the log was rewritten; run shelflog verify"
    }
    return nil
  }

  /// A late batch: folds again from the latest snapshot that precedes it, or from the start.
  private static func refold(
    _ store: any EventStore, policy: ReplayPolicy, previous: ModelCheckpoint,
    before earliest: Int64, through logEnd: Int64, _ progress: (Int) -> Void
  ) throws -> ModelRefresh {
    // A snapshot is usable when its events are the log's up to its time (the store's rule,
    // asked for a cut just before the late events, so that a snapshot taken after them is
    // passed over) and no event after the model's position occurred by then: the model's
    // anomalies up to that time are then the fold's.
    var resumeTime: Int64?
    struct Unusable: Error {}
    var sink = try ModelSink()
    var library = Library(policy: policy)
    var last = Int64.min
    let fold = { (rows: inout EventRows) throws in
      try Self.fold(rows, into: &library, sink: &sink, last: &last, progress)
    }
    let head: LogHead?
    do {
      // The events up to just before the late ones, from the snapshot; then, up to the log end
      // that read saw, the rest.
      let seen = try store.replay(
        ReplayCut(at: Timestamp(microseconds: earliest - 1)), snapshotMaxLoans: policy.maxLoans,
        start: { start in
          guard let snapshot = start.snapshot else { throw Unusable() }
          guard snapshot.throughPosition <= logEnd else { throw Unusable() }
          let content = try SnapshotContent(snapshot, path: store.name)
          library = Library(policy: policy, restoring: content.state)
          sink.counts = content.anomalyCounts
          resumeTime = snapshot.occurredAt.microseconds
        }, fold)
      head = try store.replay(
        ReplayCut(at: Timestamp(microseconds: Int64.max), through: seen?.position ?? 0),
        occurredAfter: earliest - 1, fold)
    } catch is Unusable {
      return try Self.fold(
        store, policy: policy, previous: previous, from: nil, through: logEnd,
        kind: .refolded(from: nil), progress: progress)
    }
    // The tables hold the checkpoint's state: the update is what differs from it.
    guard let resumeTime, let held = SnapshotCodec.decode(previous.state)?.state else {
      return try Self.fold(
        store, policy: policy, previous: previous, from: nil, through: logEnd,
        kind: .refolded(from: nil), progress: progress)
    }
    return try write(
      store, policy: policy, previous: previous, held: held, library: library, sink: sink,
      head: head, occurredThrough: max(last, resumeTime), anomaliesAfter: resumeTime,
      kind: .refolded(from: Timestamp(microseconds: resumeTime)))
  }

  /// Folds the events after `from`'s time (all of them without it) and writes the model.
  private static func fold(
    _ store: any EventStore, policy: ReplayPolicy, previous: ModelCheckpoint?,
    from content: SnapshotContent?, through logEnd: Int64, kind: ModelRefresh.Kind,
    progress: (Int) -> Void
  ) throws -> ModelRefresh {
    var sink = try ModelSink()
    var library = Library(policy: policy)
    let after = content == nil ? Int64.min : previous?.occurredThrough ?? Int64.min
    if let content {
      library = Library(policy: policy, restoring: content.state)
      sink.counts = content.anomalyCounts
    }
    var last = Int64.min
    // Pinned to the log end the refresh read: an event appended since is left to the next.
    let head = try store.replay(
      ReplayCut(at: Timestamp(microseconds: Int64.max), through: logEnd), occurredAfter: after
    ) { rows in try fold(rows, into: &library, sink: &sink, last: &last, progress) }
    return try write(
      store, policy: policy, previous: previous, held: content?.state, library: library,
      sink: sink, head: head, occurredThrough: max(last, after), anomaliesAfter: after, kind: kind)
  }

  private static func fold(
    _ rows: EventRows, into library: inout Library, sink: inout ModelSink, last: inout Int64,
    _ progress: (Int) -> Void
  ) throws {
    rows.forEachRow { row in
      library.apply(row: row, sink: &sink)
      last = row.occurredAt.microseconds
    }
    sink.folded += rows.count
    if sink.folded / (1 << 18) != (sink.folded - rows.count) / (1 << 18) {
      progress(sink.folded)
    }
  }

  /// Writes the model: the rows that differ from `held`, the state the tables hold (nil: build
  /// them afresh), and the anomalies raised after `anomaliesAfter`.
  private static func write(
    _ store: any EventStore, policy: ReplayPolicy, previous: ModelCheckpoint?,
    held: LibraryState?, library: Library, sink: ModelSink, head: LogHead?,
    occurredThrough: Int64, anomaliesAfter: Int64, kind: ModelRefresh.Kind
  ) throws -> ModelRefresh {
    if let failure = sink.failure { throw failure }
    try sink.anomalies.seal()
    let state = library.state
    let checkpoint = ModelCheckpoint(
      version: version, maxLoans: policy.maxLoans, loanDays: policy.loanDays,
      position: head?.position ?? 0, hash: head?.hash ?? "", occurredThrough: occurredThrough,
      events: state.eventCount, guards: try store.logGuards(),
      state: SnapshotCodec.encode(SnapshotContent(state: state, anomalyCounts: sink.counts)))
    let anomalies = sink.anomalies
    try store.writeModel(
      ModelUpdate(
        checkpoint: checkpoint, previous: previous, rebuild: held == nil, from: held, to: state,
        anomaliesAfter: anomaliesAfter, anomalies: { body in try anomalies.forEachAnomaly(body) }))
    return ModelRefresh(kind: kind, folded: sink.folded, position: checkpoint.position)
  }
}

/// The model's sink: anomaly counts, and the anomalies raised by this refresh in a scratch
/// file (replay order); closed loans are history the model does not keep.
struct ModelSink: ReplaySink {
  let anomalies: SpillFile
  var counts: [AnomalyType: Int] = [:]
  var folded = 0
  private(set) var failure: ReplayError?

  init() throws(ReplayError) {
    anomalies = try SpillFile()
  }

  mutating func raised(_ anomaly: Anomaly) {
    counts[anomaly.type, default: 0] += 1
    anomalies.append(anomaly: anomaly)
    guard failure == nil else { return }
    do {
      try anomalies.flushIfFull()
    } catch {
      failure = error
    }
  }

  mutating func closed(_ loan: Loan) {}
  mutating func closed(_ loan: ClosedLoan, userID: () -> String) {}
}
