/// UTF-8 well-formedness as Unicode's table 3-7 defines it (and the Swift standard library checks).
enum CSVUTF8 {
  /// Whether `bytes` is well-formed UTF-8: no overlongs, surrogates, values over U+10FFFF or
  /// truncated sequences.
  static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let count = bytes.count
    while i < count {
      let lead = bytes[i]
      if lead < 0x80 {
        i += 1
        continue
      }
      let length: Int
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch lead {
      case 0xC2...0xDF:
        length = 2
      case 0xE0:
        length = 3
        low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF:
        length = 3
      case 0xED:
        length = 3
        high = 0x9F
      case 0xF0:
        length = 4
        low = 0x90
      case 0xF1...0xF3:
        length = 4
      case 0xF4:
        length = 4
        high = 0x8F
      default:
        return false
      }
      guard count - i >= length else { return false }
      let second = bytes[i + 1]
      guard second >= low, second <= high else { return false }
      var k = 2
      while k < length {
        guard bytes[i + k] & 0xC0 == 0x80 else { return false }
        k += 1
      }
      i += length
    }
    return true
  }
}
