/// A block of events as a log hands them to the replay, in replay order: compact entries and
/// one byte buffer for their user and command ids, so a block is filled and read without a
/// String per event. Blocks are reused: `removeAll` keeps their capacity.
public struct EventRows: Sendable {
  /// One event; `bytes[userStart..<userEnd]` is its user id and `bytes[userEnd..<commandEnd]`
  /// its command id.
  struct Entry: Sendable {
    var position: Int64
    var occurredAt: Int64
    var isbn: ISBN
    var quantity: Int
    var type: EventType
    var userStart: Int32
    var userEnd: Int32
    var commandEnd: Int32
    /// The index of a BookAdded's title and author in `texts`, -1 otherwise.
    var text: Int32
  }

  /// Events per block: large enough that handing a block over costs nothing per event.
  public static let capacity = 4_096

  private var entries: [Entry] = []
  private var bytes: [UInt8] = []
  private var texts: [(title: String, author: String)] = []

  public init() {
    entries.reserveCapacity(Self.capacity)
    bytes.reserveCapacity(Self.capacity * 48)
  }

  public var count: Int { entries.count }
  public var isEmpty: Bool { entries.isEmpty }
  public var isFull: Bool { entries.count >= Self.capacity }

  /// Empties the block, keeping its capacity.
  public mutating func removeAll() {
    entries.removeAll(keepingCapacity: true)
    bytes.removeAll(keepingCapacity: true)
    texts.removeAll(keepingCapacity: true)
  }

  /// Adds one event; `title` and `author` are read for a BookAdded only.
  public mutating func append(
    position: Int64, occurredAt: Int64, type: EventType, isbn: ISBN, quantity: Int,
    title: @autoclosure () -> String, author: @autoclosure () -> String,
    userID: UnsafeBufferPointer<UInt8>, commandID: UnsafeBufferPointer<UInt8>
  ) {
    let userStart = Int32(bytes.count)
    bytes.append(contentsOf: userID)
    let userEnd = Int32(bytes.count)
    bytes.append(contentsOf: commandID)
    var text: Int32 = -1
    if type == .bookAdded {
      text = Int32(texts.count)
      texts.append((title(), author()))
    }
    entries.append(
      Entry(
        position: position, occurredAt: occurredAt, isbn: isbn, quantity: quantity, type: type,
        userStart: userStart, userEnd: userEnd, commandEnd: Int32(bytes.count), text: text))
  }

  /// Hands each event to `body` in order, as a row valid only during the call.
  public func forEachRow(_ body: (EventRow) throws -> Void) rethrows {
    try bytes.withUnsafeBufferPointer { bytes in
      for entry in entries {
        let text = entry.text >= 0 ? texts[Int(entry.text)] : ("", "")
        try body(
          EventRow(
            position: entry.position, occurredAt: Timestamp(microseconds: entry.occurredAt),
            type: entry.type, isbn: entry.isbn, quantity: entry.quantity, title: text.0,
            author: text.1,
            userID: UnsafeBufferPointer(
              rebasing: bytes[Int(entry.userStart)..<Int(entry.userEnd)]),
            commandID: UnsafeBufferPointer(
              rebasing: bytes[Int(entry.userEnd)..<Int(entry.commandEnd)])))
      }
    }
  }
}
