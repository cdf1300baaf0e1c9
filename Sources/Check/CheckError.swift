/// A fixture case that cannot be checked: missing parts, a malformed assertion, a failed import.
public enum CheckError: Error, Sendable, Equatable {
  case malformed(line: Int, reason: String)
  case badCase(String)

  public var message: String {
    switch self {
    case .malformed(let line, let reason): "line \(line): \(reason)"
    case .badCase(let reason): reason
    }
  }
}
