/// A fault that refuses a whole batch, with the place a person needs to find it.
public enum IngestError: Error, Sendable, Equatable {
  /// The header is missing, broken, lacks a required column or repeats one.
  case badHeader(line: Int, column: Int?, reason: String)
  /// The input could not be read.
  case io(errno: Int32)

  /// One line for a person, without the file name (the caller adds it).
  public var message: String {
    switch self {
    case .badHeader(let line, let column, let reason):
      if let column {
        "line \(line), column \(column): \(reason)"
      } else {
        "line \(line): \(reason)"
      }
    case .io(let errno): "read error (errno \(errno))"
    }
  }
}
