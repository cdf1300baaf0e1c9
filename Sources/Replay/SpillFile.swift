import Foundation

/// An append-only scratch file for history a replay must keep but not hold in memory (closed
/// loans, anomalies). Unlinked at creation: nothing is left behind, even after a kill.
final class SpillFile {
  private let descriptor: Int32
  private var buffer: [UInt8] = []
  /// Bytes appended so far, buffered ones included: the offset of the next record.
  private(set) var size: Int64 = 0
  private var mapped: UnsafeRawBufferPointer?

  init() throws(ReplayError) {
    let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    var template = Array("\(directory)/shelflog-spill-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw .spill("cannot create a scratch file in \(directory)", errno) }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    descriptor = fd
    buffer.reserveCapacity(1 << 16)
  }

  deinit {
    if let mapped, let base = mapped.baseAddress {
      munmap(UnsafeMutableRawPointer(mutating: base), mapped.count)
    }
    close(descriptor)
  }

  func append(int64 value: Int64) {
    withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    size += 8
  }

  func append(byte: UInt8) {
    buffer.append(byte)
    size += 1
  }

  /// A length-prefixed string; nil is stored as the length 0xFFFF_FFFF.
  func append(string: String?) {
    guard let string else {
      append(int32: UInt32.max)
      return
    }
    let utf8 = string.utf8
    append(int32: UInt32(utf8.count))
    buffer.append(contentsOf: utf8)
    size += Int64(utf8.count)
  }

  private func append(int32 value: UInt32) {
    withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    size += 4
  }

  /// Writes the buffer out when it is full; call after each record.
  func flushIfFull() throws(ReplayError) {
    if buffer.count >= 1 << 16 { try flush() }
  }

  private func flush() throws(ReplayError) {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBytes {
        write(descriptor, $0.baseAddress! + offset, $0.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw .spill("cannot write a scratch file", errno)
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Ends writing and maps the file for reading.
  func seal() throws(ReplayError) {
    try flush()
    guard size > 0 else { return }
    let base = mmap(nil, Int(size), PROT_READ, MAP_PRIVATE, descriptor, 0)
    guard let base, base != MAP_FAILED else { throw .spill("cannot map a scratch file", errno) }
    mapped = UnsafeRawBufferPointer(start: base, count: Int(size))
  }

  /// A reader at `offset` of the sealed file.
  func reader(at offset: Int64) -> SpillReader {
    SpillReader(bytes: mapped ?? UnsafeRawBufferPointer(start: nil, count: 0), offset: Int(offset))
  }
}

/// Reads records back from a sealed spill file.
struct SpillReader {
  let bytes: UnsafeRawBufferPointer
  var offset: Int

  var atEnd: Bool { offset >= bytes.count }

  mutating func int64() -> Int64 {
    let value = bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)
    offset += 8
    return Int64(littleEndian: value)
  }

  mutating func byte() -> UInt8 {
    let value = bytes[offset]
    offset += 1
    return value
  }

  mutating func string() -> String? {
    let count = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    offset += 4
    guard count != UInt32.max else { return nil }
    let text = String(
      decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(count)]),
      as: UTF8.self)
    offset += Int(count)
    return text
  }
}
