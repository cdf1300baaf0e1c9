import LibraryDomain

/// Where the current-state model (`shelflog project`, docs/current-model.md) stands: the last
/// event it folded, that event's hash, the policy and model version it was built under, and the
/// fold's state there (the snapshot codec's bytes), from which the next refresh goes on.
public struct ModelCheckpoint: Sendable, Equatable {
  /// The version of the model's tables and rules (`CurrentModel.version`).
  public var version: Int
  public var maxLoans: Int
  public var loanDays: Int
  /// The last event folded (0: none).
  public var position: Int64
  /// Its hash, lowercase hex ("" for position 0): a log rewritten under the model shows here.
  public var hash: String
  /// The latest business time folded (`Int64.min` for none): events that occurred after it
  /// can be folded on from `state`; an event at or before it is a late arrival.
  public var occurredThrough: Int64
  /// Events folded.
  public var events: Int
  /// The log's append-only guards when the model read it (`ModelStore.logGuards`).
  public var guards: String
  /// The fold's state and anomaly counts after them, in the snapshot codec's form.
  public var state: [UInt8]

  public init(
    version: Int, maxLoans: Int, loanDays: Int, position: Int64, hash: String,
    occurredThrough: Int64, events: Int, guards: String, state: [UInt8]
  ) {
    self.version = version
    self.maxLoans = maxLoans
    self.loanDays = loanDays
    self.position = position
    self.hash = hash
    self.occurredThrough = occurredThrough
    self.events = events
    self.guards = guards
    self.state = state
  }
}

/// One refresh's changes to the model's tables, written with the new checkpoint in one
/// transaction: the rows that differ between the state the tables hold and the new one (every
/// row when rebuilding).
public struct ModelUpdate {
  /// The new checkpoint.
  public var checkpoint: ModelCheckpoint
  /// The checkpoint the refresh started from (nil: none): the write is refused when the stored
  /// one is no longer it (another refresh got there first).
  public var previous: ModelCheckpoint?
  /// Build the tables afresh in shadow tables and swap them in, instead of updating them.
  public var rebuild: Bool
  /// Books added or changed, by ISBN (books are never taken out).
  public var books: [Book]
  /// Loans opened (or changed: also among `closedLoans`).
  public var openedLoans: [Loan]
  /// The positions of the loans closed (or changed), deleted before `openedLoans` go in.
  public var closedLoans: [Int64]
  /// Users whose count of open loans changed, with the new count (0: no longer listed).
  public var users: [(id: String, openLoans: Int)]
  /// The anomalies of events that occurred after this time (`Int64.min`: all) are replaced
  /// by those `anomalies` streams.
  public var anomaliesAfter: Int64
  /// Streams the new anomalies in replay order.
  public var anomalies: ((Anomaly) throws -> Void) throws -> Void

  /// The update from the state the tables hold (`old`; nil when they are built afresh) to
  /// `new`.
  public init(
    checkpoint: ModelCheckpoint, previous: ModelCheckpoint?, rebuild: Bool, from old: LibraryState?,
    to new: LibraryState, anomaliesAfter: Int64,
    anomalies: @escaping ((Anomaly) throws -> Void) throws -> Void
  ) {
    self.checkpoint = checkpoint
    self.previous = previous
    self.rebuild = rebuild
    self.anomaliesAfter = anomaliesAfter
    self.anomalies = anomalies
    let before = rebuild ? [] : old?.books ?? []
    var changed: [Book] = []
    // Both lists are sorted by ISBN.
    var index = 0
    for book in new.books {
      while index < before.count && before[index].isbn < book.isbn { index += 1 }
      if index < before.count && before[index] == book { continue }
      changed.append(book)
    }
    books = changed
    let wasOpen = rebuild ? [] : old?.openLoans ?? []
    // A loan that stays open may change (a late AddBook makes it counted): it is closed and
    // opened again.
    let oldLoans = Dictionary(wasOpen.map { ($0.position, $0) }) { first, _ in first }
    let newLoans = Dictionary(new.openLoans.map { ($0.position, $0) }) { first, _ in first }
    openedLoans = new.openLoans.filter { oldLoans[$0.position] != $0 }
    closedLoans = wasOpen.filter { newLoans[$0.position] != $0 }.map(\.position).sorted()
    var was: [String: Int] = [:]
    for loan in wasOpen { was[loan.userID, default: 0] += 1 }
    var now: [String: Int] = [:]
    for loan in new.openLoans { now[loan.userID, default: 0] += 1 }
    let users = Set(was.keys).union(now.keys).sorted().compactMap {
      id -> (id: String, openLoans: Int)? in
      was[id] == now[id] ? nil : (id: id, openLoans: now[id] ?? 0)
    }
    self.users = users
  }
}

extension ModelUpdate {
  /// When `loan` falls due: `borrowed_at + loan_days` (it is overdue at T when this is < T).
  public func due(_ loan: Loan) -> Int64 {
    let policy = ReplayPolicy(loanDays: checkpoint.loanDays, maxLoans: checkpoint.maxLoans)
    return loan.borrowedAt.microseconds + policy.loanMicroseconds
  }

  /// Whether a user with `openLoans` open loans is at the policy's limit.
  public func atLimit(_ openLoans: Int) -> Bool {
    openLoans >= checkpoint.maxLoans
  }

  /// Streams the new anomalies with each one's place among its event's anomalies (`seq`).
  public func forEachAnomaly(_ body: (Anomaly, Int) throws -> Void) throws {
    var last: Int64 = -1
    var seq = 0
    try anomalies { anomaly in
      seq = anomaly.position == last ? seq + 1 : 0
      last = anomaly.position
      try body(anomaly, seq)
    }
  }
}

/// What a log does to keep the current-state model in its own database (every `EventStore`
/// does).
public protocol ModelStore {
  /// The model's checkpoint, nil when the log holds no model (or its tables are not all there).
  func modelCheckpoint() throws(EventLogError) -> ModelCheckpoint?

  /// Writes the model's rows and checkpoint in one transaction. Throws
  /// `EventLogError.modelMoved` when the stored checkpoint is no longer `update.previous`.
  func writeModel(_ update: ModelUpdate) throws

  /// A digest of the triggers that keep the log append-only: dropped or replaced triggers
  /// change it (a sign that the log may have been edited behind shelflog's back).
  func logGuards() throws(EventLogError) -> String

  /// The hash (hex) of the event at `position`, nil when the log has none there.
  func eventHash(at position: Int64) throws(EventLogError) -> String?

  /// The earliest business time of the events after position `after`, through `through`; nil
  /// when there are none.
  func earliestOccurrence(after: Int64, through: Int64) throws(EventLogError) -> Int64?

  /// Streams the events of `cut` that occurred after `time`, in replay order, from one read;
  /// returns the log head known at the cut.
  func replay(
    _ cut: ReplayCut, occurredAfter time: Int64, _ body: (inout EventRows) throws -> Void
  ) throws -> LogHead?

}
