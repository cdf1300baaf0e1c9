import Foundation
import Plumbing

/// An append-only scratch file for history a replay must keep but not hold in memory (closed
/// loans, anomalies). Unlinked at creation: nothing is left behind, even after a kill.
final class SpillFile {
  private let descriptor: Int32
  private var buffer: [UInt8] = []
  /// Bytes appended so far, buffered ones included: the offset of the next record.
  private(set) var size: Int64 = 0

  init() throws(ReplayError) {
    do {
      descriptor = try ScratchFile.open(prefix: "shelflog-spill")
    } catch {
      throw .spill("cannot create a scratch file in \(error.folder)", error.errno)
    }
    buffer.reserveCapacity(1 << 16)
  }

  deinit {
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

  /// A fixed-size record, its bytes as they are in memory (the file never leaves this process).
  func append<Record: BitwiseCopyable>(record: Record) {
    withUnsafeBytes(of: record) { buffer.append(contentsOf: $0) }
    size += Int64(MemoryLayout<Record>.size)
  }

  /// Reads the sealed file from the start as fixed-size records, about a megabyte at a time.
  func forEachRecordChunk<Record: BitwiseCopyable>(
    of type: Record.Type, _ body: (UnsafeBufferPointer<Record>) throws -> Void
  ) rethrows {
    let stride = MemoryLayout<Record>.stride
    let perChunk = max(1, (1 << 20) / stride)
    let storage = UnsafeMutableBufferPointer<Record>.allocate(capacity: perChunk)
    defer { storage.deallocate() }
    let raw = UnsafeMutableRawPointer(storage.baseAddress!)
    var offset: Int64 = 0
    while offset + Int64(stride) <= size {
      let bytes = Int(min(Int64(perChunk), (size - offset) / Int64(stride))) * stride
      var done = 0
      while done < bytes {
        let got = pread(descriptor, raw + done, bytes - done, off_t(offset) + off_t(done))
        if got < 0 && errno == EINTR { continue }
        if got <= 0 { break }
        done += got
      }
      let count = done / stride
      guard count > 0 else { return }
      try body(UnsafeBufferPointer(rebasing: storage[..<count]))
      guard done == bytes else { return }
      offset += Int64(bytes)
    }
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
    if let failure = buffer.withUnsafeBytes({ writeAll(descriptor, $0) }) {
      throw .spill("cannot write a scratch file", failure)
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Ends writing; the file is read back with `reader(at:window:)`.
  func seal() throws(ReplayError) {
    try flush()
  }

  /// A reader at `offset` of the sealed file that fetches `window` bytes at a time with
  /// pread(2): sequential readers want a large window, chain walkers a small one. Reading never
  /// maps the file, so it never swells the resident set.
  func reader(at offset: Int64, window: Int) -> SpillReader {
    SpillReader(descriptor: descriptor, size: size, offset: offset, window: window)
  }
}

/// Reads records back from a sealed spill file through a small window.
struct SpillReader {
  private let descriptor: Int32
  private let size: Int64
  private let window: Int
  private var buffer: [UInt8] = []
  private var bufferStart: Int64 = 0
  private(set) var offset: Int64

  init(descriptor: Int32, size: Int64, offset: Int64, window: Int) {
    self.descriptor = descriptor
    self.size = size
    self.offset = offset
    self.window = window
  }

  var atEnd: Bool { offset >= size }

  /// Makes `count` bytes at `offset` available in the buffer; false when the file is short.
  private mutating func fill(_ count: Int) -> Bool {
    if offset >= bufferStart && offset + Int64(count) <= bufferStart + Int64(buffer.count) {
      return true
    }
    let length = Int(min(Int64(max(window, count)), size - offset))
    guard length >= count else { return false }
    buffer = [UInt8](unsafeUninitializedCapacity: length) { storage, initialized in
      var done = 0
      while done < length {
        let got = pread(
          descriptor, storage.baseAddress! + done, length - done, off_t(offset) + off_t(done))
        if got < 0 && errno == EINTR { continue }
        if got <= 0 { break }
        done += got
      }
      initialized = done
    }
    bufferStart = offset
    return buffer.count >= count
  }

  private mutating func take<T: FixedWidthInteger>(_ type: T.Type) -> T {
    let width = MemoryLayout<T>.size
    guard fill(width) else {
      offset = size
      return 0
    }
    let start = Int(offset - bufferStart)
    let value = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start, as: T.self) }
    offset += Int64(width)
    return T(littleEndian: value)
  }

  mutating func int64() -> Int64 { take(Int64.self) }

  mutating func byte() -> UInt8 { take(UInt8.self) }

  mutating func string() -> String? {
    let count = take(UInt32.self)
    guard count != UInt32.max else { return nil }
    guard fill(Int(count)) else {
      offset = size
      return nil
    }
    let start = Int(offset - bufferStart)
    let text = String(decoding: buffer[start..<start + Int(count)], as: UTF8.self)
    offset += Int64(count)
    return text
  }
}
