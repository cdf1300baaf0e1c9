/// The columns a batch header may name; found by name, in any order.
public enum Column: String, Sendable, CaseIterable {
  case commandID = "command_id"
  case command
  case isbn
  case title
  case author
  case quantity
  case userID = "user_id"
  case occurredAt = "occurred_at"

  /// The case's place in `allCases`.
  var ordinal: Int {
    switch self {
    case .commandID: 0
    case .command: 1
    case .isbn: 2
    case .title: 3
    case .author: 4
    case .quantity: 5
    case .userID: 6
    case .occurredAt: 7
    }
  }

  /// Columns a batch cannot do without.
  public static let required: [Column] = [.command, .isbn, .occurredAt]
}
