import EventLog
import Foundation

/// A fault of a replay: the log could not be read, or scratch space ran out.
public enum ReplayError: Error, Sendable {
  case log(EventLogError)
  /// A scratch file could not be created, written or mapped (errno given).
  case spill(String, Int32)

  /// One line for a person.
  public var message: String {
    switch self {
    case .log(let error): error.message
    case .spill(let what, let code): "\(what): \(String(cString: strerror(code)))"
    }
  }
}
