extension Timestamp {
  /// Parses `occurred_at` per docs/importing.md: YYYY-MM-DDTHH:MM:SS, optional fraction of 1-6
  /// digits, then Z or ±hh:mm.
  ///
  /// Strict: an uppercase `T` and `Z`, ASCII digits only, seconds 00 to 59, a real calendar
  /// date, an offset with hours 00 to 23 and minutes 00 to 59 (`-00:00` is UTC), nothing before or
  /// after. The year must be 0001 to 9999 both as written and once normalised to UTC.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
    guard bytes.count >= 20, let local = localMicroseconds(bytes) else { return nil }
    var index = 19
    var fraction = 0
    if bytes[index] == UInt8(ascii: ".") {
      index += 1
      var digitCount = 0
      while index < bytes.count, let digit = digitValue(bytes[index]) {
        guard digitCount < 6 else { return nil }
        fraction = fraction * 10 + digit
        digitCount += 1
        index += 1
      }
      guard digitCount > 0 else { return nil }
      for _ in digitCount..<6 {
        fraction *= 10
      }
    }
    guard let offsetSeconds = offsetSeconds(bytes, from: index) else { return nil }
    let utc = local + Int64(fraction) - Int64(offsetSeconds) * microsecondsPerSecond
    guard (earliestMicroseconds...latestMicroseconds).contains(utc) else { return nil }
    return Timestamp(microseconds: utc)
  }

  /// Parses RFC 3339 text in the strict form of `parse(_:)`; nil when invalid.
  public init?(rfc3339 text: String) {
    var text = text
    guard let timestamp = text.withUTF8({ Timestamp.parse($0) }) else { return nil }
    self = timestamp
  }

  /// Parses a cut for --at/--known-at/--since/--until: the form above, or a bare date YYYY-MM-DD
  /// meaning YYYY-MM-DDT23:59:59.999999Z.
  public init?(cut text: String) {
    var text = text
    guard let timestamp = text.withUTF8({ Timestamp.parseCut($0) }) else { return nil }
    self = timestamp
  }

  /// The bytes form of `init?(cut:)`: a bare date is the last microsecond of that day in UTC.
  static func parseCut(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
    guard bytes.count == 10 else { return parse(bytes) }
    guard let date = date(bytes),
      let value = microseconds(
        year: date.year, month: date.month, day: date.day, hour: 23, minute: 59, second: 59,
        microsecond: 999_999)
    else { return nil }
    return Timestamp(microseconds: value)
  }
}

// MARK: - Pieces

extension Timestamp {
  /// Reads `YYYY-MM-DDTHH:MM:SS` from the first 19 bytes as if it were UTC.
  private static func localMicroseconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard let date = date(bytes), bytes[10] == UInt8(ascii: "T"),
      let hour = number(bytes, at: 11, digits: 2), bytes[13] == UInt8(ascii: ":"),
      let minute = number(bytes, at: 14, digits: 2), bytes[16] == UInt8(ascii: ":"),
      let second = number(bytes, at: 17, digits: 2),
      let value = microseconds(
        year: date.year, month: date.month, day: date.day, hour: hour, minute: minute,
        second: second, microsecond: 0)
    else { return nil }
    return value
  }

  /// Reads `YYYY-MM-DD` from the first 10 bytes (the day is checked later, with the month).
  private static func date(
    _ bytes: UnsafeBufferPointer<UInt8>
  ) -> (year: Int, month: Int, day: Int)? {
    guard bytes.count >= 10, let year = number(bytes, at: 0, digits: 4),
      bytes[4] == UInt8(ascii: "-"), let month = number(bytes, at: 5, digits: 2),
      bytes[7] == UInt8(ascii: "-"), let day = number(bytes, at: 8, digits: 2)
    else { return nil }
    return (year, month, day)
  }

  /// Reads `Z` or `±hh:mm` from `index` to the end, as seconds east of UTC.
  private static func offsetSeconds(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> Int? {
    guard index < bytes.count else { return nil }
    let sign: Int
    switch bytes[index] {
    case UInt8(ascii: "Z"):
      return index + 1 == bytes.count ? 0 : nil
    case UInt8(ascii: "+"): sign = 1
    case UInt8(ascii: "-"): sign = -1
    default: return nil
    }
    guard index + 6 == bytes.count, let hours = number(bytes, at: index + 1, digits: 2),
      bytes[index + 3] == UInt8(ascii: ":"), let minutes = number(bytes, at: index + 4, digits: 2),
      hours <= 23, minutes <= 59
    else { return nil }
    return sign * (hours * 3600 + minutes * 60)
  }

  /// Reads exactly `digits` ASCII digits starting at `index`.
  private static func number(
    _ bytes: UnsafeBufferPointer<UInt8>, at index: Int, digits: Int
  ) -> Int? {
    var value = 0
    for position in index..<(index + digits) {
      guard let digit = digitValue(bytes[position]) else { return nil }
      value = value * 10 + digit
    }
    return value
  }

  /// The value of an ASCII digit, nil for any other byte.
  private static func digitValue(_ byte: UInt8) -> Int? {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte &- UInt8(ascii: "0")) : nil
  }
}
