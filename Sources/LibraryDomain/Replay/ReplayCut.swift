/// The cut of a point-in-time replay (docs/reports.md): business time `at`, and what the log knew
/// at `knownAt` (events recorded by then; nil for everything logged).
public struct ReplayCut: Sendable, Equatable {
  public var at: Timestamp
  public var knownAt: Timestamp?

  public init(at: Timestamp, knownAt: Timestamp? = nil) {
    self.at = at
    self.knownAt = knownAt
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
