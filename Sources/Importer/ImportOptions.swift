import Ingest
import LibraryDomain

/// How an import appends a batch.
public struct ImportOptions: Sendable {
  /// Append the valid rows of a batch that has rejects.
  public var allowPartial = false
  /// The batch's recorded time; nil means the clock's time once the log's write lock is held,
  /// never earlier than the log's latest.
  public var recordedAt: Timestamp?
  /// The wall clock, read once the write lock is held (after any wait for another import).
  public var clock: @Sendable () -> Timestamp

  public init(
    allowPartial: Bool = false, recordedAt: Timestamp? = nil,
    clock: @escaping @Sendable () -> Timestamp
  ) {
    self.allowPartial = allowPartial
    self.recordedAt = recordedAt
    self.clock = clock
  }

  /// Options whose clock always reads `now` (tests, fixture cases).
  public init(allowPartial: Bool = false, recordedAt: Timestamp? = nil, now: Timestamp) {
    self.init(allowPartial: allowPartial, recordedAt: recordedAt, clock: { now })
  }

  /// The batch's recorded time (docs/log-format.md: recorded time never runs backwards): the given
  /// one, refused when earlier than the log's latest; or the clock's time, read here (the caller
  /// holds the write lock), raised to the latest (with a warning) when the clock is behind it.
  func recordedTime(latest: Timestamp?, warning: (String) -> Void) throws(ImportError)
    -> Timestamp
  {
    if let given = recordedAt {
      if let latest, given < latest {
        throw .recordedAtBackwards(given: given.description, latest: latest.description)
      }
      return given
    }
    let now = clock()
    if let latest, now < latest {
      warning("clock (\(now)) is behind the log's latest recorded_at (\(latest)); using that")
      return latest
    }
    return now
  }
}

/// Callbacks an import reports through; the executable decides what a person sees.
public struct ImportObserver {
  public var reject: (Reject) -> Void
  public var warning: (String) -> Void
  public var progress: (_ bytesRead: Int) -> Void

  public init(
    reject: @escaping (Reject) -> Void, warning: @escaping (String) -> Void,
    progress: @escaping (Int) -> Void
  ) {
    self.reject = reject
    self.warning = warning
    self.progress = progress
  }
}

/// A batch the import refuses whole, beyond what Ingest refuses (`IngestError`).
public enum ImportError: Error, Sendable, Equatable {
  /// `--recorded-at` earlier than what the log already holds.
  case recordedAtBackwards(given: String, latest: String)

  /// One line for a person.
  public var message: String {
    switch self {
    case .recordedAtBackwards(let given, let latest):
      "--recorded-at \(given) is earlier than the latest recorded_at in the log (\(latest));"
        + " recorded time never runs backwards"
    }
  }
}
