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
