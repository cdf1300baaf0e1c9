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

  /// Columns a batch cannot do without.
  public static let required: [Column] = [.command, .isbn, .occurredAt]
}
