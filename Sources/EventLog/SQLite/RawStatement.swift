import GRDB
import GRDBSQLite

/// The C-level access to SQLite that the hot loops use (import, replay, verify), in one place:
/// stepping, binding without copies, and reading column bytes. A failed step becomes a
/// `DatabaseError` with SQLite's message and the statement's SQL.
enum RawStatement {
  /// Steps a statement that returns no row.
  static func run(_ handle: OpaquePointer) throws {
    let code = sqlite3_step(handle)
    guard code == SQLITE_DONE else { throw failure(handle, code: code) }
    sqlite3_reset(handle)
  }

  /// Steps a prepared statement through its rows, calling `body` on each until it returns
  /// false; leaves the statement reset.
  static func forEachRow(_ handle: OpaquePointer, _ body: () throws -> Bool) throws {
    defer { sqlite3_reset(handle) }
    while true {
      let code = sqlite3_step(handle)
      if code == SQLITE_DONE { return }
      guard code == SQLITE_ROW else { throw failure(handle, code: code) }
      if try !body() { return }
    }
  }

  private static func failure(_ handle: OpaquePointer, code: Int32) -> DatabaseError {
    let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
    let sql = sqlite3_sql(handle).map { String(cString: $0) }
    sqlite3_reset(handle)
    return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
  }

  /// A column's stored bytes (the blob form of a text value: no NUL-terminated copy), valid
  /// until the next step.
  @inline(__always)
  static func bytes(_ handle: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer {
    let start = sqlite3_column_blob(handle, column)
    return UnsafeRawBufferPointer(
      start: start, count: start == nil ? 0 : Int(sqlite3_column_bytes(handle, column)))
  }

  /// A column's bytes as UTF-8 code units.
  @inline(__always)
  static func utf8(_ handle: OpaquePointer, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
    let bytes = bytes(handle, column)
    return UnsafeBufferPointer(
      start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
  }

  static func string(_ handle: OpaquePointer, _ column: Int32) -> String {
    String(decoding: bytes(handle, column), as: UTF8.self)
  }

  /// An integer column that may be NULL.
  @inline(__always)
  static func optionalInt(_ handle: OpaquePointer, _ column: Int32) -> Int64? {
    sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
  }

  /// Binds bytes that stay at their address until the statement has stepped, as text.
  @inline(__always)
  static func bindText(_ handle: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
    // An empty field is the empty string (a null pointer would bind NULL).
    let text = bytes.isEmpty ? UnsafeRawPointer(emptyText.utf8Start) : bytes.baseAddress!
    sqlite3_bind_text(
      handle, index, text.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
  }

  /// Binds bytes that stay at their address until the statement has stepped, as a blob.
  @inline(__always)
  static func bindBlob(_ handle: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
    sqlite3_bind_blob(
      handle, index, bytes.isEmpty ? UnsafeRawPointer(emptyText.utf8Start) : bytes.baseAddress!,
      Int32(bytes.count), nil)
  }

  /// Binds an integer, or NULL.
  @inline(__always)
  static func bind(_ handle: OpaquePointer, _ index: Int32, _ value: Int64?) {
    if let value {
      sqlite3_bind_int64(handle, index, value)
    } else {
      sqlite3_bind_null(handle, index)
    }
  }

  private static let emptyText: StaticString = ""
}

extension StaticString {
  /// The bytes, at their fixed address.
  var rawBytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount)
  }
}
