/// An event with the envelope the fold needs: where it stands in the log and when it happened.
public struct RecordedEvent: Sendable, Equatable {
  public var position: Int64
  public var occurredAt: Timestamp
  /// Empty when the command had no id.
  public var commandID: String
  public var event: LibraryEvent

  public init(position: Int64, occurredAt: Timestamp, commandID: String, event: LibraryEvent) {
    self.position = position
    self.occurredAt = occurredAt
    self.commandID = commandID
    self.event = event
  }
}
