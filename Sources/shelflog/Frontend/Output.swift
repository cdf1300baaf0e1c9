import Foundation
import Plumbing

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
    if let failure = buffer.withUnsafeBytes({ writeAll(STDOUT_FILENO, $0) }) {
      if failure == EPIPE { Foundation.exit(0) }
      Terminal.error("cannot write to standard output (errno \(failure))")
      Foundation.exit(Failure.ioError)
    }
    buffer.removeAll(keepingCapacity: true)
  }

  deinit {
    flush()
  }
}
