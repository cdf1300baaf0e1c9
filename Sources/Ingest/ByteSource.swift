#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A source of bytes; returns 0 at end of input.
public protocol ByteSource: ~Copyable {
  /// Fills a prefix of `buffer` and returns how many bytes it wrote, or 0 at end of input.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVReadError) -> Int
}

/// An I/O failure while reading the input; data faults are never thrown.
public enum CSVReadError: Error, Equatable, Sendable {
  /// `read(2)` failed with this `errno`.
  case io(errno: Int32)
}

/// Reads an open file descriptor with `read(2)`; the caller keeps ownership and closes it.
public struct FileDescriptorSource: ByteSource {
  private let fileDescriptor: Int32

  /// Wraps an open, readable file descriptor.
  public init(fileDescriptor: Int32) {
    self.fileDescriptor = fileDescriptor
  }

  /// Reads up to `buffer.count` bytes, retrying when a signal interrupts the call.
  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVReadError) -> Int
  {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    while true {
      let count = systemRead(fileDescriptor, base, buffer.count)
      if count >= 0 { return count }
      let code = errno
      if code == EINTR { continue }
      throw .io(errno: code)
    }
  }
}

/// Serves bytes held in memory, for tests and small inputs.
public struct BytesSource: ByteSource {
  private let bytes: [UInt8]
  private var offset = 0

  /// Serves `bytes` from the first to the last.
  public init(_ bytes: [UInt8]) {
    self.bytes = bytes
  }

  /// Copies the next bytes into `buffer`.
  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVReadError) -> Int
  {
    let count = min(buffer.count, bytes.count - offset)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
    }
    offset += count
    return count
  }
}

/// Calls `read(2)`; a free function so the name does not collide with `ByteSource.read`.
private func systemRead(_ descriptor: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(descriptor, base, count)
}
