extension Timestamp {
  /// docs/reports.md form: 2024-03-01T09:30:00Z, or 2024-03-01T09:30:00.250000Z when the fraction
  /// is not zero.
  ///
  /// The same text is stored in the log and parses back to the same value. It does not sort
  /// chronologically as text; compare values instead. A year outside 0001 to 9999 (reachable only
  /// through `init(microseconds:)`) is written with as many digits as it needs and a leading `-`
  /// when negative; such text is not accepted by `parse(_:)`.
  public var description: String {
    withText { String(decoding: $0, as: UTF8.self) }
  }

  /// Appends the text of `description` to `bytes` without making a String (hot path).
  public func appendText(to bytes: inout [UInt8]) {
    withText { bytes.append(contentsOf: $0) }
  }

  /// The longest text: a sign, six year digits (Int64 reaches year 294247) and the rest.
  private static let maximumTextLength = 1 + 6 + 23

  /// Writes the text into a stack buffer and hands the written bytes to `body`.
  private func withText<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.maximumTextLength) {
      buffer in
      let count = writeText(into: buffer)
      return body(UnsafeBufferPointer(rebasing: buffer[..<count]))
    }
  }

  /// Writes the text at the start of `buffer` and returns its length.
  private func writeText(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
    let fields = self.fields
    var index = 0
    func put(_ byte: UInt8) {
      buffer[index] = byte
      index += 1
    }
    func put(_ value: Int, digits: Int) {
      var rest = value
      var position = index + digits - 1
      while position >= index {
        buffer[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
        rest /= 10
        position -= 1
      }
      index += digits
    }

    if fields.year < 0 {
      put(UInt8(ascii: "-"))
    }
    let year = abs(fields.year)
    put(year, digits: year >= 100_000 ? 6 : year >= 10_000 ? 5 : 4)
    put(UInt8(ascii: "-"))
    put(fields.month, digits: 2)
    put(UInt8(ascii: "-"))
    put(fields.day, digits: 2)
    put(UInt8(ascii: "T"))
    put(fields.hour, digits: 2)
    put(UInt8(ascii: ":"))
    put(fields.minute, digits: 2)
    put(UInt8(ascii: ":"))
    put(fields.second, digits: 2)
    if fields.microsecond != 0 {
      put(UInt8(ascii: "."))
      put(fields.microsecond, digits: 6)
    }
    put(UInt8(ascii: "Z"))
    return index
  }
}
