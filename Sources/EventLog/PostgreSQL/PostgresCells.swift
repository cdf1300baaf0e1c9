import Foundation
import NIOCore
import PostgresNIO

/// Reads the cells of a result row (PostgresNIO asks for every result column in binary form)
/// as the columns shelflog stores: integers, text and bytes, without PostgresNIO's generic
/// decoding per cell. A row's cells are read in order (`Array(row)`): a random-access row
/// builds a table of column names for every row.
enum PostgresCells {
  /// A row's cells, in order.
  static func cells(_ row: PostgresRow) -> [PostgresCell] { Array(row) }

  /// An integer column (smallint, integer or bigint); nil for NULL.
  static func int(_ cell: PostgresCell) -> Int64? {
    guard var buffer = cell.bytes else { return nil }
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
    cell.bytes.map { Array($0.readableBytesView) } ?? []
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

/// The packed part of a replay row (`PostgresSchema.replayColumns`), read in place: the type
/// (2 bytes), the ISBN and the quantity (8 bytes each), big-endian, then the command id, title,
/// author and user id as UTF-8, the first three each ended by a zero byte (no PostgreSQL text
/// holds one). The texts point into the row's bytes.
struct PackedReplayRow {
  let type: Int64
  let isbn: Int64
  let quantity: Int64
  let commandID: UnsafeRawBufferPointer
  let title: UnsafeRawBufferPointer
  let author: UnsafeRawBufferPointer
  let userID: UnsafeRawBufferPointer

  /// Nil when `bytes` are not in that form.
  init?(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count >= 18, let base = bytes.baseAddress else { return nil }
    type = Int64(Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int16.self)))
    isbn = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: Int64.self))
    quantity = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 10, as: Int64.self))
    var start = 18
    /// The text from `start` to the next zero byte, and `start` past that byte.
    func text() -> UnsafeRawBufferPointer? {
      guard let end = memchr(base + start, 0, bytes.count - start) else { return nil }
      let count = base.distance(to: UnsafeRawPointer(end)) - start
      defer { start += count + 1 }
      return UnsafeRawBufferPointer(start: base + start, count: count)
    }
    guard let commandID = text(), let title = text(), let author = text() else { return nil }
    self.commandID = commandID
    self.title = title
    self.author = author
    userID = UnsafeRawBufferPointer(start: base + start, count: bytes.count - start)
  }
}

/// Rows for `log_events` in `COPY … FROM STDIN`'s text format, sent a block at a time with one
/// `COPY` each (`PostgresSession.copy`): columns separated by tabs, rows ended by newlines, `\N`
/// for NULL, in text the backslash, tab, newline and carriage return escaped with a backslash,
/// the hash in bytea's hex form. Measured against the insert through `unnest` of binary arrays
/// it replaced: docs/performance.md.
struct EventCopy {
  private(set) var count = 0
  private var rows = NIOCore.ByteBufferAllocator().buffer(capacity: 1 << 20)

  static let columns = [
    "position", "type", "command_id", "command_key", "isbn", "title", "author", "quantity",
    "user_id", "occurred_us", "batch", "hash",
  ]

  /// Adds one event in the stored form (`PostgresSchema`); the texts are UTF-8 bytes (a
  /// batch's bytes, or a `String`'s `utf8` when copying between logs).
  mutating func append(
    position: Int64, type: Int64, commandID: some Collection<UInt8>, isbn: Int64,
    title: some Collection<UInt8>, author: some Collection<UInt8>, quantity: Int64?,
    userID: some Collection<UInt8>, occurredMicroseconds: Int64, batch: Int64,
    hash: some Collection<UInt8>
  ) {
    count += 1
    // At most: 7 integers of 20 digits and a sign, 12 separators or the newline, two NULLs,
    // each text byte escaped, the hash in hex with its prefix.
    let most =
      7 * 21 + 12 + 2 * 2 + 2 * (commandID.count + title.count + author.count + userID.count)
      + 3 + 2 * hash.count
    rows.writeWithUnsafeMutableBytes(minimumWritableBytes: most) { out in
      var row = RowWriter(out: out)
      row.decimal(position)
      row.decimal(type)
      row.text(commandID)
      if commandID.isEmpty { row.null() } else { row.decimal(CommandKey.of(commandID)) }
      row.decimal(isbn)
      row.text(title)
      row.text(author)
      if let quantity { row.decimal(quantity) } else { row.null() }
      row.text(userID)
      row.decimal(occurredMicroseconds)
      row.decimal(batch)
      row.hex(hash)
      return row.end()
    }
  }

  /// Copies the gathered rows in (in the caller's transaction) and empties the copy.
  mutating func flush(_ session: PostgresSession) throws(EventLogError) {
    if let sent = send(session) { _ = try session.wait(for: sent) }
  }

  /// Sends the gathered rows without waiting for them, and empties the copy; nil when there
  /// was nothing to send.
  mutating func send(_ session: PostgresSession) -> PostgresSession.Sent? {
    guard count > 0 else { return nil }
    let sent = session.copy(into: "log_events", columns: Self.columns, rows)
    count = 0
    rows = NIOCore.ByteBufferAllocator().buffer(capacity: rows.capacity)
    return sent
  }
}

/// Writes one row of COPY's text format into memory known to be large enough: each column
/// after the first starts with a tab, `end` adds the newline.
private struct RowWriter {
  let out: UnsafeMutableRawBufferPointer
  var at = 0

  private static let hexDigits: StaticString = "0123456789abcdef"

  private mutating func byte(_ value: UInt8) {
    out[at] = value
    at += 1
  }

  /// The tab before every column but the first (whose value is never empty).
  private mutating func column() {
    if at > 0 { byte(UInt8(ascii: "\t")) }
  }

  /// Ends the row; the bytes written.
  mutating func end() -> Int {
    byte(UInt8(ascii: "\n"))
    return at
  }

  mutating func null() {
    column()
    byte(UInt8(ascii: "\\"))
    byte(UInt8(ascii: "N"))
  }

  mutating func decimal(_ value: Int64) {
    column()
    var magnitude = value.magnitude
    var digits = 0
    repeat {
      digits += 1
      magnitude /= 10
    } while magnitude > 0
    if value < 0 { byte(UInt8(ascii: "-")) }
    magnitude = value.magnitude
    var end = at + digits
    at = end
    repeat {
      end -= 1
      out[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
      magnitude /= 10
    } while magnitude > 0
  }

  /// A text column: its bytes, the backslash, tab, newline and carriage return escaped.
  mutating func text(_ bytes: some Sequence<UInt8>) {
    column()
    for value in bytes {
      let escaped: UInt8? =
        switch value {
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "\t"): UInt8(ascii: "t")
        case UInt8(ascii: "\n"): UInt8(ascii: "n")
        case UInt8(ascii: "\r"): UInt8(ascii: "r")
        default: nil
        }
      if let escaped {
        byte(UInt8(ascii: "\\"))
        byte(escaped)
      } else {
        byte(value)
      }
    }
  }

  /// A bytea column in hex form (`\x…`), its backslash escaped for COPY.
  mutating func hex(_ bytes: some Sequence<UInt8>) {
    column()
    byte(UInt8(ascii: "\\"))
    byte(UInt8(ascii: "\\"))
    byte(UInt8(ascii: "x"))
    Self.hexDigits.withUTF8Buffer { digits in
      for value in bytes {
        byte(digits[Int(value >> 4)])
        byte(digits[Int(value & 0x0F)])
      }
    }
  }
}
