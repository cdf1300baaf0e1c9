/// Plain re-readings of docs/importing.md, written for clarity rather than speed, that the fuzz
/// target compares the real reader and parsers with.
enum Reference {
  static let quote = UInt8(ascii: "\"")
  static let comma = UInt8(ascii: ",")
  static let lineFeed: UInt8 = 0x0A
  static let carriageReturn: UInt8 = 0x0D

  static func isLineBreak(_ byte: UInt8) -> Bool {
    byte == lineFeed || byte == carriageReturn
  }

  /// The physical line of every byte: LF, CRLF and a lone CR each end a line.
  static func lineNumbers(_ bytes: [UInt8]) -> [Int] {
    var lines: [Int] = []
    lines.reserveCapacity(bytes.count + 1)
    var line = 1
    for (index, byte) in bytes.enumerated() {
      lines.append(line)
      if byte == carriageReturn
        || (byte == lineFeed && (index == 0 || bytes[index - 1] != carriageReturn))
      {
        line += 1
      }
    }
    lines.append(line)
    return lines
  }

  /// The fields of one record's text by RFC 4180, nil when the text breaks one of the batch format's strict
  /// rules: a quote in an unquoted field, text after a closing quote, a NUL, an unclosed quote.
  static func strictFields(_ raw: [UInt8]) -> [[UInt8]]? {
    var fields: [[UInt8]] = []
    var index = 0
    while true {
      if index < raw.count, raw[index] == quote {
        var field: [UInt8] = []
        index += 1
        while true {
          guard index < raw.count, raw[index] != 0 else { return nil }
          if raw[index] == quote {
            guard index + 1 < raw.count, raw[index + 1] == quote else { break }
            index += 1
          }
          field.append(raw[index])
          index += 1
        }
        index += 1  // the closing quote
        fields.append(field)
        if index == raw.count { return fields }
        guard raw[index] == comma else { return nil }
        index += 1
      } else {
        let start = index
        while index < raw.count, raw[index] != comma {
          let byte = raw[index]
          if byte == quote || byte == 0 || isLineBreak(byte) { return nil }
          index += 1
        }
        fields.append(Array(raw[start..<index]))
        if index == raw.count { return fields }
        index += 1  // the comma
      }
    }
  }

  /// Whether `bytes` is well-formed UTF-8, by the standard library's own validation.
  static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    String(validating: bytes, as: UTF8.self) != nil
  }

  // MARK: - Field values

  static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  /// The decimal value of `bytes` when all are ASCII digits (at least one), capped to stay small.
  static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
    guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else { return nil }
    var value = 0
    for byte in bytes {
      value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1 << 40)
    }
    return value
  }

  /// The 13 normalised digits of an ISBN-10 or ISBN-13 written with hyphens and spaces.
  static func isbnDigits(_ bytes: [UInt8]) -> [UInt8]? {
    let kept = bytes.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "-") }
    func value(_ byte: UInt8) -> Int { Int(byte) - Int(UInt8(ascii: "0")) }
    func withEANCheckDigit(_ twelve: [UInt8]) -> [UInt8] {
      var sum = 0
      for (index, byte) in twelve.enumerated() { sum += value(byte) * (index % 2 == 0 ? 1 : 3) }
      return twelve + [UInt8(ascii: "0") + UInt8((10 - sum % 10) % 10)]
    }
    switch kept.count {
    case 10:
      guard kept[0..<9].allSatisfy(isDigit) else { return nil }
      let last = kept[9]
      let check: Int
      if isDigit(last) {
        check = value(last)
      } else if last == UInt8(ascii: "X") || last == UInt8(ascii: "x") {
        check = 10
      } else {
        return nil
      }
      var sum = check
      for index in 0..<9 { sum += (10 - index) * value(kept[index]) }
      guard sum % 11 == 0 else { return nil }
      return withEANCheckDigit(Array("978".utf8) + kept[0..<9])
    case 13:
      let prefix = Array(kept[0..<3])
      guard kept.allSatisfy(isDigit), prefix == Array("978".utf8) || prefix == Array("979".utf8)
      else { return nil }
      return withEANCheckDigit(Array(kept[0..<12])) == kept ? kept : nil
    default:
      return nil
    }
  }

  /// Microseconds since 1970 of `YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±hh:mm)` on a real date, in the
  /// years 1 to 9999 both as written and in UTC.
  static func timestampMicroseconds(_ text: [UInt8]) -> Int64? {
    guard text.count >= 20 else { return nil }
    func field(_ range: Range<Int>) -> Int? { number(text[range]) }
    func byte(_ index: Int, is character: Unicode.Scalar) -> Bool {
      text[index] == UInt8(ascii: character)
    }
    guard let year = field(0..<4), byte(4, is: "-"), let month = field(5..<7), byte(7, is: "-"),
      let day = field(8..<10), byte(10, is: "T"), let hour = field(11..<13), byte(13, is: ":"),
      let minute = field(14..<16), byte(16, is: ":"), let second = field(17..<19)
    else { return nil }
    var index = 19
    var microsecond = 0
    if byte(index, is: ".") {
      var stop = index + 1
      while stop < text.count, isDigit(text[stop]) { stop += 1 }
      let count = stop - index - 1
      guard (1...6).contains(count), let fraction = field((index + 1)..<stop) else { return nil }
      microsecond = fraction
      for _ in count..<6 { microsecond *= 10 }
      index = stop
    }
    guard index < text.count else { return nil }
    var offsetMinutes = 0
    if byte(index, is: "Z") {
      guard index + 1 == text.count else { return nil }
    } else if byte(index, is: "+") || byte(index, is: "-") {
      guard index + 6 == text.count, let hours = field((index + 1)..<(index + 3)),
        byte(index + 3, is: ":"), let minutes = field((index + 4)..<(index + 6)), hours <= 23,
        minutes <= 59
      else { return nil }
      offsetMinutes = (hours * 60 + minutes) * (byte(index, is: "-") ? -1 : 1)
    } else {
      return nil
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let monthLengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...monthLengths[month - 1]).contains(day), hour <= 23, minute <= 59, second <= 59
    else { return nil }
    // Days since 0001-01-01, counted by whole years, then months.
    let pastYears = year - 1
    var days = pastYears * 365 + pastYears / 4 - pastYears / 100 + pastYears / 400
    days += monthLengths[0..<(month - 1)].reduce(0, +) + day - 1
    let daysTo1970 = 719_162
    let daysTo10000 = 3_652_059
    let seconds =
      Int64(days - daysTo1970) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
      - Int64(offsetMinutes * 60)
    let micros = seconds * 1_000_000 + Int64(microsecond)
    let earliest = -Int64(daysTo1970) * 86_400_000_000
    let latest = Int64(daysTo10000 - daysTo1970) * 86_400_000_000 - 1
    return (earliest...latest).contains(micros) ? micros : nil
  }
}
