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
