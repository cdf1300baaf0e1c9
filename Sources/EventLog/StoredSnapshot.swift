import LibraryDomain

/// A projection snapshot: the fold's state after every event of positions `1...throughPosition`
/// whose business time is at or before `occurredAt`, replayed under a policy with `maxLoans`
/// (the only policy value the fold depends on). `state` is the encoded state; a store keeps its
/// SHA-256 beside it and hands out only snapshots whose bytes still match.
public struct StoredSnapshot: Sendable {
  public var id: Int64
  public var throughPosition: Int64
  public var occurredAt: Timestamp
  public var maxLoans: Int
  public var events: Int
  public var format: Int
  public var state: [UInt8]

  public init(
    id: Int64 = 0, throughPosition: Int64, occurredAt: Timestamp, maxLoans: Int, events: Int,
    format: Int, state: [UInt8]
  ) {
    self.id = id
    self.throughPosition = throughPosition
    self.occurredAt = occurredAt
    self.maxLoans = maxLoans
    self.events = events
    self.format = format
    self.state = state
  }
}

/// What a snapshot-assisted replay starts from, read in the replay's own read transaction.
public struct ReplayStart: Sendable {
  /// The snapshot to resume from; nil to fold from the first event.
  public var snapshot: StoredSnapshot?
  /// The last position of the log in this read.
  public var logEnd: Int64

  public init(snapshot: StoredSnapshot?, logEnd: Int64) {
    self.snapshot = snapshot
    self.logEnd = logEnd
  }
}

/// One stored snapshot and whether its bytes still match its checksum.
public struct SnapshotCheck: Sendable, Equatable {
  public var id: Int64
  public var intact: Bool

  public init(id: Int64, intact: Bool) {
    self.id = id
    self.intact = intact
  }
}
