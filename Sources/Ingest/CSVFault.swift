/// A structural fault the reader found in one record.
public enum CSVFaultKind: Equatable, Sendable {
  /// A quoted field is still open at the end of the input (`malformed_csv`).
  case unterminatedQuote
  /// A `"` inside a field that did not start with one (`malformed_csv`).
  case quoteInUnquotedField
  /// Something other than `,` or a line break after a closing quote (`malformed_csv`).
  case textAfterClosingQuote
  /// A NUL byte anywhere in the record (`malformed_csv`).
  case nulByte
  /// The record has another number of fields than the header (`malformed_csv`).
  case fieldCount(expected: Int, actual: Int)
  /// The record has more fields than the reader keeps (`malformed_csv`).
  case tooManyFields(limit: Int)
  /// A field is longer than the limit, in unescaped bytes (`field_too_long`).
  case fieldTooLong(limit: Int)
  /// A field's bytes are not valid UTF-8 (`bad_encoding`).
  case badEncoding
}

/// One fault of one record, with the 1-based field index where the reader detected it.
///
/// For `fieldCount` the column is the first missing or first extra field
/// (`min(expected, actual) + 1`); for `tooManyFields` it is `limit + 1`.
public struct CSVFault: Equatable, Sendable {
  /// What is wrong.
  public var kind: CSVFaultKind
  /// The 1-based field index where the fault was detected.
  public var column: Int

  /// Makes a fault of `kind` at `column`.
  public init(kind: CSVFaultKind, column: Int) {
    self.kind = kind
    self.column = column
  }
}

extension CSVFaultKind {
  /// Whether both are the same case, whatever their associated values.
  func isSameCase(as other: CSVFaultKind) -> Bool {
    switch (self, other) {
    case (.unterminatedQuote, .unterminatedQuote), (.quoteInUnquotedField, .quoteInUnquotedField),
      (.textAfterClosingQuote, .textAfterClosingQuote), (.nulByte, .nulByte),
      (.fieldCount, .fieldCount), (.tooManyFields, .tooManyFields),
      (.fieldTooLong, .fieldTooLong), (.badEncoding, .badEncoding):
      return true
    default:
      return false
    }
  }
}
