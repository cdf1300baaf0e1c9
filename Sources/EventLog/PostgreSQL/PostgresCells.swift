import NIOCore
import PostgresNIO

/// Reads the cells of a result row as the columns shelflog stores: integers, text and bytes,
/// in binary or text format, without PostgresNIO's generic decoding per cell.
enum PostgresCells {
  /// An integer column (smallint, integer or bigint); nil for NULL.
  static func int(_ cell: PostgresCell) -> Int64? {
    guard var buffer = cell.bytes else { return nil }
    if cell.format == .text { return Int64(String(buffer: buffer)) }
    switch buffer.readableBytes {
    case 8: return buffer.readInteger(as: Int64.self)
    case 4: return buffer.readInteger(as: Int32.self).map(Int64.init)
    case 2: return buffer.readInteger(as: Int16.self).map(Int64.init)
    default: return nil
    }
  }

  /// A text column ("" for NULL).
  static func string(_ cell: PostgresCell) -> String {
    cell.bytes.map { String(buffer: $0) } ?? ""
  }

  /// A bytea column's bytes (empty for NULL).
  static func bytes(_ cell: PostgresCell) -> [UInt8] {
    guard let buffer = cell.bytes else { return [] }
    if cell.format == .text {
      // `\x` then hex.
      let text = String(buffer: buffer)
      return Hex.bytes(String(text.dropFirst(2))) ?? []
    }
    return Array(buffer.readableBytesView)
  }

  /// Hands the bytes of a text or bytea column to `body` without a copy.
  static func withBytes<T>(_ cell: PostgresCell, _ body: (UnsafeRawBufferPointer) throws -> T)
    rethrows -> T
  {
    guard let buffer = cell.bytes else {
      return try body(UnsafeRawBufferPointer(start: nil, count: 0))
    }
    return try buffer.withUnsafeReadableBytes(body)
  }
}

/// Text-format `COPY` data: one row per line, columns split by tabs, `\N` for NULL.
struct CopyText {
  var buffer: NIOCore.ByteBuffer

  init(capacity: Int = 1 << 20) {
    buffer = ByteBufferAllocator().buffer(capacity: capacity)
  }

  mutating func int(_ value: Int64?) {
    if let value { buffer.writeString(String(value)) } else { buffer.writeStaticString("\\N") }
  }

  /// Text with COPY's escapes for backslash, tab, newline and carriage return.
  mutating func text(_ bytes: UnsafeRawBufferPointer) {
    var start = 0
    for (index, byte) in bytes.enumerated() {
      let escape: UInt8? =
        switch byte {
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "\t"): UInt8(ascii: "t")
        case UInt8(ascii: "\n"): UInt8(ascii: "n")
        case UInt8(ascii: "\r"): UInt8(ascii: "r")
        default: nil
        }
      guard let escape else { continue }
      buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
      buffer.writeBytes([UInt8(ascii: "\\"), escape])
      start = index + 1
    }
    buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count]))
  }

  mutating func text(_ string: String) {
    var string = string
    string.withUTF8 { text(UnsafeRawBufferPointer($0)) }
  }

  /// A bytea value in hex form (`\\x…`: the backslash escaped for COPY).
  mutating func bytea(_ bytes: some Sequence<UInt8>) {
    var hex: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")]
    Hex.append(bytes, to: &hex)
    buffer.writeBytes(hex)
  }

  mutating func tab() { buffer.writeInteger(UInt8(ascii: "\t")) }
  mutating func endRow() { buffer.writeInteger(UInt8(ascii: "\n")) }
}
