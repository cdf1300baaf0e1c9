/// A valid ISBN, normalised to 13 ASCII digits.
///
/// Input is an ISBN-10 or an ISBN-13 (docs/importing.md). ASCII hyphens and spaces are separators and
/// are ignored wherever they stand (leading, trailing, doubled), as python-stdnum does; the
/// conformance vectors were computed with it. Anything else other than ASCII digits, and a final
/// `X` or `x` in an ISBN-10, makes the input invalid: non-ASCII digits, other dashes, letters, a
/// `ISBN` prefix. An ISBN-10 becomes `978` + its first nine digits + a recomputed EAN-13 check
/// digit; an ISBN-13 must start with `978` or `979` and is kept as it is.
public struct ISBN: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The 13 digits read as one decimal number; with a fixed width, numeric order is text order.
  let value: UInt64

  init(value: UInt64) {
    self.value = value
  }

  /// Parses an ISBN-10 or ISBN-13 written with optional hyphens and spaces; nil when invalid.
  public init?(_ text: String) {
    var text = text
    guard let isbn = text.withUTF8({ ISBN.parse($0) }) else { return nil }
    self = isbn
  }

  /// Parses the UTF-8 bytes of an ISBN field without making a String; nil when invalid.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ISBN? {
    if bytes.count == 13, let isbn = parseThirteenDigits(bytes) { return isbn }
    var number: UInt64 = 0  // the digits read so far, without a final X
    var count = 0  // digits read, a final X included
    var runningSum = 0  // sum of the digits read so far
    var weightedSum = 0  // sum of the running sums: the ISBN-10 sum once ten digits are read
    var endsInX = false
    for byte in bytes {
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "-"):
        continue
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        guard !endsInX, count < 13 else { return nil }
        let digit = Int(byte &- UInt8(ascii: "0"))
        number = number &* 10 &+ UInt64(digit)
        runningSum += digit
        weightedSum += runningSum
        count += 1
      case UInt8(ascii: "X"), UInt8(ascii: "x"):
        guard !endsInX, count == 9 else { return nil }
        runningSum += 10
        weightedSum += runningSum
        count += 1
        endsInX = true
      default:
        return nil
      }
    }
    switch count {
    case 10:
      guard weightedSum % 11 == 0 else { return nil }
      let firstNine = endsInX ? number : number / 10
      let twelve = 978_000_000_000 + firstNine
      return ISBN(value: twelve * 10 + checkDigit(ofTwelveDigits: twelve))
    case 13:
      let prefix = number / 10_000_000_000
      guard prefix == 978 || prefix == 979 else { return nil }
      guard checkDigit(ofTwelveDigits: number / 10) == number % 10 else { return nil }
      return ISBN(value: number)
    default:
      return nil
    }
  }

  /// The stored form (13 ASCII digits) in one pass: `.some(nil)` for 13 digits that are not a
  /// valid ISBN-13, nil for anything else (left to the general parser).
  @inline(__always)
  private static func parseThirteenDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> ISBN?? {
    var number: UInt64 = 0
    var sum: UInt64 = 0
    for index in 0..<13 {
      let digit = bytes[index] &- UInt8(ascii: "0")
      guard digit <= 9 else { return nil }
      number = number &* 10 &+ UInt64(digit)
      if index < 12 { sum &+= UInt64(digit) &* (index & 1 == 0 ? 1 : 3) }
    }
    let prefix = number / 10_000_000_000
    guard prefix == 978 || prefix == 979, (10 - sum % 10) % 10 == number % 10 else {
      return .some(nil)
    }
    return ISBN(value: number)
  }

  /// The 13 digits as one number, the form a compact log stores.
  public var number: Int64 { Int64(value) }

  /// The ISBN whose 13 digits read as `number`; nil when they are not a valid ISBN-13 (a stored
  /// number is checked as the text form would be).
  public init?(number: Int64) {
    guard (978_000_000_000_0...979_999_999_999_9).contains(number) else { return nil }
    var digits = (UInt64(0), UInt64(0))  // 16 bytes of room for the 13 digits
    let parsed: ISBN? = withUnsafeMutableBytes(of: &digits) { raw in
      let buffer = raw.bindMemory(to: UInt8.self)
      ISBN.writeDigits(of: UInt64(number), into: buffer)
      return ISBN.parse(UnsafeBufferPointer(rebasing: buffer[..<13]))
    }
    guard let parsed else { return nil }
    self = parsed
  }

  /// The 13 ASCII digits, such as `9781593275846`.
  public var digits: String {
    String(unsafeUninitializedCapacity: 13) { buffer in
      writeDigits(into: buffer)
      return 13
    }
  }

  /// The 13 digits, the same text as `digits`.
  public var description: String { digits }

  /// Appends the 13 ASCII digits to `bytes` without making a String.
  public func appendText(to bytes: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 13) { buffer in
      writeDigits(into: buffer)
      bytes.append(contentsOf: buffer)
    }
  }

  /// Orders by the 13 digits, which is also the order of their text.
  public static func < (lhs: ISBN, rhs: ISBN) -> Bool {
    lhs.value < rhs.value
  }

  /// Writes the 13 digits into the first 13 bytes of `buffer`.
  public func writeDigits(into buffer: UnsafeMutableBufferPointer<UInt8>) {
    Self.writeDigits(of: value, into: buffer)
  }

  /// Writes the last 13 decimal digits of `number`, zero-padded, into the first 13 bytes of
  /// `buffer` (a stored number that may not be a valid ISBN still gets its text).
  public static func writeDigits(of number: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>)
  {
    var rest = number
    for index in stride(from: 12, through: 0, by: -1) {
      buffer[index] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
      rest /= 10
    }
  }

  /// The 13 digits of a stored number as text (`writeDigits(of:into:)`).
  public static func digits(of number: Int64) -> String {
    String(unsafeUninitializedCapacity: 13) { buffer in
      writeDigits(of: number.magnitude, into: buffer)
      return 13
    }
  }

  /// The EAN-13 check digit for a 12-digit number: weights 1, 3, 1, 3 … from the left.
  private static func checkDigit(ofTwelveDigits twelve: UInt64) -> UInt64 {
    var rest = twelve
    var sum: UInt64 = 0
    for position in 0..<12 {
      // Reading from the right, the last of the twelve digits has weight 3.
      sum += (rest % 10) * (position % 2 == 0 ? 3 : 1)
      rest /= 10
    }
    return (10 - sum % 10) % 10
  }
}
