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

/// What a snapshot refresh adds to the anomaly index with one snapshot: the anomaly types (a bit
/// per `AnomalyType`, `bit(_:)`) of the events it replayed since the previous one, those
/// that occurred after `after` (microseconds; nil: from the first event) and by `through`.
public struct AnomalyIndexUpdate: Sendable {
  public var after: Int64?
  public var through: Int64
  public var entries: [(position: Int64, types: UInt8)]

  public init(after: Int64?, through: Int64, entries: [(position: Int64, types: UInt8)]) {
    self.after = after
    self.through = through
    self.entries = entries
  }

  /// The bit of an anomaly type, as stored (docs/log-format.md): fixed here, never derived from
  /// the order of the cases, so that a new type cannot change what a stored mask means.
  public static func bit(_ type: AnomalyType) -> UInt8 {
    switch type {
    case .catalogConflict: 1
    case .overBorrow: 2
    case .loanLimitExceeded: 4
    case .unknownBook: 8
    case .returnWithoutLoan: 16
    case .removedWhileOnLoan: 32
    }
  }

  /// The types of a mask, in table order.
  public static func types(_ mask: UInt8) -> [AnomalyType] {
    AnomalyType.allCases.filter { mask & bit($0) != 0 }
  }
}
