import GRDB

extension EventLogError {
  /// Maps a SQLite error to the fault a person can act on.
  static func from(_ error: any Error, path: String, wait: Double = 0) -> EventLogError {
    if let error = error as? EventLogError { return error }
    guard let error = error as? DatabaseError else {
      return .database(path: path, detail: String(describing: error))
    }
    let detail = error.message ?? "\(error.resultCode)"
    switch error.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path: path, seconds: wait)
    case .SQLITE_NOTADB: return .notALog(path: path, detail: detail)
    case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
      return .readOnly(path: path, detail: detail)
    case .SQLITE_FULL, .SQLITE_IOERR: return .io(path: path, detail: detail)
    default: return .database(path: path, detail: detail)
    }
  }
}
