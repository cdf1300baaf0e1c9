/// The outcome of `shelflog verify`.
public struct VerifyReport: Sendable, Equatable {
  public var events: Int64 = 0
  public var batches = 0
  /// The hash of the last event, as recomputed (nil for an empty log).
  public var head: String?
  /// The first fault found, nil when the log is sound.
  public var fault: VerifyFault?

  public init() {}
}

/// Where and how the log no longer matches its chain or its own rules.
public struct VerifyFault: Sendable, Equatable {
  /// The first bad position, nil for a fault of the whole file or of the batches table.
  public var position: Int64?
  public var message: String

  public init(position: Int64?, message: String) {
    self.position = position
    self.message = message
  }
}

/// What a chain walk needs before it starts (`EventStore.chainLayout`).
public struct ChainLayout: Sendable {
  /// The last position (0 for an empty log).
  public var end: Int64
  /// The batches as recorded: events, first and last position, by SHA-256.
  public var batches: [String: (count: Int64, first: Int64?, last: Int64?)]
  /// The stored link where a second walker may start: a position, its stored hash and recorded
  /// time. Nil when the log is shorter than asked for, or that link cannot be read.
  public var middle: (position: Int64, hash: [UInt8], recordedMicroseconds: Int64)?

  public init(
    end: Int64, batches: [String: (count: Int64, first: Int64?, last: Int64?)],
    middle: (position: Int64, hash: [UInt8], recordedMicroseconds: Int64)?
  ) {
    self.end = end
    self.batches = batches
    self.middle = middle
  }
}

/// A store's check of its own storage (`EventStore.checkStorage`).
public struct StorageCheck: Sendable, Equatable {
  /// What the storage's own check found wrong (empty when sound), and its name for messages.
  public var problems: [String]
  public var checkName: String
  /// An index that does not hold one entry per event, described; nil when sound.
  public var indexFault: String?
  /// Keys in the idempotency index, when the store keeps one: one per event with a command id.
  public var commandKeys: Int64?

  public init(
    problems: [String], checkName: String, indexFault: String?, commandKeys: Int64?
  ) {
    self.problems = problems
    self.checkName = checkName
    self.indexFault = indexFault
    self.commandKeys = commandKeys
  }
}
