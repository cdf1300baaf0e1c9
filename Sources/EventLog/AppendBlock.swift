import LibraryDomain

/// What became of one row handed to `BatchWriter.append`.
public enum AppendOutcome: Sendable, Equatable {
  /// Appended at this position.
  case appended(position: Int64)
  /// Its command id is logged at this position with the same content: skipped.
  case duplicate(of: Int64)
  /// Its command id is logged at this position with other content: rejected.
  case conflict(with: Int64)
}

/// A block of validated events on their way into the log, in file order: their fields' bytes in
/// one arena, nothing allocated per row. The importer fills it; the log appends it and says
/// what became of each row (`outcomes`). Blocks are reused: `removeAll` keeps the capacity.
public struct AppendBlock {
  /// A block ends at this many rows or arena bytes.
  public static let rowLimit = 8_192
  public static let byteLimit = 2 << 20

  /// The text fields of a row, in arena order.
  enum Field: Int, CaseIterable {
    case commandID, isbn, title, author, userID, occurredAt
  }

  struct Row {
    var type: EventType
    /// Where the row's fields start in the arena; their ends are in `ends`, six per row.
    var start: Int
    var quantity: Int64?
    var occurredMicroseconds: Int64
    /// The ISBN's 13 digits as a number (`ISBN.number`).
    var isbn: Int64
    /// The command id's key, nil without a command id.
    var key: Int64?
  }

  let arena = ByteBuffer(capacity: 1 << 16)
  private(set) var rows: [Row] = []
  /// The arena offset where each field of each row ends, `Field.allCases.count` per row.
  private var ends: [Int] = []
  private var time: [UInt8] = []
  /// What became of each row, set by `BatchWriter.append`.
  public internal(set) var outcomes: [AppendOutcome] = []

  public init() {
    rows.reserveCapacity(Self.rowLimit)
    ends.reserveCapacity(Self.rowLimit * Field.allCases.count)
    outcomes.reserveCapacity(Self.rowLimit)
  }

  public var count: Int { rows.count }
  public var isEmpty: Bool { rows.isEmpty }

  /// Whether the block should be appended before more rows are added.
  public var isFull: Bool { rows.count >= Self.rowLimit || arena.count >= Self.byteLimit }

  /// Adds one validated event, with its command id ("" when none) and business time.
  public mutating func append(_ event: LibraryEvent, commandID: String, occurredAt: Timestamp) {
    let start = arena.count
    arena.append(commandID)
    ends.append(arena.count)
    arena.append(count: 13) { target in
      event.isbn.writeDigits(into: UnsafeMutableBufferPointer(start: target, count: 13))
    }
    ends.append(arena.count)
    var quantity: Int64?
    if case .bookAdded(let added) = event {
      arena.append(added.title)
      ends.append(arena.count)
      arena.append(added.author)
      ends.append(arena.count)
      quantity = Int64(added.quantity)
    } else {
      ends.append(arena.count)
      ends.append(arena.count)
    }
    if let user = event.userID { arena.append(user) }
    ends.append(arena.count)
    time.removeAll(keepingCapacity: true)
    occurredAt.appendText(to: &time)
    time.withUnsafeBytes { arena.append($0) }
    ends.append(arena.count)
    rows.append(
      Row(
        type: event.type, start: start, quantity: quantity,
        occurredMicroseconds: occurredAt.microseconds, isbn: event.isbn.number,
        key: commandID.isEmpty ? nil : CommandKey.of(commandID.utf8)))
  }

  /// Empties the block, keeping its capacity.
  public mutating func removeAll() {
    rows.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    outcomes.removeAll(keepingCapacity: true)
    arena.removeAll()
  }

  /// One text field of row `index`, valid until the block changes.
  func field(_ index: Int, _ field: Field) -> UnsafeRawBufferPointer {
    let slot = index * Field.allCases.count + field.rawValue
    let start = field == .commandID ? rows[index].start : ends[slot - 1]
    return arena.bytes(start..<ends[slot])
  }

  /// The command id of row `index` ("" when none).
  public func commandID(_ index: Int) -> String {
    String(decoding: field(index, .commandID), as: UTF8.self)
  }
}

extension AppendBlock {
  /// Row `index` as the event it becomes at `position`, recorded at `recordedAt` in `batch`
  /// (their texts): what its hash is computed from.
  func eventFields(
    _ index: Int, position: Int64, recordedAt: UnsafeRawBufferPointer,
    batch: UnsafeRawBufferPointer
  ) -> EventFields {
    let row = rows[index]
    return EventFields(
      position: position, type: row.type.storedName.rawBytes,
      commandID: field(index, .commandID), isbn: field(index, .isbn),
      title: field(index, .title), author: field(index, .author), quantity: row.quantity,
      userID: field(index, .userID), occurredAt: field(index, .occurredAt),
      recordedAt: recordedAt, batch: batch)
  }
}

extension EventType {
  /// The stored name's bytes, at a fixed address (bound without a copy).
  var storedName: StaticString {
    switch self {
    case .bookAdded: "BookAdded"
    case .bookBorrowed: "BookBorrowed"
    case .bookReturned: "BookReturned"
    case .bookRemoved: "BookRemoved"
    }
  }
}
