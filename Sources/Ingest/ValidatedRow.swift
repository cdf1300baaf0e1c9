import LibraryDomain

/// A row that passed validation: the event it becomes, with the facts the log stores beside it.
public struct ValidatedRow: Sendable, Equatable {
  /// Physical line where the record starts.
  public var line: Int
  /// The row's command id, empty when none.
  public var commandID: String
  /// 1-based field number of the command_id column, for duplicate rejects.
  public var commandIDColumn: Int?
  public var occurredAt: Timestamp
  public var event: LibraryEvent

  public init(
    line: Int, commandID: String, commandIDColumn: Int?, occurredAt: Timestamp,
    event: LibraryEvent
  ) {
    self.line = line
    self.commandID = commandID
    self.commandIDColumn = commandIDColumn
    self.occurredAt = occurredAt
    self.event = event
  }
}
