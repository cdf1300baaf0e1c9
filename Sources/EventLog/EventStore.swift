import LibraryDomain

/// What shelflog's write and read sides need from an event log, whatever keeps it: the SQLite
/// file (`SQLiteEventStore`) first. Rows cross this seam in blocks (`AppendBlock`,
/// `EventRows`), so a call through it costs nothing per event.
///
/// A store maps its own faults to `EventLogError`; any other error thrown by a closure passed
/// in (say, the importer's) passes through unchanged.
public protocol EventStore: AppendTarget, ModelStore, Sendable {
  /// How messages name the log: a path (or a URL without its password).
  var name: String { get }

  // MARK: - Write side (see `AppendTarget`)

  /// The events logged under these command-id keys (`CommandKey`), read-only: what a dry run
  /// checks a batch's command ids against.
  func loggedCommands(keys: [Int64]) throws(EventLogError) -> [(key: Int64, event: LoggedCommand)]

  // MARK: - Read side

  /// Streams the events of `cut` in replay order, (occurred_at, position), from one read
  /// snapshot, a block at a time; `body` may keep the block it is given by swapping in another
  /// (empty) one. Returns the log head known at the cut: the last event recorded by
  /// `cut.knownAt` (the log's last event without it), nil when none.
  ///
  /// With `snapshotMaxLoans`, the best stored snapshot for the cut is handed to `start` and only
  /// the events after its time are streamed; `start` is called once, in the same read, before
  /// any event.
  func replay(
    _ cut: ReplayCut, snapshotMaxLoans: Int?, start: (ReplayStart) throws -> Void,
    _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead?

  /// `replay` of only the events that concern `entities` (any of its ISBNs or users), without
  /// snapshots: what `explain` folds. Served by the log's indexes on ISBN and on user.
  func replay(
    _ cut: ReplayCut, touching entities: EntityFilter, _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead?

  /// Streams the events that match, in position (append) order, from one read snapshot.
  func events(matching filter: EventFilter, _ body: (StoredEvent) throws -> Void) throws

  /// The batches, in the order they were imported.
  func batches() throws(EventLogError) -> [StoredBatch]

  /// The position of the log's last event (0 for an empty log).
  func lastPosition() throws(EventLogError) -> Int64

  /// A watch on the log's commits, by any process: what `log --follow` sleeps on. Made before
  /// a read, it wakes for a commit that read missed.
  func watchChanges() -> any ChangeWatch

  /// Per batch (by SHA-256), how many of its events exactly one of the two cuts applies: the
  /// causes of a restatement (`diff`).
  func eventsInExactlyOne(of first: ReplayCut, _ second: ReplayCut) throws(EventLogError)
    -> [String: Int]

  // MARK: - Snapshots

  /// Stores one projection snapshot in its own transaction, with the anomaly index's entries of
  /// the events replayed since the previous one (replacing theirs).
  func storeSnapshot(_ snapshot: StoredSnapshot, anomalies: AnomalyIndexUpdate?)
    throws(EventLogError)

  /// The anomaly types the index holds for these events (position and occurrence time), or nil
  /// when the index cannot answer for them at this cut: none for `maxLoans`, not reaching them,
  /// or a batch it did not see, or that the cut does not know, carrying an event at or before
  /// their latest time.
  func indexedAnomalies(
    maxLoans: Int, cut: ReplayCut, events: [(position: Int64, occurred: Int64)]
  ) throws(EventLogError) -> [Int64: UInt8]?

  /// Removes the snapshots of one `max_loans` (nil: all of them); returns how many.
  @discardableResult
  func deleteSnapshots(maxLoans: Int?) throws(EventLogError) -> Int

  /// Each stored snapshot's id and whether its bytes still match its checksum, by id.
  func snapshotChecks() throws(EventLogError) -> [SnapshotCheck]

  // MARK: - Copy

  /// Fills this log, which must hold no batch, with another log's batches and events exactly as
  /// stored there (positions, hashes, recorded times and all), in one transaction: `events`
  /// calls its argument with every event in position order. Throws `EventLogError.notEmpty`
  /// when the log holds a batch. The copy is not checked here: `verify` it afterwards.
  func copyIn(
    batches: [StoredBatch], events: ((StoredEvent) throws -> Void) throws -> Void
  ) throws

  // MARK: - Verify

  /// What a chain walk needs to know before it starts: the last position, the batches as the
  /// batches table records them, and (when the log is long enough to walk in two halves) the
  /// stored link at the middle.
  func chainLayout(splitFrom: Int64) throws(EventLogError) -> ChainLayout

  /// Feeds the stored events after `walk.position` through `end` to `walk`, in position order;
  /// returns the first fault. May be called from another thread while another walk runs.
  func walkChain(
    _ walk: ChainWalk, through end: Int64, progress: (Int64) -> Void
  ) throws(EventLogError) -> VerifyFault?

  /// The store's own check of its storage (for SQLite, the file), run beside the walk; may be
  /// called from another thread.
  func checkStorage(thorough: Bool) throws(EventLogError) -> StorageCheck
}

/// Where an import appends: a store, or a dry run that only pretends to (`DryRun`).
public protocol AppendTarget: AnyObject {
  /// Runs `body` in one write transaction that holds the log's append lock, waiting for another
  /// writer as the store was opened to. What `body` appends is committed when it returns
  /// `commit: true`, and rolled back when it returns false or throws.
  func appendTransaction<Result>(
    _ body: (any BatchWriter) throws -> (Result, commit: Bool)
  ) throws -> Result

  /// Whether a batch with these bytes was imported before.
  func hasBatch(sha256: String) throws(EventLogError) -> Bool
}

/// The write transaction's side of the seam: the importer asks, the log answers per row.
public protocol BatchWriter: AnyObject {
  /// Whether a batch with these bytes is in the log (read inside the transaction).
  func isImported(sha256: String) throws -> Bool

  /// The latest `recorded_at` in the log, nil for an empty log.
  func latestRecordedAt() throws -> Timestamp?

  /// Starts appending the batch with these bytes, recorded at `recordedAt`.
  func begin(sha256: String, recordedAt: Timestamp) throws

  /// Appends a block of events in order: each row is appended (at the next position), a
  /// duplicate of a logged event with its command id and content, or in conflict with a logged
  /// event of its command id and other content. Rows of this batch count as logged for later
  /// rows. Sets `block.outcomes`.
  func append(_ block: inout AppendBlock) throws

  /// Records the batch (its row counts and the positions its events took) and ends it.
  func finish(_ batch: BatchRecord) throws -> (first: Int64, last: Int64)?
}

/// What the batches table records of one batch (positions are the writer's).
public struct BatchRecord: Sendable, Equatable {
  /// The batch as stored, with the positions its events took.
  func stored(first: Int64?, last: Int64?) -> StoredBatch {
    StoredBatch(
      sha256: sha256, fileName: fileName, recordedAt: recordedAt.description,
      recordedMicroseconds: recordedAt.microseconds, accepted: Int64(accepted),
      rejected: Int64(rejected), skipped: Int64(skipped), firstPosition: first, lastPosition: last
    )
  }

  public var sha256: String
  public var fileName: String
  public var recordedAt: Timestamp
  public var accepted: Int
  public var rejected: Int
  public var skipped: Int

  public init(
    sha256: String, fileName: String, recordedAt: Timestamp, accepted: Int, rejected: Int,
    skipped: Int
  ) {
    self.sha256 = sha256
    self.fileName = fileName
    self.recordedAt = recordedAt
    self.accepted = accepted
    self.rejected = rejected
    self.skipped = skipped
  }
}

extension EventStore {
  /// Streams every event in position order.
  public func events(_ body: (StoredEvent) throws -> Void) throws {
    try events(matching: EventFilter(), body)
  }
}
