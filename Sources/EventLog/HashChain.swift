import Crypto
import Foundation

/// The tamper-evident chain of SPEC section 2: each hash is SHA-256 over the previous hash's 32
/// bytes followed by the event's canonical netstrings.
public struct HashChain: Sendable {
  /// The 32 bytes of the last hash (zeros before position 1).
  public private(set) var head: [UInt8]

  public init(head: [UInt8] = [UInt8](repeating: 0, count: 32)) {
    self.head = head
  }

  /// Hashes one event's canonical bytes and advances the head; returns the new hash.
  public mutating func append(canonical: UnsafeRawBufferPointer) -> [UInt8] {
    var hasher = SHA256()
    hasher.update(data: head)
    hasher.update(bufferPointer: canonical)
    head = Array(hasher.finalize())
    return head
  }

  /// Hashes one event's canonical bytes and advances the head in place; `body` sees the new
  /// hash's bytes. Allocates nothing (the import's hot path).
  mutating func advance(
    canonical: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void
  ) {
    var hasher = SHA256()
    head.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    hasher.update(bufferPointer: canonical)
    let digest = hasher.finalize()
    digest.withUnsafeBytes { bytes in
      head.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
      body(bytes)
    }
  }

  /// The head as lowercase hex.
  public var headHex: String { hex(head) }
}

/// The canonical byte form of one event: netstrings of its fields in SPEC order.
public struct CanonicalEvent: Sendable {
  /// The bytes; the byte range of each field's payload is kept for binding without copies.
  public private(set) var bytes: [UInt8] = []
  public private(set) var ranges: [Range<Int>] = []

  public init() {
    bytes.reserveCapacity(512)
    ranges.reserveCapacity(Field.allCases.count)
  }

  /// The fields, in canonical order.
  public enum Field: Int, CaseIterable, Sendable {
    case position, type, commandID, isbn, title, author, quantity, userID, occurredAt, recordedAt
    case batch
  }

  /// Starts a new event.
  public mutating func reset() {
    bytes.removeAll(keepingCapacity: true)
    ranges.removeAll(keepingCapacity: true)
  }

  /// Appends the next field's netstring; fields must come in canonical order.
  public mutating func append(_ text: String) {
    var text = text
    text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
  }

  /// Appends the next field's netstring from raw bytes.
  public mutating func append(_ payload: UnsafeRawBufferPointer) {
    appendDecimal(payload.count)
    bytes.append(UInt8(ascii: ":"))
    let start = bytes.count
    bytes.append(contentsOf: payload)
    ranges.append(start..<bytes.count)
    bytes.append(UInt8(ascii: ","))
  }

  /// Appends a decimal number as the next field (empty when nil).
  public mutating func append(number: Int64?) {
    guard let number else {
      append(UnsafeRawBufferPointer(start: nil, count: 0))
      return
    }
    var digits: [UInt8] = []
    appendDigits(number, to: &digits)
    digits.withUnsafeBytes { append($0) }
  }

  /// Appends a time in the normalised text form as the next field.
  public mutating func append(time: String) {
    append(time)
  }

  private mutating func appendDecimal(_ value: Int) {
    appendDigits(Int64(value), to: &bytes)
  }

  /// The payload bytes of one field.
  public func withField<R>(_ field: Field, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows
    -> R
  {
    let range = ranges[field.rawValue]
    return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
  }
}

func appendDigits(_ value: Int64, to bytes: inout [UInt8]) {
  if value < 0 {
    bytes.append(UInt8(ascii: "-"))
    appendDigits(-value, to: &bytes)
    return
  }
  if value >= 10 { appendDigits(value / 10, to: &bytes) }
  bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// Lowercase hex of bytes.
public func hex(_ bytes: [UInt8]) -> String {
  var out: [UInt8] = []
  out.reserveCapacity(bytes.count * 2)
  for byte in bytes {
    out.append(hexDigits[Int(byte >> 4)])
    out.append(hexDigits[Int(byte & 0x0F)])
  }
  return String(decoding: out, as: UTF8.self)
}

/// Bytes of lowercase or uppercase hex, nil when not hex.
public func unhex(_ text: String) -> [UInt8]? {
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

/// The 64-bit FNV-1a of a command id: the key of the idempotency index. Stable across runs
/// (Swift's Hasher is not).
public func commandKey(_ commandID: String) -> Int64 {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in commandID.utf8 {
    hash ^= UInt64(byte)
    hash = hash &* 0x0000_0100_0000_01B3
  }
  return Int64(bitPattern: hash)
}

/// SHA-256 of everything readable from a file descriptor, as lowercase hex: a batch's identity.
public func sha256Hex(fileDescriptor: Int32) throws(EventLogError) -> String {
  var hasher = SHA256()
  var buffer = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno == EINTR { continue }
      throw .io(path: "batch", detail: "read error (errno \(errno))")
    }
    if count == 0 { break }
    buffer.withUnsafeBytes {
      hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count]))
    }
  }
  return hex(Array(hasher.finalize()))
}
