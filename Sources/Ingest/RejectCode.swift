/// Why a row was rejected: the codes of docs/importing.md, spelled as users and scripts see them.
public enum RejectCode: String, Sendable, CaseIterable {
  case malformedCSV = "malformed_csv"
  case badEncoding = "bad_encoding"
  case unknownCommand = "unknown_command"
  case missingField = "missing_field"
  case badISBN = "bad_isbn"
  case badTimestamp = "bad_timestamp"
  case badQuantity = "bad_quantity"
  case badUserID = "bad_user_id"
  case fieldTooLong = "field_too_long"
  case duplicateCommandID = "duplicate_command_id"
}

/// One fault of one row: where it starts, which column, what is wrong, and the row as written.
public struct Reject: Sendable, Equatable {
  /// Physical line where the record starts (the header is line 1).
  public var line: Int
  /// 1-based field number, or nil when the column is absent from the header.
  public var column: Int?
  public var code: RejectCode
  public var message: String
  /// The original record text (capped for huge records).
  public var raw: String
  /// The probable cause, when a common one is recognised (the message names it).
  public var cause: RejectCause?

  public init(
    line: Int, column: Int?, code: RejectCode, message: String, raw: String,
    cause: RejectCause? = nil
  ) {
    self.line = line
    self.column = column
    self.code = code
    self.message = message
    self.raw = raw
    self.cause = cause
  }
}
