import Ingest

/// What one import did with one batch: the summary line and the `--json` object.
public struct BatchSummary: Sendable, Equatable {
  /// How the batch ended.
  public enum Status: String, Sendable {
    /// Appended (all rows, or with `--allow-partial` the valid ones).
    case imported
    /// The same bytes were imported before; nothing appended.
    case alreadyImported = "already_imported"
    /// Rows were rejected and the batch is all-or-nothing; nothing appended.
    case rejected
    /// The batch was refused whole (bad header, empty file, recorded time); nothing appended.
    case refused
  }

  public var file: String
  public var sha256: String
  public var status: Status
  public var accepted = 0
  public var rejected = 0
  public var skipped = 0
  public var recordedAt: String?
  public var firstPosition: Int64?
  public var lastPosition: Int64?
  /// Why a batch was refused whole.
  public var message: String?
  /// Rejects (one per fault) by code, and those with a recognised cause by cause.
  public var rejectCodes: [RejectCode: Int] = [:]
  public var rejectCauses: [RejectCause: Int] = [:]

  public init(file: String, sha256: String, status: Status) {
    self.file = file
    self.sha256 = sha256
    self.status = status
  }
}
