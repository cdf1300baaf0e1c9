/// A fault of the event log, with what a person needs to act on it.
public enum EventLogError: Error, Sendable {
  /// The log does not exist (read commands never create one).
  case notFound(path: String)
  /// The file exists but is not a shelflog log (not SQLite, or another schema).
  case notALog(path: String, detail: String)
  /// The log was written by a newer shelflog.
  case newerSchema(path: String)
  /// Another import held the log for longer than the wait.
  case busy(path: String, seconds: Double)
  /// The log cannot be written (read-only file or folder).
  case readOnly(path: String, detail: String)
  /// Disk full or another I/O fault.
  case io(path: String, detail: String)
  /// A copy's target already holds batches.
  case notEmpty(path: String)
  /// Another `project` wrote the current-state model while this one folded.
  case modelMoved(path: String)
  /// Any other database fault.
  case database(path: String, detail: String)

  /// One line for a person.
  public var message: String {
    switch self {
    case .notFound(let path): "\(path): no such event log"
    case .notALog(let path, let detail): "\(path): not a shelflog event log (\(detail))"
    case .newerSchema(let path):
      "\(path): written by a newer shelflog (unknown schema migrations); upgrade shelflog"
    case .busy(let path, let seconds):
      "\(path): log is busy (another import) after waiting \(formatSeconds(seconds)) s"
    case .readOnly(let path, let detail): "\(path): log is read-only (\(detail))"
    case .io(let path, let detail): "\(path): I/O error (\(detail))"
    case .notEmpty(let path):
      "\(path): already holds batches; a copy goes into an empty log only"
    case .modelMoved(let path):
      "\(path): another shelflog project updated the model meanwhile; run it again"
    case .database(let path, let detail): "\(path): \(detail)"
    }
  }
}

private func formatSeconds(_ seconds: Double) -> String {
  seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
