import LibraryDomain

/// A common, recognisable reason why a field was refused: named in the reject's message for the
/// person who fixes the batch, and counted in the batch's summary. shelflog never repairs a
/// value by itself; a hint only says what probably happened.
public enum RejectCause: String, Sendable, CaseIterable {
  /// An ISBN-10 whose leading zeros were dropped (a spreadsheet read it as a number).
  case leadingZerosLost = "leading_zeros_lost"
  /// An ISBN shown in scientific notation: its digits are gone.
  case scientificNotation = "scientific_notation"
  /// A date written with slashes (03/01/2024): day/month or month/day, it cannot be told.
  case slashedDate = "slashed_date"
  /// `2024-03-01 09:30`: a space where the `T` goes.
  case spaceForT = "space_for_t"
  /// `2024-03-01T09:30:00`: no `Z` or offset, so the instant is unknown.
  case missingOffset = "missing_offset"
  /// `45352.5`: a spreadsheet's serial day number.
  case spreadsheetSerial = "spreadsheet_serial"

  /// The code of the rejects this cause explains.
  public var code: RejectCode {
    switch self {
    case .leadingZerosLost, .scientificNotation: .badISBN
    case .slashedDate, .spaceForT, .missingOffset, .spreadsheetSerial: .badTimestamp
    }
  }

  /// Words that follow a count in a batch's summary: "6,587 leading zeros lost".
  public var phrase: String {
    switch self {
    case .leadingZerosLost: "leading zeros lost"
    case .scientificNotation: "in scientific notation"
    case .slashedDate: "dates with slashes"
    case .spaceForT: "with a space for T"
    case .missingOffset: "without a UTC offset"
    case .spreadsheetSerial: "spreadsheet serial numbers"
    }
  }
}

/// Recognises the common causes of a `bad_isbn` or `bad_timestamp` and says them in words.
enum RejectHint {
  static let expectedTime = "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±hh:mm)"

