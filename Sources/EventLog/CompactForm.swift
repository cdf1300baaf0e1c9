import LibraryDomain

/// The compact stored form of an event's fields (docs/log-format.md, "Stored form"): what a log
/// keeps in place of the text columns, and how each text is rebuilt. The SQL view `events`
/// rebuilds the same texts (`Schema.eventColumns`); the v7 migration checks, row by row, that
/// the two agree with the text a log stored before.
public enum CompactForm {
  /// The stored code of an event type; the two most frequent types get the codes SQLite stores
  /// in no bytes at all (0 and 1).
  public static func code(_ type: EventType) -> Int64 {
    switch type {
    case .bookBorrowed: 0
    case .bookReturned: 1
    case .bookAdded: 2
    case .bookRemoved: 3
    }
  }

  /// The event type of a stored code; nil for any other number.
  public static func type(code: Int64) -> EventType? {
    switch code {
    case 0: .bookBorrowed
    case 1: .bookReturned
    case 2: .bookAdded
    case 3: .bookRemoved
    default: nil
    }
  }

  /// Bytes of a command id stored as a UUID: 16 instead of 36.
  public static let packedCommandIDLength = 16
  /// Bytes of a UUID's text.
  public static let uuidTextLength = 36

  /// Packs a command id that is a UUID in lowercase canonical text (8-4-4-4-12 hex digits) into
  /// its 16 bytes at `target`; false (nothing meaningful written) for any other id, which is
  /// stored as its text.
  public static func packCommandID(
    _ text: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer
  ) -> Bool {
    guard text.count == uuidTextLength, target.count >= packedCommandIDLength else { return false }
    var out = 0
    var index = 0
    while index < uuidTextLength {
      if index == 8 || index == 13 || index == 18 || index == 23 {
        guard text[index] == UInt8(ascii: "-") else { return false }
        index += 1
        continue
      }
      guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return false }
      target[out] = high << 4 | low
      out += 1
      index += 2
    }
    return true
  }

  /// Writes the 36-byte text of a packed command id (16 bytes) at `target`.
  public static func unpackCommandID(
    _ bytes: UnsafeRawBufferPointer, into target: UnsafeMutablePointer<UInt8>
  ) {
    guard bytes.count >= packedCommandIDLength, let source = bytes.baseAddress else { return }
    var out = target
    for index in 0..<packedCommandIDLength {
      if index == 4 || index == 6 || index == 8 || index == 10 {
        out.pointee = UInt8(ascii: "-")
        out += 1
      }
      let byte = source.load(fromByteOffset: index, as: UInt8.self)
      out[0] = Hex.digit(byte >> 4)
      out[1] = Hex.digit(byte & 0x0F)
      out += 2
    }
  }

  /// The value of a lowercase hex digit (an uppercase one would not round-trip).
  @inline(__always)
  private static func nibble(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
    default: nil
    }
  }
}
