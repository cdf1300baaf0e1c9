import Foundation

/// Buffered standard output; a closed pipe (`| head`) ends the program quietly.
final class Output {
  private var buffer: [UInt8] = []

  init() {
    buffer.reserveCapacity(1 << 16)
  }

  func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  func line(_ text: String) {
    write(text)
    buffer.append(UInt8(ascii: "\n"))
  }

  func flush() {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBytes {
        Foundation.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        if errno == EPIPE { Foundation.exit(0) }
        Terminal.error("cannot write to standard output (errno \(errno))")
        Foundation.exit(Failure.ioError)
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }

  deinit {
    flush()
  }
}

/// JSON text with keys in the order written: SPEC fixes key order, and Foundation's encoder
/// does not promise one.
enum JSON {
  static func string(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{0}"..."\u{1F}", "\u{2028}", "\u{2029}":
        out +=
          "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
          + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  static func string(_ text: String?) -> String { text.map { string($0) } ?? "null" }

  static func number<N: BinaryInteger>(_ value: N?) -> String { value.map { "\($0)" } ?? "null" }

  /// An object from key/value pairs whose values are JSON text already.
  static func object(_ pairs: KeyValuePairs<String, String>) -> String {
    "{" + pairs.map { "\(string($0.key)):\($0.value)" }.joined(separator: ",") + "}"
  }
}

/// RFC 4180 quoting of one CSV field.
func csvField(_ text: String) -> String {
  guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
  else {
    return text
  }
  return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