  /// The message and cause for an ISBN that did not parse.
  static func isbn(_ text: String) -> (message: String, cause: RejectCause?) {
    let base = "\(quoted(text)) is not a valid ISBN-10 or ISBN-13"
    let compact = Array(text.utf8.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") })
    if let restored = restoredZeros(compact) {
      return (
        "\(base): did you mean \(restored)? leading zeros lost, e.g. by a spreadsheet",
        .leadingZerosLost
      )
    }
    if isScientific(Array(trimmed(text).utf8)) {
      return (
        "\(base): it is in scientific notation, so its digits were lost (e.g. by a spreadsheet)"
          + " and cannot be recovered; export the column as text",
        .scientificNotation
      )
    }
    return (base, nil)
  }

  /// The message and cause for an `occurred_at` that did not parse.
  static func time(_ text: String) -> (message: String, cause: RejectCause?) {
    let value = trimmed(text)
    let expected = "expected \(expectedTime), such as 2024-03-01T09:30:00Z"
    let base = "\(quoted(text)) is not an RFC 3339 time"
    let bytes = Array(value.utf8)
    let date = Array(bytes.prefix { $0 != UInt8(ascii: " ") })
    if matches(date, "d/d/dd") || matches(date, "dd/d/dd") || matches(date, "d/dd/dd")
      || matches(date, "dd/dd/dd")
    {
      return (
        "\(base): a date with slashes is in day/month or month/day order, which cannot be told"
          + " apart; \(expected)",
        .slashedDate
      )
    }
    if bytes.count >= 16, matches(Array(bytes[0..<16]), "dddd-dd-dd dd:dd") {
      let offset = hasOffset(bytes)
      return (
        "\(base): it has a space instead of T"
          + (offset ? "" : " and no UTC offset (Z or ±hh:mm)") + "; \(expected)",
        .spaceForT
      )
    }
    if bytes.count >= 16, matches(Array(bytes[0..<16]), "dddd-dd-ddTdd:dd"), !hasOffset(bytes) {
      return ("\(base): it has no UTC offset (Z or ±hh:mm); \(expected)", .missingOffset)
    }
    if let serial = spreadsheetSerial(bytes) {
      let day = serial.map { " (\($0) in the sheet's own time zone)" } ?? ""
      return (
        "\(base): it looks like a spreadsheet's serial day number\(day); export the column as"
          + " text; \(expected)",
        .spreadsheetSerial
      )
    }
    return ("\(base): \(expected)", nil)
  }

  // MARK: - Recognisers

  /// 7 to 9 digits (or 6 to 8 and a final X) that are a valid ISBN-10 once zeros are put back.
  private static func restoredZeros(_ compact: [UInt8]) -> String? {
    guard (7...9).contains(compact.count), let last = compact.last else { return nil }
    let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    guard compact.dropLast().allSatisfy(isDigit),
      isDigit(last) || last == UInt8(ascii: "X") || last == UInt8(ascii: "x")
    else { return nil }
    let restored = [UInt8](repeating: UInt8(ascii: "0"), count: 10 - compact.count) + compact
    guard restored.withUnsafeBufferPointer({ ISBN.parse($0) }) != nil else { return nil }
    return String(decoding: restored, as: UTF8.self)
  }

  /// `9.78043902348e+12`: digits, an optional fraction, `e` or `E`, an optional sign, digits.
  private static func isScientific(_ bytes: [UInt8]) -> Bool {
    var index = 0
    func digits() -> Int {
      let start = index
      while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
      return index - start
    }
    guard digits() > 0 else { return false }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard digits() > 0 else { return false }
    }
    guard index < bytes.count,
      bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")
    else { return false }
    index += 1
    if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
      index += 1
    }
    return digits() > 0 && index == bytes.count
  }

  /// A number a spreadsheet would show for a date: 10,000 (1927) to 2,958,465 days (the year
  /// 9999), with an optional fraction of a day. Returns the date and time it stands for in the common 1900
  /// date system (nil inside when it cannot be said), nil when it is not such a number.
  private static func spreadsheetSerial(_ bytes: [UInt8]) -> String?? {
    let text = String(decoding: bytes, as: UTF8.self)
    let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let whole = Int(parts[0]), (10_000...2_958_465).contains(whole),
      parts.count == 1
        || (!parts[1].isEmpty && parts[1].allSatisfy(\.isASCII) && Int(parts[1]) != nil)
    else { return nil }
    // Day 1 is 1900-01-01 and day 60 the 1900-02-29 that never was: from day 61 on (and so for
    // every number taken here), day N is 1899-12-30 plus N days.
    guard let fraction = Double("0." + (parts.count > 1 ? parts[1] : "0")),
      let epoch = Timestamp(year: 1899, month: 12, day: 30, hour: 0, minute: 0, second: 0)
    else { return .some(nil) }
    let seconds = Int64((fraction * 86_400).rounded())
    let instant = Timestamp(
      microseconds: epoch.microseconds + (Int64(whole) * 86_400 + seconds) * 1_000_000)
    return .some(String(instant.description.dropLast()))
  }

  /// Whether `bytes` fit `pattern`, where `d` is one ASCII digit and any other byte stands for
  /// itself; a pattern ending in `dd` after a slash also takes four digits (a year).
  private static func matches(_ bytes: [UInt8], _ pattern: String) -> Bool {
    let shape = Array(pattern.utf8)
    let year = shape.count >= 2 && shape[shape.count - 3] == UInt8(ascii: "/")
    if year && bytes.count == shape.count + 2 {
      return matches(bytes, pattern + "dd")
    }
    guard bytes.count == shape.count else { return false }
    for (byte, want) in zip(bytes, shape) {
      if want == UInt8(ascii: "d") {
        guard byte >= 0x30, byte <= 0x39 else { return false }
      } else if byte != want {
        return false
      }
    }
    return true
  }

  /// Whether a time text ends in `Z` or `±hh:mm`.
  private static func hasOffset(_ bytes: [UInt8]) -> Bool {
    if bytes.last == UInt8(ascii: "Z") { return true }
    guard bytes.count >= 6 else { return false }
    let tail = Array(bytes[(bytes.count - 6)...])
    return (tail[0] == UInt8(ascii: "+") || tail[0] == UInt8(ascii: "-"))
      && matches(Array(tail[1...]), "dd:dd")
  }

  private static func trimmed(_ text: String) -> String {
    String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
