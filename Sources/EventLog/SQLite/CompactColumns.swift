import GRDB
import GRDBSQLite
import LibraryDomain

/// Reads the compact columns of `log_events` (`CompactForm`) back as the text a reader wants,
/// through the C API. One reader per statement loop: its buffers are reused row after row.
final class CompactColumns {
  /// The text of the last command id read from a packed UUID.
  private let commandID = UnsafeMutablePointer<UInt8>.allocate(
    capacity: CompactForm.uuidTextLength)
  /// The 13 digits of the last ISBN written as text.
  private let isbn = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 13)

  deinit {
    commandID.deallocate()
    isbn.deallocate()
  }

  /// The command id's text bytes (valid until the next call or step).
  func commandID(_ handle: OpaquePointer, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
    if sqlite3_column_type(handle, column) == SQLITE_BLOB {
      let packed = RawStatement.bytes(handle, column)
      guard packed.count == CompactForm.packedCommandIDLength else {
        return UnsafeBufferPointer(start: nil, count: 0)
      }
      CompactForm.unpackCommandID(packed, into: commandID)
      return UnsafeBufferPointer(start: commandID, count: CompactForm.uuidTextLength)
    }
    return RawStatement.utf8(handle, column)
  }

  /// Whether the stored command id is one a writer could have stored: text, or a packed UUID.
  static func isCommandIDSound(_ handle: OpaquePointer, _ column: Int32) -> Bool {
    switch sqlite3_column_type(handle, column) {
    case SQLITE_TEXT: true
    case SQLITE_BLOB: sqlite3_column_bytes(handle, column) == CompactForm.packedCommandIDLength
    default: false
    }
  }

  /// The ISBN's 13 digits as text bytes (valid until the next call).
  func isbnText(_ number: Int64) -> UnsafeBufferPointer<UInt8> {
    ISBN.writeDigits(of: number.magnitude, into: isbn)
    return UnsafeBufferPointer(isbn)
  }

  /// The event type of a stored code column; nil when it is not one.
  static func type(_ handle: OpaquePointer, _ column: Int32) -> EventType? {
    guard sqlite3_column_type(handle, column) == SQLITE_INTEGER else { return nil }
    return CompactForm.type(code: sqlite3_column_int64(handle, column))
  }
}
