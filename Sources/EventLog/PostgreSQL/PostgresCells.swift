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

  /// Adds one event in the stored form (`PostgresSchema`); the texts are UTF-8 bytes.
  mutating func append(
    position: Int64, type: Int64, commandID: UnsafeRawBufferPointer, isbn: Int64,
    title: UnsafeRawBufferPointer, author: UnsafeRawBufferPointer, quantity: Int64?,
    userID: UnsafeRawBufferPointer, occurredMicroseconds: Int64, batch: Int64,
    hash: UnsafeRawBufferPointer
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
      row.byte(Self.tab)
      row.decimal(type)
      row.byte(Self.tab)
      row.text(commandID)
      row.byte(Self.tab)
      if commandID.isEmpty { row.null() } else { row.decimal(CommandKey.of(commandID)) }
      row.byte(Self.tab)
      row.decimal(isbn)
      row.byte(Self.tab)
      row.text(title)
      row.byte(Self.tab)
      row.text(author)
      row.byte(Self.tab)
      if let quantity { row.decimal(quantity) } else { row.null() }
      row.byte(Self.tab)
      row.text(userID)
      row.byte(Self.tab)
      row.decimal(occurredMicroseconds)
      row.byte(Self.tab)
      row.decimal(batch)
      row.byte(Self.tab)
      row.hex(hash)
      row.byte(UInt8(ascii: "\n"))
      return row.at
    }
  }

  /// Adds one event given as strings (`copy` between logs).
  mutating func append(
    position: Int64, type: Int64, commandID: String, isbn: Int64, title: String, author: String,
    quantity: Int64?, userID: String, occurredMicroseconds: Int64, batch: Int64, hash: [UInt8]
  ) {
    var commandID = commandID
    var title = title
    var author = author
    var userID = userID
    commandID.withUTF8 { commandID in
      title.withUTF8 { title in
        author.withUTF8 { author in
          userID.withUTF8 { userID in
            hash.withUnsafeBytes { hash in
              append(
                position: position, type: type, commandID: UnsafeRawBufferPointer(commandID),
                isbn: isbn, title: UnsafeRawBufferPointer(title),
                author: UnsafeRawBufferPointer(author), quantity: quantity,
                userID: UnsafeRawBufferPointer(userID), occurredMicroseconds: occurredMicroseconds,
                batch: batch, hash: hash)
            }
          }
        }
      }
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

  private static let tab = UInt8(ascii: "\t")
}

/// Writes one row of COPY's text format into memory known to be large enough.
private struct RowWriter {
  let out: UnsafeMutableRawBufferPointer
  var at = 0

  private static let hexDigits: StaticString = "0123456789abcdef"

  mutating func byte(_ value: UInt8) {
    out[at] = value
    at += 1
  }

  mutating func null() {
    byte(UInt8(ascii: "\\"))
    byte(UInt8(ascii: "N"))
  }

  mutating func decimal(_ value: Int64) {
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
  mutating func text(_ bytes: UnsafeRawBufferPointer) {
    for value in bytes {
      switch value {
      case UInt8(ascii: "\\"):
        byte(UInt8(ascii: "\\"))
        byte(UInt8(ascii: "\\"))
      case UInt8(ascii: "\t"):
        byte(UInt8(ascii: "\\"))
        byte(UInt8(ascii: "t"))
      case UInt8(ascii: "\n"):
        byte(UInt8(ascii: "\\"))
        byte(UInt8(ascii: "n"))
      case UInt8(ascii: "\r"):
        byte(UInt8(ascii: "\\"))
        byte(UInt8(ascii: "r"))
      default:
        byte(value)
      }
    }
  }

  /// A bytea column in hex form (`\x…`), its backslash escaped for COPY.
  mutating func hex(_ bytes: UnsafeRawBufferPointer) {
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
