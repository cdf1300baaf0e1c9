/// Lowercase hex, the form of every hash shelflog shows or stores as text (docs/log-format.md). The
/// one place hex is written and read.
public enum Hex {
  /// The lowercase hex digit of a value 0...15.
  @inline(__always)
  static func digit(_ value: UInt8) -> UInt8 {
    value < 10 ? value &+ UInt8(ascii: "0") : value &+ (UInt8(ascii: "a") &- 10)
  }

  /// Lowercase hex of bytes.
  public static func string(_ bytes: some Sequence<UInt8>) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(64)
    append(bytes, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the lowercase hex of `bytes` to `out`.
  @inline(__always)
  public static func append(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
    for byte in bytes {
      out.append(digit(byte >> 4))
      out.append(digit(byte & 0x0F))
    }
  }

  /// Writes the lowercase hex of `bytes` at `target`, which has room for twice as many bytes.
  @inline(__always)
  static func write(_ bytes: UnsafeRawBufferPointer, to target: UnsafeMutablePointer<UInt8>) {
    for (index, byte) in bytes.enumerated() {
      target[2 * index] = digit(byte >> 4)
      target[2 * index + 1] = digit(byte & 0x0F)
    }
  }

  /// Whether `text` is the lowercase hex of `bytes`.
  static func matches(_ text: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard text.count == 2 * bytes.count else { return false }
    for (index, byte) in bytes.enumerated() {
      guard text[2 * index] == digit(byte >> 4),
        text[2 * index + 1] == digit(byte & 0x0F)
      else { return false }
    }
    return true
  }

  /// The value of a hex digit in either case (percent-encoding's), nil for any other byte.
  static func value(anyCase byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  /// The bytes of lowercase hex text, nil when it is not that.
  public static func bytes(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    func nibble(_ char: UInt8) -> UInt8? {
      switch char {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
      default: nil
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 2)
    var index = 0
    while index < chars.count {
      guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
      out.append(high << 4 | low)
      index += 2
    }
    return out
  }
}
