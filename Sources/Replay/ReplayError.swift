import EventLog
import Foundation

/// A fault of a replay: the log could not be read, or scratch space ran out.
public enum ReplayError: Error, Sendable {
  case log(EventLogError)
  /// A scratch file could not be created or written (errno given).
  case spill(String, Int32)
  /// The activity report would have more periods than this.
  case tooManyPeriods(Int)

  /// Wraps whatever a store's read threw.
  init(_ error: any Error, log name: String) {
    switch error {
    case let error as ReplayError: self = error
    case let error as EventLogError: self = .log(error)
    default: self = .log(.database(path: name, detail: String(describing: error)))
    }
  }

  /// One line for a person.
  public var message: String {
    switch self {
    case .log(let error): error.message
    case .spill(let what, let code): "\(what): \(String(cString: strerror(code)))"
    case .tooManyPeriods(let limit):
      "the activity report would have more than \(limit) periods; use a longer --every or a"
        + " later --from"
    }
  }
}
