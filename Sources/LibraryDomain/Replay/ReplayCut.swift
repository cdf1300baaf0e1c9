/// The cut of a point-in-time replay (docs/reports.md): business time `at`, and what the log knew
/// at `knownAt` (events recorded by then; nil for everything logged). `through` pins the log at
/// a position: events appended after it are left out too (a report reproduced from its
/// manifest).
public struct ReplayCut: Sendable, Equatable {
  public var at: Timestamp
  public var knownAt: Timestamp?
  public var through: Int64?

  public init(at: Timestamp, knownAt: Timestamp? = nil, through: Int64? = nil) {
    self.at = at
    self.knownAt = knownAt
    self.through = through
  }

  /// Parses the notation of fixture folders and `diff`: `T` or `T@K`, each a time or a bare
  /// date (its last microsecond); nil when it is neither.
  public init?(notation: String) {
    let parts = notation.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
      .map(String.init)
    guard let at = Timestamp(cut: parts[0]) else { return nil }
    var knownAt: Timestamp?
    if parts.count == 2 {
      guard let known = Timestamp(cut: parts[1]) else { return nil }
      knownAt = known
    }
    self.init(at: at, knownAt: knownAt)
  }

  /// Whether the cut admits an event that occurred at `occurred`, was recorded at `recorded`
  /// and stands at `position`.
  public func admits(occurred: Int64, recorded: Int64, position: Int64) -> Bool {
    occurred <= at.microseconds && recorded <= (knownAt?.microseconds ?? .max)
      && position <= (through ?? .max)
  }
}

/// Whose events a replay streams: those of any of these ISBNs or users (explain's replay).
public struct EntityFilter: Sendable, Equatable {
  public var isbns: [ISBN]
  public var users: [String]

  public init(isbns: [ISBN] = [], users: [String] = []) {
    self.isbns = isbns
    self.users = users
  }
}

/// The last event of a log (or of what a cut knows of it): its position and hash.
public struct LogHead: Sendable, Equatable {
  public var position: Int64
  public var hash: String

  public init(position: Int64, hash: String) {
    self.position = position
    self.hash = hash
  }
}
