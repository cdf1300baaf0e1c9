/// One difference between what a fixture expects and what the code makes.
public struct Difference: Sendable, Equatable {
  /// The expected file (and line, for an assertion).
  public var file: String
  public var line: Int?
  /// What differs: the report, the row (by isbn, user or position) and the field.
  public var place: String
  public var expected: String
  public var actual: String

  /// One line for a person: `file[:line]: place: expected X, actual Y`.
  public var message: String {
    let location = line.map { "\(file):\($0)" } ?? file
    return "\(location): \(place): expected \(expected), actual \(actual)"
  }
}
