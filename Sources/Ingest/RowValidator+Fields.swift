import LibraryDomain

/// The faults found in one row so far, in the order of its columns once flushed.
struct RowCheck {
  let line: Int
  private var faults: [(column: Int?, code: RejectCode, message: String, cause: RejectCause?)] = []

  init(line: Int) {
    self.line = line
  }

  var isClean: Bool { faults.isEmpty }

  mutating func fail(
    _ column: Int?, _ code: RejectCode, _ message: String, cause: RejectCause? = nil
  ) {
    faults.append((column, code, message, cause))
  }

  /// Appends this row's faults as rejects, ordered by column (absent columns last).
  func flush(into rejects: inout [Reject], raw record: borrowing CSVRecord) {
    guard !faults.isEmpty else { return }
    var text = String(decoding: record.raw, as: UTF8.self)
    if record.rawTruncated { text += "…" }
    let ordered = faults.enumerated().sorted { lhs, rhs in
      let left = lhs.element.column ?? Int.max
      let right = rhs.element.column ?? Int.max
      return left != right ? left < right : lhs.offset < rhs.offset
    }
    for (_, fault) in ordered {
      rejects.append(
        Reject(
          line: line, column: fault.column, code: fault.code, message: fault.message, raw: text,
          cause: fault.cause))
    }
  }
}

/// Access to one record's fields by column name.
struct Fields {
  let header: BatchHeader
  let record: CSVRecord
  let faulty: Set<Int>

  init(header: BatchHeader, record: borrowing CSVRecord, faulty: Set<Int>) {
    self.header = header
    self.record = copy record
    self.faulty = faulty
  }

  /// Whether a 1-based field already has a fault (most rows have none: no hashing then).
  func isFaulty(_ field: Int) -> Bool {
    !faulty.isEmpty && faulty.contains(field)
  }

  /// 1-based field number of a column, nil when absent from the header.
  func column(_ column: Column) -> Int? {
    header.index(of: column).map { $0 + 1 }
  }

  /// The field as text, nil when the column is absent or the field already has a fault.
  func text(_ column: Column) -> String? {
    guard let index = header.index(of: column), !isFaulty(index + 1) else { return nil }
    return record.string(index)
  }

  /// Parses a required field: missing_field when empty or absent, the `invalid` fault when the
  /// parser refuses it, nil either way.
  func required<Value>(
    _ column: Column, _ check: inout RowCheck,
    parse: (UnsafeBufferPointer<UInt8>) -> Value?,
    invalid: (String) -> (RejectCode, String, RejectCause?)
  ) -> Value? {
    guard let index = header.index(of: column) else {
      check.fail(
        nil, .missingField, "\(column.rawValue) is required but the header has no such column")
      return nil
    }
    if isFaulty(index + 1) { return nil }
    let value = record.withFieldBytes(index) { bytes -> Value?? in
      bytes.isEmpty ? .some(nil) : .some(parse(bytes))
    }
    switch value {
    case .some(.some(let parsed)):
      return parsed
    case .some(.none) where record.field(index).isEmpty:
      check.fail(index + 1, .missingField, "\(column.rawValue) is empty")
    default:
      let (code, message, cause) = invalid(record.string(index))
      check.fail(index + 1, code, message, cause: cause)
    }
    return nil
  }

  /// A title or author: required for AddBook, trimmed, non-blank, at most 1,024 scalars.
  func catalogText(_ column: Column, _ check: inout RowCheck) -> String? {
    guard let index = header.index(of: column) else {
      check.fail(
        nil, .missingField,
        "\(column.rawValue) is required for AddBook but the header has no such column")
      return nil
    }
    if isFaulty(index + 1) { return nil }
    let value = trimmingWhitespace(record.string(index))
    if value.isEmpty {
      check.fail(index + 1, .missingField, "\(column.rawValue) is empty")
      return nil
    }
    // A text of at most `maxTextScalars` UTF-8 bytes has at most as many scalars: count only
    // a longer one.
    let count = value.utf8.count > RowValidator.maxTextScalars ? value.unicodeScalars.count : 0
    if count > RowValidator.maxTextScalars {
      check.fail(
        index + 1, .fieldTooLong,
        "\(column.rawValue) has \(count) characters; at most \(RowValidator.maxTextScalars)")
      return nil
    }
    return value
  }
}

/// Trims Unicode white space at both ends.
func trimmingWhitespace(_ text: String) -> String {
  let scalars = text.unicodeScalars
  guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
    let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
  else { return "" }
  if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
  return String(scalars[first...last])
}
